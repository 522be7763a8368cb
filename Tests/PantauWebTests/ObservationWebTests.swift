import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PantauCore
@testable import PantauStore
import PantauTestSupport
@testable import PantauWeb
import Testing

/// Observation mode as an evaluator at the counter uses it: plain forms (no JavaScript, the
/// server's time) and the phone's queue (JSON with client ids and the phone's time).
@Suite("Observation mode: phone at the counter, no-JS forms, queued taps")
struct ObservationWebTests {
    struct Results: Decodable {
        struct R: Decodable { var index: Int; var event_id: String?; var status: String; var case_id: Int64?; var errors: [E]? }
        struct E: Decodable { var field: String; var message: String }
        var stored: Int; var duplicates: Int; var rejected: Int; var results: [R]
    }

    static func nonce(_ html: String) -> String? {
        guard let r = html.firstMatch(of: #/name="nonce" value="([^"]+)"/#) else { return nil }
        return String(r.1)
    }

    static func formHeaders(_ s: (cookie: String, csrf: String)) -> HTTPFields {
        var h = Req.headers(cookie: s.cookie, csrf: s.csrf, form: true)
        h[HTTPField.Name("X-CSRF-Token")!] = nil
        return h
    }

    /// The case state and what "Selesai" records, from the flowchart (pure).
    @Test func theCurrentStepAndWhatSelesaiRecordsFollowTheFlowchart() {
        let doc = DemoAgency.imunisasi
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        func ev(_ step: String, _ lc: EventLifecycle, _ i: Int) -> PantauStore.ServiceEventRecord {
            .init(id: Int64(i), clientID: "e\(i)", activity: doc.step(id: step)!.activity, lifecycle: lc, startedAt: nil,
                  at: t0.addingTimeInterval(Double(i) * 60), resource: nil, source: "observation", note: nil)
        }
        // Nothing yet: the start step is current; "Selesai" would record the normal end step, not the postponement.
        let empty = ObservationPage.state(doc, aliases: [:], events: [])
        #expect(empty.current == ["daftar"])
        #expect(ObservationPage.closingStep(doc, empty) == "observasi")
        // A decision done: both its branches are current.
        let afterDecision = ObservationPage.state(doc, aliases: [:], events: [ev("daftar", .complete, 0), ev("cek-kia", .complete, 1)])
        #expect(afterDecision.current == ["timbang", "kia-baru"])
        #expect(ObservationPage.closingStep(doc, afterDecision) == "observasi")
        // A running step is current and is what "Selesai" completes.
        let running = ObservationPage.state(doc, aliases: [:], events: [ev("daftar", .complete, 0), ev("timbang", .start, 1)])
        #expect(running.current == ["timbang"] && running.running["timbang"] != nil)
        #expect(ObservationPage.closingStep(doc, running) == "timbang")
        // An end step reached: nothing more to record. An alias maps an office's own word.
        let ended = ObservationPage.state(doc, aliases: ["daftar ulang": "daftar"],
                                          events: [ev("skrining", .complete, 0), ev("tunda", .complete, 1)])
        #expect(ObservationPage.closingStep(doc, ended) == nil)
        var aliased = ev("daftar", .complete, 0)
        aliased.activity = "Daftar ulang"
        #expect(ObservationPage.state(doc, aliases: ["daftar ulang": "daftar"], events: [aliased]).done["daftar"] != nil)
    }

    @Test(arguments: TestEngine.all)
    func theNoScriptFlowRecordsEachTapWithTheServersTimeAndADoubleSubmitStoresNothingTwice(_ engine: TestEngine) async throws {
        try await withTestApp(engine) { fx, client in
            let sop = fx.sops["imunisasi"]!
            let doc = try await fx.store.version(sopID: sop, version: 1).document
            let s = try await fx.session("eval")
            let h = Req.headers(cookie: s.cookie, csrf: s.csrf)

            let list = try await client.get("/observasi", h)
            #expect(list.status == .ok && list.text.contains("Mode observasi"))
            #expect(list.text.contains("href=\"/observasi/sops/\(sop)\""))
            let start = try await client.get("/observasi/sops/\(sop)", h)
            #expect(start.status == .ok && start.text.contains("action=\"/observasi/sops/\(sop)/kasus\""))
            #expect(start.text.contains("value=\"DINKES-PKM-KTB\""))

            // No reference typed in: one is generated.
            let gen = try await client.get("/observasi/sops/\(sop)/kasus?ref=&unit=DINKES-PKM-KTB", h)
            #expect(gen.status == .seeOther)
            #expect(gen.headers[.location]?.contains("ref=OBS-") == true)

            let page = try await client.get("/observasi/sops/\(sop)/kasus?ref=A-017&unit=DINKES-PKM-KTB", h)
            #expect(page.status == .ok)
            #expect(page.text.contains("src=\"/static/observasi.js\""))
            #expect(page.text.contains("role=\"timer\"") && page.text.contains("aria-live=\"polite\""))
            // Steps in SOP order; the start step is current; a decision shows both branches.
            let positions = doc.steps.map { page.text.range(of: "data-step=\"\($0.id)\"")?.lowerBound }
            #expect(positions.allSatisfy { $0 != nil })
            #expect(zip(positions, positions.dropFirst()).allSatisfy { $0! < $1! })
            #expect(page.text.contains("class=\"obs-step current\" id=\"step-daftar\""))
            #expect(page.text.contains("Buku KIA lengkap?") && page.text.contains("<strong>Ya</strong> → 4.") && page.text.contains("<strong>Tidak</strong> → 3."))

            func tap(_ value: String, nonce: String, note: String = "") async throws -> TestResponse {
                try await client.post("/observasi/sops/\(sop)/kasus", Self.formHeaders(s),
                                      Req.form([("_csrf", s.csrf), ("ref", "A-017"), ("unit", "DINKES-PKM-KTB"), ("nonce", nonce),
                                                ("tap", value), ("note", note)]))
            }
            let before = Date()
            let n1 = try #require(Self.nonce(page.text))
            let r1 = try await tap("daftar|start", nonce: n1)
            #expect(r1.status == .seeOther)
            #expect(r1.headers[.location] == "/observasi/sops/\(sop)/kasus?ref=A-017&unit=DINKES-PKM-KTB")
            // The same form sent again (a double tap, a resend after a timeout) stores nothing more.
            let again = try await tap("daftar|start", nonce: n1)
            #expect(again.status == .seeOther)

            let page2 = try await client.get("/observasi/sops/\(sop)/kasus?ref=A-017&unit=DINKES-PKM-KTB", h)
            #expect(page2.text.contains("class=\"obs-step current running\" id=\"step-daftar\""))
            let n2 = try #require(Self.nonce(page2.text))
            #expect(n2 != n1)
            #expect(try await tap("daftar|complete", nonce: n2, note: "antrean panjang").status == .seeOther)
            #expect(try await tap("daftar|complete", nonce: n2, note: "antrean panjang").status == .seeOther)
            let after = Date()

            let found = try #require(try await fx.store.serviceCaseID(sopID: sop, reference: "A-017"))
            #expect(found.unitID == fx.units["DINKES-PKM-KTB"])
            let c = try await fx.store.serviceCase(id: found.id)
            #expect(c.events.count == 2)
            #expect(c.events.map(\.lifecycle) == [.start, .complete])
            #expect(c.events.allSatisfy { $0.source == "observation" })
            #expect(c.events.allSatisfy { $0.activity == doc.steps[0].activity })
            #expect(c.events.allSatisfy { $0.at >= before.addingTimeInterval(-1) && $0.at <= after.addingTimeInterval(1) }, "the server's time")
            #expect(c.events[1].note == "antrean panjang")
            #expect(c.summary.status == "open")

            // After the first step, the decision that follows is current.
            let page3 = try await client.get("/observasi/sops/\(sop)/kasus?ref=A-017", h)
            #expect(page3.text.contains("class=\"obs-step current\" id=\"step-cek-kia\""))
            #expect(page3.text.contains("antrean panjang"))

            // "Selesai" closes the case: it records the end step on the way on (not the postponement).
            let n3 = try #require(Self.nonce(page3.text))
            #expect(try await tap("close", nonce: n3).status == .seeOther)
            #expect(try await tap("close", nonce: n3).status == .seeOther)
            let closed = try await fx.store.serviceCase(id: found.id)
            #expect(closed.summary.status == "closed")
            #expect(closed.events.count == 3)
            #expect(closed.events.last?.activity == doc.step(id: "observasi")!.activity)

            // A tap naming no step of the SOP, or without a nonce, is refused with the field named.
            let bad = try await tap("no-such-step|start", nonce: "")
            #expect(bad.status == .badRequest && bad.text.contains("<code>tap</code>") && bad.text.contains("<code>nonce</code>"))
            #expect(try await fx.store.serviceCase(id: found.id).events.count == 3)
        }
    }

    @Test(arguments: TestEngine.all)
    func queuedTapsArriveWithThePhonesTimeAndAResendIsAcknowledgedAsDuplicate(_ engine: TestEngine) async throws {
        try await withTestApp(engine) { fx, client in
            let sop = fx.sops["imunisasi"]!
            let doc = try await fx.store.version(sopID: sop, version: 1).document
            let s = try await fx.session("officer")
            let h = Req.headers(cookie: s.cookie, csrf: s.csrf, json: true)
            // Taps made offline a while ago, with the phone's zone (WITA here) and UUIDs.
            let base = Date().addingTimeInterval(-1800).timeIntervalSince1970.rounded()
            func ts(_ offset: Double) -> String {
                let f = ISO8601DateFormatter()
                f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
                f.timeZone = TimeZone(secondsFromGMT: 8 * 3600)
                return f.string(from: Date(timeIntervalSince1970: base + offset))
            }
            let ids = (0..<3).map { _ in "obs-" + UUID().uuidString.lowercased() }
            let body = """
            [
             {"event_id": "\(ids[0])", "sop_id": \(sop), "case": "Q-88", "unit": "DINKES-PKM-KTB", "activity": "\(doc.steps[0].activity)", "lifecycle": "start", "timestamp": "\(ts(0))"},
             {"event_id": "\(ids[1])", "sop_id": \(sop), "case": "Q-88", "unit": "DINKES-PKM-KTB", "activity": "\(doc.steps[0].activity)", "lifecycle": "complete", "timestamp": "\(ts(240))", "note": "ibu membawa dua anak"},
             {"event_id": "\(ids[2])", "sop_id": \(sop), "case": "Q-88", "unit": "DINKES-PKM-KTB", "activity": "\(doc.steps[1].activity)", "lifecycle": "complete", "timestamp": "\(ts(420))", "case_closed": true}
            ]
            """
            let r = try await client.post("/observasi/sops/\(sop)/kejadian", h, ByteBuffer(string: body))
            #expect(r.status == .ok, "\(r.text)")
            let res = try JSONDecoder().decode(Results.self, from: Data(buffer: r.body))
            #expect(res.results.map(\.status) == ["stored", "stored", "stored"])
            #expect(res.results.map(\.event_id) == ids)

            // The network dropped before the answer arrived: the phone sends the same queue again.
            let again = try await client.post("/observasi/sops/\(sop)/kejadian", h, ByteBuffer(string: body))
            let res2 = try JSONDecoder().decode(Results.self, from: Data(buffer: again.body))
            #expect(res2.results.map(\.status) == ["duplicate", "duplicate", "duplicate"])
            #expect(res2.stored == 0 && res2.duplicates == 3)

            let caseID = try #require(res.results[0].case_id)
            let c = try await fx.store.serviceCase(id: caseID)
            #expect(c.events.count == 3)
            #expect(c.events.map(\.clientID) == ids)
            #expect(c.events.allSatisfy { $0.source == "observation" })
            #expect(c.events.map { $0.at.timeIntervalSince1970 } == [base, base + 240, base + 420], "the phone's time, zone applied")
            #expect(c.events[1].note == "ibu membawa dua anak")
            #expect(c.summary.status == "closed")

            // Another SOP's id in a queued event, a timestamp without zone: refused alone, each naming its field.
            let other = fx.sops["izin"]!
            let mixed = """
            [{"event_id": "obs-x1", "sop_id": \(other), "case": "Q-89", "activity": "a", "timestamp": "\(ts(0))"},
             {"event_id": "obs-x2", "case": "Q-89", "activity": "\(doc.steps[0].activity)", "timestamp": "2026-11-30 09:15:00"},
             {"event_id": "obs-x3", "case": "Q-89", "activity": "\(doc.steps[0].activity)", "timestamp": "\(ts(10))"}]
            """
            let m = try await client.post("/observasi/sops/\(sop)/kejadian", h, ByteBuffer(string: mixed))
            let mres = try JSONDecoder().decode(Results.self, from: Data(buffer: m.body))
            #expect(mres.results.map(\.status) == ["rejected", "rejected", "stored"])
            #expect(mres.results[0].errors?.map(\.field) == ["sop_id"])
            #expect(mres.results[1].errors?.map(\.field) == ["timestamp"])

            // Without the CSRF header the queue is not accepted (the phone keeps it).
            var noCSRF = h
            noCSRF[HTTPField.Name("X-CSRF-Token")!] = nil
            let refused = try await client.post("/observasi/sops/\(sop)/kejadian", noCSRF, ByteBuffer(string: body))
            #expect(refused.status == .forbidden)
            // A malformed body gets a clear problem, not a 500.
            let malformed = try await client.post("/observasi/sops/\(sop)/kejadian", h, ByteBuffer(string: "[{"))
            #expect(malformed.status == .badRequest)
        }
    }

    @Test func auditorsAreRefusedAndOtherUnitsSeeNothing() async throws {
        try await withTestApp { fx, client in
            let sop = fx.sops["imunisasi"]!
            let a = try await fx.session("auditor")
            let ah = Req.headers(cookie: a.cookie, csrf: a.csrf)
            #expect(try await client.get("/observasi", ah).status == .forbidden)
            #expect(try await client.get("/observasi/sops/\(sop)/kasus?ref=X-1", ah).status == .forbidden)
            let ev = "[{\"event_id\": \"obs-a1\", \"case\": \"X-1\", \"activity\": \"a\", \"timestamp\": \"2026-11-30T09:15:00+07:00\"}]"
            let aj = Req.headers(cookie: a.cookie, csrf: a.csrf, json: true)
            #expect(try await client.post("/observasi/sops/\(sop)/kejadian", aj, ByteBuffer(string: ev)).status == .forbidden)

            // The manager of DPMPTSP: the Puskesmas' SOP is not offered and answers 404.
            let o = try await fx.session("mgrOther")
            let oh = Req.headers(cookie: o.cookie, csrf: o.csrf)
            let list = try await client.get("/observasi", oh)
            #expect(list.status == .ok)
            #expect(!list.text.contains("/observasi/sops/\(sop)\""))
            #expect(list.text.contains("/observasi/sops/\(fx.sops["izin"]!)\""))
            #expect(try await client.get("/observasi/sops/\(sop)", oh).status == .notFound)
            #expect(try await client.get("/observasi/sops/\(sop)/kasus?ref=IMN-UJI-001", oh).status == .notFound)
            let oj = Req.headers(cookie: o.cookie, csrf: o.csrf, json: true)
            #expect(try await client.post("/observasi/sops/\(sop)/kejadian", oj, ByteBuffer(string: ev)).status == .notFound)
            let form = Self.formHeaders(o)
            let posted = try await client.post("/observasi/sops/\(sop)/kasus", form,
                                               Req.form([("_csrf", o.csrf), ("ref", "X-1"), ("nonce", UUID().uuidString), ("tap", "daftar|start")]))
            #expect(posted.status == .notFound)
            #expect(try await fx.store.serviceCaseID(sopID: sop, reference: "X-1") == nil)

            // A unit outside the SOP's (or the caller's) units cannot be chosen for a case.
            let m = try await fx.session("mgr")
            let wrong = try await client.post("/observasi/sops/\(sop)/kasus", Self.formHeaders(m),
                                              Req.form([("_csrf", m.csrf), ("ref", "X-2"), ("unit", "DPMPTSP-PLY"), ("nonce", UUID().uuidString), ("tap", "daftar|start")]))
            #expect(wrong.status == .badRequest)
            #expect(try await fx.store.serviceCaseID(sopID: sop, reference: "X-2") == nil)
        }
    }

    @Test func hostileNotesAndReferencesAreShownEscaped() async throws {
        try await withTestApp { fx, client in
            let sop = fx.sops["imunisasi"]!
            let s = try await fx.session("mgr")
            let h = Req.headers(cookie: s.cookie, csrf: s.csrf)
            let hostile = "<script>alert('x')</script><img src=x onerror=alert(1)>"
            let ref = "R\"><svg onload=alert(2)>"
            let r = try await client.post("/observasi/sops/\(sop)/kasus", Self.formHeaders(s),
                                          Req.form([("_csrf", s.csrf), ("ref", ref), ("nonce", UUID().uuidString), ("tap", "daftar|complete"), ("note", hostile)]))
            #expect(r.status == .seeOther)
            let q = SiteURLQuery.encode(ref)
            let page = try await client.get("/observasi/sops/\(sop)/kasus?ref=\(q)", h)
            #expect(page.status == .ok)
            #expect(!page.text.contains("<script>alert"))
            #expect(!page.text.contains("<img src=x"))
            #expect(!page.text.contains("<svg onload"))
            #expect(page.text.contains("&lt;script&gt;alert("))
            #expect(page.text.contains("&lt;img src=x onerror=alert(1)&gt;"))
            // And on the monitoring case page.
            let id = try #require(try await fx.store.serviceCaseID(sopID: sop, reference: ref)).id
            let cp = try await client.get("/kasus/\(id)", h)
            #expect(cp.status == .ok && !cp.text.contains("<script>alert") && cp.text.contains("&lt;script&gt;alert("))
            #expect(cp.text.contains("<td>Observasi</td>"), "the event's source")
        }
    }

    @Test func theStaticFilesAreServedWithoutInlineScript() async throws {
        try await withTestApp { fx, client in
            let js = try await client.get("/static/observasi.js")
            #expect(js.status == .ok && js.headers[.contentType]?.hasPrefix("text/javascript") == true)
            #expect(js.text.contains("localStorage") && js.text.contains("X-CSRF-Token"))
            let css = try await client.get("/static/observasi.css")
            #expect(css.status == .ok && css.headers[.contentType]?.hasPrefix("text/css") == true)
            let s = try await fx.session("eval")
            let page = try await client.get("/observasi/sops/\(fx.sops["imunisasi"]!)/kasus?ref=Z-1", Req.headers(cookie: s.cookie, csrf: s.csrf))
            #expect(page.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
            // Queued taps are tied to the account that made them (a shared phone sends each person's own).
            #expect(page.text.contains("data-user=\"eval\""))
            // Every script on the page comes from a file (the policy refuses inline ones).
            let scripts = page.text.ranges(of: "<script").count
            let external = page.text.ranges(of: "<script src=").count
            #expect(scripts == external && scripts >= 2)
        }
    }
}

/// Percent-encoding for a query value, as links are built.
enum SiteURLQuery {
    static func encode(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed)!
    }
}
