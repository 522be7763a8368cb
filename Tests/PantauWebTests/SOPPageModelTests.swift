import Foundation
import PantauCore
import PantauStore
@testable import PantauWeb
import Testing

/// The SOP pages' models, built by pure functions from already-loaded data (no database, no HTTP).
@Suite("SOP page models")
struct SOPPageModelTests {
    static func strings(_ lang: Language = .id) async throws -> Strings { try await Views().strings(lang) }

    static func record(latest: Int, effective: Int?, latestStatus: SOPStatus) -> SOPRecord {
        SOPRecord(id: 7, unitID: 3, number: "SOP/7", title: "Izin", latestVersion: latest, effectiveVersion: effective,
                  latestStatus: latestStatus, updatedAt: Date(timeIntervalSince1970: 1_780_000_000))
    }

    static let doc = SOPDocument(
        identity: SOPIdentity(unitName: "DPMPTSP", number: "SOP/1", title: "Uji"),
        actors: [SOPActor(id: "loket", name: "Petugas Loket"), SOPActor(id: "kasi", name: "Kepala Seksi")],
        steps: [SOPStep(id: "terima", kind: .start, activity: "Menerima berkas", actor: "loket"),
                SOPStep(id: "periksa", kind: .decision, activity: "Periksa berkas", actor: "kasi", yes: "serah", no: "terima", question: "Lengkap?"),
                SOPStep(id: "serah", kind: .end, activity: "Menyerahkan izin", actor: "loket")])

    // MARK: list

    @Test func anSOPInForceWithANewerDraftIsListedAsInForce() async throws {
        let t = try await Self.strings()
        let row = SOPListPage.row(Self.record(latest: 2, effective: 1, latestStatus: .draft), unitName: "U", language: .id, t: t)
        #expect(row.statusKey == "effective" && row.status == t["status_effective"])
        #expect(row.effective == "v1" && row.inForce)
        #expect(row.pending == "v2 · " + t["status_draft"])
        #expect(row.href == "/sops/7")
    }

    @Test func aDraftShowsNotInForceInsteadOfAnEmptyVersion() async throws {
        let t = try await Self.strings()
        let row = SOPListPage.row(Self.record(latest: 1, effective: nil, latestStatus: .draft), unitName: "U", language: .id, t: t)
        #expect(row.statusKey == "draft" && !row.inForce && row.effective == "Belum berlaku" && row.pending == nil)
        let inForce = SOPListPage.row(Self.record(latest: 1, effective: 1, latestStatus: .effective), unitName: "U", language: .id, t: t)
        #expect(inForce.pending == nil)
    }

    @Test func listLinksKeepTheFilters() async throws {
        let t = try await Self.strings()
        let f = SOPListPage.Filter(text: "izin usaha", unitID: 4, status: .effective, page: 2)
        let m = SOPListPage.model([], total: 60, pageCount: 3, filter: f, unitName: { _ in "" }, unitOptions: [], canCreate: false, language: .id, t: t)
        #expect(m.prevHref == "/sops?q=izin%20usaha&unit=4&status=effective")
        #expect(m.nextHref == "/sops?q=izin%20usaha&unit=4&status=effective&page=3")
        #expect(m.statuses.first { $0.selected }?.value == "effective")
    }

    // MARK: detail

    @Test func detailButtonsPerRoleAndStatus() {
        func b(_ st: SOPStatus, v: Int = 1, latest: Bool = true, author: Int64? = 1, viewer: Int64 = 2, write: Bool = true, approve: Bool = true,
               rule: Bool = false) -> SOPDetailPage.Buttons {
            SOPDetailPage.buttons(status: st, version: v, isLatest: latest, author: author, viewer: viewer, canWrite: write, canApprove: approve,
                                  twoPersonRule: rule)
        }
        // An officer-like reader: nothing.
        #expect(b(.review, write: false, approve: false) == SOPDetailPage.Buttons())
        // A writer on a draft: edit and submit, never approve.
        let draft = b(.draft, write: true, approve: false)
        #expect(draft.edit && draft.submit && !draft.approve && !draft.archive)
        // An approver on a version under review: approve and return.
        let review = b(.review)
        #expect(review.approve && review.returnToDraft && !review.submit && !review.authorMayNotApprove)
        // In force: a new version or archive; an old version offers no edits.
        let eff = b(.effective)
        #expect(eff.newVersion && eff.archive && eff.edit)
        #expect(!b(.effective, latest: false).edit && !b(.review, latest: false).approve)
        #expect(b(.draft, v: 2).archive && !b(.draft, v: 1).archive)
    }

    @Test func twoPersonRuleHidesApproveFromTheAuthorOnly() {
        let own = SOPDetailPage.buttons(status: .review, version: 1, isLatest: true, author: 5, viewer: 5, canWrite: true, canApprove: true, twoPersonRule: true)
        #expect(!own.approve && own.authorMayNotApprove && own.returnToDraft)
        let other = SOPDetailPage.buttons(status: .review, version: 1, isLatest: true, author: 5, viewer: 6, canWrite: true, canApprove: true, twoPersonRule: true)
        #expect(other.approve && !other.authorMayNotApprove)
        let off = SOPDetailPage.buttons(status: .review, version: 1, isLatest: true, author: 5, viewer: 5, canWrite: true, canApprove: true, twoPersonRule: false)
        #expect(off.approve)
        let unknownAuthor = SOPDetailPage.buttons(status: .review, version: 1, isLatest: true, author: nil, viewer: 5, canWrite: true, canApprove: true, twoPersonRule: true)
        #expect(unknownAuthor.approve)
    }

    @Test func aDraftShowsNoEffectiveDateAndNamesTheVersionInForce() async throws {
        let t = try await Self.strings()
        let at = Date(timeIntervalSince1970: 1_780_000_000)
        let v1 = SOPVersionRecord(sopID: 7, version: 1, status: .effective, document: Self.doc, createdAt: at, updatedAt: at,
                                  approvedAt: at, effectiveFrom: CivilDate("2026-07-01"))
        let v2 = SOPVersionRecord(sopID: 7, version: 2, status: .draft, document: Self.doc, createdAt: at, updatedAt: at)
        let rec = Self.record(latest: 2, effective: 1, latestStatus: .draft)
        let m = SOPDetailPage.model(record: rec, versions: [v2, v1], shown: v2, unitName: "U", documentHTML: "", buttons: .init(),
                                    today: CivilDate("2026-08-01")!, language: .id, t: t)
        #expect(m.effectiveFrom == nil)
        #expect(m.versions.map(\.effectiveFrom) == [nil, "2026-07-01"])
        #expect(m.inForce == "Versi berlaku: v1 sejak 2026-07-01" && m.inForceHref == "/sops/7?v=1")
        #expect(m.statusAction == "/sops/7/versions/2/status" && m.approveAction == "/sops/7/versions/2/approve")
        #expect(m.exports.map(\.href) == ["/sops/7/export?v=2&format=yaml", "/sops/7/export?v=2&format=json", "/sops/7/export?v=2&format=bpmn"])
        let shownV1 = SOPDetailPage.model(record: rec, versions: [v2, v1], shown: v1, unitName: "U", documentHTML: "", buttons: .init(),
                                          today: CivilDate("2026-08-01")!, language: .id, t: t)
        #expect(shownV1.effectiveFrom == "2026-07-01" && shownV1.inForce == nil)
    }

    // MARK: labels and messages

    @Test func fieldPathsReadAsTheFormsLabels() async throws {
        let t = try await Self.strings()
        #expect(SOPMessages.label("identitas.nomor", document: Self.doc, t: t) == "Nomor SOP")
        #expect(SOPMessages.label("langkah[2].ya", document: Self.doc, t: t) == "Langkah 2 (Periksa berkas) › Ya")
        #expect(SOPMessages.label("langkah[periksa].mutu_baku.waktu", document: Self.doc, t: t) == "Langkah 2 (Periksa berkas) › Waktu")
        #expect(SOPMessages.label("pelaksana[2].nama", document: Self.doc, t: t) == "Pelaksana 2 (Kepala Seksi) › Nama pelaksana")
        #expect(SOPMessages.label("identitas.disahkan_oleh.nip", document: nil, t: t) == "Disahkan oleh › NIP")
        #expect(SOPMessages.label("identitas.dasar_hukum[3]", document: nil, t: t) == "Dasar hukum 3")
        #expect(SOPMessages.inputID("langkah[2].ya") == "step-1-yes")
        #expect(SOPMessages.inputID("identitas.disahkan_oleh.nama") == "nama_pengesah")
        #expect(SOPMessages.inputID("pelaksana[1].id") == "actor-0-id")
        let en = try await Self.strings(.en)
        #expect(SOPMessages.label("langkah[2].ya", document: Self.doc, t: en) == "Step 2 (Periksa berkas) › Yes")
    }

    @Test func diffRowsAreNamedByLabelIncludingRemovedSteps() async throws {
        let t = try await Self.strings()
        var newer = Self.doc
        newer.steps[1].standard.time = .minutes(30)
        newer.steps.remove(at: 0)
        newer.steps[0].kind = .start
        let m = SOPDiffPage.model(sopID: 7, from: 1, to: 2, old: Self.doc, new: newer, allVersions: [1, 2], t: t)
        let fields = m.rows.map(\.field)
        #expect(fields.contains("Langkah 1 (Periksa berkas) › Waktu"), "\(fields)")
        #expect(fields.contains("Langkah 1 (Menerima berkas)"), "a removed step is named from the older version: \(fields)")
        #expect(!fields.contains { $0.contains("langkah[") })
    }

    static func form(_ pairs: [(String, String)]) -> FormData { FormData(pairs: pairs) }

    static func validPairs() -> [(String, String)] {
        [("unit_id", "3"), ("unit_name", "DPMPTSP"), ("nomor", "SOP/1"), ("judul", "Uji"), ("jenis", "administratif"), ("kelas", "pelayanan"),
         ("actors[0][id]", "loket"), ("actors[0][name]", "Petugas Loket"),
         ("steps[0][id]", "terima"), ("steps[0][kind]", "mulai"), ("steps[0][activity]", "Menerima berkas"), ("steps[0][actor]", "loket"),
         ("steps[1][id]", "serah"), ("steps[1][kind]", "selesai"), ("steps[1][activity]", "Menyerahkan izin"), ("steps[1][actor]", "loket")]
    }

    @Test func everyFormErrorComesAtOnceNamedByItsLabel() async throws {
        let t = try await Self.strings()
        var pairs = Self.validPairs().filter { $0.0 != "nomor" && $0.0 != "unit_id" }
        pairs += [("tanggal_efektif", "31-12-2026"), ("steps[0][time]", "sebentar")]
        pairs = pairs.map { $0.0 == "steps[1][actor]" ? ($0.0, "kasir") : $0 }
        let form = SOPForm(form: Self.form(pairs), t: t)
        guard case let .failure(fe) = form.document(t) else { Issue.record("expected errors"); return }
        let byField = Dictionary(fe.list.map { ($0.field, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(byField["unit_id"]?.label == "Unit" && byField["unit_id"]?.message == "Wajib diisi")
        #expect(byField["tanggal_efektif"]?.label == "Tanggal efektif")
        #expect(byField["tanggal_efektif"]?.message.contains("31-12-2026") == true)
        #expect(byField["step-0-time"]?.label == "Langkah 1 (Menerima berkas) › Waktu")
        #expect(byField["step-0-time"]?.message == "waktu 'sebentar' tidak dikenali (contoh: 15 menit, 2 jam, 1 hari)")
        #expect(byField["nomor"]?.label == "Nomor SOP" && byField["nomor"]?.message == "wajib diisi")
        #expect(byField["step-1-actor"]?.label == "Langkah 2 (Menyerahkan izin) › Pelaksana")
        #expect(byField["step-1-actor"]?.message == "pelaksana 'kasir' tidak ada dalam daftar pelaksana")
        #expect(!fe.list.contains { $0.field.contains("[") || ($0.label ?? "").contains("langkah[") })
        // The editor marks the inputs named by the errors.
        let m = SOPEditorPage.model(form: form, sopID: nil, units: [], errors: fe.list, newVersion: false, t: t)
        #expect(m.steps[0].invalid["time"] == true && m.steps[1].invalid["actor"] == true && m.steps[0].invalid["actor"] == nil)
        #expect(m.invalid["nomor"] == true && m.invalid["tanggal_efektif"] == true)
        #expect(m.steps.count == 2 + SOPForm.blankStepRows)
    }

    @Test func aStepsActorIsChosenFromTheSOPsActors() async throws {
        let t = try await Self.strings()
        var pairs = Self.validPairs()
        pairs += [("actors[1][id]", ""), ("actors[1][name]", "Kepala Seksi"), ("steps[1][actor]", "hilang")]
        pairs.removeAll { $0 == ("steps[1][actor]", "loket") }
        var form = SOPForm(form: Self.form(pairs), t: t)
        form.fillActorOptions(t)
        let opts = form.steps[0].actorOptions
        #expect(opts.map(\.value) == ["", "loket", "kepala-seksi"])
        #expect(opts.map(\.label) == [t["sop_actor_choose"], "Petugas Loket", "Kepala Seksi"])
        #expect(opts.first { $0.selected }?.value == "loket" && opts[1].row == "0" && opts[2].row == "1")
        // A saved value that names no actor stays, marked, so nothing is lost.
        let other = form.steps[1].actorOptions
        #expect(other.last?.value == "hilang" && other.last?.unknown == true && other.last?.selected == true)
    }

    @Test func sopFileErrorsAreInTheReadersLanguage() async throws {
        let id = try await Self.strings(), en = try await Self.strings(.en)
        let yaml = "identitas:\n  unit: Dinas\n  nomor: \"1\"\n  judul: [tidak ditutup\npelaksana: []\n"
        var caught: SOPFileError?
        do { _ = try SOPFile.decode(yaml, format: .yaml) } catch { caught = error }
        let e = try #require(caught)
        let msg = SOPMessages.message(e, t: id)
        #expect(msg.hasPrefix("baris ") && msg.contains("sintaks YAML salah"), "\(msg)")
        #expect(!msg.contains("did not find") && !msg.contains("expected"), "no English in the Indonesian text: \(msg)")
        #expect(SOPMessages.message(e, t: en).hasPrefix("line "))
        let date = SOPFileError(line: 4, field: "identitas.tanggal_efektif", problem: .invalidDate(value: "31/12/2026"))
        let errs = SOPMessages.fieldErrors(date, t: id)
        #expect(errs.map(\.label) == ["Tanggal efektif"])
        #expect(errs.first?.message == "baris 4: tanggal '31/12/2026' harus berformat TTTT-BB-HH (contoh 2026-07-01)")
    }
}

extension SOPPageModelTests {
    @Test func formErrorsFollowThePagesOrder() {
        let e = ["step-1-actor", "steps", "nomor", "step-0-time", "actor-0-name", "unit_id", "step-0-kind"].map { FieldError(field: $0, message: "") }
        #expect(SOPForm.inFormOrder(e).map(\.field) == ["unit_id", "nomor", "actor-0-name", "step-0-kind", "step-0-time", "step-1-actor", "steps"])
    }
}
