import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import PantauCore
import PantauStore

/// One field's problem, for forms and API problem bodies.
public struct FieldError: Codable, Sendable, Equatable {
    /// The form field's name (also the id of its input, for links from the error summary).
    public var field: String
    public var message: String
    /// The field's label as the form shows it; nil in API problem bodies.
    public var label: String?

    public init(field: String, message: String, label: String? = nil) {
        self.field = field
        self.message = message
        self.label = label
    }
}

/// Errors the web layer turns into 4xx answers.
public enum AppError: Error, Sendable {
    case unauthorized
    case forbidden
    case notFound
    case csrf
    case tooManyRequests(retryAfter: Int)
    case badRequest(String)
    /// The body is larger than this route accepts (bytes).
    case tooLarge(limit: Int)
    case invalid([FieldError])
    case conflict([FieldError])
    /// Signed in with a temporary password that must be changed first.
    case passwordChangeRequired
    /// Input problems as codes (worded from the catalogs as `store_<code>`).
    case rejected([InputProblem])
    /// SOP validation issues (worded from the catalogs, fields by their paths in the document).
    case sopIssues([SOPValidationIssue])
    /// The database cannot be reached (503, with `Retry-After`): try again shortly.
    case databaseUnavailable
    /// The database's disk is full (507): the write was refused, nothing of it stored.
    case storageFull
}

/// An RFC 9457 problem body.
struct Problem: Codable, Sendable {
    var type: String = "about:blank"
    var title: String
    var status: Int
    var detail: String?
    var errors: [FieldError]?
}

extension AppError {
    var status: HTTPResponse.Status {
        switch self {
        case .unauthorized: return .unauthorized
        case .forbidden, .csrf, .passwordChangeRequired: return .forbidden
        case .notFound: return .notFound
        case .tooManyRequests: return .tooManyRequests
        case .badRequest, .invalid, .sopIssues: return .badRequest
        // A taken unique value is a conflict with what is stored (409); anything else is bad input.
        case let .rejected(p): return p.allSatisfy(\.isConflict) ? .conflict : .badRequest
        case .tooLarge: return .contentTooLarge
        case .conflict: return .conflict
        case .databaseUnavailable: return .serviceUnavailable
        case .storageFull: return HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage")
        }
    }

    /// Seconds a client is asked to wait before retrying (`Retry-After`), for the answers that have one.
    var retryAfter: Int? {
        switch self {
        case let .tooManyRequests(s): return s
        case .databaseUnavailable: return 5
        default: return nil
        }
    }

    func problem(_ t: Strings) -> Problem {
        switch self {
        case .unauthorized: return Problem(title: t["err_unauthorized"], status: 401)
        case .forbidden: return Problem(title: t["err_forbidden"], status: 403)
        case .csrf: return Problem(title: t["err_csrf"], status: 403)
        case .passwordChangeRequired: return Problem(title: t["err_password_change"], status: 403)
        case .notFound: return Problem(title: t["err_not_found"], status: 404)
        case let .tooManyRequests(s): return Problem(title: t["err_too_many"], status: 429, detail: "Retry-After: \(s) s")
        case let .badRequest(d): return Problem(title: t["err_bad_request"], status: 400, detail: d)
        case let .tooLarge(limit): return Problem(title: t["err_too_large"], status: 413, detail: t.format("err_too_large_detail", limit / 1024))
        case let .invalid(e): return Problem(title: t["err_invalid"], status: 400, errors: e)
        case let .sopIssues(issues):
            return Problem(title: t["err_invalid"], status: 400, errors: issues.map { FieldError(field: $0.field, message: SOPMessages.message($0, t: t)) })
        case let .rejected(p):
            let conflict = p.allSatisfy(\.isConflict)
            return Problem(title: t[conflict ? "err_conflict" : "err_invalid"], status: conflict ? 409 : 400, errors: p.map { $0.fieldError(t) })
        case let .conflict(e): return Problem(title: t["err_conflict"], status: 409, errors: e)
        case .databaseUnavailable: return Problem(title: t["err_database_unavailable"], status: 503, detail: t["err_database_unavailable_detail"])
        case .storageFull: return Problem(title: t["err_storage_full"], status: 507, detail: t["err_storage_full_detail"])
        }
    }
}

extension StoreError {
    /// The web answer for a store error.
    var appError: AppError {
        switch self {
        case .notFound: return .notFound
        case let .conflict(f, m): return .conflict([FieldError(field: f, message: m)])
        case let .invalid(f, m): return .invalid([FieldError(field: f, message: m)])
        case let .invalidTransition(a, b): return .rejected([InputProblem("status", "status_transition", [a, b])])
        case let .notEditable(s): return .rejected([InputProblem("status", "version_not_editable", [s])])
        case let .validation(issues): return .sopIssues(issues)
        case .corrupt: return .badRequest("data rusak")
        case let .rejected(p): return .rejected(p)
        }
    }
}

extension DatabaseError {
    /// The web answer for a database fault: 503 while the database cannot be reached, 507 when its
    /// disk is full (see ``DatabaseError/fault(in:)``).
    var appError: AppError? {
        switch self {
        // `closed`: this instance is stopping; another one (or this one restarted) will answer.
        case .unavailable, .closed: return .databaseUnavailable
        case .storageFull: return .storageFull
        case .badURL: return nil
        }
    }
}

extension InputProblem {
    /// The problem in words, from the catalog (`store_<code>` with the arguments).
    func message(_ t: Strings) -> String {
        var text = t["store_\(code)"]
        for (i, a) in arguments.enumerated() { text = text.replacingOccurrences(of: "{\(i)}", with: a) }
        return text
    }

    func fieldError(_ t: Strings) -> FieldError { FieldError(field: field, message: message(t)) }

    /// A clash with what is stored (a value taken, a version in the wrong state): 409, not 400.
    var isConflict: Bool { code.hasSuffix("_taken") || Self.conflictCodes.contains(code) }

    static let conflictCodes: Set<String> = ["status_transition", "version_not_editable", "version_still_open", "not_published"]
}

/// Maps errors to answers: JSON problem bodies under `/api`, an HTML page elsewhere. Unknown
/// errors are logged and answered 500 without details.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = PantauRequestContext
    let views: Views

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let app: AppError?
            switch error {
            case let e as AppError: app = e
            case let e as StoreError: app = e.appError
            case let e as DatabaseError: app = e.appError
            case let e as SOPFileError: app = .invalid([FieldError(field: e.field, message: e.description)])
            case let e as HTTPError where e.status == .notFound: app = .notFound
            case let e as HTTPError where e.status == .contentTooLarge: app = .tooLarge(limit: context.maxUploadSize)
            case let e as HTTPError where (400..<500).contains(e.status.code): app = .badRequest(e.body ?? e.status.reasonPhrase)
            case is NIOTooManyBytesError: app = .tooLarge(limit: context.maxUploadSize)
            case is DecodingError: app = .badRequest("\(error)")
            default: app = nil
            }
            // The language the request asks for, also when the identity check failed before it
            // read it (the database down): the same order as IdentityMiddleware, `?lang=`, then the cookie.
            var context = context
            if let q = request.uri.queryParameters.get("lang"), let l = Language(rawValue: q) {
                context.language = l
            } else if let c = request.cookies[CookieName.language]?.value, let l = Language(rawValue: c) {
                context.language = l
            }
            let t = views.strings(context.language)
            let isAPI = request.uri.path.hasPrefix(SiteURL.apiBase + "/")
            if let e = error as? DatabaseError, app != nil {
                // What the administrator reads in the log; the client gets the catalog's words.
                context.logger.error("\(request.method) \(request.uri.path) refused: \(e)")
            }
            guard let app else {
                context.logger.error("unhandled error: \(String(reflecting: error))")
                let p = Problem(title: t["err_internal"], status: 500)
                return isAPI ? try .problem(p, status: .internalServerError)
                    : .html(views.errorPage(p, context: context), status: .internalServerError)
            }
            let p = app.problem(t)
            var r: Response = isAPI ? try .problem(p, status: app.status) : .html(views.errorPage(p, context: context), status: app.status)
            if let s = app.retryAfter { r.headers[.retryAfter] = "\(s)" }
            if case .unauthorized = app, isAPI { r.headers[.wwwAuthenticate] = "Bearer realm=\"pantau\"" }
            return r
        }
    }
}
