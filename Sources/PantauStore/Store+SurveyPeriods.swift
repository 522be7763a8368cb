import Foundation
import PantauCore
import SQLKit

// MARK: - Periods: records

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


/// Checks of publication links.
public enum SurveyLinks {
    /// The first problem of the links, as a code the web layer words from its catalogs: more than
    /// 20 links (`links_too_many`), or a link that is not http/https, holds spaces or quotes, or is
    /// longer than 500 characters (`link_invalid`, with the link); nil when fine.
    public static func inputProblem(_ links: [String]) -> InputProblem? {
        if links.count > 20 { return InputProblem("links", "links_too_many", ["20"]) }
        for l in links {
            let lower = l.lowercased()
            guard lower.hasPrefix("https://") || lower.hasPrefix("http://"), l.count <= 500,
                  !l.contains(where: { $0.isWhitespace || $0 == "\"" || $0 == "<" || $0 == ">" }),
                  let u = URL(string: l), u.host?.isEmpty == false
            else { return InputProblem("links", "link_invalid", [l]) }
        }
        return nil
    }

    /// ``inputProblem(_:)`` in Bahasa Indonesia (the store's own refusals).
    public static func problem(_ links: [String]) -> String? {
        guard let p = inputProblem(links) else { return nil }
        return p.code == "links_too_many" ? "Maks. 20 tautan" : "Tautan tidak valid (harus diawali http:// atau https://): \(p.arguments[0])"
    }

    /// Splits a text area into links: one per line, blanks dropped.
    public static func parse(_ text: String) -> [String] {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

// MARK: - Store: population and publication

extension PantauStore {
    static func periodRecord(from r: any SQLRow) throws -> SurveyPeriodRecord? {
        guard let period = SurveyPeriod(try r.string("period")) else { return nil }
        let rowID = "survey \((try? r.int64("survey_id")) ?? 0) period \(period)"
        var result: SKMResult?
        if try r.optString("published_result") != nil {
            result = try decodeJSON(SKMResult.self, r, column: "published_result", table: "survey_periods", row: rowID)
        }
        let links = try decodeJSON([String].self, r, column: "publication_links", table: "survey_periods", row: rowID)
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
            throw StoreError.rejected([InputProblem("population", "population_range", ["1", "100.000.000"])])
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
            throw StoreError.rejected([InputProblem("period", "no_result_to_publish")])
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
                throw StoreError.rejected([InputProblem("period", "not_published")])
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
    /// A value that changes whenever what `publishedResults()` returns may have changed (a period
    /// published, unpublished or re-published, a survey renamed): a cache key for the public page.
    public func publicationVersion() async throws -> String {
        try await read { sql in
            let p = try await sql.raw("SELECT COUNT(*) AS n, MAX(updated_at) AS m FROM survey_periods WHERE published_at IS NOT NULL").first()
            let v = try await sql.raw("SELECT MAX(updated_at) AS m FROM surveys").first()
            return "\(try p?.int("n") ?? 0)|\(try p?.optDouble("m") ?? 0)|\(try v?.optDouble("m") ?? 0)"
        }
    }

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
}

// MARK: Audit shapes

struct AuditPublication: Codable, Sendable {
    var respondents: Int
    var ikm: Double?
    var grade: String?
    var links: [String]
    init(_ r: SKMResult?, _ links: [String]) {
        respondents = r?.respondentCount ?? 0; ikm = r?.ikm; grade = r?.grade?.rawValue; self.links = links
    }
}
