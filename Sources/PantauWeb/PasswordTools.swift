/// Password helpers for the command line (same rules as the web).
public enum PasswordTools {
    public static func hash(_ pw: String, cost: UInt8 = 12) -> String { Secrets.hashPassword(pw, cost: cost) }
    public static func oneTimePassword() -> String { Secrets.oneTimePassword() }
}

/// How session and API tokens are stored (their SHA-256), for tools and tests that create them.
public enum SessionTokens {
    public static func hash(_ token: String) -> String { Secrets.sha256(token) }
}
