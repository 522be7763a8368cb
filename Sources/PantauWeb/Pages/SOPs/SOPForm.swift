import Foundation
import PantauCore

/// The SOP editor form: its fields, parsing into an ``SOPDocument`` with every error at once
/// (each linked to its input and named by its label), and the rows the editor renders.
struct SOPForm {
    struct ActorRow {
        var index: Int
        var id: String
        var name: String
        /// Inputs of this row with an error (`id`, `name`), for `aria-invalid`.
        var invalid: [String: Bool] = [:]
    }
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
        /// The step usually leaves no event in the log (`tercatat: false`): a checkbox.
        var notRecorded: Bool = false
        var kinds: [Option]
        var hasError: Bool
        /// The SOP's actors to choose from (and the saved value when it is not one of them).
        var actorOptions: [ActorOption] = []
        /// Inputs of this step with an error (`actor`, `time`, `yes`, ...), for `aria-invalid`.
        var invalid: [String: Bool] = [:]
    }

    var unitID: Int64?
    var identity: [String: String]
    var actors: [ActorRow]
    var steps: [StepRow]
    var changeNote: String
    /// Identity inputs with an error (by input id), for `aria-invalid`.
    var invalidIdentity: [String: Bool] = [:]

    /// Extra empty rows so the form can grow without JavaScript.
    static let blankActorRows = 2
    static let blankStepRows = 3

    static func kindOptions(_ selected: String, _ t: Strings) -> [Option] {
        StepKind.allCases.map { Option(value: $0.rawValue, label: t["kind_\($0.rawValue)"], selected: $0.rawValue == selected) }
    }

    /// Fills the form from a document (for editing; the page model adds the blank rows).
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
                    logNames: s.logNames.joined(separator: "; "), notRecorded: !s.recorded,
                    kinds: SOPForm.kindOptions(s.kind.rawValue, t), hasError: false)
        }
        changeNote = ""
    }

    /// One option of a step's actor select.
    struct ActorOption: Equatable {
        let value: String
        let label: String
        let selected: Bool
        /// The actor row it comes from, as text ("0" is not false in a template section); the
        /// script keeps a choice when that row is edited.
        let row: String?
        /// A saved value that names no actor.
        let unknown: Bool
    }

    /// The actors a step can be given: every actor row with an id or a name (the id the document
    /// will use: the code, or one made from the name).
    var actorChoices: [(row: Int, id: String, name: String)] {
        actors.enumerated().filter { !$1.id.isEmpty || !$1.name.isEmpty }.map { n, a in
            (n, a.id.isEmpty ? slug(a.name) : a.id, a.name.isEmpty ? a.id : a.name)
        }
    }

    /// The options of a step's actor select (pure): a blank choice, the SOP's actors, and the saved
    /// value when it names no actor (so nothing typed or imported is lost).
    static func actorOptions(_ choices: [(row: Int, id: String, name: String)], selected: String, _ t: Strings) -> [ActorOption] {
        var out = [ActorOption(value: "", label: t["sop_actor_choose"], selected: selected.isEmpty, row: nil, unknown: false)]
        let match = choices.first { $0.id == selected } ?? choices.first { $0.name == selected }
        out += choices.map { ActorOption(value: $0.id, label: $0.name, selected: match?.row == $0.row, row: String($0.row), unknown: false) }
        if !selected.isEmpty, match == nil {
            out.append(ActorOption(value: selected, label: t.format("sop_actor_unknown", selected), selected: true, row: nil, unknown: true))
        }
        return out
    }

    /// Fills every step's actor select from the actor rows.
    mutating func fillActorOptions(_ t: Strings) {
        let choices = actorChoices
        for i in steps.indices { steps[i].actorOptions = Self.actorOptions(choices, selected: steps[i].actor, t) }
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
                    logNames: (r["log_names"] ?? "").trimmed,
                    // A checked box sends its field (the row script may have emptied its value).
                    notRecorded: r["not_recorded"] != nil, kinds: [], hasError: false)
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
        fillActorOptions(t)
    }

    /// Builds the document, or every error of the form in one list: the unit, dates and times
    /// that do not parse, then the SOP's validation issues (each linked to its input, named by its
    /// label, in the catalog's words).
    func document(_ t: Strings) -> Result<SOPDocument, FormErrors> {
        var errors: [FieldError] = []
        if unitID == nil { errors.append(FieldError(field: "unit_id", message: t["err_required"], label: t["unit"])) }
        func date(_ key: String) -> CivilDate? {
            let v = (identity[key] ?? "").trimmed
            if v.isEmpty { return nil }
            guard let d = CivilDate(v) else {
                let path = "identitas.\(key)"
                errors.append(FieldError(field: SOPMessages.inputID(path), message: t.format("sop_file_invalidDate", v),
                                         label: SOPMessages.label(path, document: nil, t: t)))
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
        var badTimes: [(path: String, value: String)] = []
        for (n, r) in steps.enumerated() {
            var time: TimeStandard?
            if !r.time.isEmpty {
                time = TimeStandard(parsing: r.time)
                if time == nil { badTimes.append(("langkah[\(n + 1)].mutu_baku.waktu", r.time)) }
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
                logNames: r.logNames.split(separator: ";").map { String($0).trimmed }.filter { !$0.isEmpty },
                recorded: !r.notRecorded))
        }
        let doc = SOPDocument(identity: identityValue, actors: actorValues, steps: stepValues)
        for b in badTimes {
            errors.append(FieldError(field: SOPMessages.inputID(b.path), message: t.format("sop_file_invalidDuration", b.value),
                                     label: SOPMessages.label(b.path, document: doc, t: t)))
        }
        errors += SOPMessages.fieldErrors(doc.validate(), document: doc, t: t)
        if !errors.isEmpty { return .failure(FormErrors(list: Self.inFormOrder(errors))) }
        return .success(doc)
    }

    static let identityOrder = ["unit_id", "unit_name", "nomor", "judul", "jenis", "kelas", "tanggal_pembuatan", "tanggal_revisi",
                                "tanggal_efektif", "jabatan", "nama_pengesah", "nip", "dasar_hukum", "keterkaitan", "kualifikasi",
                                "peralatan", "peringatan", "pencatatan"]
    static let stepOrder = ["kind", "id", "activity", "actor", "requirements", "time", "output", "notes", "next", "question", "yes", "no", "log_names", "not_recorded"]

    /// Errors in the order their inputs appear on the page (identity, actors, steps, then the
    /// problems of the SOP as a whole); the same input keeps the order it was found in.
    static func inFormOrder(_ errors: [FieldError]) -> [FieldError] {
        func rank(_ id: String) -> [Int] {
            if let i = identityOrder.firstIndex(of: id) { return [0, i, 0] }
            let p = id.split(separator: "-", maxSplits: 2).map(String.init)
            if p.count == 3, let n = Int(p[1]) {
                if p[0] == "actor" { return [1, n, p[2] == "id" ? 0 : 1] }
                if p[0] == "step" { return [2, n, stepOrder.firstIndex(of: p[2]) ?? 0] }
            }
            return id == "actors" ? [1, Int.max, 0] : [3, 0, 0]
        }
        return errors.enumerated().sorted { a, b in
            let (x, y) = (rank(a.element.field), rank(b.element.field))
            return x != y ? x.lexicographicallyPrecedes(y) : a.offset < b.offset
        }.map(\.element)
    }

    /// Marks the inputs named by errors (input ids `step-2-actor`, `actor-0-id`, `nomor`).
    mutating func mark(_ errors: [FieldError]) {
        for e in errors {
            let parts = e.field.split(separator: "-", maxSplits: 2).map(String.init)
            if parts.count == 3, let n = Int(parts[1]) {
                if parts[0] == "step", steps.indices.contains(n) {
                    steps[n].hasError = true
                    steps[n].invalid[parts[2]] = true
                    continue
                }
                if parts[0] == "actor", actors.indices.contains(n) {
                    actors[n].invalid[parts[2]] = true
                    continue
                }
            }
            if !e.field.isEmpty { invalidIdentity[e.field] = true }
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
