import Foundation
import NIOConcurrencyHelpers

/// Rendered public pages kept for a short while, keyed by what they show (the survey and its last
/// change, the publication state, the language). Public pages are the ones anyone can load as often
/// as they like; rendering them from their view models every time cost more than everything else
/// on the request. The per-request parts (the CSRF token, the form's signed token) are rendered as
/// marks and filled in per request, so a cached page never carries another visitor's token.
///
/// Entries expire after `ttl` seconds, so what the key does not cover (a unit renamed) shows within
/// that time; the cache holds at most `capacity` pages and is emptied when full. One per process:
/// several instances each keep their own (nothing is shared that could be stale across them beyond
/// `ttl`).
final class PageCache: Sendable {
    /// Stands for the request's CSRF token in a cached page.
    static let csrfMark = "PANTAU-CSRF-MARK-5c1e9a"
    /// Stands for the public form's signed token in a cached page.
    static let formTokenMark = "PANTAU-FORM-TOKEN-MARK-5c1e9a"

    private struct Entry { let html: String; let expires: Date }
    private let entries = NIOLockedValueBox<[String: Entry]>([:])
    let ttl: TimeInterval
    let capacity: Int

    init(ttl: TimeInterval = 60, capacity: Int = 2_000) {
        self.ttl = ttl
        self.capacity = capacity
    }

    /// The page for `key`, rendered by `render` when missing or expired.
    func page(_ key: String, now: Date = Date(), render: () async throws -> String) async rethrows -> String {
        if let e = entries.withLockedValue({ $0[key] }), e.expires > now { return e.html }
        let html = try await render()
        entries.withLockedValue { cache in
            if cache.count >= capacity { cache.removeAll(keepingCapacity: true) }
            cache[key] = Entry(html: html, expires: now.addingTimeInterval(ttl))
        }
        return html
    }

    /// Empties the cache (tests, or after a change this process made).
    func removeAll() { entries.withLockedValue { $0.removeAll() } }

    /// A cached page with this request's tokens filled in.
    static func fill(_ html: String, csrf: String, formToken: String? = nil) -> String {
        var out = html.replacingOccurrences(of: csrfMark, with: csrf)
        if let formToken { out = out.replacingOccurrences(of: formTokenMark, with: formToken) }
        return out
    }
}
