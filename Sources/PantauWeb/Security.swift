import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdBcrypt

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

    /// bcrypt, cost 12 (about 0.2-0.3 s on this hardware: slow enough for attackers, fine for a login).
    static func hashPassword(_ pw: String, cost: UInt8 = 12) -> String { Bcrypt.hash(pw, cost: cost) }

    static func verifyPassword(_ pw: String, hash: String) -> Bool { Bcrypt.verify(pw, hash: hash) }

    /// The password rule, as a message or nil when acceptable.
    static func passwordProblem(_ pw: String, username: String, language: Language) -> String? {
        if pw.count < 10 { return language == .id ? "Kata sandi minimal 10 karakter" : "Password must have at least 10 characters" }
        if pw.count > 128 { return language == .id ? "Kata sandi maksimal 128 karakter" : "Password must have at most 128 characters" }
        if pw.lowercased().contains(username.lowercased()) && !username.isEmpty {
            return language == .id ? "Kata sandi tidak boleh memuat nama pengguna" : "Password must not contain the user name"
        }
        return nil
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
