import Foundation
import PantauCore
import PantauStore

/// The survey set-up form: service, period kind, the unsur with their weights (the nine standard
/// unsur always; a unit's own unsur in extra rows), and the profile questions.
///
/// Field names: `unit_id`, `sop_id`, `name`, `period_kind`, `title_id`, `title_en`, `active`,
/// `weight_mode` (`equal` | `custom`), `items[i][code]`, `items[i][weight]`, and for a unit's own
/// unsur `items[i][name_id]`, `[name_en]`, `[question_id]`, `[question_en]`, `[label1_id]` …
/// `[label4_en]`; `education` (`custom`: the `education_levels` lines; `standard` | `diploma`: that
/// list), `education_levels`, `occupations` and `service_types` (one choice per line:
/// `CODE | Label | English | alias, alias`, see ``SurveyProfileLists``), `asks_age`. A form without
/// `education_levels` or `occupations` keeps the standard list.
struct SurveyForm {
    struct Label {
        let row: Int
        let score: Int
        var id: String
        var en: String
    }

    struct ItemRow {
        var index: Int
        var number: String
        var code: String
        var standard: Bool
        var letter: String
        var nameID: String
        var nameEN: String
        var questionID: String
        var questionEN: String
        var labels: [Label]
        var weight: String
        var errors: [String] = []
    }

    var unitID: Int64?
    var sopID: Int64?
    var name: String = ""
    var periodKind: SurveyPeriod.Kind = .quarter
    var titleID: String = ""
    var titleEN: String = ""
    var active: Bool = true
    var weightEqual: Bool = true
    var items: [ItemRow] = []
    var education: String = "custom"
    /// The lines of the lists; nil when the form did not send the field (the standard list).
    var educationLevels: String?
    var occupations: String?
    var serviceTypes: String = ""
    var asksAge: Bool = true

    static let customRowsShown = 2

    /// A form filled from a definition (a new survey: the standard one).
    init(unitID: Int64?, sopID: Int64?, name: String, periodKind: SurveyPeriod.Kind, definition: SurveyDefinition, active: Bool) {
        self.unitID = unitID
        self.sopID = sopID
        self.name = name
        self.periodKind = periodKind
        self.active = active
        titleID = definition.title?.id ?? ""
        titleEN = definition.title?.en ?? ""
        let equal = SurveyWeight.equalShare(of: definition.items.count)
        weightEqual = definition.items.allSatisfy { $0.weight == equal }
        items = definition.items.enumerated().map { i, item in Self.row(i, item.unsur, weight: SKMFormat.weightInput(item.weight)) }
        education = "custom"
        educationLevels = SurveyProfileLists.text(definition.profile.educationLevels)
        occupations = SurveyProfileLists.text(definition.profile.occupations)
        serviceTypes = SurveyProfileLists.text(definition.profile.serviceTypes)
        asksAge = definition.profile.asksAge
        padRows()
    }

    /// The form as submitted.
    init(form f: FormData) {
        unitID = Int64(f.text("unit_id"))
        sopID = Int64(f.text("sop_id"))
        name = f.text("name")
        periodKind = SurveyPeriod.Kind(rawValue: f.text("period_kind")) ?? .quarter
        titleID = f.text("title_id")
        titleEN = f.text("title_en")
        active = f["active"] != nil
        weightEqual = f.text("weight_mode") != "custom"
        education = ["standard", "diploma"].contains(f.text("education")) ? f.text("education") : "custom"
        educationLevels = f["education_levels"]
        occupations = f["occupations"]
        serviceTypes = f["service_types"] ?? ""
        asksAge = f["asks_age"] != nil
        items = f.rows("items").enumerated().map { i, r in
            let code = (r["code"] ?? "").trimmed.lowercased()
            if let std = SurveyUnsur.standard(UnsurCode(code)) {
                return Self.row(i, std, weight: (r["weight"] ?? "").trimmed)
            }
            let labels = (1...4).map { k in
                Label(row: i, score: k, id: (r["label\(k)_id"] ?? "").trimmed, en: (r["label\(k)_en"] ?? "").trimmed)
            }
            return ItemRow(index: i, number: "", code: code, standard: false, letter: "", nameID: (r["name_id"] ?? "").trimmed,
                           nameEN: (r["name_en"] ?? "").trimmed, questionID: (r["question_id"] ?? "").trimmed,
                           questionEN: (r["question_en"] ?? "").trimmed, labels: labels, weight: (r["weight"] ?? "").trimmed)
        }
        renumber()
    }

    static func row(_ i: Int, _ u: SurveyUnsur, weight: String) -> ItemRow {
        let standard = SurveyUnsur.standard(u.code) != nil
        return ItemRow(index: i, number: "", code: u.code.rawValue, standard: standard, letter: u.regulationLetter ?? "",
                       nameID: u.name.id, nameEN: u.name.en, questionID: u.question.id, questionEN: u.question.en,
                       labels: u.answerLabels.enumerated().map { k, l in Label(row: i, score: k + 1, id: l.id, en: l.en) },
                       weight: weight)
    }

    private var isBlank: (ItemRow) -> Bool {
        { r in !r.standard && r.code.isEmpty && r.nameID.isEmpty && r.questionID.isEmpty && r.nameEN.isEmpty && r.questionEN.isEmpty
            && r.labels.allSatisfy { $0.id.isEmpty && $0.en.isEmpty } && r.weight.isEmpty }
    }

    /// Form numbers U1… in order; blank rows get none.
    mutating func renumber() {
        var n = 0
        for i in items.indices {
            items[i].index = i
            for k in items[i].labels.indices { items[i].labels[k] = Label(row: i, score: k + 1, id: items[i].labels[k].id, en: items[i].labels[k].en) }
            if isBlank(items[i]) { items[i].number = "" } else { n += 1; items[i].number = "U\(n)" }
        }
    }

    /// Keeps `customRowsShown` blank rows at the end for a unit's own unsur.
    mutating func padRows() {
        while let last = items.last, isBlank(last), items.count > 1, isBlank(items[items.count - 2]) { items.removeLast() }
        let blanks = items.reversed().prefix { isBlank($0) }.count
        for _ in blanks..<Self.customRowsShown {
            items.append(ItemRow(index: items.count, number: "", code: "", standard: false, letter: "", nameID: "", nameEN: "",
                                 questionID: "", questionEN: "", labels: (1...4).map { Label(row: items.count, score: $0, id: "", en: "") },
                                 weight: ""))
        }
        renumber()
    }

    /// The survey input, or every problem found (`items[i].…` names the form row).
    func input(_ t: Strings) -> Result<SurveyInput, FormErrors> {
        var errors: [FieldError] = []
        guard let unitID else {
            return .failure(FormErrors(list: [FieldError(field: "unit_id", message: t["err_required"])]))
        }
        var used: [(row: Int, item: SurveyItem)] = []
        let filled = items.filter { !isBlank($0) }
        let equal = SurveyWeight.equalShare(of: filled.count)
        for r in items where !isBlank(r) {
            let f = "items[\(r.index)]"
            let unsur: SurveyUnsur
            if r.standard, let std = SurveyUnsur.standard(UnsurCode(r.code)) {
                unsur = std
            } else {
                if r.code.isEmpty { errors.append(FieldError(field: "\(f).code", message: t["survey_err_code"])) }
                if r.nameID.isEmpty { errors.append(FieldError(field: "\(f).name_id", message: t["err_required"])) }
                if r.questionID.isEmpty { errors.append(FieldError(field: "\(f).question_id", message: t["err_required"])) }
                for l in r.labels where l.id.isEmpty {
                    errors.append(FieldError(field: "\(f).label\(l.score)_id", message: t["err_required"]))
                }
                if [r.nameID, r.nameEN, r.questionID, r.questionEN].contains(where: { $0.count > 500 })
                    || r.labels.contains(where: { $0.id.count > 200 || $0.en.count > 200 }) {
                    errors.append(FieldError(field: f, message: t["survey_err_too_long"]))
                }
                unsur = SurveyUnsur(code: UnsurCode(r.code), name: SurveyText(id: r.nameID, en: r.nameEN),
                                    question: SurveyText(id: r.questionID, en: r.questionEN),
                                    answerLabels: r.labels.map { SurveyText(id: $0.id, en: $0.en) })
            }
            var weight = equal
            if !weightEqual {
                if r.weight.isEmpty {
                    errors.append(FieldError(field: "\(f).weight", message: t["err_required"]))
                } else if let w = SurveyWeight(parsing: r.weight) {
                    weight = w
                } else {
                    errors.append(FieldError(field: "\(f).weight", message: t["survey_err_weight"]))
                }
            }
            used.append((r.index, SurveyItem(unsur: unsur, weight: weight)))
        }
        let codes = Set(used.map(\.item.unsur.code))
        for std in SurveyUnsur.questionnaireOrder where !codes.contains(std) {
            errors.append(FieldError(field: "items", message: t.format("survey_err_standard_missing", std.rawValue)))
        }
        var profile = RespondentProfileSchema()
        profile.asksAge = asksAge
        /// A list's lines, with every problem at the list's field, naming the line.
        func list(_ text: String?, _ field: String, _ kind: ProfileListKind, standard: [ProfileChoice], required: Bool) -> [ProfileChoice] {
            guard let text else { return standard }
            let (choices, lines, problems) = SurveyProfileLists.parse(text, field: field)
            errors += problems.map { $0.fieldError(t) }
            for (i, p) in SurveyProfileLists.problems(choices, kind: kind, required: required, field: { _, _ in field }) {
                let line = i.flatMap { lines.indices.contains($0) ? t.format("survey_err_choice_line", lines[$0]) + " " : nil } ?? ""
                errors.append(FieldError(field: field, message: line + p.message(t)))
            }
            return choices
        }
        switch education {
        case "standard": profile.educationLevels = RespondentProfileSchema.standardEducation
        case "diploma": profile.educationLevels = RespondentProfileSchema.educationWithDiploma
        default: profile.educationLevels = list(educationLevels, "education_levels", .education, standard: RespondentProfileSchema.standardEducation, required: true)
        }
        profile.occupations = list(occupations, "occupations", .occupation, standard: RespondentProfileSchema.standardOccupations, required: true)
        profile.serviceTypes = list(serviceTypes, "service_types", .serviceType, standard: [], required: false)
        if name.isEmpty { errors.append(FieldError(field: "name", message: t["err_required"])) }
        if name.count > 200 { errors.append(FieldError(field: "name", message: t["survey_err_too_long"])) }
        if titleID.count > 300 || titleEN.count > 300 { errors.append(FieldError(field: "title_id", message: t["survey_err_too_long"])) }
        let title: SurveyText? = titleID.isEmpty && titleEN.isEmpty ? nil : SurveyText(id: titleID.isEmpty ? titleEN : titleID, en: titleEN)
        let def = SurveyDefinition(service: SurveyService(unitID: "\(unitID)"), title: title, items: used.map(\.item), profile: profile)
        // Definition problems, with item positions mapped back to form rows.
        // The profile lists were checked above, with the catalog's words.
        for issue in def.issues() where issue.field != "service.unitID" && !issue.field.hasPrefix("profile.educationLevels")
            && !issue.field.hasPrefix("profile.occupations") && !issue.field.hasPrefix("profile.serviceTypes") {
            errors.append(FieldError(field: Self.formField(issue.field, rows: used.map(\.row)), message: issue.message))
        }
        if !errors.isEmpty { return .failure(FormErrors(list: errors)) }
        return .success(SurveyInput(unitID: unitID, sopID: sopID, name: name, periodKind: periodKind, definition: def, active: active))
    }

    /// `items[3].weight` of the definition → `items[<form row>].weight`; `items.weight` → `weights`;
    /// profile fields → their form field.
    static func formField(_ field: String, rows: [Int]) -> String {
        if field == "items.weight" { return "weights" }
        if field.hasPrefix("profile.serviceTypes") { return "service_types" }
        if field.hasPrefix("items["), let close = field.firstIndex(of: "]"),
           let k = Int(field[field.index(field.startIndex, offsetBy: 6)..<close]), rows.indices.contains(k) {
            var rest = String(field[field.index(after: close)...])
            if rest.hasPrefix(".unsur.code") { rest = ".code" }
            return "items[\(rows[k])]" + rest
        }
        return field
    }

    /// Attaches errors to their rows (shown next to the row).
    mutating func mark(_ errors: [FieldError]) {
        for e in errors where e.field.hasPrefix("items[") {
            guard let close = e.field.firstIndex(of: "]"),
                  let i = Int(e.field[e.field.index(e.field.startIndex, offsetBy: 6)..<close]), items.indices.contains(i) else { continue }
            items[i].errors.append(e.message)
        }
    }
}
