import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PantauCore
import PantauStore
import PantauTestSupport
import PantauWeb
import SQLKit
import Testing

/// What clients read when the database fails (docs/operations.md#faults): 507 and "storage full"
/// for a full disk, 503 with `Retry-After` while the database cannot be reached; JSON problems
/// under /api, an error page in the reader's language elsewhere. scripts/fault-test.py checks the
/// same against a running server with PostgreSQL stopped and a file size limit reached.
@Suite("Database faults: the answers clients read")
struct DatabaseFaultWebTests {
    static let anonCSRF = "anonymous-csrf-token-0123456789"

    func events(_ fx: TestFixture, _ prefix: String, _ n: Int) -> ByteBuffer {
        let t = Date().addingTimeInterval(-3 * 86400).timeIntervalSince1970
        let items = (0..<n).map { i in
            "{\"event_id\":\"\(prefix)-\(i)\",\"sop_id\":\(fx.sops["imunisasi"]!),\"case\":\"\(prefix)-C\(i / 5)\",\"activity\":\"Pendaftaran\",\"timestamp\":\"\(ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: t + Double(i) * 60)))\"}"
        }
        return ByteBuffer(string: "[" + items.joined(separator: ",") + "]")
    }

    /// The SOP editor's form for a new SOP of 60 steps with long activity names (a large document).
    static func bigSOP(_ csrf: String, unit: Int64) -> [(String, String)] {
        var f: [(String, String)] = [("_csrf", csrf), ("unit_id", "\(unit)"), ("unit_name", "Unit"), ("nomor", "SOP/PENUH/1"),
                                     ("judul", "Uji disk penuh"), ("jenis", "administratif"), ("kelas", "pelayanan"), ("tanggal_efektif", "2026-07-01"),
                                     ("actors[0][id]", "loket"), ("actors[0][name]", "Petugas Loket")]
        for i in 0..<60 {
            let kind = i == 0 ? "mulai" : (i == 59 ? "selesai" : "proses")
            f += [("steps[\(i)][id]", "s\(i)"), ("steps[\(i)][kind]", kind),
                  ("steps[\(i)][activity]", "Langkah \(i): " + String(repeating: "memeriksa kelengkapan berkas permohonan ", count: 5)),
                  ("steps[\(i)][actor]", "loket"), ("steps[\(i)][time]", "15 menit")]
        }
        return f
    }

    func problem(_ r: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [String: Any])
    }

    @Test("A full disk (SQLite): writes 507 'storage full' (API problem, Indonesian and English pages), reads 200, writes again once there is room")
    func fullDisk() async throws {
        let views = try await Views()
        let id = views.strings(.id), en = views.strings(.en)
        try await withTestApp { fx, client in
            let pages = try await fx.store.database.read { sql in
                try #require(try await sql.raw("PRAGMA page_count").first()).decode(column: "page_count", as: Int.self)
            }
            // SQLite answers a write past max_page_count with SQLITE_FULL, as it does on a full disk.
            // The free pages inside the file are taken first (a table of this test's own), so any
            // write that needs a new page is refused.
            let free = try await fx.store.database.read { sql in
                try #require(try await sql.raw("PRAGMA freelist_count").first()).decode(column: "freelist_count", as: Int.self)
            }
            try await rawExecute(fx.store, "CREATE TABLE fault_fill (b BLOB)")
            try await rawExecute(fx.store, "INSERT INTO fault_fill VALUES (zeroblob(\(max(0, free - 2) * 4000)))")
            try await rawExecute(fx.store, "PRAGMA max_page_count = \(pages + 1)")
            let r = try await client.post("/api/v1/events", Req.headers(bearer: fx.token, json: true), events(fx, "full", 300))
            #expect(r.status.code == 507, "\(r.status) \(r.text.prefix(300))")
            #expect(r.headers[.contentType]?.hasPrefix("application/problem+json") == true)
            let p = try problem(r)
            #expect(p["status"] as? Int == 507)
            #expect(p["title"] as? String == id["err_storage_full"])
            #expect(p["detail"] as? String == id["err_storage_full_detail"])
            // A page that writes (a new SOP of 60 long steps: tens of new pages): the error page,
            // Indonesian first, English when asked; no SOP stored.
            let (cookie, csrf) = try await fx.session("admin")
            let sops = try await fx.store.sops(SOPQuery()).total
            let form = Req.form(Self.bigSOP(csrf, unit: fx.units["DINKES"]!))
            let page = try await client.post("/sops", Req.headers(cookie: cookie, csrf: csrf, form: true), form)
            #expect(page.status.code == 507, "\(page.status) \(page.text.prefix(300))")
            #expect(page.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(page.text.contains(id["err_storage_full"]) && page.text.contains(id["err_storage_full_detail"]), "\(page.text.prefix(600))")
            let english = try await client.post("/sops?lang=en", Req.headers(cookie: cookie, csrf: csrf, form: true), form)
            #expect(english.status.code == 507 && english.text.contains(en["err_storage_full"]), "\(english.text.prefix(600))")
            #expect(try await fx.store.sops(SOPQuery()).total == sops)
            // Reads go on, also with a token whose last use cannot be recorded now.
            let read = try await client.get("/api/v1/sops", Req.headers(bearer: fx.token))
            #expect(read.status == .ok, "\(read.status) \(read.text.prefix(300))")
            // Nothing of the refused batch was stored; with room again it is stored whole.
            #expect(try await fx.store.database.read { sql in
                try #require(try await sql.raw("SELECT COUNT(*) AS n FROM service_events WHERE client_id LIKE 'full-%'").first()).decode(column: "n", as: Int.self)
            } == 0)
            try await rawExecute(fx.store, "PRAGMA max_page_count = 1073741823")
            let again = try await client.post("/api/v1/events", Req.headers(bearer: fx.token, json: true), events(fx, "full", 300))
            #expect(again.status == .ok)
            #expect(try problem(again)["stored"] as? Int == 300)
        }
    }

    @Test("The database gone (closed, as while an instance stops): 503 with Retry-After, a JSON problem and an error page, never a 500",
          arguments: TestEngine.all)
    func databaseGone(_ engine: TestEngine) async throws {
        let views = try await Views()
        let id = views.strings(.id), en = views.strings(.en)
        try await withTestApp(engine) { fx, client in
            let (cookie, _) = try await fx.session("admin")
            await fx.store.shutdown()
            let r = try await client.get("/api/v1/sops", Req.headers(bearer: fx.token))
            #expect(r.status == .serviceUnavailable)
            #expect(r.headers[.retryAfter] == "5")
            #expect(r.headers[.contentType]?.hasPrefix("application/problem+json") == true)
            let p = try problem(r)
            #expect(p["title"] as? String == id["err_database_unavailable"] && p["status"] as? Int == 503)
            #expect(p["detail"] as? String == id["err_database_unavailable_detail"])
            var h = Req.headers(cookie: cookie)
            h[.accept] = "text/html"
            let page = try await client.get("/sops", h)
            #expect(page.status == .serviceUnavailable && page.headers[.retryAfter] == "5")
            #expect(page.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(page.text.contains(id["err_database_unavailable"]), "\(page.text.prefix(600))")
            // The session could not be read, so its user's language is unknown: ?lang= still applies.
            let english = try await client.get("/sops?lang=en", h)
            #expect(english.status == .serviceUnavailable && english.text.contains(en["err_database_unavailable"]))
            let survey = try await client.get("/s/\(fx.surveyCodes["imunisasi"]!)")
            #expect(survey.status == .serviceUnavailable && survey.text.contains(id["err_database_unavailable"]))
            // Alive (an orchestrator must not restart it for this), not ready.
            #expect(try await client.get("/health").status == .ok)
            #expect(try await client.get("/ready").status == .serviceUnavailable)
        }
    }
}
