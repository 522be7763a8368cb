import Foundation

/// A decoded `application/x-www-form-urlencoded` body (or query string), keeping repeated keys
/// and their order.
public struct FormData: Sendable, Equatable {
    public private(set) var pairs: [(String, String)]

    public init(_ text: String) {
        pairs = text.split(separator: "&", omittingEmptySubsequences: true).map { part in
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func dec(_ s: Substring) -> String {
                String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s)
            }
            return (dec(kv[0]), kv.count > 1 ? dec(kv[1]) : "")
        }
    }

    public init(pairs: [(String, String)]) { self.pairs = pairs }

    public static func == (a: FormData, b: FormData) -> Bool {
        a.pairs.count == b.pairs.count && zip(a.pairs, b.pairs).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    }

    /// The first value of `key`.
    public subscript(key: String) -> String? { pairs.first { $0.0 == key }?.1 }

    /// Every value of `key`, in order.
    public func all(_ key: String) -> [String] { pairs.filter { $0.0 == key }.map(\.1) }

    /// Trimmed value, empty when absent.
    public func text(_ key: String) -> String { (self[key] ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }

    /// Rows of a repeated group written as `prefix[i][field]`, ordered by index.
    public func rows(_ prefix: String) -> [[String: String]] {
        var byIndex: [Int: [String: String]] = [:]
        for (k, v) in pairs where k.hasPrefix(prefix + "[") {
            let rest = k.dropFirst(prefix.count + 1)
            guard let close = rest.firstIndex(of: "]"), let i = Int(rest[..<close]) else { continue }
            let after = rest[rest.index(after: close)...]
            guard after.hasPrefix("["), after.hasSuffix("]") else { continue }
            let field = String(after.dropFirst().dropLast())
            byIndex[i, default: [:]][field] = v
        }
        return byIndex.keys.sorted().map { byIndex[$0]! }
    }
}
