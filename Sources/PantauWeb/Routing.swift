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

    func add(_ method: HTTPRequest.Method, _ path: String, _ rule: AccessRule, _ kind: RouteSpec.Kind, _ summary: String,
             _ handler: @escaping Handler) {
        let spec = RouteSpec(method: method, path: path, rule: rule, kind: kind, summary: summary)
        precondition(!specs.contains(spec), "duplicate route \(method) \(path)")
        specs.append(spec)
        router.on(RouterPath(path), method: method) { req, ctx in
            try await Guard.run(spec, req, ctx, handler)
        }
    }

    func page(_ m: HTTPRequest.Method, _ path: String, _ rule: AccessRule, _ summary: String, _ h: @escaping Handler) {
        add(m, path, rule, .page, summary, h)
    }

    func api(_ m: HTTPRequest.Method, _ path: String, _ rule: AccessRule, _ summary: String, _ h: @escaping Handler) {
        add(m, path, rule, .api, summary, h)
    }
}

/// The per-route checks that run before every handler: authentication, role, token limits, CSRF.
enum Guard {
    static func run(_ spec: RouteSpec, _ request: Request, _ context: PantauRequestContext, _ handler: Handler) async throws -> Response {
        var req = request
        var ctx = context
        if spec.rule != .anyone && ctx.identity == nil {
            if spec.kind == .page {
                let next = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
                return .seeOther("/login?next=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"))
            }
            throw AppError.unauthorized
        }
        if case .token = ctx.identity, spec.kind != .api {
            throw AppError.forbidden
        }
        guard spec.rule.allows(ctx.identity) else { throw AppError.forbidden }
        let unsafe = [.post, .put, .patch, .delete].contains(request.method)
        if unsafe {
            var provided = request.headers[.csrfToken]
            if request.headers[.contentType]?.hasPrefix("application/x-www-form-urlencoded") == true {
                // Read the form once for every handler (the header may carry the token too).
                let body = try await req.collectBody(upTo: ctx.maxUploadSize)
                let form = FormData(String(buffer: body))
                ctx.form = form
                if provided == nil { provided = form["_csrf"] }
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
}

extension Response {
    static func seeOther(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

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
