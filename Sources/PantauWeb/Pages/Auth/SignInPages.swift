import Foundation
import HTTPTypes
import Hummingbird
import PantauCore
import PantauStore

/// `/login`: the sign-in form and the sign-in itself (throttled per account and client).
enum LoginPage {
    struct Model {
        let action = SiteURL.login.path
        let username: String
        let next: String
        let error: String?
    }

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.open(.get, .login, "Login form") { req, ctx in
            let next = safeNext(req.uri.queryParameters.get("next"))
            if ctx.user != nil { return .seeOther(next) }
            guard next == SiteURL.home.path, ctx.flash == nil else { return render(s, ctx, Model(username: "", next: next, error: nil)) }
            // The plain sign-in page is the same for everyone but its CSRF token.
            let html = await s.pageCache.page("login|\(ctx.language.rawValue)") {
                var marked = ctx
                marked.csrfToken = PageCache.csrfMark
                return s.views.render("login", title: s.views.strings(ctx.language)["login_title"],
                                      page: Model(username: "", next: next, error: nil), context: marked)
            }
            return .html(html.filled(csrf: ctx.csrfToken))
        }

        r.open(.post, .login, "Sign in") { req, ctx in
            let form = ctx.formData
            let t = s.views.strings(ctx.language)
            let username = form.text("username")
            let password = form["password"] ?? ""
            let next = safeNext(form["next"])
            let client = ClientAddress.of(req, ctx, trustForwardedFor: s.config.trustForwardedFor)
            let gate = try await s.store.beginLoginAttempt(keys: LoginThrottling.keys(username: username, client: client, config: s.config))
            guard case let .proceed(keys) = gate else {
                let retry: Int = if case let .wait(r) = gate { r } else { 1 }
                PantauMetrics.failedLogin(.throttled)
                s.logger.notice("sign-in throttled", metadata: ["user": "\(username.prefix(64))", "client": "\(client)", "retry_after": "\(retry)",
                                                                "request_id": ctx.logger[metadataKey: "request_id"] ?? "-"])
                var resp = render(s, ctx, Model(username: username, next: next, error: t.format("login_wait", retry)), status: .tooManyRequests)
                resp.headers[.retryAfter] = "\(retry)"
                return resp
            }
            let cred = try await s.store.credentials(username: username)
            let ok: Bool
            if let (user, hash) = cred, user.active {
                ok = try await Secrets.verifyPassword(password, hash: hash)
            } else {
                // Same work for unknown users, so timing does not reveal which names exist.
                _ = try await Secrets.verifyPassword(password, hash: s.dummyHash)
                ok = false
            }
            try await s.store.finishLoginAttempt(keys, success: ok)
            guard ok, let (user, _) = cred else {
                PantauMetrics.failedLogin(.badCredentials)
                s.logger.notice("sign-in failed", metadata: ["user": "\(username.prefix(64))", "client": "\(client)",
                                                             "request_id": ctx.logger[metadataKey: "request_id"] ?? "-"])
                // 422: the form was understood but the credentials are wrong (401 would need a WWW-Authenticate scheme).
                return render(s, ctx, Model(username: username, next: next, error: t["login_failed"]), status: .unprocessableContent)
            }
            let token = Secrets.randomToken()
            let session = try await s.store.createSession(userID: user.id, tokenHash: Secrets.sha256(token),
                                                          csrfToken: Secrets.randomToken(), lifetime: s.config.sessionLifetime)
            var resp = Response.seeOther(user.mustChangePassword ? SiteURL.accountPassword.path : next)
            resp.setCookie(Cookie(name: CookieName.session, value: token, expires: session.expiresAt, path: "/",
                                  secure: s.config.secureCookies, httpOnly: true, sameSite: .lax))
            return resp
        }

        r.page(.post, .logout, .signedIn, "Sign out") { _, ctx in
            if let sess = ctx.session {
                try await s.store.deleteSession(tokenHash: sess.tokenHash, userID: ctx.user.id)
            }
            var resp = Response.seeOther(.login)
            resp.setCookie(Cookie(name: CookieName.session, value: "", maxAge: 0, path: "/", secure: s.config.secureCookies, httpOnly: true, sameSite: .lax))
            return resp
        }
    }

    static func render(_ s: AppServices, _ ctx: PantauRequestContext, _ model: Model, status: HTTPResponse.Status = .ok) -> Response {
        .html(s.views.render("login", title: s.views.strings(ctx.language)["login_title"], page: model, context: ctx), status: status)
    }

    /// The page to go to after signing in: only a path of this site. Browsers drop tabs and line
    /// breaks anywhere in a URL and control characters and spaces at its ends, and treat `\` as
    /// `/`, so `/\t/evil.example` becomes `//evil.example` (another site). The value is cleaned the
    /// way a browser would, then must parse as a relative URL with no scheme or host whose path
    /// starts with exactly one `/`.
    static func safeNext(_ next: String?) -> String {
        let home = SiteURL.home.path
        guard let raw = next else { return home }
        let stripped = raw.unicodeScalars.filter { $0 != "\t" && $0 != "\n" && $0 != "\r" }
        var n = String(String.UnicodeScalarView(stripped))
        n = n.trimmingCharacters(in: CharacterSet(charactersIn: "\u{0}"..."\u{20}"))
        guard n.hasPrefix("/"), !n.hasPrefix("//"), !n.contains("\\"), n.count <= 2000,
              !n.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }),
              let c = URLComponents(string: n), c.scheme == nil, c.host == nil, c.percentEncodedPath.hasPrefix("/"),
              !c.percentEncodedPath.hasPrefix("//")
        else { return home }
        return n
    }
}

/// `/account/password`: a person changes their own password (first, when it is temporary).
enum PasswordPage {
    struct Model {
        let action = SiteURL.accountPassword.path
        let errors: [FieldError]
        let mustChange: Bool
    }

    /// The problems of a change request, in the form's own field names (pure; `currentMatches`
    /// is the bcrypt check of the current password).
    static func problems(currentMatches: Bool, new: String, confirm: String, username: String, t: Strings) -> [FieldError] {
        var errors: [FieldError] = []
        if !currentMatches { errors.append(FieldError(field: "current", message: t["password_wrong_current"])) }
        if let p = Secrets.passwordProblem(new, username: username, strings: t) {
            errors.append(FieldError(field: "new", message: p))
        } else if new != confirm {
            errors.append(FieldError(field: "confirm", message: t["password_mismatch"]))
        }
        return errors
    }

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.page(.get, .accountPassword, .signedIn, "Change own password form") { _, ctx in
            render(s, ctx, Model(errors: [], mustChange: ctx.user.mustChangePassword))
        }

        r.page(.post, .accountPassword, .signedIn, "Change own password") { _, ctx in
            let t = s.views.strings(ctx.language)
            let form = ctx.formData
            let current = form["current"] ?? "", new = form["new"] ?? "", confirm = form["confirm"] ?? ""
            var matches = false
            if let (_, hash) = try await s.store.credentials(username: ctx.user.username) {
                matches = try await Secrets.verifyPassword(current, hash: hash)
            }
            let errors = problems(currentMatches: matches, new: new, confirm: confirm, username: ctx.user.username, t: t)
            if !errors.isEmpty {
                return render(s, ctx, Model(errors: errors, mustChange: ctx.user.mustChangePassword), status: .badRequest)
            }
            try await s.store.setPassword(userID: ctx.user.id, passwordHash: try await Secrets.hashPassword(new, cost: s.config.passwordCost),
                                          keepSession: ctx.session?.tokenHash, by: ctx.actor)
            return .seeOther(.home, flash: t["password_changed"], secure: s.config.secureCookies)
        }
    }

    static func render(_ s: AppServices, _ ctx: UserContext, _ model: Model, status: HTTPResponse.Status = .ok) -> Response {
        .html(s.views.render("password", title: s.views.strings(ctx.language)["password_title"], page: model, context: ctx), status: status)
    }
}
