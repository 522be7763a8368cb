import Foundation
import PantauCore
import SQLKit

// MARK: - Responses: records

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

// MARK: - Store: responses (insert, import, tables, counts)

extension PantauStore {
    /// Stores one response (public form, kiosk or API). `date` and `time` default to now (WIB).
    /// - Throws: ``StoreError/invalid(field:message:)`` for the first problem (unknown unsur, score
    ///   outside 1–4, unknown profile code, no answer at all, text too long);
    ///   ``StoreError/conflict(field:message:)`` when the survey is closed.
    @discardableResult
    public func submitResponse(surveyID: Int64, _ response: SurveyResponse, channel: SurveyChannel, by actor: AuditActor) async throws -> StoredSurveyResponse {
        try await write { w in
            let survey = try await Self.lockedSurvey(w, id: surveyID)
            guard survey.active else { throw StoreError.conflict(field: "survey", message: "Survei ini sudah ditutup") }
            let response = response.normalized(against: survey.definition)
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
            let responses = responses.map { $0.normalized(against: survey.definition) }
            for (i, r) in responses.enumerated() { try Self.check(r, survey.definition, row: i + 1) }
            let src = String(source.trimmingCharacters(in: .whitespacesAndNewlines).prefix(200))
            guard let row = try await w.sql.raw("""
                INSERT INTO survey_imports (survey_id, source, imported, skipped, blank_rows, report, created_by, created_at)
                VALUES (\(bind: surveyID), \(bind: src), \(bind: responses.count), \(bind: skipped.count), \(bind: blankRows),
                        \(bind: jsonText(skipped)), \(bind: actor.label), \(bind: w.t))
                RETURNING id
                """).first() else { throw StoreError.corrupt("insert returned no id") }
            let importID = try row.int64("id")
            let buffer = AnswerBuffer(kind: w.kind)
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
                    let report = try Self.decodeJSON([SurveyCSVSkippedRow].self, r, column: "report", table: "survey_imports", row: "\(try r.int64("id"))")
                    return SurveyImportRecord(id: try r.int64("id"), surveyID: try r.int64("survey_id"), source: try r.string("source"),
                                              imported: try r.int("imported"), skipped: try r.int("skipped"), blankRows: try r.int("blank_rows"),
                                              skippedRows: report, createdBy: try r.string("created_by"),
                                              createdAt: Date(timeIntervalSince1970: try r.double("created_at")))
                }
        }
    }

    /// The first problem of a response (``SurveyResponse/validate(against:)``, the validator every
    /// entry point shares), as a store error. `row` (1-based) prefixes the field for imports.
    static func check(_ r: SurveyResponse, _ def: SurveyDefinition, row: Int?) throws {
        if let issue = r.validate(against: def).first?.issue {
            throw StoreError.invalid(field: (row.map { "rows[\($0)]." } ?? "") + issue.field, message: issue.message)
        }
    }

    /// Collects answer rows of several responses and inserts them in multi-row statements, and
    /// sums what they add to the per-month answer counts (``SKMAnswerCounts``), written by ``flush(_:)``
    /// in the same transaction.
    final class AnswerBuffer: @unchecked Sendable {
        var rows: [(Int64, String, Int)] = []
        var counts: [CountKey: (n: Int, firstID: Int64)] = [:]
        let kind: DatabaseKind
        /// 300 rows × 3 parameters stays below every engine's bind limit.
        static let batch = 300
        /// Count rows per upsert (8 parameters each).
        static let countBatch = 250
        /// Distinct count keys held before they are written.
        static let countLimit = 20_000

        struct CountKey: Hashable {
            var surveyID: Int64
            var month: String
            var key: SKMAnswerCounts.Key
        }

        init(kind: DatabaseKind) { self.kind = kind }

        func add(_ sql: any SQLDatabase, _ id: Int64, _ answers: [UnsurCode: Int]) async throws {
            for (code, score) in answers.sorted(by: { $0.key < $1.key }) { rows.append((id, code.rawValue, score)) }
            if rows.count >= Self.batch { try await flushAnswers(sql) }
        }

        /// Counts a stored response (cleaned, with its date) into its month.
        func count(_ sql: any SQLDatabase, surveyID: Int64, id: Int64, _ r: SurveyResponse, date: CivilDate) async throws {
            let month = String(date.description.prefix(7))
            for key in SKMAnswerCounts.keys(of: r) {
                let k = CountKey(surveyID: surveyID, month: month, key: key)
                if let c = counts[k] { counts[k] = (c.n + 1, min(c.firstID, id)) } else { counts[k] = (1, id) }
            }
            if counts.count >= Self.countLimit { try await flushCounts(sql) }
        }

        func flush(_ sql: any SQLDatabase) async throws {
            try await flushAnswers(sql)
            try await flushCounts(sql)
        }

        private func flushAnswers(_ sql: any SQLDatabase) async throws {
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

        private func flushCounts(_ sql: any SQLDatabase) async throws {
            let all = counts.sorted { a, b in
                (a.key.surveyID, a.key.month, a.key.key.dimension.rawValue, a.key.key.value, a.key.key.unsur?.rawValue ?? "", a.key.key.score)
                    < (b.key.surveyID, b.key.month, b.key.key.dimension.rawValue, b.key.key.value, b.key.key.unsur?.rawValue ?? "", b.key.key.score)
            }
            let least = kind == .postgres ? "LEAST" : "min"
            var start = 0
            while start < all.count {
                let chunk = all[start..<min(start + Self.countBatch, all.count)]
                var q: SQLQueryString = "INSERT INTO survey_answer_counts (survey_id, month, dimension, value, unsur, score, n, first_id) VALUES "
                for (i, (k, v)) in chunk.enumerated() {
                    if i > 0 { q = q + ", " }
                    q = q + "(\(bind: k.surveyID), \(bind: k.month), \(bind: k.key.dimension.rawValue), \(bind: k.key.value), "
                        + "\(bind: k.key.unsur?.rawValue ?? ""), \(bind: k.key.score), \(bind: v.n), \(bind: v.firstID))"
                }
                q = q + """
                     ON CONFLICT (survey_id, month, dimension, value, unsur, score) DO UPDATE SET
                      n = survey_answer_counts.n + excluded.n,
                      first_id = \(unsafeRaw: least)(survey_answer_counts.first_id, excluded.first_id)
                    """
                try await sql.raw(q).run()
                start += Self.countBatch
            }
            counts.removeAll(keepingCapacity: true)
        }
    }

    static func clean(_ s: String?) -> String? {
        guard let t = s?.trimmedOfWhitespace, !t.isEmpty else { return nil }
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
        let b = answerBuffer ?? AnswerBuffer(kind: w.kind)
        try await b.add(w.sql, id, resp.answers)
        try await b.count(w.sql, surveyID: surveyID, id: id, resp, date: date)
        if answerBuffer == nil { try await b.flush(w.sql) }
        return StoredSurveyResponse(id: id, surveyID: surveyID, channel: channel, submittedAt: submittedAt, date: date, response: resp,
                                    importID: importID, createdBy: createdBy)
    }

    /// Inserts many responses in one transaction with their own channels and times (demo data).
    func insertResponsesUnaudited(_ w: WriteContext, surveyID: Int64, _ items: [(SurveyResponse, SurveyChannel, Date)], createdBy: String) async throws {
        let buffer = AnswerBuffer(kind: w.kind)
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
    ///
    /// - Complexity: one query over the survey's per-month counts (`survey_answer_counts`), not its responses.
    public func responseCounts(surveyID: Int64, kind: SurveyPeriod.Kind) async throws -> [SurveyPeriod: Int] {
        try await read { sql in
            // The per-month answer counts: one response-count row per month and gender value.
            let rows = try await sql.raw("""
                SELECT month AS ym, CAST(SUM(n) AS BIGINT) AS n FROM survey_answer_counts
                WHERE survey_id = \(bind: surveyID) AND dimension = 'g' AND unsur = '' GROUP BY month
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
    ///
    /// - Complexity: walks the survey's responses with a saran newest first (partial index
    ///   `survey_responses_saran`) until `limit` of the period are found, instead of sorting the
    ///   period. SQLite is told to use that index (without statistics it would pick the date index).
    public func suggestions(surveyID: Int64, period: SurveyPeriod, limit: Int = 10) async throws -> [String] {
        let from = period.firstDay.description, to = period.lastDay.description
        let hint = database.kind == .sqlite ? " INDEXED BY survey_responses_saran" : ""
        return try await read { sql in
            try await sql.raw("""
                SELECT saran FROM survey_responses\(unsafeRaw: hint) WHERE survey_id = \(bind: surveyID) AND response_date >= \(bind: from)
                  AND response_date <= \(bind: to) AND saran IS NOT NULL AND saran <> ''
                ORDER BY submitted_at DESC, id DESC LIMIT \(bind: max(1, min(limit, 100)))
                """).all().map { try $0.string("saran") }
        }
    }
}

// MARK: Audit shapes

/// A submitted response in the audit trail: a reference, never the citizen's answers (they stay
/// in `survey_responses`, where the entry's id points; the trail is read by more people and kept
/// longer than raw answers need to be).
struct AuditResponse: Codable, Sendable {
    var survey_id: Int64
    var response_id: Int64
    var channel: String
    var date: String
    init(_ r: StoredSurveyResponse) {
        survey_id = r.surveyID; response_id = r.id; channel = r.channel.rawValue; date = r.date.description
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
