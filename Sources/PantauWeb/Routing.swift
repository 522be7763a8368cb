import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PantauCore

/// One route: method, path pattern, who may call it, and what it is. The same list registers the
/// router, builds links, feeds the OpenAPI document and drives the authorisation test.
public struct RouteSpec: Sendable, Hashable {
    public enum Kind: String, Sendable {
        case page, api, asset
    }
    public var method: HTTPRequest.Method
    /// Hummingbird pattern, e.g. `/sops/:id/versions/:version`.
    public var path: String
    public var rule: AccessRule
    public var kind: Kind
    /// One line for the OpenAPI document and docs.
    public var summary: String

    public static func == (a: RouteSpec, b: RouteSpec) -> Bool { a.method == b.method && a.path == b.path }
    public func hash(into h: inout Hasher) {
        h.combine(method.rawValue)
        h.combine(path)
    }
}

typealias Handler = @Sendable (Request, PantauRequestContext) async throws -> Response

/// Collects route specs while registering them.
final class RouteRegistrar: @unchecked Sendable {
    let router: Router<PantauRequestContext>
    private(set) var specs: [RouteSpec] = []

    init(router: Router<PantauRequestContext>) { self.router = router }

    /// Registers one route; the typed `open`, `page` and `api` below are the only callers.
    private func add(_ method: HTTPRequest.Method, _ path: String, _ rule: AccessRule, _ kind: RouteSpec.Kind, _ summary: String,
                     _ handler: @escaping Handler) {
        let spec = RouteSpec(method: method, path: path, rule: rule, kind: kind, summary: summary)
        precondition(!specs.contains(spec), "duplicate route \(method) \(path)")
        specs.append(spec)
        router.on(RouterPath(path), method: method) { req, ctx in
            try await Guard.run(spec, req, ctx, handler)
        }
    }

    /// A route anyone may call (signed in or not): the handler sees an optional identity.
    func open(_ m: HTTPRequest.Method, _ url: SiteURL, _ summary: String, kind: RouteSpec.Kind = .page,
              _ h: @escaping @Sendable (Request, PantauRequestContext) async throws -> Response) {
        add(m, url.pattern, .anyone, kind, summary, h)
    }

    /// A page for signed-in people: the handler gets the user, never optional.
    func page(_ m: HTTPRequest.Method, _ url: SiteURL, _ rule: AccessRule, _ summary: String,
              _ h: @escaping @Sendable (Request, UserContext) async throws -> Response) {
        precondition(rule != .anyone, "use open(...) for public pages")
        add(m, url.pattern, rule, .page, summary) { req, ctx in
            guard let user = ctx.user else { throw AppError.unauthorized }
            return try await h(req, UserContext(base: ctx, user: user))
        }
    }

    /// An API route for signed-in people and integration tokens: the identity is never optional.
    func api(_ m: HTTPRequest.Method, _ url: SiteURL, _ rule: AccessRule, _ summary: String,
             _ h: @escaping @Sendable (Request, AuthContext) async throws -> Response) {
        precondition(rule != .anyone, "use open(..., .api, ...) for public API routes")
        add(m, url.pattern, rule, .api, summary) { req, ctx in
            guard let identity = ctx.identity else { throw AppError.unauthorized }
            return try await h(req, AuthContext(base: ctx, identity: identity))
        }
    }
}

/// The per-route checks that run before every handler: authentication, role, token limits, CSRF.
enum Guard {
    /// What a user with a temporary password may still do.
    static let allowedBeforePasswordChange: Set<String> = [SiteURL.accountPassword.pattern, SiteURL.logout.pattern, SiteURL.login.pattern]

    static func run(_ spec: RouteSpec, _ request: Request, _ context: PantauRequestContext, _ handler: Handler) async throws -> Response {
        var req = request
        var ctx = context
        if spec.rule != .anyone && ctx.identity == nil {
            if spec.kind == .page {
                let next = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
                return .seeOther(SiteURL.login.path(query: ["next": next]))
            }
            throw AppError.unauthorized
        }
        if case .token = ctx.identity, spec.kind != .api {
            throw AppError.forbidden
        }
        if case let .token(t)? = ctx.identity, t.readOnly, request.method != .get, request.method != .head {
            throw AppError.forbidden
        }
        guard spec.rule.allows(ctx.identity) else { throw AppError.forbidden }
        // A temporary password must be replaced before anything else is done with the account.
        if let user = ctx.user, user.mustChangePassword, spec.rule != .anyone || spec.path == SiteURL.home.pattern,
           !Self.allowedBeforePasswordChange.contains(spec.path) {
            if spec.kind == .page { return .seeOther(SiteURL.accountPassword.path) }
            throw AppError.passwordChangeRequired
        }
        let unsafe = [.post, .put, .patch, .delete].contains(request.method)
        if unsafe {
            var provided = request.headers[.csrfToken]
            if ctx.identity == nil {
                // Whatever the content type: read (and cap) an anonymous body before anything parses it.
                _ = try await collect(&req, limit: ctx.bodyLimit)
            }
            if request.headers[.contentType]?.hasPrefix("application/x-www-form-urlencoded") == true {
                // Read the form once for every handler (the header may carry the token too).
                let body = try await collect(&req, limit: ctx.bodyLimit)
                let form = FormData(String(buffer: body))
                ctx.form = form
                if provided == nil { provided = form["_csrf"] }
            }
            if provided == nil, let type = request.headers[.contentType], type.lowercased().hasPrefix("multipart/form-data"),
               ctx.user != nil, let boundary = Multipart.boundary(type) {
                // A signed-in person's upload form: the token is one of its parts.
                let body = try await collect(&req, limit: ctx.bodyLimit)
                if let part = Multipart.parse(Data(buffer: body), boundary: boundary).first(where: { $0.name == "_csrf" }) {
                    provided = String(decoding: part.data, as: UTF8.self)
                }
            }
            // Token clients are not browsers: no CSRF for them.
            if case .token = ctx.identity {} else {
                guard let p = provided, !ctx.csrfToken.isEmpty, Secrets.equal(p, ctx.csrfToken) else {
                    throw AppError.csrf
                }
            }
        }
        return try await handler(req, ctx)
    }

    /// The whole body, or 413 naming the limit.
    static func collect(_ req: inout Request, limit: Int) async throws -> ByteBuffer {
        do {
            return try await req.collectBody(upTo: limit)
        } catch let e as HTTPError where e.status == .contentTooLarge {
            throw AppError.tooLarge(limit: limit)
        } catch is NIOTooManyBytesError {
            throw AppError.tooLarge(limit: limit)
        }
    }
}

extension Response {
    static func seeOther(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    static func seeOther(_ url: SiteURL) -> Response { seeOther(url.path) }

    static func html(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    static func text(_ body: String, contentType: String = "text/plain; charset=utf-8", status: HTTPResponse.Status = .ok, filename: String? = nil) -> Response {
        var headers: HTTPFields = [.contentType: contentType]
        if let filename {
            headers[.contentDisposition] = "attachment; filename=\"\(filename.replacingOccurrences(of: "\"", with: ""))\""
        }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// An RFC 9457 problem body (`application/problem+json`).
    static func problem(_ value: some Encodable, status: HTTPResponse.Status) throws -> Response {
        let data = try APIJSON.encoder.encode(value)
        return Response(status: status, headers: [.contentType: "application/problem+json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try APIJSON.encoder.encode(value)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

enum APIJSON {
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.dateEncodingStrategy = .iso8601
        return e
    }()
    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }()
}
