import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PantauCore
import PantauStore
import PantauTestSupport
import PantauWeb
import Testing

/// Event ingestion through the API and the monitoring pages, as an integrating system and a unit
/// manager use them.
@Suite("Monitoring: event API, monitoring page, case page, mapping")
struct MonitoringWebTests {
    struct Results: Decodable {
        struct R: Decodable { var index: Int; var event_id: String?; var status: String; var case_id: Int64?; var errors: [E]? }
        struct E: Decodable { var field: String; var message: String }
        var stored: Int; var duplicates: Int; var rejected: Int; var results: [R]
    }

    func json(_ s: String) -> ByteBuffer { ByteBuffer(string: s) }

    static func iso(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(secondsFromGMT: 7 * 3600)
        return f.string(from: d)
    }

    @Test(arguments: TestEngine.all)
    func aBatchReportsEachEventAndLosesNothingForOneBadEvent(_ engine: TestEngine) async throws {
        try await withTestApp(engine) { fx, client in
            let sop = fx.sops["imunisasi"]!
            let doc = try await fx.store.version(sopID: sop, version: 1).document
            let t0 = Self.iso(Date().addingTimeInterval(-3600))
            let future = Self.iso(Date().addingTimeInterval(86_400))
            let body = """
            [
             {"event_id": "b-1", "sop_id": \(sop), "case": "IMN-API-1", "activity": "\(doc.steps[0].activity)", "timestamp": "\(t0)"},
             {"event_id": "b-1", "sop_id": \(sop), "case": "IMN-API-1", "activity": "\(doc.steps[0].activity)", "timestamp": "\(t0)"},
             {"event_id": "fixture-0", "sop_id": \(sop), "case": "IMN-UJI-001", "activity": "\(doc.steps[0].activity)", "timestamp": "\(t0)"},
             {"event_id": "b-2", "sop_id": \(sop), "case": "IMN-API-1", "activity": "x", "timestamp": "2026-11-30 09:15:00"},
             {"event_id": "b-3", "sop_id": 999999, "case": "IMN-API-1", "activity": "x", "timestamp": "\(t0)"},
             {"event_id": "b-4", "sop_id": \(sop), "case": "IMN-API-1", "activity": "x", "timestamp": "\(future)"},
             {"event_id": "b-5", "sop_id": "\(sop)", "case": "IMN-API-1", "activity": "x", "timestamp": "\(t0)"},
             42,
             {"event_id": "b-6", "sop_id": \(sop), "case": "IMN-API-1", "activity": "<script>alert(1)</script>", "timestamp": "\(t0)", "unit": "DPMPTSP-PLY"}
            ]
            """
            let r = try await client.post("/api/v1/events", Req.headers(bearer: fx.token, json: true), json(body))
            #expect(r.status == .ok, "\(r.text)")
            let res = try JSONDecoder().decode(Results.self, from: Data(buffer: r.body))
            #expect(res.results.map(\.status) == ["stored", "duplicate", "duplicate", "rejected", "rejected", "rejected", "rejected", "rejected", "rejected"])
            #expect(res.stored == 1 && res.duplicates == 2 && res.rejected == 6)
            func fields(_ i: Int) -> [String] { res.results[i].errors?.map(\.field) ?? [] }
            #expect(fields(3) == ["timestamp"])
            #expect(res.results[3].errors?.first?.message.contains("zona") == true, "messages in Bahasa Indonesia by default")
            #expect(fields(4) == ["sop"])
            #expect(fields(5) == ["timestamp"])
            #expect(fields(6) == ["sop_id"])
            #expect(fields(7) == ["event"])
            // The token is scoped to DINKES: a case of DPMPTSP is refused.
            #expect(fields(8) == ["unit"])
            // Only the good event is stored; the fixture's case still has its three events.
            let m = try await fx.store.monitoring(sopID: sop, filter: MonitoringFilter())
            #expect(m.cases == 2)

            // NDJSON, blank lines skipped, a malformed line rejected alone.
            let nd = "{\"event_id\": \"n-1\", \"sop_id\": \(sop), \"case\": \"IMN-API-2\", \"activity\": \"\(doc.steps[0].activity)\", \"timestamp\": \"\(t0)\"}\n\n{not json\n"
            var h = Req.headers(bearer: fx.token)
            h[.contentType] = "application/x-ndjson"
            let r2 = try await client.post("/api/v1/events", h, json(nd))
            let res2 = try JSONDecoder().decode(Results.self, from: Data(buffer: r2.body))
            #expect(res2.results.map(\.status) == ["stored", "rejected"])
            #expect(res2.results.map(\.index) == [1, 2])

            // Malformed JSON and an empty body get one clear problem, not a 500.
            let bad = try await client.post("/api/v1/events", Req.headers(bearer: fx.token, json: true), json("[{"))
            #expect(bad.status == .badRequest && bad.text.contains("events"))
            let none = try await client.post("/api/v1/events", Req.headers(bearer: fx.token, json: true), nil)
            #expect(none.status == .badRequest)
        }
    }

    @Test func theMonitoringPageShowsTheFiguresAndEscapesActivityNames() async throws {
        try await withTestApp { fx, client in
            let sop = fx.sops["imunisasi"]!
            let t0 = Self.iso(Date().addingTimeInterval(-600))
            let body = """
            [{"event_id": "h-1", "sop_id": \(sop), "case": "IMN-UJI-001", "activity": "<img src=x onerror=alert(1)>", "timestamp": "\(t0)"}]
            """
            _ = try await client.post("/api/v1/events", Req.headers(bearer: fx.token, json: true), json(body))
            let s = try await fx.session("mgr")
            let h = Req.headers(cookie: s.cookie, csrf: s.csrf)
            let page = try await client.get("/sops/\(sop)/pemantauan", h)
            #expect(page.status == .ok)
            #expect(page.text.contains("Pemantauan pelaksanaan"))
            #expect(page.text.contains("&lt;img src=x onerror=alert(1)&gt;"))
            #expect(!page.text.contains("<img src=x"))
            #expect(page.text.contains("<svg"), "process map")
            #expect(page.text.contains("Kegiatan di luar SOP"))
            // A step with no event at all offers the one-click fix.
            #expect(page.text.contains("tidak tercatat?"))

            let api = try await client.get("/api/v1/sops/\(sop)/monitoring", Req.headers(bearer: fx.token))
            #expect(api.status == .ok)
            let obj = try JSONSerialization.jsonObject(with: Data(buffer: api.body)) as? [String: Any]
            #expect(obj?["cases"] as? Int == 1)
            #expect((obj?["deviations"] as? [Any])?.isEmpty == false)

            let bad = try await client.get("/sops/\(sop)/pemantauan?from=2026-02-30", h)
            #expect(bad.status == .badRequest)

            let caseID = fx.cases["imunisasi"]!
            let cp = try await client.get("/kasus/\(caseID)", h)
            #expect(cp.status == .ok && cp.text.contains("IMN-UJI-001") && cp.text.contains("<svg"))
            let caseAPI = try await client.get("/api/v1/cases/\(caseID)", Req.headers(bearer: fx.token))
            #expect(caseAPI.status == .ok && caseAPI.text.contains("\"events\""))
            let list = try await client.get("/sops/\(sop)/kasus", h)
            #expect(list.status == .ok && list.text.contains("IMN-UJI-001"))

            let live = try await client.get("/sops/\(sop)/pemantauan/live", h)
            #expect(live.headers[.contentType]?.hasPrefix("text/event-stream") == true)
            #expect(live.text.hasPrefix("retry:"))
        }
    }

    @Test(arguments: TestEngine.all)
    func mappingAnActivityAndMarkingAStepNotRecordedRecheckTheCases(_ engine: TestEngine) async throws {
        try await withTestApp(engine) { fx, client in
            let sop = fx.sops["imunisasi"]!
            let doc = try await fx.store.version(sopID: sop, version: 1).document
            let t0 = Date().addingTimeInterval(-5000)
            // A case named in the office's own words: "Daftar" for the first step, then the rest.
            var events: [String] = []
            let path = ["daftar", "cek-kia", "timbang", "skrining", "siap-vaksin", "suntik", "catat", "observasi"].map { id in doc.steps.first { $0.id == id }! }
            for (i, st) in path.enumerated() {
                let name = i == 0 ? "Daftar" : st.activity
                events.append("{\"event_id\": \"m-\(i)\", \"sop_id\": \(sop), \"case\": \"IMN-MAP-1\", \"activity\": \"\(name)\", \"timestamp\": \"\(Self.iso(t0.addingTimeInterval(Double(i) * 300)))\"}")
            }
            let r = try await client.post("/api/v1/events", Req.headers(bearer: fx.token, json: true), json("[" + events.joined(separator: ",") + "]"))
            #expect(r.status == .ok)
            let caseID = try JSONDecoder().decode(Results.self, from: Data(buffer: r.body)).results[0].case_id!
            #expect(try await fx.store.serviceCase(id: caseID).summary.compliant == false)

            let s = try await fx.session("mgr")
            var form = Req.headers(cookie: s.cookie, csrf: s.csrf, form: true)
            form[HTTPField.Name("X-CSRF-Token")!] = nil
            let settings = try await client.get("/sops/\(sop)/pemantauan/pengaturan", Req.headers(cookie: s.cookie, csrf: s.csrf))
            #expect(settings.status == .ok && settings.text.contains("Daftar"))
            let missing = try await client.post("/sops/\(sop)/pemantauan/alias", form, Req.form([("_csrf", s.csrf), ("activity", "Daftar"), ("step", "")]))
            #expect(missing.status == .badRequest && missing.text.contains("href=\"#step\""))
            let mapped = try await client.post("/sops/\(sop)/pemantauan/alias", form,
                                               Req.form([("_csrf", s.csrf), ("activity", "Daftar"), ("step", doc.steps[0].id)]))
            #expect(mapped.status == .seeOther)
            #expect(try await fx.store.serviceCase(id: caseID).summary.compliant == true, "re-checked with the alias")
            #expect(try await fx.store.monitoringSettings(sopID: sop).aliases["daftar"] == doc.steps[0].id)

            let last = doc.steps[doc.steps.count - 1]
            let marked = try await client.post("/sops/\(sop)/pemantauan/langkah", form,
                                               Req.form([("_csrf", s.csrf), ("step", last.id), ("recorded", "0")]))
            #expect(marked.status == .seeOther)
            #expect(try await fx.store.monitoringSettings(sopID: sop).notRecorded == [last.id])
            let unknown = try await client.post("/sops/\(sop)/pemantauan/langkah", form,
                                                Req.form([("_csrf", s.csrf), ("step", "no-such-step"), ("recorded", "0")]))
            #expect(unknown.status == .badRequest)
            // The manager of another unit may not change this SOP's mapping.
            let o = try await fx.session("mgrOther")
            var other = Req.headers(cookie: o.cookie, csrf: o.csrf, form: true)
            other[HTTPField.Name("X-CSRF-Token")!] = nil
            let refused = try await client.post("/sops/\(sop)/pemantauan/alias", other, Req.form([("_csrf", o.csrf), ("activity", "x"), ("step", last.id)]))
            #expect(refused.status == .notFound)
        }
    }

    @Test func theLiveStreamSaysUpdateWhenAnEventArrives() async throws {
        // Two events, 0.5 s and 5 s after the stream was asked for: on a loaded machine the stream
        // may only take its first reading after the first event (then the second one shows).
        try await withTestApp(configure: { $0.liveStreamSeconds = 10 }) { fx, client in
            let sop = fx.sops["imunisasi"]!
            let s = try await fx.session("mgr")
            async let stream = client.get("/sops/\(sop)/pemantauan/live", Req.headers(cookie: s.cookie, csrf: s.csrf))
            for (i, pause) in [500, 4_500].enumerated() {
                try await Task.sleep(for: .milliseconds(pause))
                let body = """
                [{"event_id": "live-\(i)", "sop_id": \(sop), "case": "IMN-LIVE-\(i)", "unit": "DINKES-PKM-KTB", "activity": "Menimbang", "timestamp": "\(Self.iso(Date().addingTimeInterval(-60)))"}]
                """
                let posted = try await client.post("/api/v1/events", Req.headers(bearer: fx.token, json: true), json(body))
                #expect(posted.status == .ok)
            }
            let live = try await stream
            #expect(live.text.contains("event: update"), "\(live.text)")
        }
    }

    @Test func withoutNewEventsTheLiveStreamStaysQuiet() async throws {
        try await withTestApp(configure: { $0.liveStreamSeconds = 2 }) { fx, client in
            let s = try await fx.session("mgr")
            let live = try await client.get("/sops/\(fx.sops["imunisasi"]!)/pemantauan/live", Req.headers(cookie: s.cookie, csrf: s.csrf))
            #expect(!live.text.contains("event: update"))
        }
    }
}
