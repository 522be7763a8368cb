import Foundation

/// Decoding of `application/x-www-form-urlencoded` bodies and query strings (pure: the web layer's
/// `FormData` keeps the pairs; here so that the fuzz targets in `Fuzz/` reach it without the server).
public enum URLEncodedForm {
    /// The key–value pairs of a body, repeated keys and order kept. `+` is a space and `%XX` a
    /// byte; a pair whose percent-encoding is not valid UTF-8 keeps its text as written. Empty
    /// pairs (`a=1&&b=2`) are skipped; a key without `=` has the value "".
    public static func pairs(_ text: String) -> [(String, String)] {
        text.split(separator: "&", omittingEmptySubsequences: true).map { part in
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func dec(_ s: Substring) -> String {
                String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s)
            }
            return (dec(kv[0]), kv.count > 1 ? dec(kv[1]) : "")
        }
    }

    /// Rows of a repeated group written as `prefix[i][field]`, ordered by index (a later value of
    /// the same row and field wins).
    public static func rows(_ pairs: [(String, String)], prefix: String) -> [[String: String]] {
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
