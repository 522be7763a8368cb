import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PantauCore
import PantauStore
import PantauTestSupport
@testable import PantauWeb
import Testing

/// The before/after comparison: the demo's immunisation revision in words, the page, the API,
/// scope and bad input.
@Suite("Before/after: page, API, the demo's immunisation revision")
struct BeforeAfterWebTests {
    /// One immunisation visit opened at `opened`: every step 5 minutes straight after the previous
    /// one, except a wait of `wait` minutes before the vaccination.
    static func visit(_ ref: String, sopID: Int64, opened: Date, wait: Double) -> [EventInput] {
        let ids = ["daftar", "cek-kia", "timbang", "skrining", "siap-vaksin", "suntik", "catat", "observasi"]
        var t = opened
        return ids.enumerated().map { k, id in
            if id == "suntik" { t += wait * 60 }
            let start = t
            t += 300
            return EventInput(clientID: "\(ref)#\(k)", sopID: sopID, caseReference: ref, activity: DemoAgency.imunisasi.step(id: id)!.activity,
                              at: t, utcOffset: 7 * 3600, startedAt: start, resource: "Bidan Uji", unitCode: "DINKES-PKM-KTB")
        }
    }

    /// 12 visits in the 25 days before the split (waits 30 … 52 minutes), 11 after (10 … 20).
    static func seedVisits(_ fx: TestFixture) async throws -> CivilDate {
        let split = CivilDate(Date().addingTimeInterval(-40 * 86_400))
        let sop = fx.sops["imunisasi"]!
        var events: [EventInput] = []
        for i in 0..<12 {
            events += visit("B-\(i)", sopID: sop, opened: split.startOfDay().addingTimeInterval(-Double(2 * i + 1) * 86_400 + 9 * 3600), wait: 30 + 2 * Double(i))
        }
        for i in 0..<11 {
            events += visit("A-\(i)", sopID: sop, opened: split.startOfDay().addingTimeInterval(Double(2 * i) * 86_400 + 9 * 3600), wait: 10 + Double(i))
        }
        _ = try await fx.store.ingestEvents(events, scope: IngestScope(allowedUnits: nil, source: .api, receivedBy: "test"), by: .cli)
        return split
    }

    @Test("The demo's immunisation revision: the wait before the vaccination went down from about 40 to about 15 minutes, p < 0,001",
          arguments: TestEngine.all)
    func demoImmunisation(_ engine: TestEngine) async throws {
        let now = ISO8601DateFormatter().date(from: "2026-12-01T03:00:00Z")!
        let views = try await Views()
        try await withTestStore(engine, clock: TestClock(now)) { store in
            try await DemoAgency.seed(into: store)
            _ = try await DemoCases.seed(into: store)
            let rec = try #require(try await store.sops(SOPQuery(text: DemoAgency.imunisasi.identity.number)).items.first)
            let versions = try await store.versions(sopID: rec.id)
            // The default: the version in force (the revision) against the one before.
            let v2 = try #require(BeforeAfterPage.defaultVersion(rec, versions, now: now))
            #expect(v2.version == 2 && v2.changeNote == DemoCases.revisionNote)
            let split = try #require(v2.effectiveFrom).startOfDay()
            let c = try await store.beforeAfter(BeforeAfterQuery(sopID: rec.id, split: split, windowDays: 90), stepOrder: v2.document.steps.map(\.id))
            var labels: [String: BeforeAfterPage.StepLabel] = [:]
            for (i, s) in v2.document.steps.enumerated() { labels[s.id] = .init(number: i + 1, activity: s.activity) }
            let findings = c.findings()
            let wait = try #require(findings.first { $0.metric == .stepWaiting("suntik") })
            #expect(wait.direction == .down && (wait.p ?? 1) < 0.001)

            let id = BeforeAfterPage.sentence(wait, steps: labels, language: .id, t: views.strings(.id))
            let pattern = /Waktu tunggu sebelum langkah (\d+) \(Memberikan imunisasi\) turun dari (\d+) menit menjadi (\d+) menit, p < 0,001/
            let m = try #require(id.firstMatch(of: pattern), "\(id)")
            #expect(Int(m.output.1) == labels["suntik"]?.number)
            #expect((38...42).contains(Int(m.output.2) ?? 0) && (13...17).contains(Int(m.output.3) ?? 0), "\(id)")
            let en = BeforeAfterPage.sentence(wait, steps: labels, language: .en, t: views.strings(.en))
            #expect(en.contains("went down from") && en.hasSuffix("p < 0.001"), "\(en)")
            // The total wait and the lead time went down too; compliance (screening no longer skipped) went up.
            #expect(findings.first { $0.metric == .waitingTime }?.direction == .down)
            #expect(findings.first { $0.metric == .leadTime }?.direction == .down)
            #expect(findings.first { $0.metric == .compliance }?.direction == .up)
            // IKM from the demo survey: Q2 before the revision, Q4 after.
            #expect(c.ikm.before.map(\.period) == ["2026-Q2"] && c.ikm.after.map(\.period) == ["2026-Q4"])
            // Only the step that really changed is worded (the others' small differences are chance or too small).
            #expect(findings.filter { if case .stepWaiting = $0.metric { return true }; if case .stepDuration = $0.metric { return true }; return false }
                .map(\.metric) == [.stepWaiting("suntik")], "\(findings)")
            let ci = try #require(c.steps.first { $0.stepID == "suntik" }?.waiting.interval)
            #expect(ci.upper < -20 * 60 && ci.lower > -30 * 60, "\(ci)")
        }
    }

    @Test("The default split: the revision in force, never a revision that has not taken effect yet")
    func defaultRevision() throws {
        let now = ISO8601DateFormatter().date(from: "2026-12-01T03:00:00Z")!
        func v(_ n: Int, _ status: SOPStatus, _ from: CivilDate?) -> SOPVersionRecord {
            SOPVersionRecord(sopID: 1, version: n, status: status, document: DemoAgency.imunisasi, createdAt: now, updatedAt: now, effectiveFrom: from)
        }
        let v1 = v(1, .archived, CivilDate(year: 2026, month: 1, day: 2))
        let v2 = v(2, .effective, CivilDate(year: 2026, month: 8, day: 3))
        let v3 = v(3, .effective, CivilDate(year: 2027, month: 1, day: 1))
        let rec = SOPRecord(id: 1, unitID: 1, number: "N", title: "T", latestVersion: 3, effectiveVersion: 2, latestStatus: .effective, updatedAt: now)
        #expect(BeforeAfterPage.defaultVersion(rec, [v1, v2, v3], now: now)?.version == 2)
        #expect(BeforeAfterPage.revisions([v1, v2, v3], now: now).map(\.version) == [2])
        // Only the first version: nothing to compare by default (the page asks for a date).
        var only = rec
        only.effectiveVersion = 1
        #expect(BeforeAfterPage.defaultVersion(only, [v1], now: now) == nil)
        // Sentences: p below 0,001 and otherwise three decimals; durations rounded for reading.
        #expect(BeforeAfterPage.pText(0.0004, .id) == "p < 0,001" && BeforeAfterPage.pText(0.0234, .id) == "p = 0,023")
        #expect(BeforeAfterPage.pText(0.0234, .en) == "p = 0.023")
        #expect(BeforeAfterPage.duration(2383.6, .id) == "40 menit" && BeforeAfterPage.duration(6141.3, .id) == "1 jam 42 menit")
        #expect(BeforeAfterPage.duration(3 * 86_400 + 5 * 3600 + 1200, .id) == "3 hari 5 jam" && BeforeAfterPage.duration(42, .en) == "42 s")
    }

    @Test("The page shows the sentences, the table and the chart; the API answers the same as JSON", arguments: TestEngine.all)
    func pageAndAPI(_ engine: TestEngine) async throws {
        try await withTestApp(engine) { fx, client in
            let split = try await Self.seedVisits(fx)
            let sop = fx.sops["imunisasi"]!
            let s = try await fx.session("officer")
            let h = Req.headers(cookie: s.cookie, csrf: s.csrf)
            let page = try await client.get("/sops/\(sop)/sebelum-sesudah?date=\(split)&window=25", h)
            #expect(page.status == .ok)
            let html = page.text
            #expect(html.contains("Perbandingan sebelum dan sesudah"))
            #expect(html.contains("Waktu tunggu turun dari 41 menit menjadi 15 menit, p &lt; 0,001"), "\(html)")
            #expect(html.contains("Waktu penyelesaian layanan turun dari 1 jam 21 menit menjadi 55 menit"))
            #expect(html.contains("class=\"ba-chart\"") && html.contains("<desc id=\"ba-lead-desc\">"))
            #expect(html.contains("−26 menit"), "difference in the table")
            // Without a date and without a revision: a notice, no figures.
            let plain = try await client.get("/sops/\(sop)/sebelum-sesudah", h)
            #expect(plain.status == .ok && plain.text.contains("belum memiliki revisi yang disetujui"))
            // The monitoring page links here.
            let mon = try await client.get("/sops/\(sop)/pemantauan", h)
            #expect(mon.text.contains("/sops/\(sop)/sebelum-sesudah"))

            // The transparency page: the published time standard against the median of the last 90
            // days (the 23 closed visits: 50 … 60 and 70 … 92 minutes, median 70), beside the IKM.
            let standard = try #require(try await fx.store.version(sopID: sop, version: 1).document.totalTimeStandard)
            let open = try await client.get("/transparansi")
            #expect(open.status == .ok)
            #expect(open.text.contains("Standar waktu pelayanan: <strong>\(MonitoringFormat.duration(standard, .id))</strong>"), "\(open.text)")
            #expect(open.text.contains("median 1 jam 10 menit (23 layanan selesai, 90 hari terakhir)"))

            // The API, with the integration token, in English.
            struct Measure: Decodable {
                var n_before: Int; var n_after: Int; var median_before_seconds: Double?; var median_after_seconds: Double?
                var difference_seconds: Double?; var ci_lower_seconds: Double?; var ci_upper_seconds: Double?; var u: Double?; var p: Double?; var exact: Bool?
            }
            struct Step: Decodable { var step_id: String; var number: Int?; var activity: String; var duration: Measure; var waiting: Measure }
            struct Compliance: Decodable { var cases_before: Int; var compliant_before: Int; var cases_after: Int; var compliant_after: Int; var p: Double? }
            struct Sentence: Decodable { var metric: String; var step_id: String?; var direction: String; var p: Double?; var text: String }
            struct Body: Decodable {
                var sop_id: Int64; var window_days: Int; var split: String; var before_from: String; var after_to: String
                var lead_time: Measure; var waiting_time: Measure; var steps: [Step]; var compliance: Compliance; var sentences: [Sentence]
            }
            let api = try await client.get("/api/v1/sops/\(sop)/before-after?date=\(split)&window=25&lang=en", Req.headers(bearer: fx.token))
            #expect(api.status == .ok)
            let body = try JSONDecoder().decode(Body.self, from: Data(api.text.utf8))
            #expect(body.sop_id == sop && body.window_days == 25)
            let w = body.waiting_time
            #expect(w.n_before == 12 && w.n_after == 11 && w.median_before_seconds == 2460 && w.median_after_seconds == 900)
            #expect(w.difference_seconds == -1560 && w.u == 132 && w.exact == true && (w.p ?? 1) < 0.001)
            #expect((w.ci_lower_seconds ?? 0) < -1000 && (w.ci_upper_seconds ?? 0) <= -600 + 1, "\(w)")
            #expect(body.steps.first?.step_id == "daftar" && body.steps.first?.number == 1)
            #expect(body.steps.first { $0.step_id == "suntik" }?.waiting.median_before_seconds == 2460)
            #expect(body.compliance.cases_before == 12 && body.compliance.compliant_after == 11)
            #expect(body.sentences.map(\.metric).prefix(2) == ["lead_time", "waiting_time"])
            #expect(body.sentences.contains { $0.text == "Waiting time went down from 41 min to 15 min, p < 0.001" }, "\(body.sentences)")
            #expect(body.sentences.contains { $0.metric == "step_waiting" && $0.step_id == "suntik" && $0.direction == "down" })
            // The body conforms to its schema in the OpenAPI document.
            let violations = JSONSchema.ref(BeforeAfterPage.Report.self).violations(of: try JSONValue.parse(Data(api.text.utf8)))
            #expect(violations.isEmpty, "\(violations)")
            // Every property the document lists, and no other: the schema and the body agree.
            let raw = try #require(try JSONSerialization.jsonObject(with: Data(api.text.utf8)) as? [String: Any])
            #expect(Set(raw.keys).isSubset(of: ["sop_id", "sop_number", "sop_title", "version", "split", "before_from", "after_to", "window_days",
                                                 "unit_id", "confidence_level", "resamples", "lead_time", "waiting_time", "steps", "compliance",
                                                 "ikm", "sentences"]))
        }
    }

    @Test("A manager of another unit is refused; bad input is a field error on the page and a 400 problem in the API")
    func scopeAndBadInput() async throws {
        try await withTestApp { fx, client in
            let split = try await Self.seedVisits(fx)
            let sop = fx.sops["imunisasi"]!
            let other = try await fx.session("mgrOther")
            let oh = Req.headers(cookie: other.cookie, csrf: other.csrf)
            #expect(try await client.get("/sops/\(sop)/sebelum-sesudah?date=\(split)", oh).status == .notFound)
            #expect(try await client.get("/api/v1/sops/\(sop)/before-after?date=\(split)", oh).status == .notFound)

            let s = try await fx.session("mgr")
            let h = Req.headers(cookie: s.cookie, csrf: s.csrf)
            let bad = try await client.get("/sops/\(sop)/sebelum-sesudah?date=\(split)&window=sembilan", h)
            #expect(bad.status == .badRequest)
            #expect(bad.text.contains("Rentang (hari per sisi)") && bad.text.contains("Isi dengan angka."), "\(bad.text)")
            #expect(bad.text.contains("aria-invalid=\"true\""))
            let far = try await client.get("/sops/\(sop)/sebelum-sesudah?date=2020-01-01", h)
            #expect(far.status == .badRequest && far.text.contains("rentang data kasus"))
            let wrong = try await client.get("/sops/\(sop)/sebelum-sesudah?date=2026-02-30", h)
            #expect(wrong.status == .badRequest && wrong.text.contains("2026-02-30"))
            let version = try await client.get("/sops/\(sop)/sebelum-sesudah?version=7", h)
            #expect(version.status == .badRequest && version.text.contains("bukan revisi yang disetujui"))

            struct ProblemBody: Decodable { struct E: Decodable { var field: String; var message: String }; var status: Int; var errors: [E]? }
            let api = try await client.get("/api/v1/sops/\(sop)/before-after?version=7&window=0", Req.headers(bearer: fx.token))
            #expect(api.status == .badRequest)
            let p = try JSONDecoder().decode(ProblemBody.self, from: Data(api.text.utf8))
            #expect(p.status == 400 && Set(p.errors?.map(\.field) ?? []) == ["version", "window"])
            #expect(JSONSchema.ref(Problem.self).violations(of: try JSONValue.parse(Data(api.text.utf8))).isEmpty)
            let none = try await client.get("/api/v1/sops/\(sop)/before-after", Req.headers(bearer: fx.token))
            #expect(none.status == .badRequest)
        }
    }
}
