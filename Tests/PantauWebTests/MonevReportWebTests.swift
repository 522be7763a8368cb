import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PantauCore
import PantauStore
import PantauTestSupport
import PantauWeb
import Testing

/// The periodic monitoring and evaluation report of an SOP and its Zona Integritas evidence pack.
@Suite("Monitoring and evaluation report, ZI evidence pack")
struct MonevReportWebTests {
    @Test(arguments: TestEngine.all)
    func theReportGathersIndicatorsAndRecordsOfThePeriodInEveryFormat(_ engine: TestEngine) async throws {
        try await withTestApp(engine) { fx, client in
            let sop = fx.sops["imunisasi"]!
            let now = SurveyPeriod(containing: CivilDate(Date()), kind: .semester)
            let quarter = SurveyPeriod(containing: CivilDate(Date()), kind: .quarter)
            try await fx.store.setIndicatorPeriod(indicatorID: fx.indicators["imunisasi"]!, IndicatorPeriodInput(
                period: quarter, target: 80, manualValue: 91, manualNote: "Audit berkas", explanation: "Naik setelah <pelatihan>"), by: .cli)
            // The fixture has a Tabel 7 record of this semester and a Tabel 8 record of this year.
            let mon = try #require(try await fx.store.monitoringRecords(sopID: sop).first { $0.period == now })
            let s = try await fx.session("auditor")
            let h = Req.headers(cookie: s.cookie)
            let page = try await client.get("/sops/\(sop)/laporan-monev?periode=\(now.description)", h)
            #expect(page.status == .ok)
            for text in ["A. Indikator kinerja", "Kepatuhan SOP imunisasi", "91,0%", "Naik setelah &lt;pelatihan&gt;",
                         "B. Monitoring pelaksanaan SOP (Tabel 7)", mon.content.rows.first?.procedure ?? "?", "C. Evaluasi penerapan SOP (Tabel 8)",
                         "Mampu mendorong peningkatan kinerja", "paket-zi"] {
                #expect(page.text.contains(text), "missing \(text)")
            }
            let x = try await client.get("/sops/\(sop)/laporan-monev?periode=\(now.description)&format=xlsx", h)
            #expect(x.status == .ok && x.headers[.contentType]?.contains("spreadsheetml") == true)
            let strings = String(decoding: try #require(try skmZipEntries(Data(buffer: x.body))["xl/sharedStrings.xml"]), as: UTF8.self)
            #expect(strings.contains("Kepatuhan SOP imunisasi"))
            let c = try await client.get("/sops/\(sop)/laporan-monev?periode=\(now.description)&format=csv", h)
            #expect(c.headers[.contentType] == "text/csv; charset=utf-8" && c.text.contains("Kepatuhan SOP imunisasi"))
            #expect(try await client.get("/sops/\(sop)/laporan-monev?periode=2026-Q9", h).status == .badRequest)
            #expect(try await client.get("/sops/\(sop)/laporan-monev?format=pdf", h).status == .badRequest)
            // Another unit's manager cannot read it.
            let other = try await fx.session("mgrOther")
            #expect(try await client.get("/sops/\(sop)/laporan-monev", Req.headers(cookie: other.cookie)).status == .notFound)
        }
    }

    @Test(arguments: TestEngine.all)
    func theEvidencePackHoldsTheSOPTheRecordsAndAManifestWhoseHashesMatch(_ engine: TestEngine) async throws {
        try await withTestApp(engine) { fx, client in
            let sop = fx.sops["imunisasi"]!
            let year = SurveyPeriod(kind: .year, year: CivilDate(Date()).year)!
            // The fixture has a Tabel 7 record of this semester and a Tabel 8 record of this year.
            let s = try await fx.session("mgr")
            let z = try await client.get("/sops/\(sop)/paket-zi?periode=\(year.description)", Req.headers(cookie: s.cookie))
            #expect(z.status == .ok && z.headers[.contentType] == "application/zip")
            let entries = try skmZipEntries(Data(buffer: z.body))
            let names = Set(entries.keys)
            #expect(names.contains("BACA-SAYA.txt") && names.contains("manifest-sha256.csv"))
            #expect(names.contains { $0.hasPrefix("1-sop/sop-versi-1-berlaku") })
            #expect(names.contains { $0.hasPrefix("2-monitoring/tabel7-") } && names.contains { $0.hasPrefix("3-evaluasi/tabel8-\(year.description)") })
            let manifest = skmCSVRecords(try #require(entries["manifest-sha256.csv"]))
            #expect(manifest.count == entries.count - 1, "every file but the manifest itself is listed")
            for row in manifest.dropFirst() {
                let data = try #require(entries[row[0]], "\(row[0]) listed but absent")
                #expect(row[3] == SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined(), "\(row[0])")
                #expect(row[2] == String(data.count))
            }
        }
    }

    @Test(arguments: TestEngine.all)
    func theUnitReportHoldsEverySOPInForceOfTheSubtree(_ engine: TestEngine) async throws {
        try await withTestApp(engine) { fx, client in
            let dinkes = fx.units["DINKES"]!
            let sop = try await fx.store.sop(id: fx.sops["imunisasi"]!)
            let manual = try await fx.store.createIndicator(IndicatorInput(unitID: fx.units["DINKES-PKM-KTB"]!, code: "D-1", name: "Cakupan imunisasi dasar lengkap",
                                                                           metric: .manual, unitOfMeasure: "%", direction: .higherIsBetter, periodKind: .year), by: .cli)
            let year = SurveyPeriod(kind: .year, year: CivilDate(Date()).year)!
            try await fx.store.setIndicatorPeriod(indicatorID: manual.id, IndicatorPeriodInput(period: year, target: 95, manualValue: 92.4, manualNote: "PWS-KIA"), by: .cli)
            let s = try await fx.session("auditor")
            let page = try await client.get("/units/\(dinkes)/laporan-monev?periode=\(year.description)", Req.headers(cookie: s.cookie))
            #expect(page.status == .ok)
            #expect(page.text.contains("Indikator kinerja unit") && page.text.contains("Cakupan imunisasi dasar lengkap") && page.text.contains("92,4%"))
            #expect(page.text.contains(sop.number) && page.text.contains("B. Monitoring pelaksanaan SOP (Tabel 7)"))
            let x = try await client.get("/units/\(dinkes)/laporan-monev?periode=\(year.description)&format=xlsx", Req.headers(cookie: s.cookie))
            let strings = String(decoding: try #require(try skmZipEntries(Data(buffer: x.body))["xl/sharedStrings.xml"]), as: UTF8.self)
            #expect(strings.contains("Cakupan imunisasi dasar lengkap") && strings.contains(sop.number))
            let c = try await client.get("/units/\(dinkes)/laporan-monev?periode=\(year.description)&format=csv", Req.headers(cookie: s.cookie))
            #expect(c.text.contains(sop.number) && c.text.contains("Kepatuhan SOP imunisasi"))
            // Another unit's manager: not found; an unknown unit: not found.
            let other = try await fx.session("mgrOther")
            #expect(try await client.get("/units/\(dinkes)/laporan-monev", Req.headers(cookie: other.cookie)).status == .notFound)
            #expect(try await client.get("/units/999999/laporan-monev", Req.headers(cookie: s.cookie)).status == .notFound)
        }
    }
}
