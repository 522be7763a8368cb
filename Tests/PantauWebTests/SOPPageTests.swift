import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PantauCore
import PantauStore
import PantauTestSupport
import PantauWeb
import Testing

/// The SOP register through HTTP as a person uses it: readable errors, register status, actor
/// selects, the two-person rule and importing an SOP number twice.
@Suite("SOP pages: errors, register, actors, two-person rule, import")
struct SOPPageTests {
    func signedIn(_ fx: TestFixture, _ user: String, form: Bool = false) async throws -> (HTTPFields, String) {
        let s = try await fx.session(user)
        var h = Req.headers(cookie: s.cookie, csrf: s.csrf, form: form)
        if form { h[HTTPField.Name("X-CSRF-Token")!] = nil }
        return (h, s.csrf)
    }

    func sopForm(_ csrf: String, unit: Int64?, number: String = "SOP/UJI/1", time: String = "15 menit", actor: String = "loket",
                 date: String = "2026-07-01") -> [(String, String)] {
        [("_csrf", csrf), ("unit_id", unit.map(String.init) ?? ""), ("unit_name", "DPMPTSP"), ("nomor", number), ("judul", "Uji dua orang"),
         ("jenis", "administratif"), ("kelas", "pelayanan"), ("tanggal_efektif", date),
         ("actors[0][id]", "loket"), ("actors[0][name]", "Petugas Loket"),
         ("steps[0][id]", "terima"), ("steps[0][kind]", "mulai"), ("steps[0][activity]", "Menerima berkas"), ("steps[0][actor]", actor),
         ("steps[0][time]", time),
         ("steps[1][id]", "serah"), ("steps[1][kind]", "selesai"), ("steps[1][activity]", "Menyerahkan dokumen"), ("steps[1][actor]", "loket")]
    }

    @Test func everyErrorOfTheEditorComesAtOnceByLabelInTheSignedInLayout() async throws {
        try await withTestApp { fx, client in
            let (h, csrf) = try await signedIn(fx, "admin", form: true)
            let before = try await fx.store.sops(SOPQuery()).total
            let r = try await client.post("/sops", h, Req.form(sopForm(csrf, unit: nil, number: "", time: "sebentar", actor: "kasir", date: "31-12-2026")))
            #expect(r.status == .badRequest)
            let text = r.text
            for (id, label) in [("unit_id", "Unit"), ("nomor", "Nomor SOP"), ("tanggal_efektif", "Tanggal efektif"),
                                ("step-0-time", "Langkah 1 (Menerima berkas) › Waktu"), ("step-0-actor", "Langkah 1 (Menerima berkas) › Pelaksana")] {
                #expect(text.contains("<a href=\"#\(id)\">\(label)</a>"), "\(id) missing from the summary")
            }
            #expect(text.contains("id=\"step-0-time\" name=\"steps[0][time]\" value=\"sebentar\" placeholder=\"15 menit\" class=\"time\" aria-invalid=\"true\""))
            #expect(text.contains("id=\"nomor\" name=\"nomor\" value=\"\" required aria-invalid=\"true\""))
            #expect(!text.contains("langkah[") && !text.contains("identitas."), "no file paths shown")
            #expect(!text.contains("expected a date"), "no English in the Indonesian page")
            // What was typed stays, in the signed-in layout.
            #expect(text.contains("value=\"31-12-2026\"") && text.contains("value=\"Menerima berkas\"") && text.contains("action=\"/logout\""))
            #expect(try await fx.store.sops(SOPQuery()).total == before)
        }
    }

    @Test func importErrorsAreInTheLanguageOfThePage() async throws {
        try await withTestApp { fx, client in
            let (h, csrf) = try await signedIn(fx, "admin", form: true)
            let bad = "identitas:\n  unit: Dinas\n  nomor: \"1\"\n  judul: [tidak ditutup\npelaksana: []\n"
            let unit = "\(fx.units["DPMPTSP-PLY"]!)"
            let id = try await client.post("/sops/import", h, Req.form([("_csrf", csrf), ("unit_id", unit), ("format", "yaml"), ("document", bad)]))
            #expect(id.status == .badRequest)
            #expect(id.text.contains("sintaks YAML salah") && id.text.contains("baris "))
            #expect(!id.text.contains("did not find"), "no libyaml English in the Indonesian page")
            #expect(id.text.contains("aria-invalid=\"true\"") && id.text.contains("action=\"/logout\""))
            #expect(id.text.contains("judul: [tidak ditutup"), "the pasted text is kept")
            var yaml = try SOPFile.encode(DemoAgency.ktpEl, format: .yaml)
            yaml = yaml.replacingOccurrences(of: "tanggal_efektif: ", with: "tanggal_efektif: '31/12/2026' #")
            let date = try await client.post("/sops/import", h, Req.form([("_csrf", csrf), ("unit_id", unit), ("format", "yaml"), ("document", yaml)]))
            #expect(date.status == .badRequest)
            #expect(date.text.contains("<a href=\"#document\">Tanggal efektif</a>: baris "))
            #expect(date.text.contains("tanggal &#39;31/12/2026&#39; harus berformat TTTT-BB-HH") || date.text.contains("tanggal '31/12/2026' harus berformat TTTT-BB-HH"))
            let en = try await client.post("/sops/import?lang=en", h, Req.form([("_csrf", csrf), ("unit_id", unit), ("format", "yaml"), ("document", yaml)]))
            #expect(en.text.contains("must be written YYYY-MM-DD") && !en.text.contains("harus berformat"))
        }
    }

    @Test func anSOPInForceWithADraftStaysUnderBerlaku() async throws {
        try await withTestApp { fx, client in
            let (g, _) = try await signedIn(fx, "admin")
            let id = fx.sops["izin"]!
            let rec = try await fx.store.sop(id: id)
            _ = try await fx.store.newVersion(sopID: id, changeNote: "revisi", by: .system)
            let effective = try await client.get("/sops?status=effective", g)
            #expect(effective.text.contains(rec.title), "an SOP in force with a newer draft is listed as in force")
            #expect(effective.text.contains("v2 · Draf"))
            let drafts = try await client.get("/sops?status=draft", g)
            #expect(!drafts.text.contains(rec.title))
            // The draft shows no empty "Berlaku sejak"; it names the version in force.
            let detail = try await client.get("/sops/\(id)?v=2", g)
            #expect(detail.text.contains("Belum berlaku") && detail.text.contains("Versi berlaku: v1 sejak"))
            #expect(!detail.text.contains("<td></td><td>revisi"), "no empty date cell for the draft")
            let home = try await fx.store.sopStatusCounts(unitIDs: nil)
            #expect(home[.effective] == 3 && home[.draft] == nil)
        }
    }

    @Test func aStepsActorIsASelectOfTheSOPsActors() async throws {
        try await withTestApp { fx, client in
            let (g, _) = try await signedIn(fx, "admin")
            let id = fx.sops["izin"]!
            let doc = try await fx.store.version(sopID: id, version: 1).document
            let page = try await client.get("/sops/\(id)/edit", g)
            #expect(page.status == .ok)
            let text = page.text
            #expect(text.contains("<select id=\"step-0-actor\" name=\"steps[0][actor]\" data-actor-select"))
            #expect(!text.contains("name=\"steps[0][actor]\" value="), "no free-text actor input")
            let first = doc.actors.first { $0.id == doc.steps[0].actor }!
            #expect(text.contains("<option value=\"\(first.id)\" data-row=\"\(doc.actors.firstIndex { $0.id == first.id }!)\" selected>\(first.name)</option>"))
            #expect(text.contains("/static/sop-form.js"))
            let js = try await client.get("/static/sop-form.js")
            #expect(js.status == .ok && js.headers[.contentType]?.hasPrefix("text/javascript") == true && js.text.contains("data-actor-select"))
        }
    }

    /// Creates an SOP as `user` and submits it for review; returns its id.
    func createAndSubmit(_ fx: TestFixture, _ client: some TestClientProtocol, as user: String) async throws -> Int64 {
        let (h, csrf) = try await signedIn(fx, user, form: true)
        let created = try await client.post("/sops", h, Req.form(sopForm(csrf, unit: fx.units["DINKES-PKM-KTB"]!)))
        #expect(created.status == .seeOther)
        let id = try #require(Int64(created.headers[.location]!.split(separator: "/").last!))
        let submit = try await client.post("/sops/\(id)/versions/1/status", h, Req.form([("_csrf", csrf), ("status", "review")]))
        #expect(submit.status == .seeOther)
        return id
    }

    @Test func twoPersonRuleRefusesTheAuthorsApproval() async throws {
        try await withTestApp(configure: { $0.sopTwoPersonRule = true }) { fx, client in
            let id = try await createAndSubmit(fx, client, as: "mgr")
            let (h, csrf) = try await signedIn(fx, "mgr", form: true)
            let (g, _) = try await signedIn(fx, "mgr")
            let page = try await client.get("/sops/\(id)", g)
            #expect(!page.text.contains("/versions/1/approve"), "no Approve button for the author")
            #expect(page.text.contains("id=\"two-person-hint\""))
            let refused = try await client.post("/sops/\(id)/versions/1/approve", h, Req.form([("_csrf", csrf), ("effective_from", "2026-07-01")]))
            #expect(refused.status == .conflict)
            #expect(refused.text.contains("aturan dua orang") && refused.text.contains("action=\"/logout\""))
            #expect(try await fx.store.version(sopID: id, version: 1).status == .review)
            // Another approver may.
            let (ah, acsrf) = try await signedIn(fx, "admin", form: true)
            let (ag, _) = try await signedIn(fx, "admin")
            #expect(try await client.get("/sops/\(id)", ag).text.contains("/versions/1/approve"))
            let ok = try await client.post("/sops/\(id)/versions/1/approve", ah, Req.form([("_csrf", acsrf), ("effective_from", "2026-07-01")]))
            #expect(ok.status == .seeOther)
            #expect(try await fx.store.version(sopID: id, version: 1).status == .effective)
        }
    }

    @Test func withoutTheRuleTheAuthorMayApprove() async throws {
        try await withTestApp { fx, client in
            let id = try await createAndSubmit(fx, client, as: "mgr")
            let (h, csrf) = try await signedIn(fx, "mgr", form: true)
            let ok = try await client.post("/sops/\(id)/versions/1/approve", h, Req.form([("_csrf", csrf), ("effective_from", "2026-07-01")]))
            #expect(ok.status == .seeOther)
        }
    }

    @Test func theStoreAlsoRefusesTheAuthorUnderTheRule() async throws {
        try await withTestApp { fx, _ in
            let mgr = AuditActor(userID: fx.users["mgr"]!, label: "user:mgr")
            let rec = try await fx.store.createSOP(unitID: fx.units["DINKES-PKM-KTB"]!, document: DemoAgency.ktpEl, by: mgr)
            try await fx.store.setStatus(sopID: rec.id, version: 1, to: .review, by: mgr)
            await #expect(throws: StoreError.self) {
                try await fx.store.approve(sopID: rec.id, version: 1, effectiveFrom: CivilDate("2026-07-01")!, by: mgr, twoPersonRule: true)
            }
            #expect(try await fx.store.version(sopID: rec.id, version: 1).status == .review)
        }
    }

    @Test func importingAnExistingNumberIsRefusedThenOfferedAsANewVersion() async throws {
        try await withTestApp { fx, client in
            let (h, csrf) = try await signedIn(fx, "admin", form: true)
            let unit = "\(fx.units["DPMPTSP-PLY"]!)"
            let id = fx.sops["izin"]!
            var doc = try await fx.store.version(sopID: id, version: 1).document
            doc.identity.title += " (revisi)"
            let yaml = try SOPFile.encode(doc, format: .yaml)
            let before = try await fx.store.sops(SOPQuery()).total
            let auditBefore = try await fx.store.auditEntries().total
            let refused = try await client.post("/sops/import", h, Req.form([("_csrf", csrf), ("unit_id", unit), ("format", "yaml"), ("document", yaml)]))
            #expect(refused.status == .conflict)
            #expect(refused.text.contains("sudah punya SOP bernomor"))
            #expect(refused.text.contains("name=\"as_version\""))
            #expect(refused.text.contains("(revisi)"), "the pasted file is kept")
            #expect(try await fx.store.sops(SOPQuery()).total == before)
            #expect(try await fx.store.auditEntries().total == auditBefore)
            let asVersion = try await client.post("/sops/import", h, Req.form([("_csrf", csrf), ("unit_id", unit), ("format", "yaml"),
                                                                             ("document", yaml), ("as_version", "1")]))
            #expect(asVersion.status == .seeOther)
            #expect(asVersion.headers[.location] == "/sops/\(id)?v=2")
            #expect(try await fx.store.sops(SOPQuery()).total == before)
            let v2 = try await fx.store.version(sopID: id, version: 2)
            #expect(v2.status == .draft && v2.document.identity.title.hasSuffix("(revisi)"))
            #expect(try await fx.store.version(sopID: id, version: 1).status == .effective)
            // Another unit may use the same number: a new SOP there.
            let other = try await client.post("/sops/import", h, Req.form([("_csrf", csrf), ("unit_id", "\(fx.units["DISDUKCAPIL-PIAK"]!)"),
                                                                         ("format", "yaml"), ("document", yaml)]))
            #expect(other.status == .seeOther)
            #expect(try await fx.store.sops(SOPQuery()).total == before + 1)
        }
    }

    @Test func noSOPPageLinksByHand() throws {
        // Every link and form action in the SOP templates comes from the model (SiteURL).
        let dir = Views.resourceDirectory.appendingPathComponent("Templates")
        for f in ["sops", "sop_detail", "sop_form", "sop_import", "sop_diff"] {
            let text = try String(contentsOf: dir.appendingPathComponent(f + ".mustache"), encoding: .utf8)
            #expect(!text.contains("\"/sops"), "\(f) has a hand-written /sops link")
            #expect(!text.contains("\"/static"), "\(f) has a hand-written /static link")
        }
    }
}
