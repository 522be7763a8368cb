import HummingbirdBcrypt

/// Password helpers for the command line (same rules as the web).
public enum PasswordTools {
    /// bcrypt, synchronously (command line and tests; the server hashes on its thread pool).
    public static func hash(_ pw: String, cost: UInt8 = 12) -> String { Bcrypt.hash(pw, cost: cost) }
    /// The password rule (the same as the web's): nil when acceptable, else an English message.
    public static func problem(_ pw: String, username: String) -> String? {
        guard let p = Secrets.passwordProblem(pw, username: username) else { return nil }
        switch p.key {
        case "password_too_short": return "the password must have at least \(p.argument) characters"
        case "password_too_long": return "the password must have at most \(p.argument) bytes"
        default: return "the password must not contain the user name"
        }
    }
    public static func oneTimePassword() -> String { Secrets.oneTimePassword() }
}

/// How session and API tokens are stored (their SHA-256), for tools and tests that create them.
public enum SessionTokens {
    public static func hash(_ token: String) -> String { Secrets.sha256(token) }

    /// A new API token as the web page makes them (`pnt_` and 43 random URL-safe characters).
    public static func newAPIToken() -> String { "pnt_" + Secrets.randomToken() }
}
