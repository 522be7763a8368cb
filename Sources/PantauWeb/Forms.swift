import Foundation
import PantauCore

/// A decoded `application/x-www-form-urlencoded` body (or query string), keeping repeated keys
/// and their order.
public struct FormData: Sendable, Equatable {
    public private(set) var pairs: [(String, String)]

    public init(_ text: String) {
        pairs = URLEncodedForm.pairs(text)
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
        URLEncodedForm.rows(pairs, prefix: prefix)
    }
}
