import Foundation
import NIOConcurrencyHelpers

/// Values computed from the store (sums over many rows) per key, each with the freshness stamp it
/// was computed at: the monitoring figures of an SOP and filter, the SKM result of a survey and
/// period.
///
/// Three rules keep many readers and a steady stream of writes from recomputing them over and over:
/// - **Stamp.** A value is recomputed only when its stamp moved (a cheap indexed aggregate: for the
///   monitoring figures the number of cases, latest event, latest analysis within the filter and
///   the minute, since open cases become overdue as time passes; for a survey the number and the
///   latest id of its responses).
/// - **One computation at a time.** Readers arriving while the value for the same stamp is being
///   computed wait for that computation instead of starting their own.
/// - **Refresh window.** A value checked against the stamp less than
///   `max(refresh, 10 × the time its computation took)` ago (capped at ``maxWindow``) is served
///   without asking the store again. While writes stream in, a value therefore lags by at most
///   that window, and recomputing it takes at most about a tenth of one core however many people
///   watch. `refresh` is `PANTAU_MONITORING_REFRESH` (default 1 s); 0 turns the window off: every
///   read checks the stamp (the tests, and an instance that must show each write at once).
/// - **No waiting on a recomputation.** With a window, readers who find the stamp moved while the
///   new value is being computed get the previous one if it was checked less than two windows
///   ago, instead of waiting for the sums; only a reader with nothing recent enough waits.
///
/// Per process; the stamp comes from the store, so writes made through other instances are seen.
final class RefreshingCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    /// The longest a reader may be served a value without a stamp check, whatever they cost.
    static var maxWindow: Duration { .seconds(30) }
    /// 10: under the soak's steady stream of events the figures of a 35,000-case SOP (0.5 s to sum
    /// on SQLite) were recomputed every 2 s with 4, an eighth of the 2-core machine.
    static var costFactor: Int { 10 }
    static var capacity: Int { 256 }

    struct Entry: Sendable {
        let stamp: String
        let value: Value
        /// When the stamp was last found unchanged (or the value computed).
        var checked: ContinuousClock.Instant
        /// How long computing the value took.
        let cost: Duration
    }

    /// What a read found.
    struct Answer: Sendable {
        let stamp: String
        let value: Value
        /// The stamp was asked of the store for this read (false: served within the refresh window).
        let verified: Bool
    }

    private enum Slot {
        case ready(Entry)
        case computing(stamp: String, task: Task<Entry, any Error>, previous: Entry?)
    }

    private enum Step { case hit(Entry), join(Task<Entry, any Error>), stale(Entry) }

    private let slots = NIOLockedValueBox<[Key: Slot]>([:])
    /// The time (a parameter so tests can move it).
    private let clock: @Sendable () -> ContinuousClock.Instant

    init(clock: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.clock = clock
    }

    static func window(_ e: Entry, refresh: Duration) -> Duration {
        guard refresh > .zero else { return .zero }
        return min(max(refresh, e.cost * costFactor), maxWindow)
    }

    /// Whether readers may be given `e` while its successor is computed, instead of waiting: with a
    /// refresh window, and for at most twice the window since `e` was last checked.
    static func servesStale(_ e: Entry, refresh: Duration, at now: ContinuousClock.Instant) -> Bool {
        refresh > .zero && now - e.checked < window(e, refresh: refresh) * 2
    }

    /// The value for `key`: from the cache when fresh by the rules above, else computed once.
    /// - Parameters:
    ///   - refresh: the minimum refresh window (zero: always check the stamp).
    ///   - stamp: the store's current freshness stamp for the key.
    ///   - compute: the value from the store.
    func value(_ key: Key, refresh: Duration,
                 stamp: () async throws -> String,
                 compute: @escaping @Sendable () async throws -> Value) async throws -> Answer {
        let start = clock()
        let recent: Entry? = slots.withLockedValue { slots in
            switch slots[key] {
            case .ready(let e)?: return e
            case .computing(_, _, let previous)?: return previous
            case nil: return nil
            }
        }
        if let recent, refresh > .zero, start - recent.checked < Self.window(recent, refresh: refresh) {
            return Answer(stamp: recent.stamp, value: recent.value, verified: false)
        }
        let current = try await stamp()
        let clock = self.clock
        let slots = self.slots
        let step: Step = slots.withLockedValue { s in
            switch s[key] {
            case .ready(var e)? where e.stamp == current:
                e.checked = clock()
                s[key] = .ready(e)
                return .hit(e)
            case .computing(let st, let task, let previous)? where st == current:
                if let p = previous, Self.servesStale(p, refresh: refresh, at: clock()) { return .stale(p) }
                return .join(task)
            default:
                let previous: Entry?
                switch s[key] {
                case .ready(let e)?: previous = e
                case .computing(_, _, let p)?: previous = p
                case nil: previous = nil
                }
                // The computation keeps its result itself, so it serves later readers even when
                // no reader waits for it.
                let task = Task<Entry, any Error> {
                    let t0 = clock()
                    do {
                        let f = try await compute()
                        let t1 = clock()
                        let e = Entry(stamp: current, value: f, checked: t1, cost: t1 - t0)
                        slots.withLockedValue { s in
                            if case .computing(let st, _, _)? = s[key], st == current { s[key] = .ready(e) }
                        }
                        return e
                    } catch {
                        slots.withLockedValue { s in
                            if case .computing(let st, _, _)? = s[key], st == current { s[key] = previous.map(Slot.ready) }
                        }
                        throw error
                    }
                }
                if s.count >= Self.capacity { s.removeAll() }
                s[key] = .computing(stamp: current, task: task, previous: previous)
                if let p = previous, Self.servesStale(p, refresh: refresh, at: clock()) { return .stale(p) }
                return .join(task)
            }
        }
        switch step {
        case .hit(let e):
            return Answer(stamp: e.stamp, value: e.value, verified: true)
        case .join(let task):
            let e = try await task.value
            return Answer(stamp: e.stamp, value: e.value, verified: true)
        case .stale(let e):
            return Answer(stamp: e.stamp, value: e.value, verified: false)
        }
    }
}
