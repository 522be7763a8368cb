import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import PantauStore
import ServiceLifecycle

/// POSTs one webhook delivery: JSON body, signed (`X-Pantau-Signature: sha256=<hex HMAC-SHA256(secret,
/// timestamp + "." + body)>`, `X-Pantau-Timestamp`, `X-Pantau-Delivery`), 10 s timeout, redirects
/// not followed. Unless `allowPrivate`, a host that resolves to a loopback, link-local or private
/// address is refused before connecting (SSRF; see docs/monitoring.md).
public struct WebhookSender: Sendable {
    public var timeout: TimeInterval
    public var allowPrivate: Bool

    public init(timeout: TimeInterval = 10, allowPrivate: Bool = false) {
        self.timeout = timeout
        self.allowPrivate = allowPrivate
    }

    /// The HTTP status, or the reason no answer came.
    public func send(_ job: WebhookJob, at: Date) async -> (statusCode: Int?, error: String?) {
        guard let url = URL(string: job.url), let host = url.host else { return (nil, "invalid URL") }
        if let p = WebhookTarget.problems(job.url, allowPrivate: allowPrivate).first { return (nil, p.code) }
        if !allowPrivate, Self.resolvesToPrivate(host) { return (nil, "webhook_url_private") }
        let timestamp = String(Int(at.timeIntervalSince1970))
        var req = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        req.httpMethod = "POST"
        req.httpBody = Data(job.payload.utf8)
        req.setValue("application/json; charset=utf-8", forHTTPHeaderField: "Content-Type")
        req.setValue("Pantau-Webhook/1", forHTTPHeaderField: "User-Agent")
        req.setValue(timestamp, forHTTPHeaderField: "X-Pantau-Timestamp")
        req.setValue(String(job.deliveryID), forHTTPHeaderField: "X-Pantau-Delivery")
        req.setValue(WebhookSignature.sign(secret: job.secret, timestamp: timestamp, body: job.payload), forHTTPHeaderField: "X-Pantau-Signature")
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = timeout
        config.timeoutIntervalForResource = timeout
        config.httpShouldSetCookies = false
        let delegate = NoRedirects()
        let session = URLSession(configuration: config, delegate: delegate, delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        return await withCheckedContinuation { (c: CheckedContinuation<(statusCode: Int?, error: String?), Never>) in
            let task = session.dataTask(with: req) { _, response, error in
                if let h = response as? HTTPURLResponse { c.resume(returning: (h.statusCode, (200...299).contains(h.statusCode) ? nil : "HTTP \(h.statusCode)")) }
                else { c.resume(returning: (nil, error.map { String(describing: $0) } ?? "no response")) }
            }
            task.resume()
        }
    }

    /// Whether any address the name resolves to is loopback, link-local, private or reserved
    /// (an unresolvable name counts as private: nothing is sent).
    static func resolvesToPrivate(_ host: String) -> Bool {
        var h = host
        if h.hasPrefix("[") && h.hasSuffix("]") { h = String(h.dropFirst().dropLast()) }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var res: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(h, nil, &hints, &res) == 0, let first = res else { return true }
        defer { freeaddrinfo(first) }
        var cur: UnsafeMutablePointer<addrinfo>? = first
        while let ai = cur {
            if let sa = ai.pointee.ai_addr {
                if ai.pointee.ai_family == AF_INET {
                    let a = sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                    let v = UInt32(bigEndian: a.s_addr)
                    if WebhookTarget.isPrivate(v4: [UInt8(v >> 24), UInt8((v >> 16) & 0xff), UInt8((v >> 8) & 0xff), UInt8(v & 0xff)]) { return true }
                } else if ai.pointee.ai_family == AF_INET6 {
                    var a = sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                    var buf = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
                    if inet_ntop(AF_INET6, &a, &buf, socklen_t(buf.count)) != nil {
                        let text = String(cString: buf)
                        if WebhookTarget.isPrivateHost(text) { return true }
                    } else { return true }
                }
            }
            cur = ai.pointee.ai_next
        }
        return false
    }
}

/// Refuses every redirect: a webhook's answer is the answer (a redirect could point inside the network).
private final class NoRedirects: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        completionHandler(nil)
    }
}

/// The background job of alerts: every `interval` it evaluates the alert rules and sends the
/// webhook deliveries that are due (claimed per instance, so several instances on one PostgreSQL
/// send each delivery once). Started with the application (App.swift).
public struct AlertWorker: Service {
    public let store: PantauStore
    public let sender: WebhookSender
    public let interval: Duration
    public let policy: WebhookRetryPolicy
    public let logger: Logger
    /// A counter that moves when a change is heard (ChangeListener.swift): the next round starts
    /// then (at least a second after the last) instead of after the whole interval.
    var wake: (@Sendable () -> Int)? = nil

    public init(store: PantauStore, sender: WebhookSender, interval: Duration = .seconds(5), policy: WebhookRetryPolicy = .standard,
                logger: Logger = Logger(label: "pantau.alerts")) {
        self.store = store
        self.sender = sender
        self.interval = interval
        self.policy = policy
        self.logger = logger
    }

    /// Rounds until the application shuts down. Only the pause between rounds is cut short by the
    /// shutdown: a round in flight finishes (a query cancelled midway would keep its connection busy
    /// while the store closes).
    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await runOnce(now: Date())
            await pauseUntilWoken(interval, wake: wake)
        }
    }

    /// What one round did.
    public struct Round: Sendable, Equatable {
        public var alerts = 0
        public var attempts = 0
        public var sent = 0
    }

    /// One round: evaluate, then send every due delivery (in batches of 20, at most 10 batches).
    @discardableResult
    public func runOnce(now: Date) async -> Round {
        var round = Round()
        do {
            round.alerts = try await store.evaluateAlerts(now: now).alerts.count
        } catch {
            logger.error("alert evaluation failed: \(error)")
        }
        // Overdue follow-up actions: one notice per action for its owner (docs/findings-actions.md).
        do { try await store.raiseOverdueActionNotices(now: now) } catch {
            logger.error("overdue action notices failed: \(error)")
        }
        for _ in 0..<10 where !Task.isShuttingDownGracefully {
            let jobs: [WebhookJob]
            do { jobs = try await store.claimDueDeliveries(now: now, limit: 20, policy: policy) } catch {
                logger.error("claiming webhook deliveries failed: \(error)")
                break
            }
            if jobs.isEmpty { break }
            let results = await withTaskGroup(of: (WebhookJob, Int?, String?).self) { group in
                for job in jobs {
                    group.addTask {
                        let r = await sender.send(job, at: Date())
                        PantauMetrics.webhookAttempt(failed: r.error != nil)
                        return (job, r.statusCode, r.error)
                    }
                }
                var out: [(WebhookJob, Int?, String?)] = []
                for await r in group { out.append(r) }
                return out
            }
            for (job, code, err) in results {
                round.attempts += 1
                do {
                    let d = try await store.recordDeliveryAttempt(job, at: now, statusCode: code, error: err, policy: policy)
                    if d?.status == .sent { round.sent += 1 }
                    if let d, d.status != .sent {
                        logger.notice("webhook delivery \(job.deliveryID) attempt \(d.attempts): \(err ?? "?") → \(d.status.rawValue)")
                    }
                } catch {
                    logger.error("recording webhook delivery \(job.deliveryID) failed: \(error)")
                }
            }
        }
        return round
    }
}
