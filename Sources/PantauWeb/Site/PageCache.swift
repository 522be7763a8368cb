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

    /// A rendered page cut at its marks once, so filling in a request's tokens is a join, not a search.
    struct Page: Sendable {
        enum Mark: Sendable { case csrf, formToken }
        let pieces: [String]
        let marks: [Mark]

        init(_ html: String) {
            var pieces: [String] = []
            var marks: [Mark] = []
            var rest = Substring(html)
            while true {
                let c = rest.range(of: PageCache.csrfMark), f = rest.range(of: PageCache.formTokenMark)
                let next: (Range<Substring.Index>, Mark)? = switch (c, f) {
                case let (c?, f?): c.lowerBound < f.lowerBound ? (c, .csrf) : (f, .formToken)
                case let (c?, nil): (c, .csrf)
                case let (nil, f?): (f, .formToken)
                case (nil, nil): nil
                }
                guard let (range, mark) = next else { break }
                pieces.append(String(rest[..<range.lowerBound]))
                marks.append(mark)
                rest = rest[range.upperBound...]
            }
            pieces.append(String(rest))
            self.pieces = pieces
            self.marks = marks
        }

        /// The page with this request's tokens.
        func filled(csrf: String, formToken: String? = nil) -> String {
            var out = ""
            out.reserveCapacity(pieces.reduce(0) { $0 + $1.utf8.count } + marks.count * 64)
            for (i, piece) in pieces.enumerated() {
                out += piece
                if i < marks.count {
                    switch marks[i] {
                    case .csrf: out += csrf
                    case .formToken: out += formToken ?? ""
                    }
                }
            }
            return out
        }
    }

    private struct Entry { let page: Page; let expires: Date }
    private let entries = NIOLockedValueBox<[String: Entry]>([:])
    let ttl: TimeInterval
    let capacity: Int

    init(ttl: TimeInterval = 60, capacity: Int = 2_000) {
        self.ttl = ttl
        self.capacity = capacity
    }

    /// The page for `key`, rendered by `render` when missing or expired.
    func page(_ key: String, now: Date = Date(), render: () async throws -> String) async rethrows -> Page {
        if let e = entries.withLockedValue({ $0[key] }), e.expires > now { return e.page }
        let page = Page(try await render())
        entries.withLockedValue { cache in
            if cache.count >= capacity { cache.removeAll(keepingCapacity: true) }
            cache[key] = Entry(page: page, expires: now.addingTimeInterval(ttl))
        }
        return page
    }

    /// Empties the cache (tests, or after a change this process made).
    func removeAll() { entries.withLockedValue { $0.removeAll() } }
}
