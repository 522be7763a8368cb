#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import HTTPTypes
import Hummingbird

/// Who is on the other end of a request, as far as throttling and rate limits can tell.
enum ClientAddress {
    /// The client address: the connection's, or, when Pantau runs behind its own reverse proxy
    /// (`PANTAU_TRUST_FORWARDED_FOR`), the last `X-Forwarded-For` entry (the one that proxy added;
    /// earlier entries can be forged by the client). One rule for login throttling, the survey
    /// rate limit and the API.
    static func of(_ request: Request, _ context: PantauRequestContext, trustForwardedFor: Bool) -> String {
        if trustForwardedFor, let xff = request.headers[HTTPField.Name("X-Forwarded-For")!],
           let last = xff.split(separator: ",").last?.trimmingCharacters(in: .whitespaces), !last.isEmpty {
            return last
        }
        return context.remoteAddress ?? "unknown"
    }

    /// The unit a rate limit counts: an IPv4 address as it is, an IPv6 address by its /64 network
    /// (one household or phone usually owns a whole /64, so counting single IPv6 addresses would let
    /// one client rotate through billions of them). IPv4-mapped IPv6 counts as IPv4.
    static func rateKey(_ address: String) -> String {
        var text = address
        if text.hasPrefix("["), let end = text.firstIndex(of: "]") { text = String(text[text.index(after: text.startIndex)..<end]) }
        if let zone = text.firstIndex(of: "%") { text = String(text[..<zone]) }
        guard text.contains(":") else { return text }
        var bytes = [UInt8](repeating: 0, count: 16)
        let ok = bytes.withUnsafeMutableBytes { inet_pton(AF_INET6, text, $0.baseAddress) } == 1
        guard ok else { return text.lowercased() }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff {
            return bytes[12..<16].map(String.init).joined(separator: ".")
        }
        let groups = stride(from: 0, to: 8, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
        return groups.joined(separator: ":") + "::/64"
    }
}
