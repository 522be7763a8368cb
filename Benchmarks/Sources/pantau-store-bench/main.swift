// pantau-store-bench: SKM results of one survey period from the store, on SQLite and PostgreSQL.
//
// Builds a database with N responses (default 1,000,000) in one quarter (bulk SQL: nine answers
// per response, about 2 % unanswered, random profile), fills the per-month answer counts
// (`rebuildAnswerCounts`, the work migration 9 does on an existing database), checks that
// inserting through the store keeps the counts up to date, then times what the results API,
// page, report and XLSX export do: the response counts per period, the SKM result (NRR per unsur,
// IKM, priorities, sample check, profile breakdown) of the period and of the 6-period trend, and the
// report's latest suggestions (one response in five has a saran).
//
//   swift build -c release --scratch-path .build-bench --product pantau-store-bench
//   .build-bench/release/pantau-store-bench [--responses N] [--repeat R] [--compare-rows]
//       [--sqlite PATH] [--postgres URL | env PANTAU_BENCH_DATABASE_URL] [--no-sqlite]
//
// --compare-rows also times the old row-by-row path (responseTable + SKMCalculator) and checks
// that both give the same SKMResult.
import Foundation
import PantauCore
import PantauStore
import SQLKit

struct Options {
    var responses = 1_000_000
    var repeats = 5
    var compareRows = false
    var sqlitePath: String?
    var postgresURL: String? = ProcessInfo.processInfo.environment["PANTAU_BENCH_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    var sqlite = true
}

func parseOptions() -> Options {
    var o = Options()
    var args = CommandLine.arguments.dropFirst()
    while let a = args.popFirst() {
        switch a {
        case "--responses": o.responses = Int(args.popFirst() ?? "") ?? o.responses
        case "--repeat": o.repeats = max(1, Int(args.popFirst() ?? "") ?? o.repeats)
        case "--compare-rows": o.compareRows = true
        case "--sqlite": o.sqlitePath = args.popFirst()
        case "--postgres": o.postgresURL = args.popFirst()
        case "--no-sqlite": o.sqlite = false
        case "-h", "--help":
            print("pantau-store-bench [--responses N] [--repeat R] [--compare-rows] [--sqlite PATH] [--postgres URL] [--no-sqlite]")
            exit(0)
        default:
            FileHandle.standardError.write(Data("unknown option \(a)\n".utf8))
            exit(2)
        }
    }
    return o
}

func seconds(_ body: () async throws -> Void) async rethrows -> Double {
    let start = ContinuousClock.now
    try await body()
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

func fmt(_ s: Double) -> String { s < 1 ? String(format: "%.1f ms", s * 1000) : String(format: "%.2f s", s) }

func log(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }

let actor = AuditActor(userID: nil, label: "bench")
let quarter = SurveyPeriod("2026-Q3")!

/// Bulk-loads `n` responses with answers into 2026-Q3 (pseudo-random from the row number).
func load(_ store: PantauStore, surveyID: Int64, n: Int) async throws {
    let kind = store.database.kind
    let seq = kind == .postgres
        ? "SELECT i FROM generate_series(1, \(n)) AS g(i)"
        : "WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < \(n)) SELECT i FROM seq"
    let date = kind == .postgres
        ? "to_char(DATE '2026-07-01' + CAST(i % 92 AS INTEGER), 'YYYY-MM-DD')"
        : "date('2026-07-01', '+' || (i % 92) || ' days')"
    let pick = { (list: [String], salt: Int) -> String in
        let whens = list.enumerated().map { "WHEN \($0.offset) THEN '\($0.element)'" }.joined(separator: " ")
        return "CASE ((i * \(salt)) % \(list.count + 1)) \(whens) ELSE NULL END"
    }
    let edu = pick(RespondentProfileSchema.standardEducation.map(\.code), 7)
    let occ = pick(RespondentProfileSchema.standardOccupations.map(\.code), 11)
    let svc = pick(["KTP-el", "Kartu Keluarga", "Akta Kelahiran", "Akta Kematian", "Pindah Datang"], 13)
    try await store.database.transaction { sql in
        let insertResponses = """
            INSERT INTO survey_responses (survey_id, channel, submitted_at, response_date, gender, age, education, occupation,
                service_type, saran, created_by)
            SELECT \(surveyID), 'web', 1785000000 + i, \(date),
                CASE (i * 5) % 3 WHEN 0 THEN 'L' WHEN 1 THEN 'P' ELSE NULL END,
                CASE WHEN i % 20 = 0 THEN NULL ELSE 17 + (i * 17) % 64 END,
                \(edu), \(occ), \(svc), CASE WHEN i % 5 = 0 THEN 'saran ' || CAST(i AS TEXT) ELSE NULL END, 'bench'
            FROM (\(seq)) AS s
            """
        try await sql.raw(SQLQueryString(insertResponses)).run()
        let units = SurveyUnsur.questionnaireOrder.enumerated()
            .map { "SELECT '\($0.element.rawValue)' AS code, \($0.offset + 1) AS k" }.joined(separator: " UNION ALL ")
        let insertAnswers = """
            INSERT INTO survey_answers (response_id, unsur, score)
            SELECT x.id, x.code, CASE WHEN x.v < 1 THEN 1 WHEN x.v < 3 THEN 2 WHEN x.v < 8 THEN 3 ELSE 4 END
            FROM (SELECT r.id AS id, u.code AS code, (r.id * 7919 + u.k * 104729) % 15 AS v, (r.id * 31 + u.k) % 50 AS gap
                  FROM survey_responses r CROSS JOIN (\(units)) AS u WHERE r.survey_id = \(surveyID)) AS x
            WHERE x.gap <> 0
            """
        try await sql.raw(SQLQueryString(insertAnswers)).run()
    }
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

func run(_ name: String, _ location: DatabaseLocation, _ o: Options) async throws {
    // A throw-away audit key: the benchmark's database is dropped afterwards.
    let key = try AuditKey(secret: (0..<4).map { _ in String(UInt64.random(in: .min ... .max), radix: 16) }.joined(separator: "-"))
    let store = try await PantauStore.open(location, auditKey: key)
    do {
        let unit = try await store.createUnit(UnitInput(parentID: nil, code: "BENCH\(Int.random(in: 1000...9999))", name: "Bench", level: .unitKerja), by: actor)
        let def = SurveyDefinition.standard(service: SurveyService(unitID: "\(unit.id)"))
        let survey = try await store.createSurvey(SurveyInput(unitID: unit.id, name: "Bench", periodKind: .quarter, definition: def), by: actor)
        log("\(name): loading \(o.responses) responses ...")
        let tLoad = try await seconds { try await load(store, surveyID: survey.id, n: o.responses) }
        let tRebuild = try await seconds { try await store.rebuildAnswerCounts(surveyID: survey.id) }
        // The write path keeps the counts: 1,000 responses through the store's import.
        let extra = (0..<1000).map { i in
            SurveyResponse(date: CivilDate("2026-08-\(String(format: "%02d", 1 + i % 28))"),
                           profile: RespondentProfile(gender: i % 2 == 0 ? .male : .female, education: "SMA", age: 20 + i % 50),
                           answers: Dictionary(uniqueKeysWithValues: SurveyUnsur.questionnaireOrder.map { ($0, 1 + i % 4) }))
        }
        let tImport = try await seconds {
            try await store.importResponses(surveyID: survey.id, extra, defaultDate: CivilDate("2026-08-01")!, source: "bench", by: actor)
        }
        let total = o.responses + extra.count

        var tCounts: [Double] = [], tResult: [Double] = [], tTrend: [Double] = [], tSaran: [Double] = []
        var result: SKMResult?
        for _ in 0..<o.repeats {
            tCounts.append(try await seconds {
                let c = try await store.responseCounts(surveyID: survey.id, kind: .quarter)
                precondition(c[quarter] == total, "counts \(c) != \(total)")
            })
            tResult.append(try await seconds {
                result = try await store.skmResult(surveyID: survey.id, definition: def, period: quarter, population: 2_000_000)
            })
            tTrend.append(try await seconds {
                for p in quarter.trendWindow(6) { _ = try await store.skmResult(surveyID: survey.id, definition: def, period: p) }
            })
            tSaran.append(try await seconds {
                let s = try await store.suggestions(surveyID: survey.id, period: quarter, limit: 60)
                precondition(s.count == 60)
            })
        }
        guard let result, result.respondentCount == total else { throw StoreError.corrupt("bench: wrong respondent count") }
        print("\(name): \(total) responses in \(quarter); load \(fmt(tLoad)), fill answer counts \(fmt(tRebuild)), import 1,000 through the store \(fmt(tImport))")
        print("\(name):   response counts per period   median \(fmt(median(tCounts)))  best \(fmt(tCounts.min()!))")
        print("\(name):   SKM result of the period      median \(fmt(median(tResult)))  best \(fmt(tResult.min()!))  (IKM \(result.ikm ?? 0) \(result.grade?.rawValue ?? "-"), \(result.profile.reduce(0) { $0 + $1.groups.count }) profile groups)")
        print("\(name):   trend (6 periods)             median \(fmt(median(tTrend)))  best \(fmt(tTrend.min()!))")
        print("\(name):   report's latest suggestions  median \(fmt(median(tSaran)))  best \(fmt(tSaran.min()!))")
        print("\(name):   results page/API total        median \(fmt(median(tCounts) + median(tResult) + median(tTrend)))")
        if o.compareRows {
            var rowResult: SKMResult?
            let tRows = try await seconds {
                let table = try await store.responseTable(surveyID: survey.id, definition: def, period: quarter)
                rowResult = try SKMCalculator(options: .init(population: 2_000_000, period: quarter)).compute(def, table: table)
            }
            print("\(name):   row by row (responseTable + SKMCalculator) \(fmt(tRows)); same result: \(rowResult == result)")
        }
    } catch {
        await store.shutdown()
        throw error
    }
    await store.shutdown()
}

let options = parseOptions()
do {
    if options.sqlite {
        let path = options.sqlitePath ?? FileManager.default.temporaryDirectory.appendingPathComponent("pantau-store-bench-\(UUID().uuidString).sqlite").path
        defer {
            if options.sqlitePath == nil { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
        }
        try await run("sqlite", .sqlite(path: path), options)
    }
    if let url = options.postgresURL {
        // A fresh schema, dropped at the end.
        let schema = "bench_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let admin = try await Database.open(.postgres(url: url))
        try await admin.transaction { sql in try await sql.raw(SQLQueryString("CREATE SCHEMA " + schema)).run() }
        do {
            try await run("postgres", .postgres(url: url + (url.contains("?") ? "&" : "?") + "search_path=" + schema), options)
        } catch {
            try? await admin.transaction { sql in try await sql.raw(SQLQueryString("DROP SCHEMA " + schema + " CASCADE")).run() }
            await admin.shutdown()
            throw error
        }
        try await admin.transaction { sql in try await sql.raw(SQLQueryString("DROP SCHEMA " + schema + " CASCADE")).run() }
        await admin.shutdown()
    } else {
        log("PostgreSQL skipped: set PANTAU_BENCH_DATABASE_URL or pass --postgres URL")
    }
} catch {
    log("error: \(error)")
    exit(1)
}
