import Hummingbird
import PantauCore
import PantauStore

/// What every handler context offers, whoever is asking: the request's base context (language,
/// CSRF token, form, route parameters) and typed access to route parameters.
@dynamicMemberLookup
protocol RequestScope: Sendable {
    var base: PantauRequestContext { get }
}

extension RequestScope {
    subscript<T>(dynamicMember path: KeyPath<PantauRequestContext, T>) -> T { base[keyPath: path] }

    /// An integer route parameter (`:id`), or 404.
    func int64(_ name: String) throws -> Int64 { try base.int64(name) }
    func int(_ name: String) throws -> Int { try base.int(name) }
    /// The submitted form (empty when none).
    var formData: FormData { base.form ?? FormData("") }
}

extension PantauRequestContext: RequestScope {
    var base: PantauRequestContext { self }
}

/// The context of a page that needs a signed-in person: the user is never optional here.
struct UserContext: RequestScope {
    let base: PantauRequestContext
    let user: UserRecord

    var identity: Identity { .user(user) }
    var actor: AuditActor { identity.auditActor }
}

/// The context of an API route that needs a signed-in person or an integration token.
struct AuthContext: RequestScope {
    let base: PantauRequestContext
    let identity: Identity

    var user: UserRecord? { base.user }
    var actor: AuditActor { identity.auditActor }
}
