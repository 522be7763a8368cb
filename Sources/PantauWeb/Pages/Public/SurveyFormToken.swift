import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import PantauCore
import PantauReports
import PantauStore

/// The signed hidden field of the public form: when it was issued, for which survey, and an HMAC
/// over both with a server secret. It lets Pantau refuse forms sent faster than a person can fill
/// them (and forms forged or kept for days) without cookies or any record of who asked.
///
/// Text form: `<issued unix seconds>.<nonce>.<hex HMAC-SHA256(secret, "surveyID|issued|nonce")>`.
public enum SurveyFormToken {
    public enum Check: Equatable, Sendable {
        case ok
        /// Sent sooner than the minimum fill time after the form was issued.
        case tooFast
        /// Older than the maximum age (or issued in the future).
        case expired
        /// Missing, malformed or not signed by this server for this survey.
        case invalid
    }

    /// Forms older than this are refused (the person reloads the page).
    public static let maxAge: TimeInterval = 24 * 3600

    public static func make(secret: String, surveyID: Int64, issuedAt: Date, nonce: String? = nil) -> String {
        let issued = Int64(issuedAt.timeIntervalSince1970.rounded(.down))
        let n = nonce ?? Secrets.randomToken(bytes: 12)
        return "\(issued).\(n).\(signature(secret: secret, surveyID: surveyID, issued: issued, nonce: n))"
    }

    static func signature(secret: String, surveyID: Int64, issued: Int64, nonce: String) -> String {
        let key = SymmetricKey(data: Data(secret.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(surveyID)|\(issued)|\(nonce)".utf8), using: key)
        return mac.map { String(format: "%02x", $0) }.joined()
    }

    /// The single-use part of a token (checked with ``check(_:secret:surveyID:now:minimumSeconds:)`` first).
    public static func nonce(_ token: String?) -> String? {
        guard let parts = token?.split(separator: ".", omittingEmptySubsequences: false), parts.count == 3 else { return nil }
        return String(parts[1])
    }

    public static func check(_ token: String?, secret: String, surveyID: Int64, now: Date, minimumSeconds: Double) -> Check {
        guard let token, token.count < 200 else { return .invalid }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let issued = Int64(parts[0]), !parts[1].isEmpty, parts[1].count <= 20,
              Secrets.equal(parts[2], signature(secret: secret, surveyID: surveyID, issued: issued, nonce: parts[1]))
        else { return .invalid }
        let age = now.timeIntervalSince1970 - Double(issued)
        if age < -60 || age > maxAge { return .expired }
        if age < minimumSeconds { return .tooFast }
        return .ok
    }
}
