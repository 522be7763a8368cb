import Foundation
import Logging
import NIOConcurrencyHelpers
import PantauStore
import ServiceLifecycle

/// Listens to the database's change notifications (PostgreSQL `LISTEN pantau`, see
/// Store+Notify.swift) and tells this instance: live monitoring pages re-check their figures at
/// once (``AppServices/monitoringChanged()``), and the workers waiting on the same counter (alerts,
/// jobs) start their next round. One per instance, on a connection of its own that is opened again
/// with back-off when the database goes away. Not started on SQLite (one process owns the file).
struct ChangeListener: Service {
    let store: PantauStore
    let changed: @Sendable (StoreChange?) -> Void
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            await store.listenForChanges(logger: logger) { change in changed(change) }
        }
    }
}

/// Waits between worker rounds: at least `minimum`, at most `interval`, and less when `wake`'s
/// counter moves (a change heard from this or another instance). Cut short by shutdown.
func pauseUntilWoken(_ interval: Duration, minimum: Duration = .seconds(1), wake: (@Sendable () -> Int)?) async {
    let start = wake?() ?? 0
    let clock = ContinuousClock()
    let deadline = clock.now + interval
    try? await cancelWhenGracefulShutdown {
        try await Task.sleep(for: min(minimum, interval))
        while clock.now < deadline {
            if let wake, wake() != start { return }
            try await Task.sleep(for: min(.milliseconds(100), deadline - clock.now))
        }
    }
}

/// Runs the background jobs (Store+Jobs.swift) of this instance: claims one due job at a time
/// with a lease, runs its steps (each renews the lease), records a failure with back-off. Several
/// instances run one each; a job is claimed by one of them, and a killed instance's job is taken
/// over when its lease runs out.
public struct JobWorker: Service {
    public let store: PantauStore
    public let worker: String
    public let interval: Duration
    public let policy: JobPolicy
    let wake: (@Sendable () -> Int)?
    public let logger: Logger

    public init(store: PantauStore, worker: String = JobWorker.defaultName(), interval: Duration = .seconds(5), policy: JobPolicy = .standard,
                logger: Logger = Logger(label: "pantau.jobs")) {
        self.init(store: store, worker: worker, interval: interval, policy: policy, wake: nil, logger: logger)
    }

    init(store: PantauStore, worker: String, interval: Duration, policy: JobPolicy, wake: (@Sendable () -> Int)?, logger: Logger) {
        self.store = store
        self.worker = worker
        self.interval = interval
        self.policy = policy
        self.wake = wake
        self.logger = logger
    }

    /// `host:pid:random`, as `jobs.claimed_by` shows it.
    public static func defaultName() -> String {
        "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(UUID().uuidString.prefix(8).lowercased())"
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await runOnce()
            await pauseUntilWoken(interval, wake: wake)
        }
    }

    /// Runs every due job; returns how many were finished.
    @discardableResult
    public func runOnce() async -> Int {
        var finished = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let claims: [JobClaim]
            do { claims = try await store.claimJobs(worker: worker, now: Date(), limit: 1, policy: policy) } catch {
                logger.error("claiming jobs failed: \(error)")
                return finished
            }
            guard let claim = claims.first else { return finished }
            logger.info("job \(claim.id) (\(claim.kind.rawValue)) claimed, attempt \(claim.attempts)")
            do {
                var step = JobStep.progress
                while step == .progress && !Task.isShuttingDownGracefully {
                    step = try await store.runJobStep(claim, policy: policy)
                }
                if step == .done { finished += 1; logger.info("job \(claim.id) done") }
                if step == .lost { logger.notice("job \(claim.id): claim lost (lease ran out; another instance has it)") }
            } catch {
                logger.error("job \(claim.id) failed: \(error)")
                do { try await store.failJob(claim, error: String(describing: error), now: Date(), policy: policy) } catch {
                    logger.error("recording the failure of job \(claim.id) failed: \(error)")
                }
            }
        }
        return finished
    }
}
