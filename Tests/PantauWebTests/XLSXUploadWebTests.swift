import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PantauCore
import PantauReports
import PantauStore
import PantauTestSupport
@testable import PantauWeb
import Testing

/// Excel workbooks where offices keep their records (issue 10 §6): the event log upload and the
/// paper-survey import take an .xlsx as they take CSV.
@Suite("XLSX uploads: event log and paper survey")
struct XLSXUploadWebTests {
    typealias Client = any TestClientProtocol
    static let jakarta = TimeZone(identifier: "Asia/Jakarta")!

    /// A multipart body with `fields` and one file part `file`.
    static func multipart(_ fields: [(String, String)], file: Data, fileName: String) -> (String, ByteBuffer) {
        let boundary = "----pantau-xlsx-\(UUID().uuidString)"
        var body = Data()
        for (k, v) in fields { body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(k)\"\r\n\r\n\(v)\r\n".utf8) }
        body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(fileName)\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8)
        body += file
        body += Data("\r\n--\(boundary)--\r\n".utf8)
        return ("multipart/form-data; boundary=\(boundary)", ByteBuffer(data: body))
    }

    static func post(_ client: Client, _ path: String, cookie: String, _ fields: [(String, String)], file: Data, fileName: String) async throws -> TestResponse {
        let (type, body) = multipart(fields, file: file, fileName: fileName)
        var h = Req.headers(cookie: cookie)
        h[.contentType] = type
        return try await client.post(path, h, body)
    }

    /// Two cases of three steps of the immunisation SOP, as an office's sheet: date-time cells,
    /// a note with a line break in the second data row; `badRow` (spreadsheet row) gets an unreadable end.
    static func eventWorkbook(_ steps: [String], t0: Double = Self.twoDaysAgo(), badRow: Int? = nil) throws -> Data {
        var rows: [[XLSXCell]] = []
        for c in 1...2 {
            for (k, step) in steps.prefix(3).enumerated() {
                let start = Date(timeIntervalSince1970: t0 + Double(c * 3600 + k * 600))
                let sheetRow = rows.count + 2
                let end: XLSXCell = sheetRow == badRow ? "kemarin sore" : .dateTime(start.addingTimeInterval(300))
                rows.append([.text("IMN-X-\(c)"), .text(step), .dateTime(start), end, .text("Bidan \(c)"),
                             sheetRow == 3 ? .text("catatan\nbaris dua") : .empty])
            }
        }
        let wb = XLSXWorkbook(sheets: [XLSXSheet(name: "Antrian", header: ["No Antrian", "Langkah", "Mulai", "Selesai", "Petugas", "Catatan"], rows: rows)])
        return try XLSXWriter(options: .init(timeZone: jakarta)).write(wb)
    }

    /// Two days ago, whole seconds.
    static func twoDaysAgo() -> Double { Date().addingTimeInterval(-86_400 * 2).timeIntervalSince1970.rounded(.down) }

    @Test(arguments: TestEngine.all)
    func anEventWorkbookUploadsMapsPreviewsAndImports(_ engine: TestEngine) async throws {
        try await withTestApp(engine) { fx, client in
            let sop = fx.sops["imunisasi"]!
            let s = try await fx.session("mgr")
            let steps = try await EventImportWebTests.steps(fx)
            // Told by its ZIP signature: the name says nothing.
            let t0 = Self.twoDaysAgo()
            let up = try await Self.post(client, "/sops/\(sop)/impor-kejadian", cookie: s.cookie, [("_csrf", s.csrf)],
                                         file: try Self.eventWorkbook(steps, t0: t0), fileName: "antrian-desember.dat")
            #expect(up.status == .seeOther, "\(up.text)")
            guard let id = up.headers[.location]?.split(separator: "=").last.map(String.init) else { return }
            let step2 = try await client.get("/sops/\(sop)/impor-kejadian?unggahan=\(id)", Req.headers(cookie: s.cookie))
            #expect(step2.status == .ok)
            #expect(step2.text.contains("<option value=\"No Antrian\">No Antrian</option>") && step2.text.contains("<option value=\"Catatan\">Catatan</option>"))
            let preview = try await EventImportWebTests.run(client, s, sop: sop, upload: id, action: "preview")
            #expect(preview.status == .ok)
            #expect(preview.text.contains("<code>IMN-X-1</code>") && preview.text.contains("Bidan 2") && preview.text.contains("+07:00"))
            let r = try await EventImportWebTests.run(client, s, sop: sop, upload: id)
            #expect(r.status == .ok, "\(r.text)")
            #expect(EventImportWebTests.figure(r.text, "stored") == 6 && EventImportWebTests.figure(r.text, "cases") == 2)
            // The times are the cells' wall clock in Jakarta.
            let cases = try await fx.store.serviceCases(sopID: sop, filter: MonitoringFilter(), perPage: 100).items
            let c1 = try #require(cases.first { $0.reference == "IMN-X-1" })
            let events = try await fx.store.serviceCase(id: c1.id).events
            #expect(events.map(\.at).sorted().first == Date(timeIntervalSince1970: t0 + 3600 + 300))
            #expect(events.allSatisfy { $0.clientID.hasPrefix("antrian-desember.dat#IMN-X-1#") })
        }
    }

    @Test func aBadCellNamesTheSpreadsheetRowAndSkippingStoresTheRest() async throws {
        try await withTestApp { fx, client in
            let sop = fx.sops["imunisasi"]!
            let s = try await fx.session("mgr")
            let steps = try await EventImportWebTests.steps(fx)
            // Row 3 holds a line break, row 5 an unreadable time: the report says row 5, not CSV line 6.
            let up = try await Self.post(client, "/sops/\(sop)/impor-kejadian", cookie: s.cookie, [("_csrf", s.csrf)],
                                         file: try Self.eventWorkbook(steps, badRow: 5), fileName: "antrian.xlsx")
            guard let id = up.headers[.location]?.split(separator: "=").last.map(String.init) else { Issue.record("\(up.status)"); return }
            let r = try await EventImportWebTests.run(client, s, sop: sop, upload: id)
            #expect(r.status == .badRequest)
            #expect(r.text.contains("baris 5") && !r.text.contains("baris 6") && r.text.contains("<code>Selesai</code>") && r.text.contains("kemarin sore"), "\(r.text)")
            #expect(try await fx.store.serviceCases(sopID: sop, filter: MonitoringFilter(), perPage: 100).items.allSatisfy { !$0.reference.hasPrefix("IMN-X") })
            let skipped = try await EventImportWebTests.run(client, s, sop: sop, upload: id, skip: true)
            #expect(skipped.status == .ok, "\(skipped.text)")
            #expect(EventImportWebTests.figure(skipped.text, "stored") == 5)

            // A damaged workbook: named for what it is, nothing read.
            let good = try Self.eventWorkbook(steps)
            let cut = try await Self.post(client, "/sops/\(sop)/impor-kejadian", cookie: s.cookie, [("_csrf", s.csrf)],
                                          file: good.prefix(good.count / 2), fileName: "rusak.xlsx")
            guard let cutID = cut.headers[.location]?.split(separator: "=").last.map(String.init) else { Issue.record("\(cut.status)"); return }
            let step2 = try await client.get("/sops/\(sop)/impor-kejadian?unggahan=\(cutID)", Req.headers(cookie: s.cookie))
            #expect(step2.text.contains("berkas Excel (.xlsx) tidak dapat dibaca") && step2.text.contains("arsip .xlsx rusak"), "\(step2.text)")
        }
    }

    @Test func paperSurveyAnswersImportFromAWorkbook() async throws {
        try await withTestApp { fx, client in
            let id = fx.surveys["imunisasi"]!
            let s = try await fx.session("mgr")
            let header = ["id", "tanggal", "jenis_kelamin", "pendidikan", "pekerjaan", "persyaratan", "prosedur", "waktu", "biaya", "produk",
                          "kompetensi", "perilaku", "sarana", "pengaduan", "saran"]
            let wb = XLSXWorkbook(sheets: [XLSXSheet(name: "Kuesioner", header: header, rows: [
                ["K-101", .date(CivilDate(year: 2025, month: 1, day: 5)), "P", "SMA", "PNS", 4, 3, 3, 4, 4, 3, 4, 3, 4, .text("Antrean lama,\nperlu nomor")],
                ["K-102", .date(CivilDate(year: 2025, month: 1, day: 6)), "L", "SMA", "SWASTA", 3, 3, 3, 3, 3, 3, 3, 3, .empty, .empty],
            ])])
            let file = try XLSXWriter().write(wb)
            let fields = [("_csrf", s.csrf), ("csv", ""), ("default_date", "2025-01-31"), ("source", "kuesioner-jan.xlsx")]
            var r = try await Self.post(client, "/surveys/\(id)/import", cookie: s.cookie, fields, file: file, fileName: "kuesioner-jan.xlsx")
            if r.status == .ok, case let digest = SurveyCitizen.hidden(r.text, "digest"), !digest.isEmpty {
                // A preview first (nothing stored); then the same file confirmed.
                #expect(try await fx.store.responses(surveyID: id, period: SurveyPeriod("2025")!).total == 0)
                r = try await Self.post(client, "/surveys/\(id)/import", cookie: s.cookie, fields + [("action", "confirm"), ("digest", digest)],
                                        file: file, fileName: "kuesioner-jan.xlsx")
            }
            #expect(r.status == .seeOther, "\(r.text)")
            let rows = try await fx.store.responses(surveyID: id, period: SurveyPeriod("2025")!).items
            #expect(Set(rows.map(\.response.id)) == ["K-101", "K-102"])
            let first = try #require(rows.first { $0.response.id == "K-101" })
            #expect(first.response.date == CivilDate(year: 2025, month: 1, day: 5))
            #expect(first.response.saran == "Antrean lama,\nperlu nomor")
            #expect(first.response.answers[.waktu] == 3 && first.channel == .paper)

            // A workbook that cannot be read: the reason, nothing stored.
            let bad = try await Self.post(client, "/surveys/\(id)/import", cookie: s.cookie, fields, file: Data(file.prefix(200)), fileName: "rusak.xlsx")
            #expect(bad.status == .badRequest)
            #expect(bad.text.contains("Berkas Excel (.xlsx) tidak dapat dibaca"), "\(bad.text)")
        }
    }
}
