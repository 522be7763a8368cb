import Foundation
import PantauCore

/// The SOP editor form: its fields, parsing into an ``SOPDocument`` with per-field errors, and
/// the view model that renders it (identity block, actor rows, step rows).
struct SOPForm {
    struct ActorRow { var index: Int; var id: String; var name: String }
    struct StepRow {
        var index: Int
        var number: Int
        var id: String
        var kind: String
        var activity: String
        var actor: String
        var requirements: String
        var time: String
        var output: String
        var notes: String
        var next: String
        var yes: String
        var no: String
        var question: String
        var logNames: String
        var kinds: [Option]
        var hasError: Bool
    }

    var unitID: Int64?
    var identity: [String: String]
    var actors: [ActorRow]
    var steps: [StepRow]
    var changeNote: String

    /// Extra empty rows so the form can grow without JavaScript.
    static let blankActorRows = 2
    static let blankStepRows = 3

    static func kindOptions(_ selected: String, _ t: Strings) -> [Option] {
        StepKind.allCases.map { Option(value: $0.rawValue, label: t["kind_\($0.rawValue)"], selected: $0.rawValue == selected) }
    }

    /// Fills the form from a document (for editing).
    init(document d: SOPDocument, unitID: Int64?, t: Strings) {
        self.unitID = unitID
        let i = d.identity
        identity = [
            "unit_name": i.unitName, "nomor": i.number, "judul": i.title, "jenis": i.type.rawValue, "kelas": i.activityClass.rawValue,
            "tanggal_pembuatan": i.createdOn?.description ?? "", "tanggal_revisi": i.revisedOn?.description ?? "",
            "tanggal_efektif": i.effectiveOn?.description ?? "",
            "jabatan": i.approvedBy?.position ?? "", "nama_pengesah": i.approvedBy?.name ?? "", "nip": i.approvedBy?.nip ?? "",
            "dasar_hukum": i.legalBasis.joined(separator: "\n"),
            "keterkaitan": i.relatedSOPs.map { [$0.number, $0.title, $0.relation].joined(separator: " | ") }.joined(separator: "\n"),
            "peringatan": i.warning, "kualifikasi": i.executorQualifications.joined(separator: "\n"),
            "peralatan": i.equipment.joined(separator: "\n"), "pencatatan": i.recordKeeping.joined(separator: "\n"),
        ]
        actors = d.actors.enumerated().map { ActorRow(index: $0, id: $1.id, name: $1.name) }
        steps = d.steps.enumerated().map { n, s in
            StepRow(index: n, number: n + 1, id: s.id, kind: s.kind.rawValue, activity: s.activity, actor: s.actor,
                    requirements: s.standard.requirements, time: s.standard.time?.description ?? "", output: s.standard.output,
                    notes: s.notes, next: s.next ?? "", yes: s.yes ?? "", no: s.no ?? "", question: s.question,
                    logNames: s.logNames.joined(separator: "; "), kinds: SOPForm.kindOptions(s.kind.rawValue, t), hasError: false)
        }
        changeNote = ""
        padRows(t)
    }

    /// Reads the submitted form.
    init(form f: FormData, t: Strings) {
        unitID = Int64(f.text("unit_id"))
        var id: [String: String] = [:]
        for k in ["unit_name", "nomor", "judul", "jenis", "kelas", "tanggal_pembuatan", "tanggal_revisi", "tanggal_efektif",
                  "jabatan", "nama_pengesah", "nip", "dasar_hukum", "keterkaitan", "peringatan", "kualifikasi", "peralatan", "pencatatan"] {
            id[k] = f[k] ?? ""
        }
        identity = id
        actors = f.rows("actors").enumerated().map { ActorRow(index: $0, id: ($1["id"] ?? "").trimmed, name: ($1["name"] ?? "").trimmed) }
            .filter { !$0.id.isEmpty || !$0.name.isEmpty }
        steps = f.rows("steps").map { r in
            StepRow(index: 0, number: 0, id: (r["id"] ?? "").trimmed, kind: r["kind"] ?? "proses", activity: (r["activity"] ?? "").trimmed,
                    actor: (r["actor"] ?? "").trimmed, requirements: (r["requirements"] ?? "").trimmed, time: (r["time"] ?? "").trimmed,
                    output: (r["output"] ?? "").trimmed, notes: (r["notes"] ?? "").trimmed, next: (r["next"] ?? "").trimmed,
                    yes: (r["yes"] ?? "").trimmed, no: (r["no"] ?? "").trimmed, question: (r["question"] ?? "").trimmed,
                    logNames: (r["log_names"] ?? "").trimmed, kinds: [], hasError: false)
        }.filter { !$0.activity.isEmpty || !$0.id.isEmpty || !$0.actor.isEmpty }
        for i in actors.indices { actors[i].index = i }
        for i in steps.indices {
            steps[i].index = i
            steps[i].number = i + 1
            steps[i].kinds = SOPForm.kindOptions(steps[i].kind, t)
        }
        changeNote = f.text("change_note")
    }

    mutating func padRows(_ t: Strings) {
        let a = actors.count
        actors += (0..<SOPForm.blankActorRows).map { ActorRow(index: a + $0, id: "", name: "") }
        let n = steps.count
        steps += (0..<SOPForm.blankStepRows).map {
            StepRow(index: n + $0, number: n + $0 + 1, id: "", kind: "proses", activity: "", actor: "", requirements: "", time: "",
                    output: "", notes: "", next: "", yes: "", no: "", question: "", logNames: "", kinds: SOPForm.kindOptions("proses", t), hasError: false)
        }
    }

    /// Builds the document, or the list of field errors (format errors first, then SOP validation).
    func document() -> Result<SOPDocument, FormErrors> {
        var errors: [FieldError] = []
        func date(_ key: String) -> CivilDate? {
            let v = (identity[key] ?? "").trimmed
            if v.isEmpty { return nil }
            guard let d = CivilDate(v) else {
                errors.append(FieldError(field: "identitas.\(key)", message: "Tanggal harus berformat TTTT-BB-HH (contoh 2026-07-01)"))
                return nil
            }
            return d
        }
        func lines(_ key: String) -> [String] {
            (identity[key] ?? "").split(whereSeparator: \.isNewline).map { String($0).trimmed }.filter { !$0.isEmpty }
        }
        let approver: SOPApprover?
        let jab = (identity["jabatan"] ?? "").trimmed, nama = (identity["nama_pengesah"] ?? "").trimmed, nip = (identity["nip"] ?? "").trimmed
        approver = (jab + nama + nip).isEmpty ? nil : SOPApprover(position: jab, name: nama, nip: nip)
        let related = lines("keterkaitan").map { line -> SOPRelation in
            let p = line.split(separator: "|", omittingEmptySubsequences: false).map { String($0).trimmed }
            return SOPRelation(number: p[0], title: p.count > 1 ? p[1] : "", relation: p.count > 2 ? p[2] : "")
        }
        let identityValue = SOPIdentity(
            unitName: (identity["unit_name"] ?? "").trimmed, number: (identity["nomor"] ?? "").trimmed, title: (identity["judul"] ?? "").trimmed,
            createdOn: date("tanggal_pembuatan"), revisedOn: date("tanggal_revisi"), effectiveOn: date("tanggal_efektif"),
            approvedBy: approver, legalBasis: lines("dasar_hukum"), relatedSOPs: related, warning: (identity["peringatan"] ?? "").trimmed,
            executorQualifications: lines("kualifikasi"), equipment: lines("peralatan"), recordKeeping: lines("pencatatan"),
            type: SOPType(rawValue: identity["jenis"] ?? "") ?? .administratif,
            activityClass: ActivityClass(rawValue: identity["kelas"] ?? "") ?? .pelayanan)
        var actorValues: [SOPActor] = []
        for a in actors {
            let id = a.id.isEmpty ? slug(a.name) : a.id
            actorValues.append(SOPActor(id: id, name: a.name))
        }
        var stepValues: [SOPStep] = []
        for (n, r) in steps.enumerated() {
            var time: TimeStandard?
            if !r.time.isEmpty {
                time = TimeStandard(parsing: r.time)
                if time == nil {
                    errors.append(FieldError(field: "langkah[\(n + 1)].mutu_baku.waktu",
                                             message: "Langkah \(n + 1): waktu '\(r.time)' tidak dikenali (contoh: 15 menit, 2 jam, 1 hari)"))
                }
            }
            let kind = StepKind(rawValue: r.kind) ?? .process
            // The actor cell accepts an actor id or an actor's name.
            let actor = actorValues.first { $0.id == r.actor || $0.name == r.actor }?.id ?? r.actor
            stepValues.append(SOPStep(
                id: r.id.isEmpty ? "l\(n + 1)" : r.id, kind: kind, activity: r.activity, actor: actor,
                standard: QualityStandard(requirements: r.requirements, time: time, output: r.output), notes: r.notes,
                next: kind == .decision || kind == .end || r.next.isEmpty ? nil : r.next,
                yes: kind == .decision && !r.yes.isEmpty ? r.yes : nil, no: kind == .decision && !r.no.isEmpty ? r.no : nil,
                question: kind == .decision ? r.question : "",
                logNames: r.logNames.split(separator: ";").map { String($0).trimmed }.filter { !$0.isEmpty }))
        }
        let doc = SOPDocument(identity: identityValue, actors: actorValues, steps: stepValues)
        if !errors.isEmpty { return .failure(FormErrors(list: errors)) }
        let issues = doc.validate()
        if !issues.isEmpty { return .failure(FormErrors(list: issues.map { FieldError(field: $0.field, message: $0.message(.id)) })) }
        return .success(doc)
    }

    /// Marks rows named by errors (`langkah[3]...`).
    mutating func mark(_ errors: [FieldError]) {
        for e in errors where e.field.hasPrefix("langkah[") {
            let digits = e.field.dropFirst("langkah[".count).prefix { $0.isNumber }
            if let n = Int(digits), n >= 1, n <= steps.count { steps[n - 1].hasError = true }
        }
    }
}

func slug(_ s: String) -> String {
    let folded = s.lowercased().folding(options: .diacriticInsensitive, locale: nil)
    var out = ""
    for ch in folded {
        if ch.isLetter || ch.isNumber { out.append(ch) } else if !out.hasSuffix("-") { out.append("-") }
    }
    return String(out.trimmingCharacters(in: CharacterSet(charactersIn: "-")).prefix(40))
}

extension String {
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}

/// Field errors of a submitted form.
struct FormErrors: Error {
    let list: [FieldError]
}
