import Foundation
import PantauCore
import PantauStore

/// Words for SOP problems and field paths, from the catalogs. Core names a field in SOP-file terms
/// (`identitas.nomor`, `langkah[2].ya`, in the diff `langkah[periksa].mutu_baku.waktu`) and a
/// problem by its code; people read the form's labels ("Nomor SOP", "Langkah 2 (Periksa berkas) ›
/// Ya") and a sentence in their language.
enum SOPMessages {
    /// Catalog keys of the fields of a step (SOP-file name → label key, editor input name).
    static let stepFields: [String: (label: String, input: String)] = [
        "id": ("sop_field_code", "id"), "jenis": ("sop_step_kind", "kind"), "kegiatan": ("sop_activity", "activity"),
        "pelaksana": ("sop_actor", "actor"), "mutu_baku.kelengkapan": ("sop_requirements", "requirements"),
        "mutu_baku.waktu": ("sop_time", "time"), "mutu_baku.output": ("sop_output", "output"), "keterangan": ("sop_notes", "notes"),
        "berikutnya": ("sop_next", "next"), "ya": ("sop_yes", "yes"), "tidak": ("sop_no", "no"),
        "pertanyaan": ("sop_question", "question"), "nama_di_log": ("sop_log_names", "log_names"), "no": ("sop_field_position", "id"),
        "tercatat": ("sop_recorded", "not_recorded"),
    ]

    /// The identity block (SOP-file name → label key, editor input id).
    static let identityFields: [String: (label: String, input: String)] = [
        "unit": ("sop_unit_name", "unit_name"), "nomor": ("sop_number", "nomor"), "judul": ("sop_title", "judul"),
        "jenis": ("sop_type", "jenis"), "kelas_kegiatan": ("sop_class", "kelas"), "tanggal_pembuatan": ("sop_created_on", "tanggal_pembuatan"),
        "tanggal_revisi": ("sop_revised_on", "tanggal_revisi"), "tanggal_efektif": ("sop_effective_on", "tanggal_efektif"),
        "disahkan_oleh.jabatan": ("sop_approver_position", "jabatan"), "disahkan_oleh.nama": ("sop_approver_name", "nama_pengesah"),
        "disahkan_oleh.nip": ("", "nip"), "dasar_hukum": ("sop_legal_basis", "dasar_hukum"), "keterkaitan": ("sop_related", "keterkaitan"),
        "peringatan": ("sop_warning", "peringatan"), "kualifikasi_pelaksana": ("sop_qualifications", "kualifikasi"),
        "peralatan": ("sop_equipment", "peralatan"), "pencatatan": ("sop_record_keeping", "pencatatan"),
    ]

    /// A parsed field path: `langkah[2].mutu_baku.waktu` → ("langkah", "2", "mutu_baku.waktu").
    struct Path: Equatable {
        var head: String
        var index: String?
        var rest: String
    }

    static func parse(_ field: String) -> Path {
        let head = String(field.prefix { $0 != "[" && $0 != "." })
        var rest = field.dropFirst(head.count)
        var index: String?
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            index = String(rest[rest.index(after: rest.startIndex)..<close])
            rest = rest[rest.index(after: close)...]
        }
        if rest.hasPrefix(".") { rest = rest.dropFirst() }
        return Path(head: head, index: index, rest: String(rest))
    }

    /// The label of a field path as the form shows it. Steps are named by number and activity
    /// (`document` gives them; a step index may be its 1-based number or, in a diff, its id).
    static func label(_ field: String, document: SOPDocument?, t: Strings) -> String {
        let p = parse(field)
        let sep = " › "
        switch p.head {
        case "identitas":
            // `dasar_hukum[3]`, `keterkaitan[2].judul`: the list's label and the entry's number.
            let inner = parse(p.rest)
            var key = p.rest
            var suffix = ""
            if let i = inner.index {
                key = inner.head
                suffix = " " + i
            }
            guard let f = identityFields[key] ?? identityFields[inner.head] else { return field }
            var base = key == "disahkan_oleh.nip" ? t["sop_approved_by"] + sep + "NIP" : t[f.label] + suffix
            if key.hasPrefix("disahkan_oleh."), key != "disahkan_oleh.nip" { base = t["sop_approved_by"] + sep + base }
            return base
        case "pelaksana":
            guard let i = p.index else { return t["sop_actors"] }
            var name = t.format("sop_field_actor", i)
            if let n = Int(i), let doc = document, n >= 1, n <= doc.actors.count, !doc.actors[n - 1].name.isEmpty {
                name += " (\(doc.actors[n - 1].name))"
            } else if Int(i) == nil {
                let actor = document?.actors.first { $0.id == i }
                name = t["sop_actor"] + " (" + (actor?.name ?? i) + ")"
            }
            switch p.rest {
            case "": return name
            case "id": return name + sep + t["sop_actor_id"]
            case "nama": return name + sep + t["sop_actor_name"]
            default: return name + sep + p.rest
            }
        case "langkah":
            guard let i = p.index else { return t["sop_steps"] }
            var number: Int?
            var step: SOPStep?
            if let n = Int(i) {
                number = n
                if let doc = document, n >= 1, n <= doc.steps.count { step = doc.steps[n - 1] }
            } else if let doc = document, let k = doc.steps.firstIndex(where: { $0.id == i }) {
                number = k + 1
                step = doc.steps[k]
            }
            var name = number.map { t.format("sop_field_step", $0) } ?? t.format("sop_field_step", i)
            let activity = step?.activity.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            if !activity.isEmpty { name += " (" + (activity.count > 60 ? String(activity.prefix(60)) + "…" : activity) + ")" }
            if p.rest.isEmpty { return name }
            let sub = parse(p.rest)
            if let f = stepFields[p.rest] ?? stepFields[sub.head] {
                return name + sep + t[f.label] + (sub.index.map { " " + $0 } ?? "")
            }
            return name + sep + p.rest
        default:
            return field
        }
    }

    /// The id of the editor's input for a field path (what the error summary links to).
    static func inputID(_ field: String) -> String {
        let p = parse(field)
        switch p.head {
        case "identitas":
            let inner = parse(p.rest)
            return (identityFields[p.rest] ?? identityFields[inner.head])?.input ?? "unit_name"
        case "pelaksana":
            guard let i = p.index, let n = Int(i) else { return "actors" }
            return "actor-\(n - 1)-" + (p.rest == "nama" ? "name" : "id")
        case "langkah":
            guard let i = p.index, let n = Int(i) else { return "steps" }
            let sub = parse(p.rest)
            let input = (stepFields[p.rest] ?? stepFields[sub.head])?.input ?? "id"
            return "step-\(n - 1)-\(input)"
        case "unit_id": return "unit_id"
        default: return field
        }
    }

    /// A validation issue in words (the label says where, so the sentence does not repeat it).
    static func message(_ i: SOPValidationIssue, t: Strings) -> String {
        let key = "sop_issue_\(i.code.rawValue)"
        switch i.code {
        case .tooManySteps, .tooManyActors, .tooManyItems, .textTooLong:
            return t.format(key, i.detail, i.limit.map(String.init) ?? "?")
        default:
            return t.format(key, i.detail)
        }
    }

    /// Whether an issue is about the whole SOP rather than one field (then no label is shown).
    static func isGeneral(_ i: SOPValidationIssue) -> Bool {
        [.noSteps, .noStart, .noEnd, .tooManySteps, .tooManyActors].contains(i.code)
    }

    /// Validation issues as form errors: the input id to link to, the label and the sentence.
    static func fieldErrors(_ issues: [SOPValidationIssue], document: SOPDocument?, t: Strings) -> [FieldError] {
        issues.map { i in
            FieldError(field: inputID(i.field), message: message(i, t: t),
                       label: isGeneral(i) ? t["sop_steps"] : label(i.field, document: document, t: t))
        }
    }

    /// An SOP file problem in words, with the line (and column) where it is.
    static func message(_ e: SOPFileError, t: Strings) -> String {
        let what: String
        switch e.problem {
        case let .fileTooLarge(size, limit): what = t.format("sop_file_fileTooLarge", size, limit)
        case .yamlAliasNotAllowed: what = t["sop_file_yamlAliasNotAllowed"]
        case let .yamlSyntax(d): what = t.format("sop_file_yamlSyntax", d)
        case let .jsonSyntax(d): what = t.format("sop_file_jsonSyntax", d)
        case .unreadable: what = t["sop_file_unreadable"]
        case .empty: what = t["sop_file_empty"]
        case let .keyRequired(k): what = t.format("sop_file_keyRequired", k)
        case let .wrongType(k): what = t.format("sop_file_wrongType", t["sop_value_\(k.rawValue)"])
        case let .missingValue(k): what = t.format("sop_file_missingValue", t["sop_value_\(k.rawValue)"])
        case let .invalidDate(v): what = t.format("sop_file_invalidDate", v)
        case let .invalidDuration(v): what = t.format("sop_file_invalidDuration", v)
        case let .invalidChoice(v): what = t.format("sop_file_invalidChoice", v)
        case .invalidSOP: what = e.issues.first.map { message($0, t: t) } ?? t["err_invalid"]
        case let .other(d): what = t.format("sop_file_other", d)
        }
        guard let line = e.line else { return what }
        let at = e.column.map { t.format("sop_file_at_column", line, $0) } ?? t.format("sop_file_at", line)
        return at + ": " + what
    }

    /// An SOP file error as form errors: every validation issue, or the one problem, each named
    /// by its label (the import form has one text field, so all link to it).
    static func fieldErrors(_ e: SOPFileError, t: Strings) -> [FieldError] {
        if case .invalidSOP = e.problem, !e.issues.isEmpty {
            return e.issues.enumerated().map { n, i in
                let msg = n == 0 ? message(e, t: t) : message(i, t: t)
                return FieldError(field: "document", message: msg, label: isGeneral(i) ? t["sop_field_file"] : label(i.field, document: nil, t: t))
            }
        }
        let name = e.field.isEmpty ? t["sop_field_file"] : label(e.field, document: nil, t: t)
        return [FieldError(field: "document", message: message(e, t: t), label: name)]
    }

    /// A store error of an SOP write as form errors (number taken, validation, two-person rule).
    static func fieldErrors(_ e: StoreError, document: SOPDocument?, t: Strings) -> [FieldError] {
        switch e {
        case let .validation(issues): return fieldErrors(issues, document: document, t: t)
        case let .conflict(field, _) where field == "identitas.nomor":
            return [FieldError(field: "nomor", message: t.format("sop_err_number_taken", document?.identity.number ?? ""), label: t["sop_number"])]
        case let .conflict(field, _) where field == PantauStore.twoPersonRuleField:
            return [FieldError(field: "", message: t["sop_two_person_refused"])]
        default:
            return PantauWeb.fieldErrors(e, t)
        }
    }
}
