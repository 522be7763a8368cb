import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdBcrypt
import NIOCore
import NIOPosix
import PantauStore

/// Tokens, hashes and password rules.
enum Secrets {
    /// 32 random bytes as URL-safe text (cookie-safe).
    static func randomToken(bytes: Int = 32) -> String {
        var g = SystemRandomNumberGenerator()
        let raw = (0..<bytes).map { _ in UInt8.random(in: 0...255, using: &g) }
        return Data(raw).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func sha256(_ s: String) -> String {
        SHA256.hash(data: Data(s.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// A readable one-time password (no look-alike characters).
    static func oneTimePassword() -> String {
        let alphabet = Array("abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var g = SystemRandomNumberGenerator()
        return String((0..<16).map { _ in alphabet.randomElement(using: &g)! })
    }

    /// bcrypt (cost 12 in production: about 0.2-0.3 s here, slow enough for attackers). Runs on
    /// NIO's blocking thread pool, never on the async executor: two logins at once would otherwise
    /// hold both cores' cooperative threads and stall every other request.
    static func hashPassword(_ pw: String, cost: UInt8 = 12) async throws -> String {
        try await passwordPool.runIfActive { Bcrypt.hash(pw, cost: cost) }
    }

    /// The threads that run bcrypt: one fewer than the cores (at least one), so that however many
    /// people sign in at once, one core always serves everything else.
    static let passwordPool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: max(1, System.coreCount - 1))
        pool.start()
        return pool
    }()

    /// Checks a password against a bcrypt hash on the blocking thread pool. Passwords over bcrypt's
    /// 72 bytes never match (bcrypt would ignore the rest, so `P` and `P + "x"` would both pass).
    static func verifyPassword(_ pw: String, hash: String) async throws -> Bool {
        guard pw.utf8.count <= maxPasswordBytes else { return false }
        return try await passwordPool.runIfActive { Bcrypt.verify(pw, hash: hash) }
    }

    /// bcrypt uses at most 72 bytes of a password.
    static let maxPasswordBytes = 72

    /// The password rule: nil when acceptable, otherwise the catalog key of the problem and its
    /// argument (`password_too_short` with the minimum, ...).
    static func passwordProblem(_ pw: String, username: String) -> (key: String, argument: Int)? {
        if pw.count < 10 { return ("password_too_short", 10) }
        if pw.utf8.count > maxPasswordBytes { return ("password_too_long", maxPasswordBytes) }
        if !username.isEmpty && pw.lowercased().contains(username.lowercased()) { return ("password_has_username", 0) }
        return nil
    }

    /// The password rule in words.
    static func passwordProblem(_ pw: String, username: String, strings t: Strings) -> String? {
        passwordProblem(pw, username: username).map { t.format($0.key, $0.argument) }
    }

    /// Constant-time comparison for tokens.
    static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var d: UInt8 = 0
        for i in 0..<x.count { d |= x[i] ^ y[i] }
        return d == 0
    }
}

import PantauCore

/// Cookie names.
enum CookieName {
    static let session = "pantau_session"
    static let csrf = "pantau_csrf"
    static let language = "pantau_lang"
    static let flash = "pantau_flash"
}

extension HTTPField.Name {
    static let csrfToken = HTTPField.Name("X-CSRF-Token")!
}

/// The keys a sign-in attempt is throttled under (see ``LoginThrottlePolicy``).
enum LoginThrottling {
    /// The account from this client (cleared by a successful sign-in to it), and the client alone
    /// with four times the allowance (it slows down guessing across many accounts; a sign-in to
    /// one's own account does not clear it). Client addresses are stored hashed.
    static func keys(username: String, client: String, config: AppConfig) -> [LoginThrottleKey] {
        let pair = LoginThrottlePolicy(freeFailures: config.loginMaxFailures, firstDelay: 30, maxDelay: config.loginWindow)
        var perClient = pair
        perClient.freeFailures = pair.freeFailures * 4
        let name = String(username.lowercased().prefix(200))
        let rateClient = ClientAddress.rateKey(client)
        return [
            LoginThrottleKey(key: "pair:" + Secrets.sha256(name + "\n" + rateClient), clearedBySuccess: true, policy: pair),
            LoginThrottleKey(key: "client:" + Secrets.sha256(rateClient), clearedBySuccess: false, policy: perClient),
        ]
    }
}
