import Foundation
import NIOConcurrencyHelpers
import PantauCore
import PantauStore

/// Realised indicator values and the leadership dashboard's compliance per quarter, kept for a
/// short while: the indicator list, the leadership dashboard and `GET /api/v1/indicators` compute
/// several SQL aggregates per indicator and period, the dashboard sums every closed case of four
/// quarters (its cost grows with the cases: 225 → 70 requests/s after 240,000 events), and many
/// people open them. An entry is used for at most ``maxAge`` seconds, and not at all once staff
/// stored through this instance what an indicator reads (``changed()``: a target, a manual value,
/// an indicator, a quiz attempt, an acknowledgement, an imported file of events or paper survey
/// answers, an approved SOP version). The streams of events from other systems and observation and
/// of citizens' answers, and anything written through another instance, show at most ``maxAge``
/// seconds late (docs/indicators.md).
final class IndicatorCache: Sendable {
    static let maxAge: TimeInterval = 30

    private enum Key: Hashable {
        case realisations(IndicatorRecord, [SurveyPeriod])
        /// Quarters and the units in scope (nil: all).
        case compliance([SurveyPeriod], Set<Int64>?)
    }
    private enum Value {
        case realisations([IndicatorRealisation])
        case compliance([SurveyPeriod: [Int64: ComplianceCount]])
    }
    private struct Entry {
        let at: Date
        let generation: Int
        let value: Value
    }
    private let state = NIOLockedValueBox<(generation: Int, entries: [Key: Entry])>((0, [:]))

    /// The realisations of `indicator` in `periods` (standard achievement policy), from the cache
    /// while fresh.
    func realisations(_ store: PantauStore, _ indicator: IndicatorRecord, periods: [SurveyPeriod], tree: OrgTree?,
                      now: Date = Date()) async throws -> [IndicatorRealisation] {
        let v = try await cached(.realisations(indicator, periods), now: now) {
            .realisations(try await store.realisations(indicator, periods: periods, tree: tree))
        }
        guard case let .realisations(r) = v else { preconditionFailure("cache entry of another kind") }
        return r
    }

    /// Closed cases and the conforming ones per period and SOP (``PantauStore/complianceByPeriod(_:unitIDs:)``),
    /// from the cache while fresh.
    func compliance(_ store: PantauStore, _ periods: [SurveyPeriod], unitIDs: Set<Int64>?,
                    now: Date = Date()) async throws -> [SurveyPeriod: [Int64: ComplianceCount]] {
        let v = try await cached(.compliance(periods, unitIDs), now: now) {
            .compliance(try await store.complianceByPeriod(periods, unitIDs: unitIDs))
        }
        guard case let .compliance(c) = v else { preconditionFailure("cache entry of another kind") }
        return c
    }

    private func cached(_ key: Key, now: Date, compute: () async throws -> Value) async throws -> Value {
        let (generation, hit) = state.withLockedValue { ($0.generation, $0.entries[key]) }
        if let hit, hit.generation == generation, now.timeIntervalSince(hit.at) < Self.maxAge, now >= hit.at { return hit.value }
        let value = try await compute()
        state.withLockedValue { s in
            // Computed before a change that landed meanwhile: not kept.
            guard s.generation == generation else { return }
            if s.entries.count >= 2048 { s.entries.removeAll() }
            s.entries[key] = Entry(at: now, generation: generation, value: value)
        }
        return value
    }

    /// Drops every entry: a target, a manual value or an indicator was just stored.
    func changed() {
        state.withLockedValue { s in
            s.generation &+= 1
            s.entries.removeAll()
        }
    }
}
