import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PantauCore
import PantauStore
import PantauTestSupport
@testable import PantauWeb
import Testing

/// The event log upload (`/sops/{id}/impor-kejadian`) as a unit manager uses it: upload, map the
/// columns, preview, import all or nothing or skipping bad rows.
@Suite("Monitoring: event log upload in the web UI")
struct EventImportWebTests {
    typealias Client = any TestClientProtocol

    /// "yyyy-MM-dd HH:mm:ss" (no zone) of `d` in Jakarta.
    static func local(_ d: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "Asia/Jakarta")
        f.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return f.string(from: d)
    }

    /// A CSV with headers the reader does not detect (so the mapping matters): two cases of the
    /// immunisation SOP, three steps each. `badTimestampRow` (1-based data row) gets an unreadable
    /// timestamp, `futureRow` one in the future.
    static func csv(_ steps: [String], prefix: String = "IMN-WEB", badTimestampRow: Int? = nil, futureRow: Int? = nil,
                    activity: ((Int) -> String)? = nil) -> String {
        var lines = ["No Antrian;Langkah;Mulai;Selesai;Petugas"]
        let t0 = Date().addingTimeInterval(-86_400 * 2)
        var row = 0
        for c in 1...2 {
            for (k, step) in steps.prefix(3).enumerated() {
                row += 1
                let start = t0.addingTimeInterval(Double(c * 3600 + k * 600))
                var end = Self.local(start.addingTimeInterval(300))
                if row == badTimestampRow { end = "kemarin sore" }
                if row == futureRow { end = Self.local(Date().addingTimeInterval(86_400 * 3)) }
                lines.append("\(prefix)-\(c);\(activity?(row) ?? step);\(Self.local(start));\(end);Bidan \(c)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static let mapping: [(String, String)] = [
        ("m_case", "No Antrian"), ("m_activity", "Langkah"), ("m_timestamp", "Selesai"), ("m_start", "Mulai"),
        ("m_resource", "Petugas"), ("m_unit", ""), ("tz", "Asia/Jakarta"),
    ]

    /// Step 1: the upload (pasted text); answers the upload id from the redirect.
    static func upload(_ client: Client, _ s: (cookie: String, csrf: String), sop: Int64, text: String, name: String) async throws -> String? {
        let r = try await client.post("/sops/\(sop)/impor-kejadian", Req.headers(cookie: s.cookie, csrf: s.csrf, form: true),
                                      Req.form([("_csrf", s.csrf), ("text", text), ("file_name", name)]))
        guard r.status == .seeOther, let loc = r.headers[.location], let q = loc.split(separator: "=").last else {
            Issue.record("upload: \(r.status) \(r.text)")
            return nil
        }
        #expect(loc.hasPrefix("/sops/\(sop)/impor-kejadian?unggahan="))
        return String(q)
    }

    /// Step 2: preview or import with the mapping.
    static func run(_ client: Client, _ s: (cookie: String, csrf: String), sop: Int64, upload: String, skip: Bool = false,
                    mapping: [(String, String)] = mapping, action: String = "import") async throws -> TestResponse {
        var f = [("_csrf", s.csrf), ("unggahan", upload), ("do", action)] + mapping
        if skip { f.append(("skip_invalid", "1")) }
        let r = try await client.post("/sops/\(sop)/impor-kejadian/jalankan", Req.headers(cookie: s.cookie, csrf: s.csrf, form: true), Req.form(f))
        // On a busy machine even a small import can outlast the form's wait (2 s): the form then
        // sends the user to the progress page, which ends on the same result. Follow it as a
        // browser would, until the import is done.
        guard action == "import", r.status == .seeOther, let loc = r.headers[.location], loc.contains("/impor-kejadian/kemajuan") else { return r }
        struct Progress: Decodable { let done: Bool }
        var json = Req.headers(cookie: s.cookie)
        json[.accept] = "application/json"
        let deadline = ContinuousClock.now + .seconds(180)
        while ContinuousClock.now < deadline {
            let p = try await client.get(loc, json)
            if (try? JSONDecoder().decode(Progress.self, from: Data(p.text.utf8)))?.done != false { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        return try await client.get(loc, Req.headers(cookie: s.cookie))
    }

    /// The figure shown in the result (`<dd … id="r-stored">12</dd>`).
    static func figure(_ html: String, _ id: String) -> Int? {
        guard let r = html.range(of: "id=\"r-\(id)\">") else { return nil }
        return Int(html[r.upperBound...].prefix { $0.isNumber })
    }

    static func steps(_ fx: TestFixture) async throws -> [String] {
        try await fx.store.version(sopID: fx.sops["imunisasi"]!, version: 1).document.steps.map(\.activity)
    }

    @Test(arguments: TestEngine.all)
    func aMappedCSVImportsAndTheFiguresAppearAndAReuploadStoresNothingTwice(_ engine: TestEngine) async throws {
        try await withTestApp(engine) { fx, client in
            let sop = fx.sops["imunisasi"]!
            let s = try await fx.session("mgr")
            let text = Self.csv(try await Self.steps(fx))
            // The form, and the link to it from the monitoring page.
            let form = try await client.get("/sops/\(sop)/impor-kejadian", Req.headers(cookie: s.cookie))
            #expect(form.status == .ok && form.text.contains("Impor kejadian"))
            let mon = try await client.get("/sops/\(sop)/pemantauan", Req.headers(cookie: s.cookie))
            #expect(mon.text.contains("href=\"/sops/\(sop)/impor-kejadian\""))

            guard let id = try await Self.upload(client, s, sop: sop, text: text, name: "antrian-nov.csv") else { return }
            // The mapping step: the detected columns are offered, nothing is detected for these names.
            let step2 = try await client.get("/sops/\(sop)/impor-kejadian?unggahan=\(id)", Req.headers(cookie: s.cookie))
            #expect(step2.status == .ok)
            #expect(step2.text.contains("<option value=\"No Antrian\">No Antrian</option>"))
            #expect(step2.text.contains("belum dapat dibaca dengan pemetaan ini"), "no case column detected: the page asks for the mapping")
            // Preview with the mapping: the first rows as they will be read, times in Jakarta.
            let preview = try await Self.run(client, s, sop: sop, upload: id, action: "preview")
            #expect(preview.status == .ok, "\(preview.text)")
            #expect(preview.text.contains("<code>IMN-WEB-1</code>") && preview.text.contains("Bidan 1") && preview.text.contains("+07:00"))
            #expect(try await fx.store.monitoring(sopID: sop, filter: MonitoringFilter()).cases == 1, "a preview stores nothing")

            let r = try await Self.run(client, s, sop: sop, upload: id)
            #expect(r.status == .ok, "\(r.text)")
            #expect(Self.figure(r.text, "stored") == 6 && Self.figure(r.text, "cases") == 2 && Self.figure(r.text, "rejected") == 0)
            #expect(r.text.contains("href=\"/sops/\(sop)/pemantauan\""))
            let m = try await fx.store.monitoring(sopID: sop, filter: MonitoringFilter())
            #expect(m.cases == 3)
            // The upload is gone after the import.
            let again = try await Self.run(client, s, sop: sop, upload: id)
            #expect(again.status == .gone)

            // The same file uploaded again stores nothing twice.
            guard let id2 = try await Self.upload(client, s, sop: sop, text: text, name: "antrian-nov.csv") else { return }
            let r2 = try await Self.run(client, s, sop: sop, upload: id2)
            #expect(r2.status == .ok)
            #expect(Self.figure(r2.text, "stored") == 0 && Self.figure(r2.text, "duplicates") == 6)
            #expect(try await fx.store.monitoring(sopID: sop, filter: MonitoringFilter()).cases == 3)
        }
    }

    @Test func aBadRowStopsTheImportNamingRowColumnAndReasonAndSkippingStoresTheRest() async throws {
        try await withTestApp { fx, client in
            let sop = fx.sops["imunisasi"]!
            let s = try await fx.session("mgr")
            let steps = try await Self.steps(fx)
            // An unreadable timestamp in data row 2 (line 3 of the file).
            guard let id = try await Self.upload(client, s, sop: sop, text: Self.csv(steps, badTimestampRow: 2), name: "rusak.csv") else { return }
            let r = try await Self.run(client, s, sop: sop, upload: id)
            #expect(r.status == .badRequest)
            #expect(r.text.contains("Impor dibatalkan: tidak ada yang disimpan"))
            #expect(r.text.contains("<td>baris 3</td><td><code>Selesai</code></td><td><code>kemarin sore</code></td><td>stempel waktu tidak dapat dibaca</td>"), "\(r.text)")
            #expect(try await fx.store.monitoring(sopID: sop, filter: MonitoringFilter()).cases == 1, "nothing stored")

            // A timestamp in the future (a check on the event, not the reading): named by case and position.
            guard let id2 = try await Self.upload(client, s, sop: sop, text: Self.csv(steps, futureRow: 5), name: "masa-depan.csv") else { return }
            let f = try await Self.run(client, s, sop: sop, upload: id2)
            #expect(f.status == .badRequest)
            #expect(f.text.contains("kasus &quot;IMN-WEB-2&quot;, kejadian ke-2") && f.text.contains("<code>Selesai</code>")
                    && f.text.contains("masa depan"), "\(f.text)")
            #expect(try await fx.store.monitoring(sopID: sop, filter: MonitoringFilter()).cases == 1, "nothing stored")

            // Skipping: the other five rows are stored, the bad one is reported.
            let k = try await Self.run(client, s, sop: sop, upload: id, skip: true)
            #expect(k.status == .ok, "\(k.text)")
            #expect(Self.figure(k.text, "stored") == 5 && Self.figure(k.text, "rejected") == 1)
            #expect(k.text.contains("baris 3"))
            #expect(try await fx.store.monitoring(sopID: sop, filter: MonitoringFilter()).cases == 3)
        }
    }

    /// The shared running example (6 cases, 42 events), found as the CLI tests find shared data.
    static let runningExample: URL? = {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        for _ in 0..<6 {
            dir = dir.deletingLastPathComponent()
            let u = dir.appendingPathComponent("shared/data/eventlogs/running-example.xes")
            if FileManager.default.fileExists(atPath: u.path) { return u }
        }
        return nil
    }()

    @Test func anXESLogImportsPastedAndAsACompressedMultipartFile() async throws {
        try await withTestApp { fx, client in
            let sop = fx.sops["imunisasi"]!
            let s = try await fx.session("admin")
            // A small XES built here (timestamps without zone are read in the chosen zone).
            let xes = """
            <?xml version="1.0" encoding="UTF-8"?>
            <log xes.version="1.0"><trace><string key="concept:name" value="XES-1"/>
            <event><string key="concept:name" value="Pendaftaran"/><date key="time:timestamp" value="2026-11-02T08:10:00"/><string key="org:resource" value="Ani"/></event>
            <event><string key="concept:name" value="Skrining"/><date key="time:timestamp" value="2026-11-02T08:25:00+07:00"/></event>
            </trace></log>
            """
            guard let id = try await Self.upload(client, s, sop: sop, text: xes, name: "") else { return }
            let p = try await client.get("/sops/\(sop)/impor-kejadian?unggahan=\(id)", Req.headers(cookie: s.cookie))
            #expect(p.status == .ok && p.text.contains("2026-11-02 08:10:00 +07:00") && p.text.contains("Ani"), "\(p.text)")
            let r = try await Self.run(client, s, sop: sop, upload: id, mapping: [("m_case", ""), ("tz", "Asia/Jakarta")])
            #expect(r.status == .ok, "\(r.text)")
            #expect(Self.figure(r.text, "stored") == 2 && Self.figure(r.text, "cases") == 1)

            // The shared running example, gzip-compressed, as a multipart file.
            guard let url = Self.runningExample else { Issue.record("shared/data/eventlogs missing"); return }
            let gz = Process()
            gz.executableURL = URL(fileURLWithPath: "/usr/bin/gzip")
            gz.arguments = ["-c", url.path]
            let pipe = Pipe()
            gz.standardOutput = pipe
            try ProcessLaunch.run(gz)
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            gz.waitUntilExit()
            let boundary = "----pantau-test-\(UUID().uuidString)"
            var body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n\(s.csrf)\r\n".utf8)
            body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"C:\\\\logs\\\\running-example.xes.gz\"\r\nContent-Type: application/gzip\r\n\r\n".utf8)
            body += data
            body += Data("\r\n--\(boundary)--\r\n".utf8)
            // As the browser form sends it: the token only as a part, no header.
            var h = Req.headers(cookie: s.cookie)
            h[.contentType] = "multipart/form-data; boundary=\(boundary)"
            var forged = body
            forged.replaceSubrange(forged.range(of: Data(s.csrf.utf8))!, with: Data(String(repeating: "x", count: s.csrf.count).utf8))
            let refused = try await client.post("/sops/\(sop)/impor-kejadian", h, ByteBuffer(data: forged))
            #expect(refused.status == .forbidden, "a wrong token in the form is refused")
            let up = try await client.post("/sops/\(sop)/impor-kejadian", h, ByteBuffer(data: body))
            #expect(up.status == .seeOther, "\(up.text)")
            guard let id2 = up.headers[.location]?.split(separator: "=").last.map(String.init) else { return }
            let step2 = try await client.get("/sops/\(sop)/impor-kejadian?unggahan=\(id2)", Req.headers(cookie: s.cookie))
            #expect(step2.text.contains("running-example.xes.gz") && step2.text.contains("42 kejadian"), "\(step2.text)")
            let r2 = try await Self.run(client, s, sop: sop, upload: id2, mapping: [("m_case", ""), ("tz", "UTC")])
            #expect(r2.status == .ok, "\(r2.text)")
            #expect(Self.figure(r2.text, "stored") == 42 && Self.figure(r2.text, "cases") == 6)
        }
    }

    @Test func hostileColumnNamesAndValuesAreEscapedInThePreview() async throws {
        try await withTestApp { fx, client in
            let sop = fx.sops["imunisasi"]!
            let s = try await fx.session("mgr")
            let t = Self.local(Date().addingTimeInterval(-3600))
            let text = "case_id;<script>alert(1)</script>;timestamp\n\"<b>K-1</b>\";<img src=x onerror=alert(2)>;\(t)\n"
            guard let id = try await Self.upload(client, s, sop: sop, text: text, name: "x.csv") else { return }
            let r = try await Self.run(client, s, sop: sop, upload: id, mapping: [("m_case", "case_id"), ("m_activity", "<script>alert(1)</script>"),
                                                                                   ("m_timestamp", "timestamp"), ("tz", "Asia/Jakarta")], action: "preview")
            #expect(r.status == .ok, "\(r.text)")
            #expect(!r.text.contains("<script>alert(1)") && !r.text.contains("<img src=x") && !r.text.contains("<b>K-1"))
            #expect(r.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && r.text.contains("&lt;img src=x onerror=alert(2)&gt;")
                    && r.text.contains("&lt;b&gt;K-1&lt;/b&gt;"))
        }
    }

    @Test func auditorsManagersOfOtherUnitsAndOtherUsersAreRefused() async throws {
        try await withTestApp { fx, client in
            let sop = fx.sops["imunisasi"]!
            for who in ["auditor", "mgrOther", "officer", "eval"] {
                let s = try await fx.session(who)
                let g = try await client.get("/sops/\(sop)/impor-kejadian", Req.headers(cookie: s.cookie))
                #expect([403, 404].contains(g.status.code), "\(who): \(g.status)")
                let p = try await client.post("/sops/\(sop)/impor-kejadian", Req.headers(cookie: s.cookie, csrf: s.csrf, form: true),
                                              Req.form([("_csrf", s.csrf), ("text", "a;b;c\n1;2;3\n"), ("file_name", "x.csv")]))
                #expect([403, 404].contains(p.status.code), "\(who): \(p.status)")
            }
            // An upload belongs to the person who made it (and its SOP): another admin cannot use its id.
            let mgr = try await fx.session("mgr")
            guard let id = try await Self.upload(client, mgr, sop: sop, text: Self.csv(try await Self.steps(fx)), name: "a.csv") else { return }
            let admin = try await fx.session("admin")
            let r = try await Self.run(client, admin, sop: sop, upload: id)
            #expect(r.status == .gone)
            let other = try await Self.run(client, mgr, sop: fx.sops["izin"]!, upload: id)
            #expect([403, 404, 410].contains(other.status.code))
            let traversal = try await client.get("/sops/\(sop)/impor-kejadian?unggahan=..%2F..%2Fetc%2Fpasswd", Req.headers(cookie: mgr.cookie))
            #expect(traversal.status == .gone)
            #expect(try await fx.store.monitoring(sopID: sop, filter: MonitoringFilter()).cases == 1)
        }
    }

    @Test func theMappingIsDetectedAndANoneChoiceKeepsTheReaderFromDetecting() throws {
        let header = ["Case ID", "concept:name", "time:timestamp", "org:resource", "Catatan"]
        let m = EventImportPage.Mapping.detected(header: header)
        #expect(m.caseID == "Case ID" && m.activity == "concept:name" && m.timestamp == "time:timestamp" && m.resource == "org:resource")
        #expect(m.start.isEmpty && m.unit.isEmpty)
        // "(tidak ada)" for the resource: the reader must not pick org:resource up by itself.
        var none = m
        none.resource = ""
        let csv = "Case ID,concept:name,time:timestamp,org:resource,Catatan\nK1,A,2026-11-02 08:00:00,Ani,x\n"
        let log = try CSVReader(options: .init(mapping: none.csvMapping(header: header))).read(string: csv)
        #expect(log.resource(ofEvent: 0) == nil)
        let withResource = try CSVReader(options: .init(mapping: m.csvMapping(header: header))).read(string: csv)
        #expect(withResource.resource(ofEvent: 0) == "Ani")
    }

    @Test func theMultipartReaderFindsPartsAndFileNames() {
        let b = "XyZ"
        let body = Data("preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\none\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"l.csv\"\r\n\r\nx\r\n--y\r\n--XyZ--\r\n".utf8)
        let parts = Multipart.parse(body, boundary: b)
        #expect(parts.map(\.name) == ["a", "file"])
        #expect(parts.last?.fileName == "l.csv")
        #expect(parts.last.map { String(decoding: $0.data, as: UTF8.self) } == "x\r\n--y")
    }
}
