import Hummingbird
import PantauStore

/// Health, metrics and the static files.
enum TechnicalRoutes {
    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        // Liveness only: the process answers. It does not ask the database, so an orchestrator
        // does not restart every instance while the database is away (that is /ready's question).
        r.open(.get, .health, "Liveness: the process answers (the database is /ready's question)", kind: .api) { _, _ in
            struct Health: Encodable { let status: String; let database: String }
            return try .json(Health(status: "ok", database: s.store.database.kind.rawValue))
        }
        r.open(.get, .ready, "Readiness: the database answers and every migration is applied", kind: .api) { _, _ in
            struct Ready: Encodable { let status: String; let database: String; let pending_migrations: [Int]; let error: String? }
            let kind = s.store.database.kind.rawValue
            do {
                let pending = try await s.store.pendingMigrationNumbers()
                if pending.isEmpty { return try .json(Ready(status: "ready", database: kind, pending_migrations: [], error: nil)) }
                return try .json(Ready(status: "migrations pending", database: kind, pending_migrations: pending,
                                       error: "run `pantau migrate`"), status: .serviceUnavailable)
            } catch {
                s.logger.warning("readiness check failed: \(error)")
                return try .json(Ready(status: "database unreachable", database: kind, pending_migrations: [], error: "database unreachable"),
                                 status: .serviceUnavailable)
            }
        }
        r.open(.get, .metrics, "Prometheus metrics", kind: .asset) { _, _ in
            .text(s.registry.emitToString(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        r.open(.get, .stylesheet, "Stylesheet", kind: .asset) { _, _ in
            cached(.text(s.views.css, contentType: "text/css; charset=utf-8"), seconds: 3600)
        }
        r.open(.get, .favicon, "Site icon", kind: .asset) { _, _ in
            cached(.text(s.views.favicon, contentType: "image/svg+xml"), seconds: 86400)
        }
        r.open(.get, .script, "Script", kind: .asset) { _, _ in
            cached(.text(s.views.js, contentType: "text/javascript; charset=utf-8"), seconds: 3600)
        }
    }

    static func cached(_ response: Response, seconds: Int) -> Response {
        var r = response
        r.headers[.cacheControl] = "public, max-age=\(seconds)"
        return r
    }
}
