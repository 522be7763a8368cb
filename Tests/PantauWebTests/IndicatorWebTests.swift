import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PantauCore
import PantauStore
import PantauTestSupport
import PantauWeb
import Testing

/// Indicators (IKU) as a unit manager defines them and gives them targets, and as readers and
/// other systems see them.
@Suite("Indicators: pages and API")
struct IndicatorWebTests {
    @Test(arguments: TestEngine.all)
    func aManagerDefinesAnIndicatorAndFieldErrorsNameTheFormLabels(_ engine: TestEngine) async throws {
        try await withTestApp(engine) { fx, client in
            let s = try await fx.session("mgr")
            let pkm = fx.units["DINKES-PKM-KTB"]!
            let sop = fx.sops["imunisasi"]!
            let form = try await client.get("/indikator/baru?sop=\(sop)", Req.headers(cookie: s.cookie))
            #expect(form.status == .ok)
            #expect(form.text.contains("Sumber realisasi") && form.text.contains("Kepatuhan prosedur"))
            // A case metric without an SOP, a unit of measure that is not the metric's.
            let bad = try await client.post("/indikator", Req.headers(cookie: s.cookie, form: true), Req.form([
                ("_csrf", s.csrf), ("unit", "\(pkm)"), ("sop", ""), ("code", "IKU-2"), ("name", "Median waktu tunggu"),
                ("metric", "median_wait_minutes"), ("unit_of_measure", "%"), ("direction", "lower"), ("period_kind", "quarter")]))
            #expect(bad.status == .badRequest)
            #expect(bad.text.contains("SOP yang diukur</a>: sumber realisasi ini membaca kasus SOP"), "\(bad.text)")
            #expect(bad.text.contains("Satuan</a>: satuan sumber realisasi ini adalah menit"))
            #expect(bad.text.contains("value=\"IKU-2\""), "what was typed stays")
            let ok = try await client.post("/indikator", Req.headers(cookie: s.cookie, form: true), Req.form([
                ("_csrf", s.csrf), ("unit", "\(pkm)"), ("sop", "\(sop)"), ("code", "IKU-2"), ("name", "Median waktu tunggu"),
                ("metric", "median_wait_minutes"), ("unit_of_measure", ""), ("direction", "lower"), ("period_kind", "quarter")]))
            #expect(ok.status == .seeOther, "\(ok.text)")
            let created = try #require(try await fx.store.indicators(unitIDs: [pkm]).first { $0.code == "IKU-2" })
            #expect(created.unitOfMeasure == "menit" && created.direction == .lowerIsBetter)
            let list = try await client.get("/indikator", Req.headers(cookie: s.cookie))
            #expect(list.text.contains("Median waktu tunggu") && list.text.contains("Kepatuhan SOP imunisasi"))
        }
    }

    @Test(arguments: TestEngine.all)
    func aPeriodTargetAndAManualValueWithEvidenceShowOnTheIndicatorPage(_ engine: TestEngine) async throws {
        try await withTestApp(engine) { fx, client in
            let s = try await fx.session("mgr")
            let id = fx.indicators["imunisasi"]!
            let current = SurveyPeriod(containing: CivilDate(Date()), kind: .quarter)
            // Errors first: a period of another kind, a manual value without its note, a bad number.
            let bad = try await client.post("/indikator/\(id)/periode", Req.headers(cookie: s.cookie, form: true), Req.form([
                ("_csrf", s.csrf), ("period", "2026"), ("target", "8O"), ("manual_value", "95")]))
            #expect(bad.status == .badRequest)
            #expect(bad.text.contains("Target (%)") || bad.text.contains(">Target</a>: Isi dengan angka."), "\(bad.text)")
            let bad2 = try await client.post("/indikator/\(id)/periode", Req.headers(cookie: s.cookie, form: true), Req.form([
                ("_csrf", s.csrf), ("period", "2026"), ("target", "80"), ("manual_value", "95")]))
            #expect(bad2.text.contains("Periode</a>: periode 2026 tidak sesuai periode pengukuran indikator"), "\(bad2.text)")
            #expect(bad2.text.contains("Keterangan nilai manual (sumber data)</a>: wajib diisi"))
            #expect(try await fx.store.indicatorPeriods(indicatorID: id).isEmpty, "nothing stored from a refused form")

            // A target, a manual value with its note and a PDF as multipart (the browser form).
            let boundary = "----pantau-\(UUID().uuidString)"
            var body = Data()
            for (k, v) in [("_csrf", s.csrf), ("period", current.description), ("target", "80,5"), ("manual_value", "92"),
                           ("manual_note", "Audit berkas <b>sampel</b>"), ("explanation", "Naik karena pelatihan")] {
                body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(k)\"\r\n\r\n\(v)\r\n".utf8)
            }
            body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"evidence\"; filename=\"ba.pdf\"\r\nContent-Type: application/pdf\r\n\r\n".utf8)
            body += Data("%PDF-1.4\n%%EOF\n".utf8)
            body += Data("\r\n--\(boundary)--\r\n".utf8)
            var h = Req.headers(cookie: s.cookie)
            h[.contentType] = "multipart/form-data; boundary=\(boundary)"
            let up = try await client.post("/indikator/\(id)/periode", h, ByteBuffer(data: body))
            #expect(up.status == .seeOther, "\(up.text)")
            let page = try await client.get("/indikator/\(id)", Req.headers(cookie: s.cookie))
            #expect(page.text.contains("80,5%") && page.text.contains("92,0%") && page.text.contains("114,3%"), "\(page.text)")
            #expect(page.text.contains("Audit berkas &lt;b&gt;sampel&lt;/b&gt;"), "hostile text escaped")
            #expect(page.text.contains("ba.pdf") && page.text.contains("<svg"))
            // The same through the API, as another system reads it.
            let api = try await client.get("/api/v1/indicators/\(id)?periods=1", Req.headers(bearer: fx.token))
            struct D: Decodable {
                struct P: Decodable { var period: String; var target: Double?; var value: Double?; var source: String; var achievement: Double?; var status: String? }
                var periods: [P]
            }
            let d = try JSONDecoder().decode(D.self, from: Data(buffer: api.body))
            #expect(d.periods.count == 1 && d.periods[0].period == current.description && d.periods[0].source == "manual")
            #expect(d.periods[0].target == 80.5 && d.periods[0].value == 92 && d.periods[0].status == "green")
        }
    }

    /// The list, the dashboard and the API keep realised values for a short while; a target or a
    /// manual value stored on this instance shows at once.
    @Test(arguments: TestEngine.all)
    func theCachedListShowsATargetJustSetAtOnce(_ engine: TestEngine) async throws {
        try await withTestApp(engine) { fx, client in
            struct Item: Decodable {
                struct P: Decodable { var period: String; var target: Double?; var value: Double?; var source: String }
                struct I: Decodable { var id: Int64 }
                var indicator: I; var periods: [P]
            }
            let id = fx.indicators["imunisasi"]!
            func listed() async throws -> Item.P? {
                let r = try await client.get("/api/v1/indicators", Req.headers(bearer: fx.token))
                #expect(r.status == .ok)
                return try JSONDecoder().decode([Item].self, from: Data(buffer: r.body)).first { $0.indicator.id == id }?.periods.first
            }
            let before = try await listed()
            #expect(before?.target == nil)
            let current = SurveyPeriod(containing: CivilDate(Date()), kind: .quarter)
            let admin = try await fx.session("admin")
            let set = try await client.post("/api/v1/indicators/\(id)/periods", Req.headers(cookie: admin.cookie, csrf: admin.csrf, json: true),
                                            ByteBuffer(string: #"{"period": "\#(current.description)", "target": 85, "manual_value": 90, "manual_note": "rekap manual"}"#))
            #expect(set.status == .ok, "\(set.text)")
            let after = try await listed()
            #expect(after?.period == current.description && after?.target == 85 && after?.value == 90 && after?.source == "manual")
            let page = try await client.get("/indikator", Req.headers(cookie: admin.cookie))
            #expect(page.status == .ok && page.text.contains("90,0"), "the list page shows the manual value too")
        }
    }

    @Test(arguments: TestEngine.all)
    func scopeAndRolesAreEnforced(_ engine: TestEngine) async throws {
        try await withTestApp(engine) { fx, client in
            let id = fx.indicators["imunisasi"]!
            // The DPMPTSP manager neither sees the Puskesmas' indicator nor may create one there.
            let other = try await fx.session("mgrOther")
            #expect(try await client.get("/indikator/\(id)", Req.headers(cookie: other.cookie)).status == .notFound)
            #expect(!(try await client.get("/indikator", Req.headers(cookie: other.cookie)).text.contains("Kepatuhan SOP imunisasi")))
            let r = try await client.post("/indikator", Req.headers(cookie: other.cookie, form: true), Req.form([
                ("_csrf", other.csrf), ("unit", "\(fx.units["DINKES-PKM-KTB"]!)"), ("code", "X"), ("name", "X"), ("metric", "manual"),
                ("unit_of_measure", "dokumen"), ("direction", "higher"), ("period_kind", "year")]))
            #expect(r.status == .forbidden)
            // The Puskesmas' manager may not measure another unit's SOP, nor one that does not exist.
            let mgr = try await fx.session("mgr")
            for sop in [fx.sops["izin"]!, 999_999] {
                let x = try await client.post("/indikator", Req.headers(cookie: mgr.cookie, form: true), Req.form([
                    ("_csrf", mgr.csrf), ("unit", "\(fx.units["DINKES-PKM-KTB"]!)"), ("sop", "\(sop)"), ("code", "X"), ("name", "X"),
                    ("metric", "compliance_share"), ("unit_of_measure", "%"), ("direction", "higher"), ("period_kind", "quarter")]))
                #expect(x.status == .badRequest && x.text.contains("SOP yang diukur</a>: SOP tidak ditemukan"), "\(x.text)")
            }
            // An auditor reads, and is refused a target through the API; a token reads.
            let aud = try await fx.session("auditor")
            #expect(try await client.get("/indikator/\(id)", Req.headers(cookie: aud.cookie)).status == .ok)
            let put = try await client.post("/api/v1/indicators/\(id)/periods", Req.headers(cookie: aud.cookie, csrf: aud.csrf, json: true),
                                            ByteBuffer(string: #"{"period": "2026-Q1", "target": 80}"#))
            #expect(put.status == .forbidden)
            let list = try await client.get("/api/v1/indicators", Req.headers(bearer: fx.token))
            #expect(list.status == .ok && list.text.contains("IKU-1"))
            let badPeriod = try await client.get("/api/v1/indicators?period=2026-Q9", Req.headers(bearer: fx.token))
            #expect(badPeriod.status == .badRequest)
        }
    }

    @Test(arguments: TestEngine.all)
    func theLKjTableOfAYearListsEachIndicatorWithItsYearFigures(_ engine: TestEngine) async throws {
        try await withTestApp(engine) { fx, client in
            let id = fx.indicators["imunisasi"]!
            let year = CivilDate(Date()).year
            // Quarterly targets 80 then 85; a manual value in the second quarter with an explanation.
            try await fx.store.setIndicatorPeriod(indicatorID: id, IndicatorPeriodInput(period: SurveyPeriod(kind: .quarter, year: year, index: 1)!, target: 80), by: .cli)
            try await fx.store.setIndicatorPeriod(indicatorID: id, IndicatorPeriodInput(
                period: SurveyPeriod(kind: .quarter, year: year, index: 2)!, target: 85, manualValue: 88, manualNote: "Audit berkas", explanation: "Tercapai"), by: .cli)
            let aud = try await fx.session("auditor")
            let x = try await client.get("/indikator/lkj?tahun=\(year)", Req.headers(cookie: aud.cookie))
            #expect(x.status == .ok)
            #expect(x.headers[.contentDisposition] == "attachment; filename=\"iku-lkj-\(year).xlsx\"")
            let entries = try skmZipEntries(Data(buffer: x.body))
            let strings = String(decoding: try #require(entries["xl/sharedStrings.xml"]), as: UTF8.self)
            #expect(strings.contains("Kepatuhan SOP imunisasi") && strings.contains("Tercapai") && strings.contains("manual"))
            let sheet = String(decoding: try #require(entries["xl/worksheets/sheet1.xml"]), as: UTF8.self)
            #expect(sheet.contains("<v>85</v>") && sheet.contains("<v>88</v>"), "the end-of-year target and the manual value")
            #expect(try await client.get("/indikator/lkj?tahun=1999", Req.headers(cookie: aud.cookie)).status == .badRequest)
            // Another unit's manager gets the table of their own units, without the Puskesmas' indicator.
            let other = try await fx.session("mgrOther")
            let o = try await client.get("/indikator/lkj?tahun=\(year)", Req.headers(cookie: other.cookie))
            let os = String(decoding: try skmZipEntries(Data(buffer: o.body))["xl/sharedStrings.xml"] ?? Data(), as: UTF8.self)
            #expect(!os.contains("Kepatuhan SOP imunisasi"))
            #expect(try await client.get("/indikator/lkj?unit=\(fx.units["DINKES-PKM-KTB"]!)", Req.headers(cookie: other.cookie)).status == .notFound)
        }
    }

    @Test(arguments: TestEngine.all)
    func theLeadershipDashboardShowsEachSOPInScopeWithItsIndicatorsAndCompliance(_ engine: TestEngine) async throws {
        try await withTestApp(engine) { fx, client in
            let id = fx.indicators["imunisasi"]!
            let now = SurveyPeriod(containing: CivilDate(Date()), kind: .quarter)
            // A red indicator: 50% against a target of 80%.
            try await fx.store.setIndicatorPeriod(indicatorID: id, IndicatorPeriodInput(period: now, target: 80, manualValue: 50, manualNote: "Audit berkas"), by: .cli)
            let sop = try await fx.store.sop(id: fx.sops["imunisasi"]!)
            let s = try await fx.session("mgr")
            let page = try await client.get("/dasbor-pimpinan", Req.headers(cookie: s.cookie))
            #expect(page.status == .ok)
            #expect(page.text.contains(sop.number) && page.text.contains("/sops/\(sop.id)/pemantauan"))
            #expect(page.text.contains("<span class=\"rag rag-red\">1</span>"), "the red indicator is counted on the SOP's row")
            let other = try await fx.session("mgrOther")
            let o = try await client.get("/dasbor-pimpinan", Req.headers(cookie: other.cookie))
            #expect(o.status == .ok && !o.text.contains(sop.number))
        }
    }
}
