import Foundation
import HTTPTypes
import HummingbirdTesting
import PantauCore
import PantauStore
import PantauTestSupport
@testable import PantauWeb
import Testing

/// The editor's per-step "not recorded in the event log" checkbox (`tercatat: false`): through the
/// form, its error handling, the stored SOP and its export, and the diff between versions.
@Suite("SOP editor: steps not recorded in the log")
struct SOPFormNotRecordedTests {
    static func pairs(_ csrf: String? = nil, unit: Int64 = 3, time: String = "15 menit") -> [(String, String)] {
        var p: [(String, String)] = [
            ("unit_id", String(unit)), ("unit_name", "DPMPTSP"), ("nomor", "SOP/TERCATAT/1"), ("judul", "Uji tercatat"),
            ("jenis", "administratif"), ("kelas", "pelayanan"),
            ("actors[0][id]", "loket"), ("actors[0][name]", "Petugas Loket"),
            ("steps[0][id]", "terima"), ("steps[0][kind]", "mulai"), ("steps[0][activity]", "Menerima berkas"), ("steps[0][actor]", "loket"),
            ("steps[0][time]", time),
            ("steps[1][id]", "cek"), ("steps[1][kind]", "keputusan"), ("steps[1][activity]", "Berkas lengkap?"), ("steps[1][actor]", "loket"),
            ("steps[1][yes]", "serah"), ("steps[1][no]", "terima"), ("steps[1][question]", "Lengkap?"), ("steps[1][not_recorded]", "1"),
            ("steps[2][id]", "serah"), ("steps[2][kind]", "selesai"), ("steps[2][activity]", "Menyerahkan dokumen"), ("steps[2][actor]", "loket"),
            // The row script empties the value of a copied row's inputs; a checked box still counts.
            ("steps[2][not_recorded]", ""),
        ]
        if let csrf { p.insert(("_csrf", csrf), at: 0) }
        return p
    }

    @Test func theCheckboxRoundTripsThroughTheForm() async throws {
        let t = try await Views().strings(.id)
        let form = SOPForm(form: FormData(pairs: Self.pairs()), t: t)
        #expect(form.steps.map(\.notRecorded) == [false, true, true])
        guard case let .success(doc) = form.document(t) else { Issue.record("expected a document"); return }
        #expect(doc.steps.map(\.recorded) == [true, false, false])
        // Back into the editor from the document: the same boxes are ticked.
        let again = SOPForm(document: doc, unitID: 3, t: t)
        #expect(again.steps.map(\.notRecorded) == [false, true, true])
        // An unticked box sends nothing: recorded.
        let unticked = SOPForm(form: FormData(pairs: Self.pairs().filter { !$0.0.hasSuffix("[not_recorded]") }), t: t)
        guard case let .success(plain) = unticked.document(t) else { Issue.record("expected a document"); return }
        #expect(plain.steps.allSatisfy { $0.recorded })
        // Blank rows the editor adds are not ticked.
        let m = SOPEditorPage.model(form: again, sopID: 1, units: [], errors: [], newVersion: false, t: t)
        #expect(m.steps.map(\.notRecorded) == [false, true, true] + Array(repeating: false, count: SOPForm.blankStepRows))
    }

    @Test func theFieldHasALabelInBothLanguagesAndInTheDiff() async throws {
        let id = try await Views().strings(.id), en = try await Views().strings(.en)
        #expect(id["sop_not_recorded"] == "Tidak tercatat di log kejadian")
        #expect(en["sop_not_recorded"] == "Not recorded in the event log")
        #expect(!id["sop_not_recorded_help"].isEmpty && id["sop_not_recorded_help"] != en["sop_not_recorded_help"])
        let t = id
        let form = SOPForm(form: FormData(pairs: Self.pairs()), t: t)
        guard case let .success(old) = form.document(t) else { Issue.record("expected a document"); return }
        var new = old
        new.steps[1].recorded = true
        let m = SOPDiffPage.model(sopID: 1, from: 1, to: 2, old: old, new: new, allVersions: [1, 2], t: t)
        #expect(m.rows.map(\.field) == ["Langkah 2 (Berkas lengkap?) › Tercatat di log kejadian"])
        #expect(m.rows.first.map { [$0.old, $0.new] } == ["tidak", "ya"])
        #expect(SOPMessages.inputID("langkah[2].tercatat") == "step-1-not_recorded")
        let enDiff = SOPDiffPage.model(sopID: 1, from: 1, to: 2, old: old, new: new, allVersions: [1, 2], t: en)
        #expect(enDiff.rows.first?.field.hasSuffix("Recorded in the event log") == true)
    }

    func signedIn(_ fx: TestFixture) async throws -> (HTTPFields, HTTPFields, String) {
        let s = try await fx.session("admin")
        var form = Req.headers(cookie: s.cookie, csrf: s.csrf, form: true)
        form[HTTPField.Name("X-CSRF-Token")!] = nil
        return (form, Req.headers(cookie: s.cookie, csrf: s.csrf), s.csrf)
    }

    @Test func theMarkIsStoredExportedShownAndKeptOnAnError() async throws {
        try await withTestApp { fx, client in
            let (h, g, csrf) = try await signedIn(fx)
            let unit = fx.units["DPMPTSP-PLY"]!
            // A form with an error comes back with the boxes as they were ticked.
            let bad = try await client.post("/sops", h, Req.form(Self.pairs(csrf, unit: unit, time: "sebentar")))
            #expect(bad.status == .badRequest)
            #expect(bad.text.contains("id=\"step-1-not_recorded\" name=\"steps[1][not_recorded]\" value=\"1\" aria-describedby=\"not-recorded-help\" checked>"))
            #expect(bad.text.contains("id=\"step-0-not_recorded\" name=\"steps[0][not_recorded]\" value=\"1\" aria-describedby=\"not-recorded-help\">"))
            #expect(bad.text.contains("Tidak tercatat di log kejadian") && bad.text.contains("id=\"not-recorded-help\""))

            let created = try await client.post("/sops", h, Req.form(Self.pairs(csrf, unit: unit)))
            #expect(created.status == .seeOther, "\(created.text.prefix(2000))")
            let sopID = try #require(Int64(created.headers[.location]!.split(separator: "/").last!))
            let stored = try await fx.store.version(sopID: sopID, version: 1).document
            #expect(stored.steps.map(\.recorded) == [true, false, false])
            let yaml = try await client.get("/sops/\(sopID)/export?format=yaml", g)
            #expect(yaml.text.components(separatedBy: "tercatat: false").count - 1 == 2, "\(yaml.text)")
            let json = try await client.get("/sops/\(sopID)/export?format=json", g)
            #expect(try SOPFile.decode(json.text, format: .json).steps.map(\.recorded) == [true, false, false])

            // The editor shows the stored marks; saving it unticked makes the step recorded again.
            let edit = try await client.get("/sops/\(sopID)/edit?lang=en", g)
            #expect(edit.text.contains("name=\"steps[1][not_recorded]\" value=\"1\" aria-describedby=\"not-recorded-help\" checked> Not recorded in the event log"))
            let saved = try await client.post("/sops/\(sopID)", h, Req.form(Self.pairs(csrf, unit: unit).filter { $0.0 != "steps[1][not_recorded]" }))
            #expect(saved.status == .seeOther)
            let latest = try await fx.store.sop(id: sopID).latestVersion
            #expect(try await fx.store.version(sopID: sopID, version: latest).document.steps.map(\.recorded) == [true, true, false])
        }
    }
}
