import Foundation
import PantauCore
import SQLKit

// MARK: - Results from the per-month answer counts

/// A survey as the survey list shows it: its SOP, the latest period with responses and its result,
/// and the number of responses in the current period.
public struct SurveyOverview: Sendable, Hashable {
    public var survey: SurveyRecord
    /// Number and title of the survey's SOP, when it has one.
    public var sopNumber: String?
    public var sopTitle: String?
    /// The latest period of the survey's kind that has responses.
    public var latestPeriod: SurveyPeriod?
    /// The result of ``latestPeriod`` (respondents, NRR, IKM and grade; no profile breakdown, no
    /// sample check).
    public var latestResult: SKMResult?
    /// The period of the survey's kind containing today (WIB).
    public var currentPeriod: SurveyPeriod
    /// Responses in ``currentPeriod``.
    public var currentCount: Int
}

extension PantauStore {
    /// Statements that fill `survey_answer_counts` from the stored responses (`filter`: a condition
    /// on `r`, the responses, e.g. `r.survey_id = 7`; empty for every survey). Used by migration 9
    /// and ``rebuildAnswerCounts(surveyID:)``.
    static func answerCountsFillSQL(filter: String = "") -> [String] {
        let dims: [(SKMAnswerCounts.Dimension, String)] = [
            (.gender, "COALESCE(r.gender, '')"), (.education, "COALESCE(r.education, '')"),
            (.occupation, "COALESCE(r.occupation, '')"), (.serviceType, "COALESCE(r.service_type, '')"),
            (.age, "COALESCE(CAST(r.age AS TEXT), '')"),
        ]
        let month = "substr(r.response_date, 1, 7)"
        let cond = filter.isEmpty ? "" : " WHERE \(filter)"
        var out: [String] = []
        for (d, value) in dims {
            out.append("""
                INSERT INTO survey_answer_counts (survey_id, month, dimension, value, unsur, score, n, first_id)
                SELECT r.survey_id, \(month), '\(d.rawValue)', \(value), '', 0, COUNT(*), MIN(r.id)
                FROM survey_responses r\(cond)
                GROUP BY r.survey_id, \(month), \(value)
                """)
            out.append("""
                INSERT INTO survey_answer_counts (survey_id, month, dimension, value, unsur, score, n, first_id)
                SELECT r.survey_id, \(month), '\(d.rawValue)', \(value), a.unsur, a.score, COUNT(*), MIN(r.id)
                FROM survey_answers a JOIN survey_responses r ON r.id = a.response_id\(cond)
                GROUP BY r.survey_id, \(month), \(value), a.unsur, a.score
                """)
        }
        return out
    }

    /// Recomputes the per-month answer counts of one survey (or all) from the stored responses, in
    /// one transaction. Inserting responses keeps them up to date; this is for data loaded around
    /// the store (bulk SQL, restores of old dumps) and for checks.
    public func rebuildAnswerCounts(surveyID: Int64? = nil) async throws {
        try await write { w in
            if let surveyID {
                try await w.sql.raw("DELETE FROM survey_answer_counts WHERE survey_id = \(bind: surveyID)").run()
            } else {
                try await w.sql.raw("DELETE FROM survey_answer_counts").run()
            }
            for s in Self.answerCountsFillSQL(filter: surveyID.map { "r.survey_id = \($0)" } ?? "") {
                try await w.sql.raw(SQLQueryString(s)).run()
            }
        }
    }

    static func months(_ period: SurveyPeriod) -> (String, String) {
        (String(period.firstDay.description.prefix(7)), String(period.lastDay.description.prefix(7)))
    }

    /// What changes when a survey's results change: the number of its responses and the latest
    /// (responses are only ever added; a rebuild of the counts keeps their sums).
    public func surveyResponseStamp(surveyID: Int64) async throws -> (count: Int, lastID: Int64?) {
        try await read { sql in
            let r = try await sql.raw("SELECT COUNT(*) AS n, MAX(id) AS last FROM survey_responses WHERE survey_id = \(bind: surveyID)").first()
            return (try r?.int("n") ?? 0, try r?.decode(column: "last", as: Int64?.self))
        }
    }

    /// The answer counts of a period: the months of the period summed in SQL.
    ///
    /// - Complexity: one query over the period's rows of `survey_answer_counts` (per month and
    ///   profile value: one response count and one count per unsur and score), independent of the
    ///   number of responses.
    public func answerCounts(surveyID: Int64, period: SurveyPeriod) async throws -> SKMAnswerCounts {
        let (from, to) = Self.months(period)
        return try await read { sql in
            let rows = try await sql.raw("""
                SELECT dimension, value, unsur, score, CAST(SUM(n) AS BIGINT) AS n, MIN(first_id) AS first_id
                FROM survey_answer_counts
                WHERE survey_id = \(bind: surveyID) AND month >= \(bind: from) AND month <= \(bind: to)
                GROUP BY dimension, value, unsur, score
                """).all()
            var counts = SKMAnswerCounts()
            for r in rows { try Self.addCount(r, to: &counts) }
            return counts
        }
    }

    static func addCount(_ r: any SQLRow, to counts: inout SKMAnswerCounts) throws {
        let d = try r.string("dimension")
        guard let dim = SKMAnswerCounts.Dimension(rawValue: d) else {
            throw StoreError.corrupt("survey_answer_counts.dimension of row \(d): unknown dimension")
        }
        let unsur = try r.string("unsur")
        counts.add(SKMAnswerCounts.Key(dimension: dim, value: try r.string("value"), unsur: unsur.isEmpty ? nil : UnsurCode(unsur),
                                       score: try r.int("score")),
                   count: try r.int("n"), firstID: try r.int64("first_id"))
    }

    /// The SKM result of a period from the stored answer counts: the same ``SKMResult`` as
    /// ``SKMCalculator/compute(_:table:)`` over ``responseTable(surveyID:definition:period:)``,
    /// without reading the responses.
    /// - Throws: ``SurveyError`` when the definition is invalid.
    public func skmResult(surveyID: Int64, definition: SurveyDefinition, period: SurveyPeriod, population: Int? = nil) async throws -> SKMResult {
        let counts = try await answerCounts(surveyID: surveyID, period: period)
        return try SKMCalculator(options: .init(population: population, period: period)).compute(definition, counts: counts)
    }

    /// Surveys of these units (nil: all) as the survey list shows them, by unit then name, in
    /// three queries whatever the number of surveys: the surveys with their SOP, the response
    /// counts per month, and the answer counts of each survey's latest period.
    public func surveyOverviews(unitIDs: Set<Int64>? = nil, today: CivilDate = CivilDate(Date())) async throws -> [SurveyOverview] {
        try await read { sql in
            var q: SQLQueryString = "SELECT s.*, p.number AS sop_number, p.title AS sop_title FROM surveys s LEFT JOIN sops p ON p.id = s.sop_id"
            if let units = unitIDs {
                if units.isEmpty { return [] }
                q = q + " WHERE s.unit_id IN (\(unsafeRaw: units.sorted().map(String.init).joined(separator: ",")))"
            }
            var out: [SurveyOverview] = []
            for r in try await sql.raw(q + " ORDER BY s.unit_id, s.name, s.id").all() {
                let s = try Self.survey(from: r)
                out.append(SurveyOverview(survey: s, sopNumber: try r.optString("sop_number"), sopTitle: try r.optString("sop_title"),
                                          latestPeriod: nil, latestResult: nil,
                                          currentPeriod: SurveyPeriod(containing: today, kind: s.periodKind), currentCount: 0))
            }
            if out.isEmpty { return out }
            let ids = out.map { String($0.survey.id) }.joined(separator: ",")
            var index: [Int64: Int] = [:]
            for (i, o) in out.enumerated() { index[o.survey.id] = i }

            var perPeriod: [Int64: [SurveyPeriod: Int]] = [:]
            for r in try await sql.raw("""
                SELECT survey_id, month, CAST(SUM(n) AS BIGINT) AS n FROM survey_answer_counts
                WHERE survey_id IN (\(unsafeRaw: ids)) AND dimension = 'g' AND unsur = ''
                GROUP BY survey_id, month
                """).all() {
                let id = try r.int64("survey_id")
                guard let i = index[id], let month = SurveyPeriod(try r.string("month")) else { continue }
                perPeriod[id, default: [:]][SurveyPeriod(containing: month.firstDay, kind: out[i].survey.periodKind), default: 0] += try r.int("n")
            }
            var ranges: [SQLQueryString] = []
            for i in out.indices {
                let counts = perPeriod[out[i].survey.id] ?? [:]
                out[i].currentCount = counts[out[i].currentPeriod] ?? 0
                out[i].latestPeriod = counts.filter { $0.value > 0 }.keys.max()
                if let p = out[i].latestPeriod {
                    let (from, to) = Self.months(p)
                    ranges.append("(survey_id = \(bind: out[i].survey.id) AND month >= \(bind: from) AND month <= \(bind: to))")
                }
            }
            if ranges.isEmpty { return out }
            // Only the gender dimension: its values add up to every response of the period.
            var counts: [Int64: SKMAnswerCounts] = [:]
            var cond = ranges[0]
            for r in ranges.dropFirst() { cond = cond + " OR " + r }
            for r in try await sql.raw("""
                SELECT survey_id, dimension, value, unsur, score, CAST(SUM(n) AS BIGINT) AS n, MIN(first_id) AS first_id
                FROM survey_answer_counts WHERE dimension = 'g' AND (
                """ + cond + ") GROUP BY survey_id, dimension, value, unsur, score").all() {
                try Self.addCount(r, to: &counts[try r.int64("survey_id"), default: SKMAnswerCounts()])
            }
            for i in out.indices {
                guard let p = out[i].latestPeriod else { continue }
                let calc = SKMCalculator(options: .init(period: p, breakdown: []))
                out[i].latestResult = try calc.compute(out[i].survey.definition, counts: counts[out[i].survey.id] ?? SKMAnswerCounts())
            }
            return out
        }
    }
}
