import Foundation
import HTTPTypes
import HummingbirdTesting
import PantauCore
import PantauStore
import PantauTestSupport
@testable import PantauWeb
import Testing

/// The web import runs in the background: the form redirects to a progress page that refreshes
/// itself (no JavaScript needed) and ends on the result; progress only for the user who started it.
@Suite("Monitoring: event log import in the background, with progress")
struct EventImportProgressWebTests {
    typealias Client = any TestClientProtocol
    typealias Session = (cookie: String, csrf: String)

    /// `cases` cases of three steps each (as `EventImportWebTests.csv`); `badLastRow` makes the
    /// very last row's completion time unreadable, `futureLastRow` puts it in the future.
    static func bigCSV(_ steps: [String], cases: Int, badLastRow: Bool = false, futureLastRow: Bool = false) -> String {
        var lines = ["No Antrian;Langkah;Mulai;Selesai;Petugas"]
        let t0 = Date().addingTimeInterval(-86_400 * 5)
        for c in 1...cases {
            for (k, step) in steps.prefix(3).enumerated() {
                let start = t0.addingTimeInterval(Double(c * 60 + k * 20))
                var end = EventImportWebTests.local(start.addingTimeInterval(10))
                if c == cases && k == 2 {
                    if badLastRow { end = "kemarin sore" }
                    if futureLastRow { end = EventImportWebTests.local(Date().addingTimeInterval(86_400 * 3)) }
                }
                lines.append("BIG-\(c);\(step);\(EventImportWebTests.local(start));\(end);Bidan \(c % 7)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Starts the import without waiting (`wait=0`): always the redirect to the progress page.
    static func start(_ client: Client, _ s: Session, sop: Int64, upload: String, skip: Bool = false) async throws -> String? {
        var f = [("_csrf", s.csrf), ("unggahan", upload), ("do", "import"), ("wait", "0")] + EventImportWebTests.mapping
        if skip { f.append(("skip_invalid", "1")) }
        let r = try await client.post("/sops/\(sop)/impor-kejadian/jalankan", Req.headers(cookie: s.cookie, csrf: s.csrf, form: true), Req.form(f))
        guard r.status == .seeOther, let loc = r.headers[.location] else {
            Issue.record("import: \(r.status) \(r.text)")
            return nil
        }
        #expect(loc.hasPrefix("/sops/\(sop)/impor-kejadian/kemajuan?proses="))
        return loc
    }

    /// Follows the progress page as a browser does (it refreshes itself) until the result shows.
    static func result(_ client: Client, _ s: Session, _ loc: String) async throws -> TestResponse? {
        for _ in 0..<3000 {
            let p = try await client.get(loc, Req.headers(cookie: s.cookie))
            guard p.text.contains("id=\"import-progress\"") else { return p }
            #expect(p.status == .ok)
            #expect(p.text.contains("<meta http-equiv=\"refresh\" content=\"1; url=\(loc.replacingOccurrences(of: "&", with: "&amp;"))\">"), "\(p.text)")
            #expect(p.text.contains("<progress max=\"100\" value=\""))
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("the import did not end")
        return nil
    }

    struct Progress: Decodable { let phase: String; let read: Int; let stored: Int; let total: Int?; let percent: Int; let done: Bool }

    static func progressJSON(_ client: Client, _ s: Session, _ loc: String) async throws -> (HTTPResponse.Status, Progress?) {
        var h = Req.headers(cookie: s.cookie)
        h[.accept] = "application/json"
        let r = try await client.get(loc, h)
        return (r.status, try? JSONDecoder().decode(Progress.self, from: Data(r.text.utf8)))
    }

    @Test(arguments: TestEngine.all)
    func aLargeImportShowsItsProgressToItsUserOnlyAndEndsOnTheResult(_ engine: TestEngine) async throws {
        try await withTestApp(engine) { fx, client in
            let sop = fx.sops["imunisasi"]!
            let mgr = try await fx.session("mgr")
            let steps = try await EventImportWebTests.steps(fx)
            let text = Self.bigCSV(steps, cases: 2_000)
            guard let id = try await EventImportWebTests.upload(client, mgr, sop: sop, text: text, name: "antrian-besar.csv"),
                  let loc = try await Self.start(client, mgr, sop: sop, upload: id) else { return }

            // The same upload confirmed again (a second click) while it runs follows the running import.
            if try await Self.progressJSON(client, mgr, loc).1?.done == false {
                let f = [("_csrf", mgr.csrf), ("unggahan", id), ("do", "import"), ("wait", "0")] + EventImportWebTests.mapping
                let again = try await client.post("/sops/\(sop)/impor-kejadian/jalankan", Req.headers(cookie: mgr.cookie, csrf: mgr.csrf, form: true), Req.form(f))
                // 410 only when it ended in between (the upload is then gone).
                #expect((again.status == .seeOther && again.headers[.location] == loc) || again.status == .gone, "one import per upload at a time: \(again.status)")
            }

            // The figures as JSON while it runs (or once it is done).
            let (status, p) = try await Self.progressJSON(client, mgr, loc)
            #expect(status == .ok)
            if let p {
                #expect(["checking", "storing"].contains(p.phase) && (0...100).contains(p.percent) && p.read <= 6_000 && p.stored <= 6_000)
            } else { Issue.record("no progress JSON") }

            // Nobody else sees it: not another admin who may import on this SOP, not a manager elsewhere.
            let admin = try await fx.session("admin")
            let a = try await client.get(loc, Req.headers(cookie: admin.cookie))
            #expect(a.status == .gone && !a.text.contains("import-progress"), "\(a.status)")
            #expect(try await Self.progressJSON(client, admin, loc).0 == .notFound)
            let other = try await fx.session("mgrOther")
            #expect([403, 404].contains(try await client.get(loc, Req.headers(cookie: other.cookie)).status.code))
            // Nor on another SOP's page.
            let elsewhere = loc.replacingOccurrences(of: "/sops/\(sop)/", with: "/sops/\(fx.sops["izin"]!)/")
            #expect([403, 404, 410].contains(try await client.get(elsewhere, Req.headers(cookie: mgr.cookie)).status.code))

            guard let r = try await Self.result(client, mgr, loc) else { return }
            #expect(r.status == .ok, "\(r.text)")
            #expect(EventImportWebTests.figure(r.text, "stored") == 6_000 && EventImportWebTests.figure(r.text, "cases") == 2_000)
            #expect(EventImportWebTests.figure(r.text, "rejected") == 0)
            let (_, done) = try await Self.progressJSON(client, mgr, loc)
            #expect(done?.done == true && done?.percent == 100 && done?.stored == 6_000 && done?.total == 6_000)
            #expect(try await fx.store.monitoring(sopID: sop, filter: MonitoringFilter()).cases == 2_001)
            // The result stays on the progress page's address (a reload shows it again).
            #expect(EventImportWebTests.figure(try await client.get(loc, Req.headers(cookie: mgr.cookie)).text, "stored") == 6_000)
        }
    }

    @Test(arguments: TestEngine.all)
    func aBadRowInTheLastChunkStoresNothingAndSkippingStoresTheRest(_ engine: TestEngine) async throws {
        try await withTestApp(engine) { fx, client in
            let sop = fx.sops["imunisasi"]!
            let mgr = try await fx.session("mgr")
            let steps = try await EventImportWebTests.steps(fx)
            // 6.000 rows: the file is read in two chunks of 5.000 events; the last row is line 6.001.
            guard let id = try await EventImportWebTests.upload(client, mgr, sop: sop, text: Self.bigCSV(steps, cases: 2_000, badLastRow: true),
                                                                name: "rusak-di-akhir.csv"),
                  let loc = try await Self.start(client, mgr, sop: sop, upload: id),
                  let r = try await Self.result(client, mgr, loc) else { return }
            #expect(r.status == .badRequest)
            #expect(r.text.contains("Impor dibatalkan: tidak ada yang disimpan"))
            #expect(r.text.contains("<td>baris 6001</td><td><code>Selesai</code></td><td><code>kemarin sore</code></td><td>stempel waktu tidak dapat dibaca</td>"), "\(r.text)")
            #expect(try await fx.store.monitoring(sopID: sop, filter: MonitoringFilter()).cases == 1, "nothing stored")

            // An event the checks refuse (a future time) in the last row: named by row, case and position.
            guard let id2 = try await EventImportWebTests.upload(client, mgr, sop: sop, text: Self.bigCSV(steps, cases: 2_000, futureLastRow: true),
                                                                 name: "masa-depan-di-akhir.csv"),
                  let loc2 = try await Self.start(client, mgr, sop: sop, upload: id2),
                  let f = try await Self.result(client, mgr, loc2) else { return }
            #expect(f.status == .badRequest)
            #expect(f.text.contains("baris 6001: kasus &quot;BIG-2000&quot;, kejadian ke-3") && f.text.contains("masa depan"), "\(f.text)")
            #expect(try await fx.store.monitoring(sopID: sop, filter: MonitoringFilter()).cases == 1, "nothing stored")

            // Skipping: every other row is stored, the unreadable one reported.
            guard let loc3 = try await Self.start(client, mgr, sop: sop, upload: id, skip: true),
                  let k = try await Self.result(client, mgr, loc3) else { return }
            #expect(k.status == .ok, "\(k.text)")
            #expect(EventImportWebTests.figure(k.text, "stored") == 5_999 && EventImportWebTests.figure(k.text, "rejected") == 1)
            #expect(k.text.contains("baris 6001"))
            #expect(try await fx.store.monitoring(sopID: sop, filter: MonitoringFilter()).cases == 2_001)
        }
    }

    /// A running job's page, made deterministic: the job is registered as the form would, with a
    /// progress as the import reports it, and never finishes during the test.
    @Test func theProgressPageOfARunningImportRefreshesItselfAndShowsTheFigures() async throws {
        try await withTestApp { fx, client in
            let sop = fx.sops["imunisasi"]!
            let mgr = try await fx.session("mgr")
            let (id, isNew) = ImportJobs.shared.start(user: fx.users["mgr"]!, sop: sop, upload: "uji-kemajuan-\(UUID().uuidString)")
            #expect(isNew)
            ImportJobs.shared.update(id, EventLogImport.Progress(phase: .storing, read: 86_332, stored: 40_000, total: 86_332, fraction: 0.463))
            let loc = "/sops/\(sop)/impor-kejadian/kemajuan?proses=\(id)"
            let p = try await client.get(loc, Req.headers(cookie: mgr.cookie))
            #expect(p.status == .ok)
            #expect(p.text.contains("<meta http-equiv=\"refresh\" content=\"1; url=\(loc)\">"), "\(p.text)")
            #expect(p.text.contains("<progress max=\"100\" value=\"46\" id=\"p-bar\">"))
            #expect(p.text.contains("Tahap 2 dari 2: menyimpan kejadian"))
            #expect(p.text.contains("id=\"p-read\">86332<") && p.text.contains("id=\"p-stored\">40000 / 86332<"))
            let (status, json) = try await Self.progressJSON(client, mgr, loc)
            #expect(status == .ok && json?.phase == "storing" && json?.percent == 46 && json?.stored == 40_000 && json?.done == false)
            // Another admin, a manager elsewhere: nothing.
            let admin = try await fx.session("admin")
            let a = try await client.get(loc, Req.headers(cookie: admin.cookie))
            #expect(a.status == .gone && !a.text.contains("p-bar"))
            let other = try await fx.session("mgrOther")
            #expect([403, 404].contains(try await client.get(loc, Req.headers(cookie: other.cookie)).status.code))
            // A made-up id finds nothing either.
            let made = try await client.get("/sops/\(sop)/impor-kejadian/kemajuan?proses=\(String(repeating: "0", count: 32))", Req.headers(cookie: mgr.cookie))
            #expect(made.status == .gone)
        }
    }
}
