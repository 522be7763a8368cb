import Crypto
import Foundation
import PantauCore
import SQLKit

// MARK: - Records

/// How a survey response reached Pantau.
public enum SurveyChannel: String, Sendable, Codable, CaseIterable {
    /// The public web form (`/s/{code}`).
    case web
    /// A kiosk at the service counter (through the API).
    case kiosk
    /// A paper questionnaire typed in and imported as CSV.
    case paper
    /// Another application through the API.
    case api
}

/// Status of a follow-up action (rencana tindak lanjut, RTL).
public enum SurveyFollowUpStatus: String, Sendable, Codable, CaseIterable {
    case planned
    case inProgress = "in_progress"
    case done
    case cancelled
}

/// A citizen satisfaction survey (SKM) of one service: a unit and optionally one SOP.
public struct SurveyRecord: Sendable, Hashable {
    public var id: Int64
    public var unitID: Int64
    public var sopID: Int64?
    /// Short public code: the form is at `/s/{code}`.
    public var code: String
    /// Service name, e.g. "Pelayanan Imunisasi".
    public var name: String
    /// The period length results are reported for.
    public var periodKind: SurveyPeriod.Kind
    public var definition: SurveyDefinition
    /// Whether the public form accepts responses.
    public var active: Bool
    public var createdAt: Date
    public var updatedAt: Date
}

/// What a person sets up for a survey. The definition's `service` is filled from the other fields.
public struct SurveyInput: Sendable, Equatable {
    public var unitID: Int64
    public var sopID: Int64?
    public var name: String
    public var periodKind: SurveyPeriod.Kind
    public var definition: SurveyDefinition
    public var active: Bool

    public init(unitID: Int64, sopID: Int64? = nil, name: String, periodKind: SurveyPeriod.Kind,
                definition: SurveyDefinition, active: Bool = true) {
        self.unitID = unitID
        self.sopID = sopID
        self.name = name
        self.periodKind = periodKind
        self.definition = definition
        self.active = active
    }

    /// The definition with its service set to this input's unit, SOP and name.
    public var normalizedDefinition: SurveyDefinition {
        var d = definition
        d.service = SurveyService(unitID: "\(unitID)", sopID: sopID.map { "\($0)" }, name: name.trimmingCharacters(in: .whitespacesAndNewlines))
        return d
    }

    /// Every problem, field → message (Bahasa Indonesia; definition issues keep their own field paths).
    public func problems() -> [(field: String, message: String)] {
        var p: [(field: String, message: String)] = []
        let n = name.trimmingCharacters(in: .whitespacesAndNewlines)
        if n.isEmpty { p.append(("name", "Nama layanan wajib diisi")) }
        if n.count > 200 { p.append(("name", "Nama layanan maks. 200 karakter")) }
        for issue in normalizedDefinition.issues() where issue.field != "service.unitID" {
            p.append((issue.field, issue.message))
        }
        return p
    }
}

/// A stored response: the questionnaire plus where and when it came from.
public struct StoredSurveyResponse: Sendable, Hashable {
    public var id: Int64
    public var surveyID: Int64
    public var channel: SurveyChannel
    /// When it was entered into Pantau.
    public var submittedAt: Date
    /// Tanggal survei (the period it counts in).
    public var date: CivilDate
    /// Answers by unsur code, profile, saran, case reference; `response.id` is the paper form number, if any.
    public var response: SurveyResponse
    public var importID: Int64?
    /// Who entered it (`public`, `user:…`, `token:…`).
    public var createdBy: String
}

/// Population and publication of one survey period.
public struct SurveyPeriodRecord: Sendable, Hashable {
    public var surveyID: Int64
    public var period: SurveyPeriod
    /// Service users in the period, for the Krejcie–Morgan sample check.
    public var population: Int?
    public var publishedAt: Date?
    public var publishedBy: String?
    /// The result as it was published (a snapshot: later responses do not change it).
    public var publishedResult: SKMResult?
    /// Where the result was published (web pages, social media posts).
    public var publicationLinks: [String]

    public var isPublished: Bool { publishedAt != nil }
}

/// A published result with its survey, for the public transparency page.
public struct PublishedSurveyResult: Sendable, Hashable {
    public var survey: SurveyRecord
    public var record: SurveyPeriodRecord
}

/// Fields of a follow-up action (RTL) that a person sets.
public struct SurveyFollowUpInput: Sendable, Equatable {
    /// The survey period whose result it answers (nil: not tied to one period).
    public var period: SurveyPeriod?
    /// The unsur it addresses, if any.
    public var unsur: UnsurCode?
    /// Permasalahan.
    public var problem: String
    /// Rencana tindak lanjut.
    public var action: String
    /// Penanggung jawab.
    public var owner: String
    /// Target date.
    public var dueDate: CivilDate?
    public var status: SurveyFollowUpStatus
    /// Publication links (http/https), e.g. where the follow-up was announced.
    public var links: [String]

    public init(period: SurveyPeriod? = nil, unsur: UnsurCode? = nil, problem: String, action: String, owner: String,
                dueDate: CivilDate? = nil, status: SurveyFollowUpStatus = .planned, links: [String] = []) {
        self.period = period
        self.unsur = unsur
        self.problem = problem
        self.action = action
        self.owner = owner
        self.dueDate = dueDate
        self.status = status
        self.links = links
    }

    /// Field → message (Bahasa Indonesia).
    public func problems(definition: SurveyDefinition) -> [(field: String, message: String)] {
        var p: [(field: String, message: String)] = []
        func text(_ field: String, _ v: String, required: Bool, max: Int) {
            let t = v.trimmingCharacters(in: .whitespacesAndNewlines)
            if required && t.isEmpty { p.append((field, "Wajib diisi")) }
            if t.count > max { p.append((field, "Maks. \(max) karakter")) }
        }
        text("problem", problem, required: true, max: 2000)
        text("action", action, required: true, max: 2000)
        text("owner", owner, required: true, max: 200)
        if let u = unsur, definition.item(u) == nil { p.append(("unsur", "Unsur '\(u)' tidak ada di survei ini")) }
        if let m = SurveyLinks.problem(links) { p.append(("links", m)) }
        return p
    }
}

/// A follow-up action (RTL) of a survey.
public struct SurveyFollowUpRecord: Sendable, Hashable, Codable {
    public var id: Int64
    public var surveyID: Int64
    public var period: SurveyPeriod?
    public var unsur: UnsurCode?
    public var problem: String
    public var action: String
    public var owner: String
    public var dueDate: CivilDate?
    public var status: SurveyFollowUpStatus
    public var links: [String]
    public var createdAt: Date
    public var updatedAt: Date
}

/// One paper-questionnaire import and its report.
public struct SurveyImportRecord: Sendable, Hashable {
    public var id: Int64
    public var surveyID: Int64
    /// What was imported (file name or "tempel").
    public var source: String
    public var imported: Int
    public var skipped: Int
    public var blankRows: Int
    /// The rows left out, each with its problems.
    public var skippedRows: [SurveyCSVSkippedRow]
    public var createdBy: String
    public var createdAt: Date
}


/// Checks of publication links.
public enum SurveyLinks {
    /// A message for the first bad link (not http/https, spaces, longer than 500), or for more than 20 links; nil when fine.
    public static func problem(_ links: [String]) -> String? {
        if links.count > 20 { return "Maks. 20 tautan" }
        for l in links {
            let lower = l.lowercased()
            guard lower.hasPrefix("https://") || lower.hasPrefix("http://"), l.count <= 500,
                  !l.contains(where: { $0.isWhitespace || $0 == "\"" || $0 == "<" || $0 == ">" }),
                  let u = URL(string: l), u.host?.isEmpty == false
            else { return "Tautan tidak valid (harus diawali http:// atau https://): \(l)" }
        }
        return nil
    }

    /// Splits a text area into links: one per line, blanks dropped.
    public static func parse(_ text: String) -> [String] {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

// MARK: - Store

extension PantauStore {
    static let codeAlphabet = Array("abcdefghijkmnpqrstuvwxyz23456789")
    /// Longest saran, case reference and free-text profile answers stored.
    public static let saranMaxLength = 2000
    public static let shortTextMaxLength = 200

    static func survey(from r: any SQLRow) throws -> SurveyRecord {
        let text = try r.string("definition")
        let def: SurveyDefinition
        do { def = try JSONDecoder().decode(SurveyDefinition.self, from: Data(text.utf8)) }
        catch { throw StoreError.corrupt("surveys.definition of survey \(try r.int64("id")): \(error)") }
        return SurveyRecord(
            id: try r.int64("id"), unitID: try r.int64("unit_id"), sopID: try r.optInt64("sop_id"), code: try r.string("code"),
            name: try r.string("name"), periodKind: SurveyPeriod.Kind(rawValue: try r.string("period_kind")) ?? .quarter,
            definition: def, active: try r.bool("active"),
            createdAt: Date(timeIntervalSince1970: try r.double("created_at")), updatedAt: Date(timeIntervalSince1970: try r.double("updated_at")))
    }

    /// Surveys of these units (nil: all), by unit then name.
    public func surveys(unitIDs: Set<Int64>? = nil) async throws -> [SurveyRecord] {
        try await read { sql in
            var q: SQLQueryString = "SELECT * FROM surveys"
            if let units = unitIDs {
                if units.isEmpty { return [] }
                q = q + " WHERE unit_id IN (\(unsafeRaw: units.sorted().map(String.init).joined(separator: ",")))"
            }
            return try await sql.raw(q + " ORDER BY unit_id, name, id").all().map(Self.survey(from:))
        }
    }

    public func survey(id: Int64) async throws -> SurveyRecord {
        try await read { sql in
            guard let r = try await sql.raw("SELECT * FROM surveys WHERE id = \(bind: id)").first() else {
                throw StoreError.notFound(entity: "survey", id: "\(id)")
            }
            return try Self.survey(from: r)
        }
    }

    /// The survey with this public code (case-insensitive), or nil.
    public func survey(code: String) async throws -> SurveyRecord? {
        let c = code.lowercased()
        guard !c.isEmpty, c.count <= 40 else { return nil }
        return try await read { sql in
            try await sql.raw("SELECT * FROM surveys WHERE code = \(bind: c)").first().map(Self.survey(from:))
        }
    }

    private static func checkSurvey(_ input: SurveyInput, _ sql: any SQLDatabase) async throws {
        if let p = input.problems().first { throw StoreError.invalid(field: p.field, message: p.message) }
        guard try await sql.raw("SELECT id FROM units WHERE id = \(bind: input.unitID)").first() != nil else {
            throw StoreError.conflict(field: "unit_id", message: "Unit tidak ada")
        }
        if let sop = input.sopID {
            guard let r = try await sql.raw("SELECT unit_id FROM sops WHERE id = \(bind: sop)").first() else {
                throw StoreError.conflict(field: "sop_id", message: "SOP tidak ada")
            }
            if try r.int64("unit_id") != input.unitID {
                throw StoreError.invalid(field: "sop_id", message: "SOP ini bukan milik unit yang dipilih")
            }
        }
    }

    private static func newCode(_ sql: any SQLDatabase) async throws -> String {
        var g = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            let c = String((0..<7).map { _ in codeAlphabet[Int.random(in: 0..<codeAlphabet.count, using: &g)] })
            if try await sql.raw("SELECT id FROM surveys WHERE code = \(bind: c)").first() == nil { return c }
        }
        throw StoreError.corrupt("no free survey code found")
    }

    /// Sets up a survey; a short public code is generated.
    @discardableResult
    public func createSurvey(_ input: SurveyInput, by actor: AuditActor) async throws -> SurveyRecord {
        try await write { w in
            try await Self.checkSurvey(input, w.sql)
            let code = try await Self.newCode(w.sql)
            let def = input.normalizedDefinition
            let name = input.name.trimmingCharacters(in: .whitespacesAndNewlines)
            guard let r = try await w.sql.raw("""
                INSERT INTO surveys (unit_id, sop_id, code, name, period_kind, definition, active, created_at, updated_at)
                VALUES (\(bind: input.unitID), \(bind: input.sopID), \(bind: code), \(bind: name), \(bind: input.periodKind.rawValue),
                        \(bind: jsonText(def)), \(bind: input.active ? 1 : 0), \(bind: w.t), \(bind: w.t))
                RETURNING id
                """).first() else { throw StoreError.corrupt("insert returned no id") }
            let rec = SurveyRecord(id: try r.int64("id"), unitID: input.unitID, sopID: input.sopID, code: code, name: name,
                                   periodKind: input.periodKind, definition: def, active: input.active, createdAt: w.at, updatedAt: w.at)
            try await w.audit(actor, "create", "survey", rec.id, new: AuditSurvey(rec))
            return rec
        }
    }

    /// Changes a survey's set-up. Stored answers stay keyed by unsur: an unsur removed from the
    /// definition is no longer counted; an added one is unanswered in older responses.
    @discardableResult
    public func updateSurvey(id: Int64, _ input: SurveyInput, by actor: AuditActor) async throws -> SurveyRecord {
        try await write { w in
            guard let r = try await w.sql.raw("SELECT * FROM surveys WHERE id = \(bind: id)").first() else {
                throw StoreError.notFound(entity: "survey", id: "\(id)")
            }
            let old = try Self.survey(from: r)
            try await Self.checkSurvey(input, w.sql)
            let def = input.normalizedDefinition
            let name = input.name.trimmingCharacters(in: .whitespacesAndNewlines)
            try await w.sql.raw("""
                UPDATE surveys SET unit_id = \(bind: input.unitID), sop_id = \(bind: input.sopID), name = \(bind: name),
                  period_kind = \(bind: input.periodKind.rawValue), definition = \(bind: jsonText(def)), active = \(bind: input.active ? 1 : 0),
                  updated_at = \(bind: w.t) WHERE id = \(bind: id)
                """).run()
            var rec = old
            rec.unitID = input.unitID; rec.sopID = input.sopID; rec.name = name; rec.periodKind = input.periodKind
            rec.definition = def; rec.active = input.active; rec.updatedAt = w.at
            try await w.audit(actor, "update", "survey", id, old: AuditSurvey(old), new: AuditSurvey(rec))
            return rec
        }
    }

    // MARK: Responses

    /// Stores one response (public form, kiosk or API). `date` and `time` default to now (WIB).
    /// - Throws: ``StoreError/invalid(field:message:)`` for the first problem (unknown unsur, score
    ///   outside 1–4, unknown profile code, no answer at all, text too long);
    ///   ``StoreError/conflict(field:message:)`` when the survey is closed.
    @discardableResult
    public func submitResponse(surveyID: Int64, _ response: SurveyResponse, channel: SurveyChannel, by actor: AuditActor) async throws -> StoredSurveyResponse {
        try await write { w in
            let survey = try await Self.lockedSurvey(w, id: surveyID)
            guard survey.active else { throw StoreError.conflict(field: "survey", message: "Survei ini sudah ditutup") }
            try Self.check(response, survey.definition, row: nil)
            let stored = try await Self.insertResponse(w, surveyID: surveyID, response, channel: channel, submittedAt: w.at,
                                                       importID: nil, createdBy: actor.label, answerBuffer: nil)
            try await w.audit(actor, "submit", "survey_response", stored.id, new: AuditResponse(stored))
            return stored
        }
    }

    /// Stores the responses of a paper-questionnaire import in one transaction: all of them, or
    /// (on any error) none. Rows without a date get `defaultDate`. The import and its report (the
    /// skipped rows) are recorded.
    @discardableResult
    public func importResponses(surveyID: Int64, _ responses: [SurveyResponse], defaultDate: CivilDate, source: String,
                                skipped: [SurveyCSVSkippedRow] = [], blankRows: Int = 0, by actor: AuditActor) async throws -> SurveyImportRecord {
        try await write { w in
            let survey = try await Self.lockedSurvey(w, id: surveyID)
            for (i, r) in responses.enumerated() { try Self.check(r, survey.definition, row: i + 1) }
            let src = String(source.trimmingCharacters(in: .whitespacesAndNewlines).prefix(200))
            guard let row = try await w.sql.raw("""
                INSERT INTO survey_imports (survey_id, source, imported, skipped, blank_rows, report, created_by, created_at)
                VALUES (\(bind: surveyID), \(bind: src), \(bind: responses.count), \(bind: skipped.count), \(bind: blankRows),
                        \(bind: jsonText(skipped)), \(bind: actor.label), \(bind: w.t))
                RETURNING id
                """).first() else { throw StoreError.corrupt("insert returned no id") }
            let importID = try row.int64("id")
            let buffer = AnswerBuffer()
            for var r in responses {
                if r.date == nil { r.date = defaultDate }
                _ = try await Self.insertResponse(w, surveyID: surveyID, r, channel: .paper, submittedAt: w.at, importID: importID,
                                                  createdBy: actor.label, answerBuffer: buffer)
            }
            try await buffer.flush(w.sql)
            let rec = SurveyImportRecord(id: importID, surveyID: surveyID, source: src, imported: responses.count, skipped: skipped.count,
                                         blankRows: blankRows, skippedRows: skipped, createdBy: actor.label, createdAt: w.at)
            try await w.audit(actor, "import", "survey_import", importID, new: AuditImport(
                survey_id: surveyID, source: src, imported: responses.count, skipped_rows: skipped.map(\.row), blank_rows: blankRows,
                default_date: defaultDate.description))
            return rec
        }
    }

    /// Past imports of a survey, newest first.
    public func surveyImports(surveyID: Int64, limit: Int = 20) async throws -> [SurveyImportRecord] {
        try await read { sql in
            try await sql.raw("SELECT * FROM survey_imports WHERE survey_id = \(bind: surveyID) ORDER BY id DESC LIMIT \(bind: max(1, min(limit, 500)))")
                .all().map { r in
                    let report = (try? JSONDecoder().decode([SurveyCSVSkippedRow].self, from: Data(try r.string("report").utf8))) ?? []
                    return SurveyImportRecord(id: try r.int64("id"), surveyID: try r.int64("survey_id"), source: try r.string("source"),
                                              imported: try r.int("imported"), skipped: try r.int("skipped"), blankRows: try r.int("blank_rows"),
                                              skippedRows: report, createdBy: try r.string("created_by"),
                                              createdAt: Date(timeIntervalSince1970: try r.double("created_at")))
                }
        }
    }

    private static func lockedSurvey(_ w: WriteContext, id: Int64) async throws -> SurveyRecord {
        let lock = w.kind == .postgres ? " FOR UPDATE" : ""
        guard let r = try await w.sql.raw("SELECT * FROM surveys WHERE id = \(bind: id)\(unsafeRaw: lock)").first() else {
            throw StoreError.notFound(entity: "survey", id: "\(id)")
        }
        return try Self.survey(from: r)
    }

    /// The first problem of a response, as a store error. `row` (1-based) prefixes the field for imports.
    static func check(_ r: SurveyResponse, _ def: SurveyDefinition, row: Int?) throws {
        let prefix = row.map { "rows[\($0)]." } ?? ""
        if let issue = r.issues(against: def).first {
            throw StoreError.invalid(field: prefix + issue.field, message: issue.message)
        }
        if r.answers.isEmpty {
            throw StoreError.invalid(field: prefix + "answers", message: "Jawab minimal satu unsur (answer at least one unsur)")
        }
        func limit(_ v: String?, _ f: String, _ max: Int) throws {
            if let v, v.count > max { throw StoreError.invalid(field: prefix + f, message: "Maks. \(max) karakter") }
        }
        try limit(r.saran, "saran", saranMaxLength)
        try limit(r.caseReference, "case_reference", shortTextMaxLength)
        try limit(r.profile.occupationDetail, "profile.occupationDetail", shortTextMaxLength)
        try limit(r.profile.serviceType, "profile.serviceType", shortTextMaxLength)
        try limit(r.id, "form_number", shortTextMaxLength)
    }

    /// Collects answer rows of several responses and inserts them in multi-row statements.
    final class AnswerBuffer: @unchecked Sendable {
        var rows: [(Int64, String, Int)] = []
        /// 300 rows × 3 parameters stays below every engine's bind limit.
        static let batch = 300

        func add(_ sql: any SQLDatabase, _ id: Int64, _ answers: [UnsurCode: Int]) async throws {
            for (code, score) in answers.sorted(by: { $0.key < $1.key }) { rows.append((id, code.rawValue, score)) }
            if rows.count >= Self.batch { try await flush(sql) }
        }

        func flush(_ sql: any SQLDatabase) async throws {
            var start = 0
            while start < rows.count {
                let chunk = rows[start..<min(start + Self.batch, rows.count)]
                var q: SQLQueryString = "INSERT INTO survey_answers (response_id, unsur, score) VALUES "
                for (i, a) in chunk.enumerated() {
                    if i > 0 { q = q + ", " }
                    q = q + "(\(bind: a.0), \(bind: a.1), \(bind: a.2))"
                }
                try await sql.raw(q).run()
                start += Self.batch
            }
            rows.removeAll(keepingCapacity: true)
        }
    }

    static func clean(_ s: String?) -> String? {
        guard let t = s?.trimmingCharacters(in: .whitespacesAndNewlines), !t.isEmpty else { return nil }
        return t
    }

    /// Inserts one response and its answers (directly, or into `answerBuffer` to be flushed by the caller).
    static func insertResponse(_ w: WriteContext, surveyID: Int64, _ r: SurveyResponse, channel: SurveyChannel, submittedAt: Date,
                               importID: Int64?, createdBy: String, answerBuffer: AnswerBuffer?) async throws -> StoredSurveyResponse {
        let date = r.date ?? CivilDate(submittedAt)
        var time = r.time
        if time == nil && r.date == nil {
            var cal = Calendar(identifier: .gregorian)
            cal.timeZone = .wib
            let c = cal.dateComponents([.hour, .minute], from: submittedAt)
            time = SurveyTimeOfDay(hour: c.hour ?? 0, minute: c.minute ?? 0)
        }
        var resp = r
        resp.date = date
        resp.time = time
        resp.saran = clean(r.saran)
        resp.caseReference = clean(r.caseReference)
        resp.id = clean(r.id)
        resp.profile.occupationDetail = clean(r.profile.occupationDetail)
        resp.profile.serviceType = clean(r.profile.serviceType)
        resp.profile.education = clean(r.profile.education)
        resp.profile.occupation = clean(r.profile.occupation)
        let p = resp.profile
        guard let row = try await w.sql.raw("""
            INSERT INTO survey_responses (survey_id, channel, submitted_at, response_date, response_time, gender, age, education,
                occupation, occupation_detail, service_type, saran, case_reference, form_number, import_id, created_by)
            VALUES (\(bind: surveyID), \(bind: channel.rawValue), \(bind: submittedAt.timeIntervalSince1970), \(bind: date.description),
                \(bind: time?.description), \(bind: p.gender?.rawValue), \(bind: p.age), \(bind: p.education), \(bind: p.occupation),
                \(bind: p.occupationDetail), \(bind: p.serviceType), \(bind: resp.saran), \(bind: resp.caseReference), \(bind: resp.id),
                \(bind: importID), \(bind: createdBy))
            RETURNING id
            """).first() else { throw StoreError.corrupt("insert returned no id") }
        let id = try row.int64("id")
        if let answerBuffer {
            try await answerBuffer.add(w.sql, id, resp.answers)
        } else {
            let b = AnswerBuffer()
            try await b.add(w.sql, id, resp.answers)
            try await b.flush(w.sql)
        }
        return StoredSurveyResponse(id: id, surveyID: surveyID, channel: channel, submittedAt: submittedAt, date: date, response: resp,
                                    importID: importID, createdBy: createdBy)
    }

    /// Inserts many responses in one transaction with their own channels and times (demo data).
    func insertResponsesUnaudited(_ w: WriteContext, surveyID: Int64, _ items: [(SurveyResponse, SurveyChannel, Date)], createdBy: String) async throws {
        let buffer = AnswerBuffer()
        for (r, ch, at) in items {
            _ = try await Self.insertResponse(w, surveyID: surveyID, r, channel: ch, submittedAt: at, importID: nil, createdBy: createdBy, answerBuffer: buffer)
        }
        try await buffer.flush(w.sql)
    }

    /// The answers of a period as a columnar table for ``SKMCalculator`` (one row per response,
    /// the definition's unsur as columns; answers to unsur no longer in the definition are left out).
    ///
    /// - Complexity: one query returning one row per response (answers aggregated in SQL).
    public func responseTable(surveyID: Int64, definition: SurveyDefinition, period: SurveyPeriod) async throws -> SurveyResponseTable {
        let codes = definition.unsurCodes
        var column: [String: Int] = [:]
        for (i, c) in codes.enumerated() where column[c.rawValue] == nil { column[c.rawValue] = i }
        let agg = database.kind == .postgres
            ? "string_agg(a.unsur || ':' || CAST(a.score AS TEXT), ',')"
            : "group_concat(a.unsur || ':' || a.score, ',')"
        let from = period.firstDay.description, to = period.lastDay.description
        let colMap = column
        return try await read { sql in
            let rows = try await sql.raw("""
                SELECT r.id, r.gender, r.age, r.education, r.occupation, r.service_type, \(unsafeRaw: agg) AS answers
                FROM survey_responses r LEFT JOIN survey_answers a ON a.response_id = r.id
                WHERE r.survey_id = \(bind: surveyID) AND r.response_date >= \(bind: from) AND r.response_date <= \(bind: to)
                GROUP BY r.id, r.gender, r.age, r.education, r.occupation, r.service_type
                ORDER BY r.id
                """).all()
            var table = SurveyResponseTable(unsurCodes: codes, reservingCapacity: rows.count)
            var scores = [UInt8](repeating: 0, count: codes.count)
            for r in rows {
                for i in scores.indices { scores[i] = 0 }
                if let text = try r.optString("answers") {
                    for pair in text.split(separator: ",") {
                        guard let colon = pair.lastIndex(of: ":"), let j = colMap[String(pair[..<colon])],
                              let s = UInt8(pair[pair.index(after: colon)...]), (1...4).contains(s) else { continue }
                        scores[j] = s
                    }
                }
                do {
                    try table.appendRow(scores: scores, gender: try r.optString("gender").flatMap(RespondentGender.init(rawValue:)),
                                        education: try r.optString("education"), occupation: try r.optString("occupation"),
                                        serviceType: try r.optString("service_type"), age: try r.decode(column: "age", as: Int?.self))
                } catch {
                    throw StoreError.corrupt("survey_responses \(try r.int64("id")): \(error)")
                }
            }
            return table
        }
    }

    /// Number of responses per period of `kind` (periods without responses are absent).
    public func responseCounts(surveyID: Int64, kind: SurveyPeriod.Kind) async throws -> [SurveyPeriod: Int] {
        try await read { sql in
            let rows = try await sql.raw("""
                SELECT substr(response_date, 1, 7) AS ym, COUNT(*) AS n FROM survey_responses
                WHERE survey_id = \(bind: surveyID) GROUP BY substr(response_date, 1, 7)
                """).all()
            var out: [SurveyPeriod: Int] = [:]
            for r in rows {
                guard let month = SurveyPeriod(try r.string("ym")) else { continue }
                let p = SurveyPeriod(containing: month.firstDay, kind: kind)
                out[p, default: 0] += try r.int("n")
            }
            return out
        }
    }

    static func storedResponse(from r: any SQLRow, answers: [UnsurCode: Int]) throws -> StoredSurveyResponse {
        let dateText = try r.string("response_date")
        guard let date = CivilDate(dateText) else { throw StoreError.corrupt("survey_responses.response_date '\(dateText)'") }
        let profile = RespondentProfile(
            gender: try r.optString("gender").flatMap(RespondentGender.init(rawValue:)), education: try r.optString("education"),
            occupation: try r.optString("occupation"), occupationDetail: try r.optString("occupation_detail"),
            serviceType: try r.optString("service_type"), age: try r.decode(column: "age", as: Int?.self))
        let resp = SurveyResponse(id: try r.optString("form_number"), date: date, time: try r.optString("response_time").flatMap(SurveyTimeOfDay.init),
                                  profile: profile, answers: answers, saran: try r.optString("saran"), caseReference: try r.optString("case_reference"))
        return StoredSurveyResponse(id: try r.int64("id"), surveyID: try r.int64("survey_id"),
                                    channel: SurveyChannel(rawValue: try r.string("channel")) ?? .web,
                                    submittedAt: Date(timeIntervalSince1970: try r.double("submitted_at")), date: date, response: resp,
                                    importID: try r.optInt64("import_id"), createdBy: try r.string("created_by"))
    }

    /// Raw responses of a period (newest first), a page at a time; `perPage` nil returns all of them.
    public func responses(surveyID: Int64, period: SurveyPeriod, page: Int = 1, perPage: Int? = 50) async throws -> Page<StoredSurveyResponse> {
        let from = period.firstDay.description, to = period.lastDay.description
        let page = max(1, page)
        return try await read { sql in
            let cond: SQLQueryString = "survey_id = \(bind: surveyID) AND response_date >= \(bind: from) AND response_date <= \(bind: to)"
            let total = try await sql.raw("SELECT COUNT(*) AS n FROM survey_responses WHERE " + cond).first()?.int("n") ?? 0
            var q: SQLQueryString = "SELECT * FROM survey_responses WHERE " + cond + " ORDER BY response_date DESC, id DESC"
            let per = perPage.map { min(max(1, $0), 500) }
            if let per { q = q + " LIMIT \(bind: per) OFFSET \(bind: (page - 1) * per)" }
            let rows = try await sql.raw(q).all()
            var answers: [Int64: [UnsurCode: Int]] = [:]
            if !rows.isEmpty {
                let ids = try rows.map { try $0.int64("id") }
                var aq: SQLQueryString
                if per == nil {
                    aq = """
                        SELECT a.response_id, a.unsur, a.score FROM survey_answers a JOIN survey_responses r ON r.id = a.response_id
                        WHERE r.survey_id = \(bind: surveyID) AND r.response_date >= \(bind: from) AND r.response_date <= \(bind: to)
                        """
                } else {
                    aq = "SELECT response_id, unsur, score FROM survey_answers WHERE response_id IN (\(unsafeRaw: ids.map(String.init).joined(separator: ",")))"
                }
                for a in try await sql.raw(aq).all() {
                    answers[try a.int64("response_id"), default: [:]][UnsurCode(try a.string("unsur"))] = try a.int("score")
                }
            }
            let items = try rows.map { r in try Self.storedResponse(from: r, answers: answers[try r.int64("id")] ?? [:]) }
            return Page(items: items, total: total, page: page, perPage: per ?? max(1, total))
        }
    }

    /// The most recent non-empty saran of a period.
    public func suggestions(surveyID: Int64, period: SurveyPeriod, limit: Int = 10) async throws -> [String] {
        let from = period.firstDay.description, to = period.lastDay.description
        return try await read { sql in
            try await sql.raw("""
                SELECT saran FROM survey_responses WHERE survey_id = \(bind: surveyID) AND response_date >= \(bind: from)
                  AND response_date <= \(bind: to) AND saran IS NOT NULL AND saran <> ''
                ORDER BY submitted_at DESC, id DESC LIMIT \(bind: max(1, min(limit, 100)))
                """).all().map { try $0.string("saran") }
        }
    }

    // MARK: Periods: population and publication

    static func periodRecord(from r: any SQLRow) throws -> SurveyPeriodRecord? {
        guard let period = SurveyPeriod(try r.string("period")) else { return nil }
        var result: SKMResult?
        if let text = try r.optString("published_result") {
            do { result = try JSONDecoder().decode(SKMResult.self, from: Data(text.utf8)) }
            catch { throw StoreError.corrupt("survey_periods.published_result: \(error)") }
        }
        let links = (try? JSONDecoder().decode([String].self, from: Data(try r.string("publication_links").utf8))) ?? []
        return SurveyPeriodRecord(surveyID: try r.int64("survey_id"), period: period, population: try r.decode(column: "population", as: Int?.self),
                                  publishedAt: try r.optDouble("published_at").date, publishedBy: try r.optString("published_by"),
                                  publishedResult: result, publicationLinks: links)
    }

    /// Every period record of a survey (population entered or published), newest period first.
    public func periodRecords(surveyID: Int64) async throws -> [SurveyPeriodRecord] {
        try await read { sql in
            try await sql.raw("SELECT * FROM survey_periods WHERE survey_id = \(bind: surveyID)").all()
                .compactMap(Self.periodRecord(from:)).sorted { $0.period > $1.period }
        }
    }

    public func periodRecord(surveyID: Int64, period: SurveyPeriod) async throws -> SurveyPeriodRecord? {
        try await read { sql in
            try await sql.raw("SELECT * FROM survey_periods WHERE survey_id = \(bind: surveyID) AND period = \(bind: period.description)")
                .first().flatMap(Self.periodRecord(from:))
        }
    }

    private static func lockedPeriod(_ w: WriteContext, surveyID: Int64, period: SurveyPeriod) async throws -> SurveyPeriodRecord? {
        let lock = w.kind == .postgres ? " FOR UPDATE" : ""
        return try await w.sql.raw("SELECT * FROM survey_periods WHERE survey_id = \(bind: surveyID) AND period = \(bind: period.description)\(unsafeRaw: lock)")
            .first().flatMap(Self.periodRecord(from:))
    }

    /// Sets (or with nil clears) the population of a period: the service users the sample is drawn from.
    @discardableResult
    public func setPopulation(surveyID: Int64, period: SurveyPeriod, population: Int?, by actor: AuditActor) async throws -> SurveyPeriodRecord {
        if let p = population, !(1...100_000_000).contains(p) {
            throw StoreError.invalid(field: "population", message: "Populasi harus bilangan bulat 1–100.000.000")
        }
        return try await write { w in
            _ = try await Self.lockedSurvey(w, id: surveyID)
            let old = try await Self.lockedPeriod(w, surveyID: surveyID, period: period)
            try await w.sql.raw("""
                INSERT INTO survey_periods (survey_id, period, population, updated_at)
                VALUES (\(bind: surveyID), \(bind: period.description), \(bind: population), \(bind: w.t))
                ON CONFLICT (survey_id, period) DO UPDATE SET population = excluded.population, updated_at = excluded.updated_at
                """).run()
            try await w.audit(actor, "set_population", "survey_period", "\(surveyID)/\(period)",
                              old: old.map { ["population": $0.population] }, new: ["population": population])
            guard let rec = try await Self.lockedPeriod(w, surveyID: surveyID, period: period) else { throw StoreError.corrupt("period row missing") }
            return rec
        }
    }

    /// Publishes the result of a period: stores it as published (a snapshot the public sees) with
    /// the links where it was published. Publishing again replaces the snapshot.
    @discardableResult
    public func publish(surveyID: Int64, period: SurveyPeriod, result: SKMResult, links: [String], by actor: AuditActor) async throws -> SurveyPeriodRecord {
        if result.respondentCount == 0 || result.ikm == nil {
            throw StoreError.invalid(field: "period", message: "Belum ada hasil pada periode ini (no result to publish)")
        }
        if let m = SurveyLinks.problem(links) { throw StoreError.invalid(field: "links", message: m) }
        return try await write { w in
            _ = try await Self.lockedSurvey(w, id: surveyID)
            let old = try await Self.lockedPeriod(w, surveyID: surveyID, period: period)
            try await w.sql.raw("""
                INSERT INTO survey_periods (survey_id, period, published_at, published_by, published_result, publication_links, updated_at)
                VALUES (\(bind: surveyID), \(bind: period.description), \(bind: w.t), \(bind: actor.label), \(bind: jsonText(result)),
                        \(bind: jsonText(links)), \(bind: w.t))
                ON CONFLICT (survey_id, period) DO UPDATE SET published_at = excluded.published_at, published_by = excluded.published_by,
                  published_result = excluded.published_result, publication_links = excluded.publication_links, updated_at = excluded.updated_at
                """).run()
            try await w.audit(actor, "publish", "survey_period", "\(surveyID)/\(period)",
                              old: old.flatMap { $0.isPublished ? AuditPublication($0.publishedResult, $0.publicationLinks) : nil },
                              new: AuditPublication(result, links))
            guard let rec = try await Self.lockedPeriod(w, surveyID: surveyID, period: period) else { throw StoreError.corrupt("period row missing") }
            return rec
        }
    }

    /// Withdraws a published result from the public pages.
    public func unpublish(surveyID: Int64, period: SurveyPeriod, by actor: AuditActor) async throws {
        try await write { w in
            guard let old = try await Self.lockedPeriod(w, surveyID: surveyID, period: period), old.isPublished else {
                throw StoreError.conflict(field: "period", message: "Hasil periode ini belum dipublikasikan")
            }
            try await w.sql.raw("""
                UPDATE survey_periods SET published_at = NULL, published_by = NULL, published_result = NULL, updated_at = \(bind: w.t)
                WHERE survey_id = \(bind: surveyID) AND period = \(bind: period.description)
                """).run()
            try await w.audit(actor, "unpublish", "survey_period", "\(surveyID)/\(period)",
                              old: AuditPublication(old.publishedResult, old.publicationLinks))
        }
    }

    /// Every published result, by unit, service and newest period first.
    public func publishedResults() async throws -> [PublishedSurveyResult] {
        try await read { sql in
            let records = try await sql.raw("SELECT * FROM survey_periods WHERE published_at IS NOT NULL").all().compactMap(Self.periodRecord(from:))
            if records.isEmpty { return [] }
            let ids = Set(records.map(\.surveyID)).sorted().map(String.init).joined(separator: ",")
            var surveys: [Int64: SurveyRecord] = [:]
            for r in try await sql.raw("SELECT * FROM surveys WHERE id IN (\(unsafeRaw: ids))").all() {
                let s = try Self.survey(from: r)
                surveys[s.id] = s
            }
            return records.compactMap { rec in surveys[rec.surveyID].map { PublishedSurveyResult(survey: $0, record: rec) } }
                .sorted { a, b in
                    if a.survey.unitID != b.survey.unitID { return a.survey.unitID < b.survey.unitID }
                    if a.survey.name != b.survey.name { return a.survey.name < b.survey.name }
                    return a.record.period > b.record.period
                }
        }
    }

    // MARK: Follow-up plan (RTL)

    static func surveyFollowUp(from r: any SQLRow) throws -> SurveyFollowUpRecord {
        let links = (try? JSONDecoder().decode([String].self, from: Data(try r.string("links").utf8))) ?? []
        return SurveyFollowUpRecord(
            id: try r.int64("id"), surveyID: try r.int64("survey_id"), period: try r.optString("period").flatMap { SurveyPeriod($0) },
            unsur: try r.optString("unsur").map(UnsurCode.init(rawValue:)), problem: try r.string("problem"), action: try r.string("action"),
            owner: try r.string("owner"), dueDate: try r.optString("due_date").flatMap(CivilDate.init),
            status: SurveyFollowUpStatus(rawValue: try r.string("status")) ?? .planned, links: links,
            createdAt: Date(timeIntervalSince1970: try r.double("created_at")), updatedAt: Date(timeIntervalSince1970: try r.double("updated_at")))
    }

    /// Follow-up actions of a survey (optionally of one period), newest period first.
    public func surveyFollowUps(surveyID: Int64, period: SurveyPeriod? = nil) async throws -> [SurveyFollowUpRecord] {
        try await read { sql in
            var q: SQLQueryString = "SELECT * FROM survey_followups WHERE survey_id = \(bind: surveyID)"
            if let period { q = q + " AND period = \(bind: period.description)" }
            return try await sql.raw(q + " ORDER BY id").all().map(Self.surveyFollowUp(from:)).sorted { a, b in
                switch (a.period, b.period) {
                case let (x?, y?) where x != y: return x > y
                case (nil, _?): return false
                case (_?, nil): return true
                default: return a.id < b.id
                }
            }
        }
    }

    public func surveyFollowUp(id: Int64) async throws -> SurveyFollowUpRecord {
        try await read { sql in
            guard let r = try await sql.raw("SELECT * FROM survey_followups WHERE id = \(bind: id)").first() else {
                throw StoreError.notFound(entity: "survey_followup", id: "\(id)")
            }
            return try Self.surveyFollowUp(from: r)
        }
    }

    private static func normalized(_ i: SurveyFollowUpInput) -> SurveyFollowUpInput {
        var x = i
        x.problem = i.problem.trimmingCharacters(in: .whitespacesAndNewlines)
        x.action = i.action.trimmingCharacters(in: .whitespacesAndNewlines)
        x.owner = i.owner.trimmingCharacters(in: .whitespacesAndNewlines)
        return x
    }

    @discardableResult
    public func createSurveyFollowUp(surveyID: Int64, _ input: SurveyFollowUpInput, by actor: AuditActor) async throws -> SurveyFollowUpRecord {
        let i = Self.normalized(input)
        return try await write { w in
            let survey = try await Self.lockedSurvey(w, id: surveyID)
            if let p = i.problems(definition: survey.definition).first { throw StoreError.invalid(field: p.field, message: p.message) }
            guard let r = try await w.sql.raw("""
                INSERT INTO survey_followups (survey_id, period, unsur, problem, action, owner, due_date, status, links, created_at, updated_at)
                VALUES (\(bind: surveyID), \(bind: i.period?.description), \(bind: i.unsur?.rawValue), \(bind: i.problem), \(bind: i.action),
                        \(bind: i.owner), \(bind: i.dueDate?.description), \(bind: i.status.rawValue), \(bind: jsonText(i.links)), \(bind: w.t), \(bind: w.t))
                RETURNING id
                """).first() else { throw StoreError.corrupt("insert returned no id") }
            let rec = SurveyFollowUpRecord(id: try r.int64("id"), surveyID: surveyID, period: i.period, unsur: i.unsur, problem: i.problem, action: i.action,
                                     owner: i.owner, dueDate: i.dueDate, status: i.status, links: i.links, createdAt: w.at, updatedAt: w.at)
            try await w.audit(actor, "create", "survey_followup", rec.id, new: rec)
            return rec
        }
    }

    @discardableResult
    public func updateSurveyFollowUp(id: Int64, _ input: SurveyFollowUpInput, by actor: AuditActor) async throws -> SurveyFollowUpRecord {
        let i = Self.normalized(input)
        return try await write { w in
            guard let r = try await w.sql.raw("SELECT * FROM survey_followups WHERE id = \(bind: id)").first() else {
                throw StoreError.notFound(entity: "survey_followup", id: "\(id)")
            }
            let old = try Self.surveyFollowUp(from: r)
            let survey = try await Self.lockedSurvey(w, id: old.surveyID)
            if let p = i.problems(definition: survey.definition).first { throw StoreError.invalid(field: p.field, message: p.message) }
            try await w.sql.raw("""
                UPDATE survey_followups SET period = \(bind: i.period?.description), unsur = \(bind: i.unsur?.rawValue), problem = \(bind: i.problem),
                  action = \(bind: i.action), owner = \(bind: i.owner), due_date = \(bind: i.dueDate?.description), status = \(bind: i.status.rawValue),
                  links = \(bind: jsonText(i.links)), updated_at = \(bind: w.t) WHERE id = \(bind: id)
                """).run()
            var rec = old
            rec.period = i.period; rec.unsur = i.unsur; rec.problem = i.problem; rec.action = i.action; rec.owner = i.owner
            rec.dueDate = i.dueDate; rec.status = i.status; rec.links = i.links; rec.updatedAt = w.at
            try await w.audit(actor, "update", "survey_followup", id, old: old, new: rec)
            return rec
        }
    }
}

// MARK: Audit shapes

struct AuditSurvey: Codable, Sendable {
    var id: Int64
    var unit_id: Int64
    var sop_id: Int64?
    var code: String
    var name: String
    var period_kind: String
    var active: Bool
    var definition: SurveyDefinition
    init(_ s: SurveyRecord) {
        id = s.id; unit_id = s.unitID; sop_id = s.sopID; code = s.code; name = s.name; period_kind = s.periodKind.rawValue
        active = s.active; definition = s.definition
    }
}

struct AuditResponse: Codable, Sendable {
    var survey_id: Int64
    var channel: String
    var response: SurveyResponse
    init(_ r: StoredSurveyResponse) {
        survey_id = r.surveyID; channel = r.channel.rawValue; response = r.response
    }
}

struct AuditImport: Codable, Sendable {
    var survey_id: Int64
    var source: String
    var imported: Int
    var skipped_rows: [Int]
    var blank_rows: Int
    var default_date: String
}

struct AuditPublication: Codable, Sendable {
    var respondents: Int
    var ikm: Double?
    var grade: String?
    var links: [String]
    init(_ r: SKMResult?, _ links: [String]) {
        respondents = r?.respondentCount ?? 0; ikm = r?.ikm; grade = r?.grade?.rawValue; self.links = links
    }
}
