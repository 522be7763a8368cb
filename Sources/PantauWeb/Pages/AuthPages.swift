import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PantauCore
import PantauStore

struct LoginModel {
    let username: String
    let next: String
    let error: String?
}

struct PasswordModel {
    let errors: [FieldError]
    let mustChange: Bool
}

struct HomeModel {
    struct Count { let label: String; let value: Int; let href: String }
    let counts: [Count]
    let signedIn: Bool
}

/// Login, logout, own password, the home page and the technical endpoints.
enum AuthPages {
    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.page(.get, "/", .anyone, "Home") { _, ctx in
            let t = s.views.strings(ctx.language)
            guard let identity = ctx.identity else {
                return .html(s.views.render("home", title: "Pantau", page: HomeModel(counts: [], signedIn: false), context: ctx, active: .home))
            }
            let tree = try await s.store.orgTree()
            let scope = Scope.units(identity, tree: tree)
            var counts: [HomeModel.Count] = []
            for st in SOPStatus.allCases {
                let n = try await s.store.sops(SOPQuery(unitIDs: scope, status: st, perPage: 1)).total
                counts.append(.init(label: t["status_\(st.rawValue)"], value: n, href: "/sops?status=\(st.rawValue)"))
            }
            return .html(s.views.render("home", title: t["nav_home"], page: HomeModel(counts: counts, signedIn: true), context: ctx, active: .home))
        }

        r.page(.get, "/login", .anyone, "Login form") { req, ctx in
            let next = safeNext(req.uri.queryParameters.get("next"))
            if ctx.user != nil { return .seeOther(next) }
            let t = s.views.strings(ctx.language)
            return .html(s.views.render("login", title: t["login_title"], page: LoginModel(username: "", next: next, error: nil), context: ctx))
        }

        r.page(.post, "/login", .anyone, "Sign in") { _, ctx in
            let form = ctx.form ?? FormData("")
            let t = s.views.strings(ctx.language)
            let username = form.text("username")
            let password = form["password"] ?? ""
            let next = safeNext(form["next"])
            let keys = ["user:" + username.lowercased(), "ip:" + (ctx.remoteAddress ?? "?")]
            for k in keys where try await s.store.recentFailures(key: k, window: s.config.loginWindow) >= s.config.loginMaxFailures {
                let page = s.views.render("login", title: t["login_title"],
                                          page: LoginModel(username: username, next: next, error: t["login_throttled"]), context: ctx)
                var resp = Response.html(page, status: .tooManyRequests)
                resp.headers[.retryAfter] = "\(Int(s.config.loginWindow))"
                return resp
            }
            let cred = try await s.store.credentials(username: username)
            let ok: Bool
            if let (user, hash) = cred, user.active {
                ok = Secrets.verifyPassword(password, hash: hash)
            } else {
                // Same work for unknown users, so timing does not reveal which names exist.
                _ = Secrets.verifyPassword(password, hash: s.dummyHash)
                ok = false
            }
            try await s.store.recordLoginAttempt(keys: keys, success: ok)
            guard ok, let (user, _) = cred else {
                let page = s.views.render("login", title: t["login_title"],
                                          page: LoginModel(username: username, next: next, error: t["login_failed"]), context: ctx)
                // 422: the form was understood but the credentials are wrong (401 would need a WWW-Authenticate scheme).
                return .html(page, status: .unprocessableContent)
            }
            let token = Secrets.randomToken()
            let session = try await s.store.createSession(userID: user.id, tokenHash: Secrets.sha256(token),
                                                          csrfToken: Secrets.randomToken(), lifetime: s.config.sessionLifetime)
            var resp = Response.seeOther(user.mustChangePassword ? "/account/password" : next)
            resp.setCookie(Cookie(name: CookieName.session, value: token, expires: session.expiresAt, path: "/",
                                  secure: s.config.secureCookies, httpOnly: true, sameSite: .lax))
            return resp
        }

        r.page(.post, "/logout", .signedIn, "Sign out") { _, ctx in
            if let sess = ctx.session, let u = ctx.user {
                try await s.store.deleteSession(tokenHash: sess.tokenHash, userID: u.id)
            }
            var resp = Response.seeOther("/login")
            resp.setCookie(Cookie(name: CookieName.session, value: "", maxAge: 0, path: "/", secure: s.config.secureCookies, httpOnly: true, sameSite: .lax))
            return resp
        }

        r.page(.get, "/account/password", .signedIn, "Change own password form") { _, ctx in
            let t = s.views.strings(ctx.language)
            return .html(s.views.render("password", title: t["password_title"],
                                        page: PasswordModel(errors: [], mustChange: ctx.user?.mustChangePassword ?? false), context: ctx))
        }

        r.page(.post, "/account/password", .signedIn, "Change own password") { _, ctx in
            guard let user = ctx.user else { throw AppError.forbidden }
            let t = s.views.strings(ctx.language)
            let form = ctx.form ?? FormData("")
            let current = form["current"] ?? "", new = form["new"] ?? "", confirm = form["confirm"] ?? ""
            var errors: [FieldError] = []
            if let (_, hash) = try await s.store.credentials(username: user.username), !Secrets.verifyPassword(current, hash: hash) {
                errors.append(FieldError(field: "current", message: t["password_wrong_current"]))
            }
            if let p = Secrets.passwordProblem(new, username: user.username, language: ctx.language) {
                errors.append(FieldError(field: "new", message: p))
            } else if new != confirm {
                errors.append(FieldError(field: "confirm", message: t["password_mismatch"]))
            }
            if !errors.isEmpty {
                return .html(s.views.render("password", title: t["password_title"],
                                            page: PasswordModel(errors: errors, mustChange: user.mustChangePassword), context: ctx), status: .badRequest)
            }
            try await s.store.setPassword(userID: user.id, passwordHash: Secrets.hashPassword(new, cost: s.config.passwordCost),
                                          keepSession: ctx.session?.tokenHash, by: Identity.user(user).auditActor)
            return .seeOther("/", flash: t["password_changed"], secure: s.config.secureCookies)
        }

        r.add(.get, "/health", .anyone, .api, "Liveness and database check") { _, _ in
            struct Health: Encodable { let status: String; let database: String }
            do {
                _ = try await s.store.userCount()
                return try .json(Health(status: "ok", database: s.store.database.kind.rawValue))
            } catch {
                return try .json(Health(status: "error", database: s.store.database.kind.rawValue), status: .serviceUnavailable)
            }
        }

        r.add(.get, "/metrics", .anyone, .asset, "Prometheus metrics") { _, _ in
            .text(s.registry.emitToString(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }

        r.add(.get, "/static/pantau.css", .anyone, .asset, "Stylesheet") { _, _ in
            var resp = Response.text(s.views.css, contentType: "text/css; charset=utf-8")
            resp.headers[.cacheControl] = "public, max-age=3600"
            return resp
        }
        r.add(.get, "/favicon.ico", .anyone, .asset, "Site icon") { _, _ in
            var resp = Response.text(s.views.favicon, contentType: "image/svg+xml")
            resp.headers[.cacheControl] = "public, max-age=86400"
            return resp
        }
        r.add(.get, "/static/pantau.js", .anyone, .asset, "Script") { _, _ in
            var resp = Response.text(s.views.js, contentType: "text/javascript; charset=utf-8")
            resp.headers[.cacheControl] = "public, max-age=3600"
            return resp
        }
    }

    /// Only same-site paths are followed after login.
    static func safeNext(_ next: String?) -> String {
        guard let n = next, n.hasPrefix("/"), !n.hasPrefix("//"), !n.contains("\\") else { return "/" }
        return n
    }
}
