import Foundation
import Hummingbird
import PantauCore
import PantauStore

/// Who is making a request.
public enum Identity: Sendable, Equatable {
    /// A signed-in person.
    case user(UserRecord)
    /// An integration using an API token, limited to one unit subtree.
    case token(APITokenRecord)

    public var role: Role? {
        if case let .user(u) = self { return u.role }
        return nil
    }

    /// Root of the unit subtree this identity may see (nil: whole organisation).
    public var scopeUnit: Int64? {
        switch self {
        case let .user(u): return u.role == .admin ? nil : u.unitID
        case let .token(t): return t.unitID
        }
    }

    var auditActor: AuditActor {
        switch self {
        case let .user(u): return AuditActor(userID: u.id, label: "user:\(u.username)")
        case let .token(t): return AuditActor(userID: nil, label: "token:\(t.name)")
        }
    }
}

/// Per-request state: who is asking, the session, the CSRF token and the language.
public struct PantauRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var identity: Identity?
    public var session: SessionRecord?
    /// The token forms must echo back (`_csrf` field or `X-CSRF-Token` header).
    public var csrfToken: String = ""
    /// Set when the CSRF cookie must be (re)issued with the response.
    public var newCSRFCookie: String?
    public var language: Language = .id
    /// A one-time notice carried over a redirect (flash cookie).
    public var flash: String?
    /// The parsed form body, once the guard has read it for the CSRF check.
    public var form: FormData?
    /// Unread notifications and notices of the signed-in person, counted for pages (the header's
    /// badge); nil for API calls, assets and streams.
    public var unread: Int?

    /// The client's IP address, for login throttling.
    public var remoteAddress: String?

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress?.ipAddress
    }

    public var maxUploadSize: Int { 20 * 1024 * 1024 }

    /// What anyone who is not signed in may send in one body (the login and public survey forms
    /// are a few hundred bytes): checked before the body is parsed.
    public static let anonymousBodyLimit = 16 * 1024

    /// The body limit that applies to this request.
    public var bodyLimit: Int { identity == nil ? Self.anonymousBodyLimit : maxUploadSize }

    public var user: UserRecord? {
        if case let .user(u)? = identity { return u }
        return nil
    }
}
