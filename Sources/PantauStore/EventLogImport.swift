import Foundation
import PantauCore

/// An event log (CSV, XES or an XLSX sheet, read by PantauCore) imported as service cases of one SOP: shared by
/// `pantau events import` and the web upload (`/sops/{id}/impor-kejadian`).
///
/// Every event is checked first; unless `skipInvalid`, one bad event stops the import before
/// anything is stored. Events are then stored in batches (one transaction each). Each event's id
/// is derived from the file name, its case and its position in the case, so importing the same
/// file again stores nothing twice and completes an interrupted import.
public struct EventLogImport: Sendable {
    public let log: EventLog
    public let fileName: String
    public let sopID: Int64
    public let skipInvalid: Bool
    public let batch: Int

    public init(log: EventLog, fileName: String, sopID: Int64, skipInvalid: Bool, batch: Int = EventLimits.maxBatch) {
        self.log = log
        self.fileName = fileName
        self.sopID = sopID
        self.skipInvalid = skipInvalid
        self.batch = max(1, min(batch, EventLimits.maxBatch))
    }

    /// One event that was refused, with where it is in the file.
    public struct Rejection: Sendable {
        public var caseID: String
        /// 1-based position of the event in its case (file order); 0 when the whole batch is meant.
        public var position: Int
        public var activity: String
        public var problems: [InputProblem]

        public init(caseID: String, position: Int, activity: String, problems: [InputProblem]) {
            self.caseID = caseID
            self.position = position
            self.activity = activity
            self.problems = problems
        }
    }

    /// How an import ended.
    public enum Ending: Sendable, Equatable {
        /// Every valid event was handed to the store (some may be rejected when skipping).
        case completed
        /// Invalid events were found first, nothing stored (all or nothing).
        case invalid
        /// The store refused a batch (a check only it can make); earlier batches are stored.
        case stoppedInBatch
    }

    public struct Report: Sendable {
        public var fileName = ""
        public var read = 0
        public var stored = 0
        public var duplicates = 0
        public var rejected: [Rejection] = []
        /// Cases that got at least one new event.
        public var casesTouched = Set<Int64>()
        public var ending = Ending.completed

        public var failed: Bool { ending != .completed }
        public init() {}
    }

    /// A stable id of event `position` (1-based) of a case: the same file gives the same ids.
    public static func clientID(file: String, caseID: String, position: Int) -> String {
        let plain = "\(file)#\(caseID)#\(position)"
        if plain.count <= EventLimits.maxIDLength { return plain }
        return "\(file.prefix(60))#~\(fnv(caseID))#\(position)"
    }

    /// 128-bit FNV-1a (two 64-bit lanes) as hex: a compact stand-in for a long case id.
    public static func fnv(_ s: String) -> String {
        var a: UInt64 = 0xcbf2_9ce4_8422_2325, b: UInt64 = 0x8422_2325_cbf2_9ce4
        for byte in s.utf8 {
            a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            b = (b ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 &+ 0x9E37
        }
        return String(format: "%016llx%016llx", a, b)
    }

    /// The event `e` of case `c` (its `position`-th, 1-based) as the store receives it.
    public func input(case c: Int, event e: Int, position: Int) -> EventInput {
        let caseID = log.caseIDs[c]
        var attributes = log.eventAttributes.attributes(ofRow: e)
        if position == 1 {
            for (k, v) in log.caseAttributes.attributes(ofRow: c) where attributes["case:" + k] == nil { attributes["case:" + k] = v }
        }
        let unit = log.unit(ofEvent: e).map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        return EventInput(clientID: Self.clientID(file: fileName, caseID: caseID, position: position), sopID: sopID,
                          caseReference: caseID, activity: log.activities[Int(log.eventActivity[e])],
                          at: Date(timeIntervalSince1970: log.completeTime(ofEvent: e) ?? .nan),
                          startedAt: log.startTime(ofEvent: e).map { Date(timeIntervalSince1970: $0) },
                          resource: log.resource(ofEvent: e), unitCode: unit, attributes: attributes)
    }

    /// Every event of the log, in file order per case: (case, event index, 1-based position).
    public func forEachEvent(_ body: (Int, Int, Int) throws -> Void) rethrows {
        for c in 0..<log.caseCount {
            for (k, e) in log.events(ofCase: c).enumerated() { try body(c, e, k + 1) }
        }
    }

    /// Checks every event without storing anything: which events are invalid, and why.
    /// `unitCodes` are the codes of the units that exist (compared case-insensitively).
    public func validate(unitCodes: Set<String>, now: Date = Date()) -> (invalid: [Bool], rejected: [Rejection]) {
        let known = Set(unitCodes.map { $0.lowercased() })
        var invalid = [Bool](repeating: false, count: log.eventCount)
        var rejected: [Rejection] = []
        var caseUnit: [Int: String] = [:]
        forEachEvent { c, e, k in
            let input = input(case: c, event: e, position: k)
            var p = input.problems(now: now)
            if let code = input.unitCode {
                if !known.contains(code.lowercased()) { p.append(InputProblem("unit", "unknown_unit", [code])) }
                else if let first = caseUnit[c], first.lowercased() != code.lowercased() { p.append(InputProblem("unit", "case_other_unit", [input.caseReference])) }
                else { caseUnit[c] = code }
            }
            if !p.isEmpty {
                invalid[e] = true
                rejected.append(Rejection(caseID: input.caseReference, position: k, activity: input.activity, problems: p))
            }
        }
        return (invalid, rejected)
    }

    /// Validates, then (when allowed) stores in batches. `progress` gets (events handed to the
    /// store so far, events to store) after each batch.
    public func run(_ store: PantauStore, scope: IngestScope, by actor: AuditActor, now: Date = Date(),
                    progress: (Int, Int) -> Void = { _, _ in }) async throws -> Report {
        var report = Report()
        report.fileName = fileName
        report.read = log.eventCount
        let units = try await store.units()
        // 1. Validate everything before storing anything.
        let (invalid, rejected) = validate(unitCodes: Set(units.map(\.code)), now: now)
        report.rejected = rejected
        if !rejected.isEmpty && !skipInvalid {
            report.ending = .invalid
            return report
        }
        // 2. Store in batches (one transaction each).
        let total = log.eventCount - rejected.count
        var done = 0
        var pending: [EventInput] = []
        var where_: [(String, Int)] = []
        pending.reserveCapacity(min(batch, total))
        func flush() async throws -> Bool {
            guard !pending.isEmpty else { return true }
            let outcomes: [EventOutcome]
            do {
                outcomes = try await store.ingestEvents(pending, scope: scope, by: actor, allOrNothing: !skipInvalid)
            } catch let StoreError.rejected(problems) {
                // All or nothing: a check only the store can make failed (e.g. a case of another unit).
                for p in problems {
                    let parts = p.field.split(separator: ".", maxSplits: 1)
                    if parts.count == 2, let i = Int(parts[0]), i >= 1, i <= pending.count {
                        report.rejected.append(Rejection(caseID: where_[i - 1].0, position: where_[i - 1].1, activity: pending[i - 1].activity,
                                                         problems: [InputProblem(String(parts[1]), p.code, p.arguments)]))
                    } else {
                        report.rejected.append(Rejection(caseID: "-", position: 0, activity: "", problems: [p]))
                    }
                }
                report.ending = .stoppedInBatch
                return false
            }
            for (i, o) in outcomes.enumerated() {
                switch o {
                case let .stored(_, caseID):
                    report.stored += 1
                    report.casesTouched.insert(caseID)
                case .duplicate:
                    report.duplicates += 1
                case let .rejected(ps):
                    report.rejected.append(Rejection(caseID: where_[i].0, position: where_[i].1, activity: pending[i].activity, problems: ps))
                }
            }
            done += pending.count
            progress(done, total)
            pending.removeAll(keepingCapacity: true)
            where_.removeAll(keepingCapacity: true)
            return true
        }
        for c in 0..<log.caseCount {
            for (k, e) in log.events(ofCase: c).enumerated() where !invalid[e] {
                pending.append(input(case: c, event: e, position: k + 1))
                where_.append((log.caseIDs[c], k + 1))
                if pending.count >= batch, !(try await flush()) { return report }
            }
        }
        _ = try await flush()
        return report
    }
}
