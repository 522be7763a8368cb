import Foundation
import NIOConcurrencyHelpers
import PantauCore
import PantauStore

/// Realised indicator values, kept for a short while per indicator and periods: the indicator
/// list, the leadership dashboard and `GET /api/v1/indicators` compute several SQL aggregates per
/// indicator and period, and many people open them. An entry is used for at most
/// ``maxAge`` seconds, and not at all once staff stored through this instance what an indicator
/// reads (``changed()``: a target, a manual value, an indicator, a quiz attempt, an acknowledgement,
/// an imported file of events or paper survey answers, an approved SOP version). The streams of
/// events from other systems and observation and of citizens' answers, and anything written through
/// another instance, show at most ``maxAge`` seconds late (docs/indicators.md).
final class IndicatorCache: Sendable {
    static let maxAge: TimeInterval = 30

    private struct Key: Hashable {
        let indicator: IndicatorRecord
        let periods: [SurveyPeriod]
    }
    private struct Entry {
        let at: Date
        let generation: Int
        let value: [IndicatorRealisation]
    }
    private let state = NIOLockedValueBox<(generation: Int, entries: [Key: Entry])>((0, [:]))

    /// The realisations of `indicator` in `periods` (standard achievement policy), from the cache
    /// while fresh.
    func realisations(_ store: PantauStore, _ indicator: IndicatorRecord, periods: [SurveyPeriod], tree: OrgTree?,
                      now: Date = Date()) async throws -> [IndicatorRealisation] {
        let key = Key(indicator: indicator, periods: periods)
        let (generation, hit) = state.withLockedValue { ($0.generation, $0.entries[key]) }
        if let hit, hit.generation == generation, now.timeIntervalSince(hit.at) < Self.maxAge, now >= hit.at { return hit.value }
        let value = try await store.realisations(indicator, periods: periods, tree: tree)
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
