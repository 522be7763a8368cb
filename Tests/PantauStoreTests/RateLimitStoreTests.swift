import Foundation
import PantauCore
import PantauStore
import PantauTestSupport
import Testing

@Suite("Store: rate limits, single-use nonces and sign-in throttling under concurrency")
struct RateLimitStoreTests {
    // §2.5: count-then-insert interleaved on PostgreSQL, so parallel hits all saw `limit - 1`.
    @Test(arguments: TestEngine.all)
    func parallelHitsNeverExceedTheLimit(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let allowed = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<12 { group.addTask { try await store.rateLimitHit(key: "k", limit: 3, window: 600).allowed } }
                var n = 0
                for try await ok in group where ok { n += 1 }
                return n
            }
            #expect(allowed == 3)
        }
    }

    @Test(arguments: TestEngine.all)
    func aNonceIsUsedOnceEvenInParallel(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let fresh = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<8 { group.addTask { try await store.consumeNonce("skm:1:abc", keepFor: 3600) } }
                var n = 0
                for try await ok in group where ok { n += 1 }
                return n
            }
            #expect(fresh == 1)
            #expect(try await store.consumeNonce("skm:1:other", keepFor: 3600))
        }
    }

    // §2.1: parallel guesses at one account from one client are all counted before any password
    // is checked: exactly the free allowance gets through.
    @Test(arguments: TestEngine.all)
    func parallelSignInAttemptsAreCountedAtomically(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let key = LoginThrottleKey(key: "pair:x", clearedBySuccess: true, policy: LoginThrottlePolicy(freeFailures: 4, firstDelay: 30))
            let through = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        if case .proceed = try await store.beginLoginAttempt(keys: [key]) { return true }
                        return false
                    }
                }
                var n = 0
                for try await ok in group where ok { n += 1 }
                return n
            }
            #expect(through == 4)
        }
    }
}
