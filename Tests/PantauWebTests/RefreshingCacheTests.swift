import Foundation
import NIOConcurrencyHelpers
@testable import PantauStore
@testable import PantauWeb
import Testing

/// The rules of ``RefreshingCache`` (monitoring figures, SKM results): recompute on a new stamp
/// only, once for all readers waiting, and within the refresh window without asking the store.
@Suite struct RefreshingCacheTests {
    static func figures(cases: Int) -> MonitoringFigures {
        MonitoringFigures(cases: cases, closedCases: 0, compliantCases: 0, casesWithRework: 0, reworkSeconds: 0,
                          medianLeadSeconds: nil, p90LeadSeconds: nil, closedWithinStandard: 0, closedWithStandard: 0,
                          steps: [], arcs: [], variants: [], variantCount: 0, overdueOpenCases: [], units: [], lastEventAt: nil)
    }

    /// A store stand-in: its stamp is the number of cases, which the test moves.
    final class FakeStore: Sendable {
        let state = NIOLockedValueBox((cases: 1, stampReads: 0, computations: 0))
        func stamp() -> String { state.withLockedValue { $0.stampReads += 1; return "\($0.cases)" } }
        func compute(delay: Duration = .zero) async throws -> MonitoringFigures {
            let n = state.withLockedValue { $0.computations += 1; return $0.cases }
            if delay > .zero { try await Task.sleep(for: delay) }
            return figures(cases: n)
        }
    }

    let key = MonitoringCacheKey(sopID: 7, filter: MonitoringFilter())

    @Test func withoutAWindowEveryReadChecksTheStampAndANewStampRecomputes() async throws {
        let cache = MonitoringFiguresCache(), store = FakeStore()
        let a = try await cache.value(key, refresh: .zero, stamp: { store.stamp() }, compute: { try await store.compute() })
        let b = try await cache.value(key, refresh: .zero, stamp: { store.stamp() }, compute: { try await store.compute() })
        #expect(a.value.cases == 1 && b.value.cases == 1 && b.verified)
        #expect(store.state.withLockedValue { ($0.stampReads, $0.computations) } == (2, 1))
        store.state.withLockedValue { $0.cases = 2 }
        let c = try await cache.value(key, refresh: .zero, stamp: { store.stamp() }, compute: { try await store.compute() })
        #expect(c.value.cases == 2 && c.stamp == "2")
        #expect(store.state.withLockedValue { $0.computations } == 2)
    }

    /// A clock the test moves (the windows are then independent of how busy the machine is).
    final class ManualTime: Sendable {
        let instant = NIOLockedValueBox(ContinuousClock.now)
        func now() -> ContinuousClock.Instant { instant.withLockedValue { $0 } }
        func advance(_ d: Duration) { instant.withLockedValue { $0 += d } }
    }

    @Test func withinTheWindowTheStoreIsNotAskedAndAfterItTheNewFiguresCome() async throws {
        let time = ManualTime()
        let cache = MonitoringFiguresCache(clock: { time.now() }), store = FakeStore()
        let window = Duration.milliseconds(300)
        _ = try await cache.value(key, refresh: window, stamp: { store.stamp() }, compute: { try await store.compute() })
        store.state.withLockedValue { $0.cases = 5 }
        time.advance(.milliseconds(200))
        let stale = try await cache.value(key, refresh: window, stamp: { store.stamp() }, compute: { try await store.compute() })
        #expect(stale.value.cases == 1 && !stale.verified)
        #expect(store.state.withLockedValue { $0.stampReads } == 1)
        // Past the window but within two: the previous figures at once, the new ones computed meanwhile.
        time.advance(.milliseconds(200))
        let meanwhile = try await cache.value(key, refresh: window, stamp: { store.stamp() },
                                              compute: { try await store.compute(delay: .milliseconds(100)) })
        #expect(meanwhile.value.cases == 1 && !meanwhile.verified)
        // Once computed, the new figures are served (they were checked at their computation).
        var fresh = meanwhile
        let deadline = ContinuousClock.now + .seconds(20)
        while fresh.value.cases != 5, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            fresh = try await cache.value(key, refresh: window, stamp: { store.stamp() }, compute: { try await store.compute() })
        }
        #expect(fresh.value.cases == 5)
        #expect(store.state.withLockedValue { $0.computations } == 2)
    }

    @Test func aReaderWithNothingRecentEnoughWaitsForTheNewFigures() async throws {
        let time = ManualTime()
        let cache = MonitoringFiguresCache(clock: { time.now() }), store = FakeStore()
        let window = Duration.milliseconds(150)
        _ = try await cache.value(key, refresh: window, stamp: { store.stamp() }, compute: { try await store.compute() })
        store.state.withLockedValue { $0.cases = 9 }
        time.advance(.milliseconds(400))  // more than two windows
        let fresh = try await cache.value(key, refresh: window, stamp: { store.stamp() },
                                          compute: { try await store.compute(delay: .milliseconds(50)) })
        #expect(fresh.value.cases == 9 && fresh.verified)
    }

    @Test func readersArrivingDuringAComputationShareIt() async throws {
        let cache = MonitoringFiguresCache(), store = FakeStore()
        let answers = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<12 {
                group.addTask {
                    try await cache.value(self.key, refresh: .zero, stamp: { store.stamp() },
                                            compute: { try await store.compute(delay: .milliseconds(200)) }).value.cases
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(answers == Array(repeating: 1, count: 12))
        #expect(store.state.withLockedValue { $0.computations } == 1)
    }

    @Test func aFailedComputationIsNotKeptAndTheNextReadTriesAgain() async throws {
        struct Gone: Error {}
        let cache = MonitoringFiguresCache(), store = FakeStore()
        await #expect(throws: Gone.self) {
            _ = try await cache.value(key, refresh: .seconds(5), stamp: { store.stamp() }, compute: { throw Gone() })
        }
        let ok = try await cache.value(key, refresh: .seconds(5), stamp: { store.stamp() }, compute: { try await store.compute() })
        #expect(ok.value.cases == 1 && ok.verified)
    }

    @Test func theWindowGrowsWithTheCostOfTheFiguresUpToItsCap() {
        func entry(_ cost: Duration) -> MonitoringFiguresCache.Entry {
            .init(stamp: "1", value: Self.figures(cases: 1), checked: ContinuousClock().now, cost: cost)
        }
        #expect(MonitoringFiguresCache.window(entry(.milliseconds(10)), refresh: .seconds(1)) == .seconds(1))
        #expect(MonitoringFiguresCache.window(entry(.milliseconds(800)), refresh: .seconds(1)) == .seconds(8))
        #expect(MonitoringFiguresCache.window(entry(.seconds(60)), refresh: .seconds(1)) == MonitoringFiguresCache.maxWindow)
        #expect(MonitoringFiguresCache.window(entry(.seconds(60)), refresh: .zero) == .zero)
    }
}
