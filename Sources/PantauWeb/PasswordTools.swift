/// Password helpers for the command line (same rules as the web).
public enum PasswordTools {
    public static func hash(_ pw: String, cost: UInt8 = 12) -> String { Secrets.hashPassword(pw, cost: cost) }
    public static func oneTimePassword() -> String { Secrets.oneTimePassword() }
}
