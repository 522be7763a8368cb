import Foundation
import Logging
import NIOCore
import PostgresNIO
import SQLKit

// MARK: - Changes between instances (PostgreSQL LISTEN/NOTIFY)

/// What another instance (or this one) changed, as the `pantau` notification channel carries it.
/// Sent inside the writing transaction with `pg_notify`, so PostgreSQL delivers it only when that
/// transaction commits (never after a rollback). SQLite has no channel: one process owns the file.
public struct StoreChange: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// Events were stored and their cases re-checked.
        case events
        /// Alerts (and their notifications and webhook deliveries) were raised.
        case alerts
        /// An SOP's content, version or status changed.
        case sop
        /// An SOP's monitoring settings changed, or a re-check job stored results.
        case analysis
        /// A background job was queued.
        case jobs
    }

    public var kind: Kind
    public var sopID: Int64?
    public var unitID: Int64?

    public init(kind: Kind, sopID: Int64? = nil, unitID: Int64? = nil) {
        self.kind = kind
        self.sopID = sopID
        self.unitID = unitID
    }
}

extension PantauStore {
    /// The PostgreSQL channel of ``StoreChange`` notifications.
    public static let changeChannel = "pantau"

    /// Queues a notification in the caller's transaction (PostgreSQL; nothing on SQLite). The
    /// payload carries the schema, so deployments (and test runs) sharing one database in
    /// separate schemas do not wake each other.
    static func notify(_ w: WriteContext, _ kind: StoreChange.Kind, sopID: Int64? = nil, unitID: Int64? = nil) async throws {
        try await notify(w.sql, w.kind, kind, sopID: sopID, unitID: unitID)
    }

    /// Queues a change notification in a transaction of the caller's own (``Database/transaction(_:)``):
    /// delivered to every listener when it commits, never when it rolls back. Nothing on SQLite.
    public static func notifyChange(_ change: StoreChange, in sql: any SQLDatabase, engine: DatabaseKind) async throws {
        try await notify(sql, engine, change.kind, sopID: change.sopID, unitID: change.unitID)
    }

    static func notify(_ sql: any SQLDatabase, _ engine: DatabaseKind, _ kind: StoreChange.Kind, sopID: Int64? = nil, unitID: Int64? = nil) async throws {
        guard engine == .postgres else { return }
        try await sql.raw("""
            SELECT pg_notify('\(unsafeRaw: changeChannel)', json_build_object('schema', current_schema(), 'kind', CAST(\(bind: kind.rawValue) AS TEXT),
                'sop', CAST(\(bind: sopID) AS BIGINT), 'unit', CAST(\(bind: unitID) AS BIGINT))::text) AS n
            """).run()
    }

    /// Reads a notification's payload; nil when it is not one of ours or belongs to another schema.
    /// The payload is a message on a channel, never a stored row: anything that is not our JSON
    /// (another program may `NOTIFY pantau`) is not a change of this store and is passed over.
    static func change(payload: String, schema: String) -> StoreChange? {
        struct Body: Decodable { var schema: String?; var kind: String; var sop: Int64?; var unit: Int64? }
        let b: Body
        do { b = try JSONDecoder().decode(Body.self, from: Data(payload.utf8)) } catch { return nil }
        guard b.schema == schema, let k = StoreChange.Kind(rawValue: b.kind) else { return nil }
        return StoreChange(kind: k, sopID: b.sop, unitID: b.unit)
    }

    /// Listens for changes until the task is cancelled: a dedicated connection (not one of the
    /// pool's) runs `LISTEN pantau` and `onChange` is called for every notification of this
    /// store's schema. When the connection fails (the database restarts or goes away) it is opened
    /// again after a pause that doubles from `backoff.lowerBound` up to `backoff.upperBound`
    /// seconds; `onChange(nil)` is called each time listening (re)starts, since changes made
    /// while it was away were not heard. A connection that stops answering the `SELECT 1` sent
    /// every `pingEvery` seconds is dropped too. Returns at once on SQLite.
    public func listenForChanges(logger: Logger, backoff: ClosedRange<Double> = 0.5...30, pingEvery: Double = 15,
                                 _ onChange: @escaping @Sendable (StoreChange?) -> Void) async {
        guard case let .postgres(url) = database.location else { return }
        var delay = backoff.lowerBound
        var failures = 0
        while !Task.isCancelled {
            do {
                let config = try Self.listenConfiguration(url)
                let conn = try await PostgresConnection.connect(configuration: config, id: 0, logger: logger)
                do {
                    let schema = try await Self.currentSchema(conn, logger: logger)
                    try await conn.listen(on: Self.changeChannel) { notifications in
                        if failures > 0 { logger.notice("change listener: connected to the database again after \(failures) failed attempt(s)") }
                        else { logger.info("change listener: listening on channel \(Self.changeChannel)") }
                        failures = 0
                        delay = backoff.lowerBound
                        onChange(nil)
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            group.addTask {
                                var it = notifications.makeAsyncIterator()
                                while let n = try await it.next() {
                                    if let c = Self.change(payload: n.payload, schema: schema) { onChange(c) }
                                }
                                throw ListenerEnded()
                            }
                            group.addTask {
                                while !Task.isCancelled {
                                    try await Task.sleep(for: .seconds(pingEvery))
                                    _ = try await conn.query("SELECT 1", logger: logger).collect()
                                }
                            }
                            _ = try await group.next()
                            group.cancelAll()
                        }
                    }
                } catch {
                    try? await conn.close()
                    throw error
                }
                try? await conn.close()
            } catch {
                if Task.isCancelled { break }
                failures += 1
                logger.warning("change listener: lost the database connection (\(String(reflecting: error).prefix(300))); retrying in \(delay) s")
            }
            if Task.isCancelled { break }
            try? await Task.sleep(for: .milliseconds(Int64(delay * 1000)))
            delay = min(backoff.upperBound, delay * 2)
        }
    }

    private struct ListenerEnded: Error, CustomStringConvertible {
        var description: String { "the notification stream ended" }
    }

    private static func currentSchema(_ conn: PostgresConnection, logger: Logger) async throws -> String {
        for try await s in try await conn.query("SELECT current_schema()::text", logger: logger).decode(String.self) { return s }
        throw StoreError.corrupt("current_schema() returned no row")
    }

    /// The connection settings of a `postgres://` URL (as ``Database`` reads it, for one connection).
    static func listenConfiguration(_ url: String) throws -> PostgresConnection.Configuration {
        guard let c = URLComponents(string: url), let host = c.host, !host.isEmpty, let user = c.user else {
            throw DatabaseError.badURL(DatabaseLocation.postgres(url: url).description)
        }
        let items = c.queryItems ?? []
        let sslmode = items.last { ["sslmode", "tlsmode", "ssl"].contains($0.name.lowercased()) }?.value ?? "disable"
        let tls: PostgresConnection.Configuration.TLS
        switch sslmode {
        case "disable", "false": tls = .disable
        case "prefer", "allow", "true": tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        case "require", "verify-ca", "verify-full": tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        default: throw DatabaseError.badURL("sslmode=\(sslmode)")
        }
        let dbName = c.path.hasPrefix("/") ? String(c.path.dropFirst()) : c.path
        var config = PostgresConnection.Configuration(
            host: host, port: c.port ?? 5432, username: user, password: c.password.map { $0.removingPercentEncoding ?? $0 },
            database: dbName.isEmpty ? nil : dbName, tls: tls)
        config.options.connectTimeout = .seconds(5)
        if let sp = items.first(where: { $0.name == "search_path" })?.value {
            config.options.additionalStartupParameters = [("search_path", sp)]
        }
        return config
    }
}
