import PantauStore

/// Group commit for `POST /api/v1/events`: requests that arrive while an ingestion transaction is
/// running wait for it to end and are then stored together, in one transaction, instead of one
/// after another.
///
/// Every ingestion is a write transaction that also re-checks the touched cases and writes one
/// audit entry; on SQLite they run one at a time whatever the number of connections. Many systems
/// posting single events (a queue machine, a registration desk) would each pay a whole transaction
/// for one event. Here the first request of a quiet moment is stored at once, alone; requests
/// that arrive meanwhile are stored by the next transaction together (up to
/// ``EventLimits/maxBatch`` events, sender by sender: a transaction holds the events of one token
/// or user and scope, so the audit trail still names who sent them). Each request is answered
/// only after the transaction holding its events committed, with its own events' outcomes, so
/// what is acknowledged is stored, as without grouping. A failed transaction fails the requests
/// it held (each gets the error; none of their events is stored).
///
/// Semantics are those of sending the grouped batches one after another: an event id sent twice
/// within one group is stored once and the second is answered `duplicate`.
actor EventIngestQueue {
    struct Sender: Hashable, Sendable {
        let scope: IngestScope
        let actor: AuditActor
    }

    private struct Item {
        let sender: Sender
        let inputs: [EventInput]
        let continuation: CheckedContinuation<[EventOutcome], any Error>
    }

    private let store: PantauStore
    /// Transactions running at once: 1 on SQLite (it writes one at a time anyway), a few on
    /// PostgreSQL, which runs writers side by side.
    private let concurrency: Int
    private let maxEvents: Int
    private var pending: [Item] = []
    private var running = 0

    init(store: PantauStore, concurrency: Int, maxEvents: Int = EventLimits.maxBatch) {
        self.store = store
        self.concurrency = max(1, concurrency)
        self.maxEvents = max(1, maxEvents)
    }

    /// The outcome of each of `inputs`, in order, once they are stored (or refused).
    func ingest(_ inputs: [EventInput], scope: IngestScope, by actor: AuditActor) async throws -> [EventOutcome] {
        guard !inputs.isEmpty else { return [] }
        return try await withCheckedThrowingContinuation { continuation in
            pending.append(Item(sender: Sender(scope: scope, actor: actor), inputs: inputs, continuation: continuation))
            if running < concurrency {
                running += 1
                Task { await self.drain() }
            }
        }
    }

    /// Stores pending requests, a group at a time, until none is left.
    private func drain() async {
        while let group = takeGroup() {
            let events = group.items.flatMap(\.inputs)
            do {
                let outcomes = try await store.ingestEvents(events, scope: group.sender.scope, by: group.sender.actor)
                var start = 0
                for item in group.items {
                    item.continuation.resume(returning: Array(outcomes[start..<(start + item.inputs.count)]))
                    start += item.inputs.count
                }
            } catch {
                for item in group.items { item.continuation.resume(throwing: error) }
            }
        }
        running -= 1
    }

    /// The oldest pending request and those of the same sender after it, as many as fit in one
    /// batch; the rest stay in order.
    private func takeGroup() -> (sender: Sender, items: [Item])? {
        guard let first = pending.first else { return nil }
        var taken: [Item] = [], kept: [Item] = []
        var events = 0
        for item in pending {
            if item.sender == first.sender, taken.isEmpty || events + item.inputs.count <= maxEvents {
                taken.append(item)
                events += item.inputs.count
            } else {
                kept.append(item)
            }
        }
        pending = kept
        return (first.sender, taken)
    }
}
