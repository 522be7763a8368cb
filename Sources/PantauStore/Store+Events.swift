import Foundation
import NIOConcurrencyHelpers
import PantauCore
import SQLKit

/// Start or completion of an activity (XES `lifecycle:transition`).
public enum EventLifecycle: String, Sendable, Hashable, Codable, CaseIterable {
    case start
    case complete
}

/// Where events come from.
public enum EventSource: String, Sendable, Hashable, Codable, CaseIterable {
    case api, `import`, observation, demo
}

/// One event as a client sends it: a step of a service case.
public struct EventInput: Sendable, Hashable, Codable {
    /// The client's id of the event: a repeated id is acknowledged, never stored twice (per SOP).
    public var clientID: String
    public var sopID: Int64
    /// The case's external reference (receipt, queue or registration number).
    public var caseReference: String
    public var activity: String
    public var lifecycle: EventLifecycle
    public var at: Date
    /// The offset from UTC the timestamp was written in (seconds), kept for display.
    public var utcOffset: Int?
    /// Start of the activity when the source records start and completion in one row.
    public var startedAt: Date?
    public var resource: String?
    /// The code of the unit that served the case (default: the sender's unit, else the SOP's).
    public var unitCode: String?
    public var note: String?
    public var attributes: [String: String]
    /// The sender says the case is finished with this event.
    public var closesCase: Bool

    public init(clientID: String, sopID: Int64, caseReference: String, activity: String, lifecycle: EventLifecycle = .complete,
                at: Date, utcOffset: Int? = nil, startedAt: Date? = nil, resource: String? = nil, unitCode: String? = nil,
                note: String? = nil, attributes: [String: String] = [:], closesCase: Bool = false) {
        self.clientID = clientID
        self.sopID = sopID
        self.caseReference = caseReference
        self.activity = activity
        self.lifecycle = lifecycle
        self.at = at
        self.utcOffset = utcOffset
        self.startedAt = startedAt
        self.resource = resource
        self.unitCode = unitCode
        self.note = note
        self.attributes = attributes
        self.closesCase = closesCase
    }
}

/// What happened to one event of a batch.
public enum EventOutcome: Sendable, Equatable {
    case stored(eventID: Int64, caseID: Int64)
    /// The client id was seen before (in this batch or earlier): acknowledged, not stored again.
    case duplicate(caseID: Int64?)
    case rejected([InputProblem])

    public var isAcknowledged: Bool {
        if case .rejected = self { return false }
        return true
    }
}

/// Who sends a batch and what they may touch.
public struct IngestScope: Sendable, Hashable {
    /// Units whose cases the sender may write (nil: all).
    public var allowedUnits: Set<Int64>?
    /// The unit a case gets when its events name none and it is new (nil: the SOP's unit).
    public var defaultUnit: Int64?
    public var source: EventSource
    /// Who sent it, as the audit trail names them (`user:…`, `token:…`).
    public var receivedBy: String

    public init(allowedUnits: Set<Int64>?, defaultUnit: Int64? = nil, source: EventSource, receivedBy: String) {
        self.allowedUnits = allowedUnits
        self.defaultUnit = defaultUnit
        self.source = source
        self.receivedBy = receivedBy
    }
}

/// Limits of one event's fields.
public enum EventLimits {
    public static let maxIDLength = 200
    public static let maxActivityLength = 300
    public static let maxTextLength = 2_000
    public static let maxAttributes = 50
    /// Events later than now by more than this are refused (clock skew allowance).
    public static let futureTolerance: TimeInterval = 300
    /// Events per request or per transaction of an import.
    public static let maxBatch = 5_000
}

extension EventInput {
    /// Problems of the event's own fields (no database needed), fields named as the API names them.
    public func problems(now: Date) -> [InputProblem] {
        var p: [InputProblem] = []
        func text(_ v: String, _ field: String, max: Int, required: Bool = true) {
            if required && v.trimmedOfWhitespace.isEmpty { p.append(InputProblem(field, "required")) }
            // Characters are counted only when the bytes could exceed the limit (never fewer bytes than characters).
            else if v.utf8.count > max && v.count > max { p.append(InputProblem(field, "too_long", ["\(max)"])) }
        }
        text(clientID, "event_id", max: EventLimits.maxIDLength)
        text(caseReference, "case", max: EventLimits.maxIDLength)
        text(activity, "activity", max: EventLimits.maxActivityLength)
        text(resource ?? "", "resource", max: EventLimits.maxIDLength, required: false)
        text(note ?? "", "note", max: EventLimits.maxTextLength, required: false)
        if !at.timeIntervalSince1970.isFinite { p.append(InputProblem("timestamp", "invalid")) }
        else if at.timeIntervalSince(now) > EventLimits.futureTolerance { p.append(InputProblem("timestamp", "in_future")) }
        if let s = startedAt {
            if s > at { p.append(InputProblem("start", "after_timestamp")) }
            if lifecycle == .start { p.append(InputProblem("start", "not_with_lifecycle_start")) }
        }
        if attributes.count > EventLimits.maxAttributes { p.append(InputProblem("attributes", "too_many", ["\(EventLimits.maxAttributes)"])) }
        for (k, v) in attributes where (k.utf8.count > EventLimits.maxIDLength && k.count > EventLimits.maxIDLength)
            || (v.utf8.count > EventLimits.maxTextLength && v.count > EventLimits.maxTextLength) {
            p.append(InputProblem("attributes", "too_long", ["\(EventLimits.maxTextLength)"]))
            break
        }
        return p
    }
}

/// Compiled analyzers per SOP version and monitoring settings, shared by all requests.
final class CaseAnalyzerCache: Sendable {
    /// The SOP's version *text* is part of the key: a draft is edited in place, and one process
    /// may serve several databases (tests) whose SOPs share ids.
    struct Key: Hashable { let sopID: Int64; let version: Int; let settings: Int; let document: String }
    private let lock = NIOLockedValueBox<[Key: SOPCaseAnalyzer]>([:])
    static let shared = CaseAnalyzerCache()

    func take(_ k: Key) -> SOPCaseAnalyzer? { lock.withLockedValue { $0.removeValue(forKey: k) } }
    func put(_ k: Key, _ a: SOPCaseAnalyzer) {
        lock.withLockedValue { d in
            if d.count > 256 { d.removeAll() }
            d[k] = a
        }
    }
}

/// An SOP's monitoring settings: activity aliases and steps that leave no event.
public struct SOPMonitoringSettings: Sendable, Hashable, Codable {
    /// Normalised activity name → step id.
    public var aliases: [String: String]
    public var notRecorded: Set<String>

    public init(aliases: [String: String] = [:], notRecorded: Set<String> = []) {
        self.aliases = aliases
        self.notRecorded = notRecorded
    }

    var aliasesByStep: [String: [String]] {
        var m: [String: [String]] = [:]
        for (a, s) in aliases.sorted(by: { $0.key < $1.key }) { m[s, default: []].append(a) }
        return m
    }

    var stamp: Int {
        var h = Hasher()
        for (a, s) in aliases.sorted(by: { $0.key < $1.key }) { h.combine(a); h.combine(s) }
        for s in notRecorded.sorted() { h.combine(s) }
        return h.finalize()
    }
}

extension PantauStore {
    // MARK: Settings

    static func monitoringSettings(_ sql: any SQLDatabase, sopID: Int64) async throws -> SOPMonitoringSettings {
        var s = SOPMonitoringSettings()
        for r in try await sql.raw("SELECT activity, step_id FROM sop_activity_aliases WHERE sop_id = \(bind: sopID)").all() {
            s.aliases[try r.string("activity")] = try r.string("step_id")
        }
        for r in try await sql.raw("SELECT step_id FROM sop_unrecorded_steps WHERE sop_id = \(bind: sopID)").all() {
            s.notRecorded.insert(try r.string("step_id"))
        }
        return s
    }

    public func monitoringSettings(sopID: Int64) async throws -> SOPMonitoringSettings {
        try await read { sql in try await Self.monitoringSettings(sql, sopID: sopID) }
    }

    /// Maps an activity name (as events carry it) to a step, or removes the mapping (`stepID` nil),
    /// and re-checks every case of the SOP.
    public func setActivityAlias(sopID: Int64, activity: String, stepID: String?, by actor: AuditActor) async throws {
        let name = SOPDocument.normalizeLogName(activity)
        guard !name.isEmpty, name.count <= EventLimits.maxActivityLength else {
            throw StoreError.rejected([name.isEmpty ? InputProblem("activity", "required")
                                                     : InputProblem("activity", "too_long", ["\(EventLimits.maxActivityLength)"])])
        }
        _ = try await sop(id: sopID)
        try await write { w in
            try await w.sql.raw("DELETE FROM sop_activity_aliases WHERE sop_id = \(bind: sopID) AND activity = \(bind: name)").run()
            if let stepID {
                try await Self.checkStepExists(w.sql, sopID: sopID, stepID: stepID)
                try await w.sql.raw("""
                    INSERT INTO sop_activity_aliases (sop_id, activity, step_id, created_at)
                    VALUES (\(bind: sopID), \(bind: name), \(bind: stepID), \(bind: w.t))
                    """).run()
            }
            try await w.audit(actor, "monitoring.alias", "sop", sopID, new: ["activity": name, "step": stepID ?? ""])
            try await Self.reanalyseOrEnqueue(w, sopID: sopID)
        }
    }

    /// Marks a step as leaving no event (or as recorded again) and re-checks every case of the SOP.
    public func setStepRecorded(sopID: Int64, stepID: String, recorded: Bool, by actor: AuditActor) async throws {
        _ = try await sop(id: sopID)
        try await write { w in
            try await Self.checkStepExists(w.sql, sopID: sopID, stepID: stepID)
            try await w.sql.raw("DELETE FROM sop_unrecorded_steps WHERE sop_id = \(bind: sopID) AND step_id = \(bind: stepID)").run()
            if !recorded {
                try await w.sql.raw("INSERT INTO sop_unrecorded_steps (sop_id, step_id, created_at) VALUES (\(bind: sopID), \(bind: stepID), \(bind: w.t))").run()
            }
            try await w.audit(actor, recorded ? "monitoring.step_recorded" : "monitoring.step_not_recorded", "sop", sopID, new: ["step": stepID])
            try await Self.reanalyseOrEnqueue(w, sopID: sopID)
        }
    }

    private static func checkStepExists(_ sql: any SQLDatabase, sopID: Int64, stepID: String) async throws {
        // Any version's step: a mapping may concern a step the draft adds or an older version had.
        // A document that does not decode is corrupt (`version(from:)` throws), never "no such step".
        for r in try await sql.raw("SELECT * FROM sop_versions WHERE sop_id = \(bind: sopID)").all()
        where try Self.version(from: r).document.step(id: stepID) != nil {
            return
        }
        throw StoreError.rejected([InputProblem("step", "unknown_step", [stepID])])
    }

    // MARK: Ingestion

    /// Stores a batch of events and re-checks the cases they touch, in one transaction: every
    /// acknowledged event (stored or duplicate) is committed when this returns. Rejected events
    /// are reported and leave the rest of the batch untouched.
    ///
    /// With `allOrNothing`, any rejected event aborts the whole batch with
    /// ``StoreError/rejected(_:)`` whose fields are `"<index+1>.<field>"`.
    public func ingestEvents(_ items: [EventInput], scope: IngestScope, by actor: AuditActor,
                             allOrNothing: Bool = false) async throws -> [EventOutcome] {
        if items.count > EventLimits.maxBatch {
            throw StoreError.rejected([InputProblem("events", "too_many", ["\(EventLimits.maxBatch)"])])
        }
        var outcomes = [EventOutcome?](repeating: nil, count: items.count)
        let now = self.now()
        for (i, e) in items.enumerated() {
            let p = e.problems(now: now)
            if !p.isEmpty { outcomes[i] = .rejected(p) }
        }
        // Unit codes are looked up only when an event names one (most senders leave it to the case).
        let named = items.contains { !($0.unitCode ?? "").trimmedOfWhitespace.isEmpty }
        let unitByCode = named
            ? Dictionary(try await self.units().map { ($0.code.lowercased(), $0.id) }, uniquingKeysWith: { a, _ in a })
            : [:]
        let pending = outcomes
        let result = try await write { w -> [EventOutcome?] in
            var outcomes = pending
            let bulk = try w.bulk
            // SOPs of the batch.
            let sopIDs = Set(items.indices.filter { outcomes[$0] == nil }.map { items[$0].sopID })
            var sopUnit: [Int64: Int64] = [:]
            if !sopIDs.isEmpty {
                let list = sopIDs.sorted().map(String.init).joined(separator: ",")
                for r in try await w.sql.raw("SELECT id, unit_id FROM sops WHERE id IN (\(unsafeRaw: list))").all() {
                    sopUnit[try r.int64("id")] = try r.int64("unit_id")
                }
            }
            // Duplicates within the batch, then against the store.
            struct EventKey: Hashable { let sopID: Int64; let clientID: String }
            var firstIndex: [EventKey: Int] = [:]
            var bySOP: [Int64: [Int]] = [:]
            for (i, e) in items.enumerated() where outcomes[i] == nil {
                guard sopUnit[e.sopID] != nil else { outcomes[i] = .rejected([InputProblem("sop", "unknown_sop", ["\(e.sopID)"])]); continue }
                let k = EventKey(sopID: e.sopID, clientID: e.clientID)
                if firstIndex[k] != nil { outcomes[i] = .duplicate(caseID: nil); continue }
                firstIndex[k] = i
                bySOP[e.sopID, default: []].append(i)
            }
            var touched = Set<Int64>()
            var touchedUnits: [Int64: Int64] = [:]
            // Cases this batch opened: no other writer can add events to them before it commits, so
            // their events are the batch's own and need not be read back.
            var created = Set<Int64>()
            var known: [Int64: [StoredEvent]] = [:]
            var stored: [Int64: Int] = [:]
            // Keys looked up per statement. Not more on PostgreSQL, although they go as one array: for
            // 5,000 keys it reads the whole table instead of probing the index 5,000 times (measured).
            let keysPerLookup = 500
            for (sopID, idx) in bySOP.sorted(by: { $0.key < $1.key }) {
                var existing: [String: Int64] = [:]
                for chunk in idx.chunked(keysPerLookup) {
                    var st = BulkStatement(w.kind, "SELECT client_id, case_id FROM service_events WHERE sop_id = \(sopID) AND client_id")
                    st.appendIn(chunk.map { items[$0].clientID })
                    for r in try await bulk.rows(st, [.text, .int]) { existing[try r[0].string] = try r[1].int64 }
                }
                var fresh: [Int] = []
                for i in idx {
                    if let c = existing[items[i].clientID] { outcomes[i] = .duplicate(caseID: c) } else { fresh.append(i) }
                }
                // Cases: find or open.
                var cases: [String: (id: Int64, unit: Int64)] = [:]
                let refs = Array(Set(fresh.map { items[$0].caseReference }))
                func loadCases() async throws {
                    for chunk in refs.chunked(keysPerLookup) {
                        var st = BulkStatement(w.kind, "SELECT id, unit_id, reference FROM service_cases WHERE sop_id = \(sopID) AND reference")
                        st.appendIn(Array(chunk))
                        for r in try await bulk.rows(st, [.int, .int, .text]) { cases[try r[2].string] = (try r[0].int64, try r[1].int64) }
                    }
                }
                try await loadCases()
                // Unit of each event: named, else the case's, else the sender's default, else the SOP's.
                var eventUnit: [Int: Int64] = [:]
                var newCases: [String: Int64] = [:]
                for i in fresh {
                    let e = items[i]
                    var unit: Int64
                    if let code = e.unitCode?.trimmedOfWhitespace, !code.isEmpty {
                        guard let u = unitByCode[code.lowercased()] else {
                            outcomes[i] = .rejected([InputProblem("unit", "unknown_unit", [code])]); continue
                        }
                        unit = u
                    } else {
                        unit = cases[e.caseReference]?.unit ?? newCases[e.caseReference] ?? scope.defaultUnit ?? sopUnit[sopID]!
                    }
                    if let c = cases[e.caseReference], c.unit != unit {
                        outcomes[i] = .rejected([InputProblem("unit", "case_other_unit", [e.caseReference])]); continue
                    }
                    if let allowed = scope.allowedUnits, !allowed.contains(unit) {
                        outcomes[i] = .rejected([InputProblem("unit", "out_of_scope")]); continue
                    }
                    if cases[e.caseReference] == nil {
                        if let u = newCases[e.caseReference], u != unit {
                            outcomes[i] = .rejected([InputProblem("unit", "case_other_unit", [e.caseReference])]); continue
                        }
                        newCases[e.caseReference] = unit
                    }
                    eventUnit[i] = unit
                }
                // A new case's indexed times as its analysis will set them (its events are this batch's),
                // so that the analysis's update of the row changes no indexed column (a HOT update on PostgreSQL).
                var span: [String: (opened: Double, last: Double)] = [:]
                for i in fresh where eventUnit[i] != nil && newCases[items[i].caseReference] != nil {
                    let e = items[i], at = e.at.timeIntervalSince1970
                    let opened = min(at, e.startedAt?.timeIntervalSince1970 ?? at)
                    if let s = span[e.caseReference] { span[e.caseReference] = (min(s.opened, opened), max(s.last, at)) }
                    else { span[e.caseReference] = (opened, at) }
                }
                var caseRows = BulkRows(w.kind, prefix: "INSERT INTO service_cases (sop_id, unit_id, reference, status, created_at, updated_at, opened_at, last_event_at, analysed_at)",
                                        suffix: " ON CONFLICT (sop_id, reference) DO NOTHING RETURNING id", perStatement: 200)
                for (ref, unit) in newCases.sorted(by: { $0.key < $1.key }) {
                    caseRows.row([.int(sopID), .int(unit), .text(ref), .text("open"), .real(w.t), .real(w.t),
                                  .real(span[ref]?.opened), .real(span[ref]?.last), .real(w.t)])
                }
                for st in caseRows.statements {
                    for r in try await bulk.rows(st, [.int]) { created.insert(try r[0].int64) }
                }
                if !newCases.isEmpty { try await loadCases() }
                // A concurrent sender may have opened a case for another unit first.
                for i in fresh where outcomes[i] == nil {
                    if let c = cases[items[i].caseReference], c.unit != eventUnit[i] {
                        outcomes[i] = .rejected([InputProblem("unit", "case_other_unit", [items[i].caseReference])])
                    }
                }
                // Events.
                let insertable = fresh.filter { outcomes[$0] == nil }
                let source = scope.source.rawValue
                // SQLite: 300 rows a statement; PostgreSQL: the batch's events as one array per column.
                for chunk in insertable.chunked(w.kind == .postgres ? BulkRows.postgresRowsPerStatement : 300) {
                    var rows = BulkRows(w.kind, prefix: """
                        INSERT INTO service_events (sop_id, case_id, client_id, activity, lifecycle, started_at, at, utc_offset,
                            resource, source, note, attributes, received_at, received_by)
                        """, suffix: " ON CONFLICT (sop_id, client_id) DO NOTHING RETURNING id, client_id, case_id", perStatement: chunk.count)
                    for i in chunk {
                        let e = items[i]
                        let activity = e.activity.trimmedOfWhitespace
                        guard let c = cases[e.caseReference] else { throw StoreError.corrupt("case \(e.caseReference) vanished") }
                        let attrs: String? = e.attributes.isEmpty ? nil : jsonText(e.attributes)
                        rows.row([
                            .int(sopID), .int(c.id), .text(e.clientID), .text(activity), .text(e.lifecycle.rawValue),
                            .real(e.startedAt?.timeIntervalSince1970), .real(e.at.timeIntervalSince1970), .int(e.utcOffset.map(Int64.init)),
                            .text(Self.clean(e.resource)), .text(source), .text(Self.clean(e.note)), .text(attrs), .real(w.t), .text(scope.receivedBy),
                        ])
                    }
                    var inserted: [String: (Int64, Int64)] = [:]
                    for st in rows.statements {
                        for r in try await bulk.rows(st, [.int, .text, .int]) { inserted[try r[1].string] = (try r[0].int64, try r[2].int64) }
                    }
                    for i in chunk where outcomes[i] == nil {
                        if let (id, c) = inserted[items[i].clientID] {
                            outcomes[i] = .stored(eventID: id, caseID: c)
                            if created.contains(c) {
                                let e = items[i]
                                known[c, default: []].append(StoredEvent(
                                    id: id, caseID: c, activity: e.activity.trimmedOfWhitespace,
                                    lifecycle: e.lifecycle, startedAt: e.startedAt?.timeIntervalSince1970, at: e.at.timeIntervalSince1970,
                                    resource: Self.clean(e.resource)))
                            }
                            touched.insert(c)
                            touchedUnits[c] = eventUnit[i]
                            stored[sopID, default: 0] += 1
                        } else {
                            outcomes[i] = .duplicate(caseID: cases[items[i].caseReference]?.id)
                        }
                    }
                }
                // Cases the sender closed.
                let closing = Set(insertable.filter { items[$0].closesCase }.compactMap { cases[items[$0].caseReference]?.id })
                for c in closing.sorted() {
                    try await w.sql.raw("UPDATE service_cases SET status = 'closed' WHERE id = \(bind: c)").run()
                }
            }
            if allOrNothing, outcomes.contains(where: { if case .rejected = $0 { return true } else { return false } }) {
                var problems: [InputProblem] = []
                for (i, o) in outcomes.enumerated() {
                    if case let .rejected(ps)? = o {
                        // The field names the event's position: "3.timestamp".
                        problems += ps.map { p in InputProblem(String(i + 1) + "." + p.field, p.code, p.arguments) }
                    }
                }
                throw StoreError.rejected(problems)
            }
            try await Self.reanalyse(w, caseIDs: touched, known: known)
            for (sopID, n) in stored.sorted(by: { $0.key < $1.key }) {
                try await w.audit(actor, "events.ingest", "sop", sopID,
                                  new: ["stored": "\(n)", "source": scope.source.rawValue])
                // Other instances' live pages (delivered at commit; see Store+Notify.swift).
                for unit in Set(items.indices.compactMap { i -> Int64? in
                    if case let .stored(_, c)? = outcomes[i], items[i].sopID == sopID { return touchedUnits[c] } else { return nil }
                }).sorted() {
                    try await Self.notify(w, .events, sopID: sopID, unitID: unit)
                }
            }
            return outcomes
        }
        await analyseMonitoringTablesIfNeeded()
        return result.map { $0 ?? .rejected([InputProblem("event", "invalid")]) }
    }

    /// The tables PostgreSQL plans an ingestion's lookups on.
    static let monitoringTables = ["service_events", "service_cases", "case_steps", "case_arcs"]

    /// Gives PostgreSQL statistics on the monitoring tables once they have grown, if it has none yet.
    ///
    /// Every lookup of an ingestion is by key (a few hundred client ids, case references or case
    /// ids at a time). Without statistics PostgreSQL guesses that `sop_id = N` picks a few hundred
    /// rows and reads them all instead of probing the unique index for each key; autovacuum first
    /// analyses a table a minute or more after a large import began. Until then every batch read
    /// the whole table and was slower than the one before: measured on a new database, the
    /// duplicate check of 500 client ids went from 0.01 ms to 25 ms over the first 200,000 events.
    /// So after a batch, a table of 128 KiB or more (about 2,000 events) that was never analysed
    /// is analysed (a sample of at most 30,000 rows, well under a second). Checked at most once a second,
    /// and never again once every table has statistics; SQLite plans these lookups on the indexes.
    /// It runs after the batch committed: a failure is logged, never reported as the batch's.
    func analyseMonitoringTablesIfNeeded() async {
        do { try await analyseMonitoringTablesWithoutStatistics() } catch {
            database.logger.warning("statistics of the monitoring tables: ANALYZE failed (\(error)); PostgreSQL's autovacuum will analyse them later")
        }
    }

    private func analyseMonitoringTablesWithoutStatistics() async throws {
        guard database.kind == .postgres else { return }
        let t = ProcessInfo.processInfo.systemUptime
        let due = database.monitoringStatistics.withLockedValue { s -> Bool in
            guard !s.present, t - s.checkedAt >= 1 else { return false }
            s.checkedAt = t
            return true
        }
        guard due else { return }
        let names = Self.monitoringTables.map { "'\($0)'" }.joined(separator: ", ")
        let tables = try await read { sql in
            try await sql.raw("""
                SELECT relname, pg_relation_size(relid) AS bytes, last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL AS analysed
                FROM pg_stat_user_tables WHERE schemaname = current_schema() AND relname IN (\(unsafeRaw: names))
                """).all().map { (name: try $0.string("relname"), bytes: try $0.int64("bytes"), analysed: try $0.decode(column: "analysed", as: Bool.self)) }
        }
        let missing = tables.filter { !$0.analysed }
        if missing.isEmpty, tables.count == Self.monitoringTables.count {
            database.monitoringStatistics.withLockedValue { $0.present = true }
            return
        }
        let grown = missing.filter { $0.bytes >= 128 * 1024 }.map(\.name)
        guard !grown.isEmpty else { return }
        try await database.transaction { sql in
            try await sql.raw("ANALYZE \(unsafeRaw: grown.joined(separator: ", "))").run()
        }
    }

    // MARK: Analysis

    struct StoredEvent: Sendable {
        var id: Int64
        var caseID: Int64
        var activity: String
        var lifecycle: EventLifecycle
        var startedAt: Double?
        var at: Double
        var resource: String?
    }

    /// Pairs start events with the next completion of the same activity (first in, first out) and
    /// returns the completed activities in order of completion; a start without its completion
    /// (a step in progress) is left out.
    static func caseEvents(_ events: [StoredEvent]) -> [CaseEvent] {
        var pendingStarts: [String: [Double]] = [:]
        var out: [CaseEvent] = []
        out.reserveCapacity(events.count)
        for e in events {
            switch e.lifecycle {
            case .start:
                pendingStarts[e.activity, default: []].append(e.at)
            case .complete:
                var start = e.startedAt
                if var q = pendingStarts[e.activity], !q.isEmpty {
                    let s = q.removeFirst()
                    pendingStarts[e.activity] = q
                    if start == nil { start = s }
                }
                out.append(CaseEvent(activity: e.activity, start: start, complete: e.at, resource: e.resource))
            }
        }
        return out
    }

    /// Re-checks every case of an SOP (after its monitoring settings changed).
    static func reanalyseAll(_ w: WriteContext, sopID: Int64) async throws {
        let ids = try await w.sql.raw("SELECT id FROM service_cases WHERE sop_id = \(bind: sopID)").all().map { try $0.int64("id") }
        for chunk in ids.chunked(2_000) { try await reanalyse(w, caseIDs: Set(chunk)) }
    }

    /// Re-checks these cases against the SOP version in force when each began, and stores the results.
    /// `known`: the complete events of cases whose events need not be read back (ordered here).
    static func reanalyse(_ w: WriteContext, caseIDs: Set<Int64>, known: [Int64: [StoredEvent]] = [:]) async throws {
        guard !caseIDs.isEmpty else { return }
        let list = caseIDs.sorted()
        // Two batches may add events to one case at once: each would read only its own new events
        // and the last to write would store a result missing the other's. On PostgreSQL the cases
        // are locked (in id order, so two writers never deadlock) before their events are read; a
        // waiting writer then reads the other's committed events (NO KEY UPDATE: the row's key stays).
        // SQLite has one writer.
        // Cases this transaction opened (their events `known`) are seen by no one else: not locked,
        // and they have no per-step or per-arc rows yet.
        let earlier = known.isEmpty ? list : list.filter { known[$0] == nil }
        if w.kind == .postgres {
            for chunk in earlier.chunked(1_000) {
                try await w.sql.raw("SELECT id FROM service_cases WHERE id IN (\(unsafeRaw: chunk.map(String.init).joined(separator: ","))) ORDER BY id FOR NO KEY UPDATE").run()
            }
        }
        struct CaseRow { var sopID: Int64; var unitID: Int64; var status: String }
        var caseRows: [Int64: CaseRow] = [:]
        var events: [Int64: [StoredEvent]] = [:]
        for (c, evs) in known { events[c] = evs.sorted { ($0.at, $0.id) < ($1.at, $1.id) } }
        let bulk = try w.bulk
        for chunk in list.chunked(500) {
            let ids = chunk.map(String.init).joined(separator: ",")
            let cases = BulkStatement(w.kind, "SELECT id, sop_id, unit_id, status FROM service_cases WHERE id IN (\(ids))")
            for r in try await bulk.rows(cases, [.int, .int, .int, .text]) {
                caseRows[try r[0].int64] = CaseRow(sopID: try r[1].int64, unitID: try r[2].int64, status: try r[3].string)
            }
            let unread = chunk.filter { known[$0] == nil }
            if unread.isEmpty { continue }
            let unreadIDs = unread.map(String.init).joined(separator: ",")
            let read = BulkStatement(w.kind, """
                SELECT id, case_id, activity, lifecycle, started_at, at, resource FROM service_events
                WHERE case_id IN (\(unreadIDs)) ORDER BY case_id, at, id
                """)
            for r in try await bulk.rows(read, [.int, .int, .text, .text, .real, .real, .text]) {
                let c = try r[1].int64
                guard let at = r[5].optDouble else { throw StoreError.corrupt("service_events.at of event \(try r[0].int64) is empty") }
                events[c, default: []].append(StoredEvent(
                    id: try r[0].int64, caseID: c, activity: try r[2].string,
                    lifecycle: EventLifecycle(rawValue: try r[3].string) ?? .complete,
                    startedAt: r[4].optDouble, at: at, resource: r[6].optString))
            }
        }
        // Per SOP: versions, settings, analyzers.
        var periods: [Int64: (periods: [SOPVersionPeriod], effective: Int?, latest: Int)] = [:]
        var documents: [Int64: [Int: String]] = [:]
        var settings: [Int64: SOPMonitoringSettings] = [:]
        // Keyed here by SOP and version only (within one call an SOP's settings and texts are
        // fixed): the shared cache's key holds the version's whole text, too long to hash per case.
        struct SOPVersionKey: Hashable { let sopID: Int64; let version: Int }
        var analyzers: [SOPVersionKey: SOPCaseAnalyzer] = [:]
        var cacheKeys: [SOPVersionKey: CaseAnalyzerCache.Key] = [:]
        var totals: [SOPVersionKey: Double?] = [:]
        for sopID in Set(caseRows.values.map(\.sopID)).sorted() {
            var ps: [SOPVersionPeriod] = []
            var latest = 1
            for r in try await w.sql.raw("SELECT version, status, effective_from, approved_at, document FROM sop_versions WHERE sop_id = \(bind: sopID)").all() {
                let v = try r.int("version")
                documents[sopID, default: [:]][v] = try r.string("document")
                latest = max(latest, v)
                let st = try r.string("status")
                let approved = try r.optDouble("approved_at") != nil
                if st == SOPStatus.effective.rawValue || (st == SOPStatus.archived.rawValue && approved),
                   let f = try r.optString("effective_from").flatMap(CivilDate.init) {
                    ps.append(SOPVersionPeriod(version: v, effectiveFrom: f))
                }
            }
            let eff = try await w.sql.raw("SELECT effective_version FROM sops WHERE id = \(bind: sopID)").first()?.decode(column: "effective_version", as: Int?.self)
            periods[sopID] = (ps, eff, latest)
            settings[sopID] = try await monitoringSettings(w.sql, sopID: sopID)
        }
        func analyzer(_ sopID: Int64, _ version: Int) async throws -> SOPVersionKey {
            let local = SOPVersionKey(sopID: sopID, version: version)
            if analyzers[local] != nil { return local }
            let s = settings[sopID] ?? SOPMonitoringSettings()
            guard let text = documents[sopID]?[version] else { throw StoreError.notFound(entity: "sop_version", id: "\(sopID) v\(version)") }
            let key = CaseAnalyzerCache.Key(sopID: sopID, version: version, settings: s.stamp, document: text)
            cacheKeys[local] = key
            if let a = CaseAnalyzerCache.shared.take(key) { analyzers[local] = a; return local }
            let doc: SOPDocument
            do { doc = try JSONDecoder().decode(SOPDocument.self, from: Data(text.utf8)) }
            catch { throw StoreError.corrupt("sop_versions.document of SOP \(sopID) v\(version): \(error)") }
            let a = try SOPCaseAnalyzer(document: doc, aliases: s.aliasesByStep, notRecorded: s.notRecorded)
            analyzers[local] = a
            totals[local] = a.document.totalTimeStandard
            return local
        }
        let t = literal(w.t)
        // Every case's summary in a few statements (WITH v AS (VALUES ... or unnest) UPDATE ... FROM v:
        // PostgreSQL, SQLite 3.33+; the columns' affinity applies as SQLite stores the values).
        var caseRows2 = BulkRows(w.kind, prefix: """
            WITH v(id, version, status, opened_at, closed_at, last_event_at, events, compliant, fitness, lead_seconds,
                   standard_seconds, skipped, unexpected, repeated, out_of_order, rework_seconds, variant, result) AS (
            """, suffix: """
            )
            UPDATE service_cases SET version = v.version, status = v.status, opened_at = v.opened_at, closed_at = v.closed_at,
                last_event_at = v.last_event_at, events = v.events, updated_at = \(t), analysed_at = \(t),
                compliant = v.compliant, fitness = v.fitness, lead_seconds = v.lead_seconds, standard_seconds = v.standard_seconds,
                skipped = v.skipped, unexpected = v.unexpected, repeated = v.repeated, out_of_order = v.out_of_order,
                rework_seconds = v.rework_seconds, variant = v.variant, result = v.result
            FROM v WHERE service_cases.id = v.id
            """, perStatement: 200)
        var stepRows = BulkRows(w.kind, prefix: """
            INSERT INTO case_steps (case_id, sop_id, unit_id, opened_at, step, occurrences, measured, within_standard, seconds,
                excess_seconds, waited, waiting_seconds, rework_seconds, skipped, unexpected, repeated, out_of_order)
            """, perStatement: 200)
        var arcRows = BulkRows(w.kind, prefix: "INSERT INTO case_arcs (case_id, sop_id, unit_id, opened_at, source, target, n, seconds)",
                               perStatement: 400)
        for id in list {
            guard let row = caseRows[id] else { continue }
            let evs = events[id] ?? []
            let ces = caseEvents(evs)
            let opened = evs.map { min($0.at, $0.startedAt ?? $0.at) }.min()
            let p = periods[row.sopID]!
            // In force on the day it began; a case older than every version is judged by the first
            // version that took effect; an SOP never in force by its latest version.
            let first = p.periods.min { ($0.effectiveFrom, $0.version) < ($1.effectiveFrom, $1.version) }?.version
            let version = opened.flatMap { SOPVersionPeriod.versionInForce(on: CivilDate(Date(timeIntervalSince1970: $0)), among: p.periods) }
                ?? first ?? p.effective ?? p.latest
            let key = try await analyzer(row.sopID, version)
            // Taken out of the dictionary while it analyses, so its caches are mutated in place
            // instead of copied for every case.
            var a = analyzers.removeValue(forKey: key)!
            let result = try a.analyze(ces)
            defer { analyzers[key] = a }
            if totals[key] == nil { totals[key] = a.document.totalTimeStandard }
            // Closed when the sender said so, or the last event is an end step, or it leads only to end steps that leave no event.
            let lastStep = result.path.last.flatMap { a.document.step(id: $0) }
            let reachedEnd: Bool = {
                guard let s = lastStep else { return false }
                if s.kind == .end { return true }
                let next = a.document.successors(of: s).compactMap { a.document.step(id: $0.target) }
                return !next.isEmpty && next.allSatisfy { $0.kind == .end && !$0.recorded }
            }()
            let status = row.status == "closed" || reachedEnd ? "closed" : "open"
            let d = result.deviationCounts
            let lastAt = evs.map(\.at).max()
            // Values as native binds (BulkSQL.swift); the first row of each statement carries the types.
            caseRows2.row([
                .int(id), .int(Int64(version)), .text(status), .real(opened), .real(status == "closed" ? lastAt : nil), .real(lastAt),
                .int(Int64(evs.count)), .int(result.compliant ? 1 : 0), .real(result.fitness), .real(result.leadSeconds),
                .real(totals[key] ?? nil), .int(Int64(d.skipped)), .int(Int64(d.unexpected)), .int(Int64(d.repeated)),
                .int(Int64(d.outOfOrder)), .real(result.reworkSeconds), .text(result.path.joined(separator: "\u{1F}")),
                .text(result.deviations.isEmpty ? "[]" : jsonText(result.deviations)),
            ])
            for f in result.steps {
                let dv = f.deviations
                stepRows.row([
                    .int(id), .int(row.sopID), .int(row.unitID), .real(opened), .text(f.stepID), .int(Int64(f.occurrences)),
                    .int(Int64(f.measured)), .int(Int64(f.withinStandard)), .real(f.seconds), .real(f.excessSeconds), .int(Int64(f.waited)),
                    .real(f.waitingSeconds), .real(f.reworkSeconds), .int(Int64(dv.skipped)), .int(Int64(dv.unexpected)),
                    .int(Int64(dv.repeated)), .int(Int64(dv.outOfOrder)),
                ])
            }
            var outsideDev: [String: Int] = [:]
            for dv in result.deviations where dv.stepID == nil { outsideDev[dv.activity, default: 0] += 1 }
            for (act, n) in result.outsideSOP.sorted(by: { $0.key < $1.key }) {
                stepRows.row([
                    .int(id), .int(row.sopID), .int(row.unitID), .real(opened), .text("?" + act), .int(Int64(n)),
                    // measured, within standard, seconds, excess, waited, waiting, rework, skipped; unexpected; repeated, out of order
                    .int(0), .int(0), .real(0), .real(0), .int(0), .real(0), .real(0), .int(0), .int(Int64(outsideDev[act] ?? n)), .int(0), .int(0),
                ])
            }
            // Arcs between consecutive events (and from the case's start, to its end when closed):
            // time from the previous completion to the next start (or completion).
            struct Arc: Hashable { let source: String; let target: String }
            var arcs: [Arc: (n: Int, s: Double)] = [:]
            var prev = "^"
            var prevAt: Double? = nil
            for (k, e) in ces.enumerated() {
                let cur = result.path[k]
                let arc = Arc(source: prev, target: cur)
                var a = arcs[arc] ?? (0, 0)
                a.n += 1
                if let p = prevAt { a.s += max(0, (e.start ?? e.complete) - p) }
                arcs[arc] = a
                prev = cur
                prevAt = e.complete
            }
            if status == "closed", !ces.isEmpty { arcs[Arc(source: prev, target: "$"), default: (0, 0)].n += 1 }
            for (arc, v) in arcs.sorted(by: { ($0.key.source, $0.key.target) < ($1.key.source, $1.key.target) }) {
                arcRows.row([.int(id), .int(row.sopID), .int(row.unitID), .real(opened), .text(arc.source), .text(arc.target),
                             .int(Int64(v.n)), .real(v.s)])
            }
        }
        for (local, a) in analyzers { if let key = cacheKeys[local] { CaseAnalyzerCache.shared.put(key, a) } }
        for st in caseRows2.statements { try await bulk.run(st) }
        for chunk in earlier.chunked(500) {
            let ids = chunk.map(String.init).joined(separator: ",")
            try await w.sql.raw("DELETE FROM case_steps WHERE case_id IN (\(unsafeRaw: ids))").run()
            try await w.sql.raw("DELETE FROM case_arcs WHERE case_id IN (\(unsafeRaw: ids))").run()
        }
        for st in stepRows.statements { try await bulk.run(st) }
        for st in arcRows.statements { try await bulk.run(st) }
    }
}

/// A number the store computed, as an SQL literal (NULL for nil or a non-finite value). Swift's
/// shortest round-trip form (`1e-05`, `86400.0`) is valid numeric SQL on SQLite and PostgreSQL.
func literal(_ v: Double?) -> String {
    guard let v, v.isFinite else { return "NULL" }
    return "\(v)"
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}

extension Dictionary {
    func chunked(_ size: Int) -> [ArraySlice<Element>] { Array(self).chunked(size) }
}
