import Foundation

/// The service a survey is about: a unit and optionally one SOP (one service procedure).
public struct SurveyService: Hashable, Sendable, Codable {
    /// Unit (unit kerja / unit layanan) id.
    public var unitID: String
    /// SOP id when the survey is about one SOP's service; nil for the whole unit.
    public var sopID: String?
    /// Display name of the service, e.g. "Pelayanan KTP-el".
    public var name: String?

    public init(unitID: String, sopID: String? = nil, name: String? = nil) {
        self.unitID = unitID
        self.sopID = sopID
        self.name = name
    }
}

/// One unsur on a survey with its weight in the index.
public struct SurveyItem: Hashable, Sendable, Codable {
    public var unsur: SurveyUnsur
    public var weight: SurveyWeight

    public init(unsur: SurveyUnsur, weight: SurveyWeight) {
        self.unsur = unsur
        self.weight = weight
    }
}

/// A coded answer option of a profile question (pendidikan, pekerjaan, jenis layanan).
public struct ProfileChoice: Hashable, Sendable, Codable {
    /// Stored code, e.g. `SMA`, `PNS` (matched case-insensitively on import).
    public var code: String
    public var label: SurveyText
    /// Other names this survey accepts for the choice on import (e.g. `Honorer` for `LAINNYA`),
    /// besides the standard ones of ``ProfileChoiceAliases``. Absent in the stored JSON when empty.
    public var aliases: [String]

    public init(code: String, label: SurveyText, aliases: [String] = []) {
        self.code = code
        self.label = label
        self.aliases = aliases
    }

    public init(_ code: String, _ id: String, _ en: String, aliases: [String] = []) {
        self.init(code: code, label: SurveyText(id: id, en: en), aliases: aliases)
    }

    private enum CodingKeys: String, CodingKey { case code, label, aliases }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        code = try c.decode(String.self, forKey: .code)
        label = try c.decode(SurveyText.self, forKey: .label)
        aliases = try c.decodeIfPresent([String].self, forKey: .aliases) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(code, forKey: .code)
        try c.encode(label, forKey: .label)
        if !aliases.isEmpty { try c.encode(aliases, forKey: .aliases) }
    }
}

/// An age band for the profile breakdown: `lowerBound...` up to the next band's lower bound.
public struct AgeBand: Hashable, Sendable, Codable {
    /// Youngest age in the band.
    public var lowerBound: Int
    public var label: SurveyText

    public init(lowerBound: Int, label: SurveyText) {
        self.lowerBound = lowerBound
        self.label = label
    }
}

/// The respondent-profile questions of a survey and their answer lists.
///
/// The sample questionnaire of PermenPANRB 14/2017 asks jenis kelamin (L/P), pendidikan
/// (SD/SMP/SMA/S1/S2/S3), pekerjaan (PNS/TNI/POLRI/Swasta/Wirausaha/Lainnya) and the jenis layanan
/// received. Many units add a diploma level (``educationWithDiploma``) and usia; both lists are
/// configurable here.
public struct RespondentProfileSchema: Hashable, Sendable, Codable {
    /// Pendidikan answers, lowest level first.
    public var educationLevels: [ProfileChoice]
    /// Pekerjaan answers.
    public var occupations: [ProfileChoice]
    /// Jenis layanan answers; empty means the form takes free text.
    public var serviceTypes: [ProfileChoice]
    /// Whether the form asks usia (not on the sample form; common in practice).
    public var asksAge: Bool
    /// Age bands for the breakdown, ascending lower bounds.
    public var ageBands: [AgeBand]

    public init(educationLevels: [ProfileChoice] = RespondentProfileSchema.standardEducation,
                occupations: [ProfileChoice] = RespondentProfileSchema.standardOccupations,
                serviceTypes: [ProfileChoice] = [],
                asksAge: Bool = true,
                ageBands: [AgeBand] = RespondentProfileSchema.standardAgeBands) {
        self.educationLevels = educationLevels
        self.occupations = occupations
        self.serviceTypes = serviceTypes
        self.asksAge = asksAge
        self.ageBands = ageBands
    }

    /// The sample form's profile: the standard education and occupation lists, free-text jenis layanan.
    public static let standard = RespondentProfileSchema()

    /// SD, SMP, SMA, S1, S2, S3 (the sample questionnaire).
    public static let standardEducation: [ProfileChoice] = [
        ProfileChoice("SD", "SD", "Primary school"),
        ProfileChoice("SMP", "SMP", "Junior secondary"),
        ProfileChoice("SMA", "SMA", "Senior secondary"),
        ProfileChoice("S1", "S1", "Bachelor's degree"),
        ProfileChoice("S2", "S2", "Master's degree"),
        ProfileChoice("S3", "S3", "Doctorate"),
    ]

    /// The sample list with diploma levels added (D1–D3, D4/S1), as many units print it.
    public static let educationWithDiploma: [ProfileChoice] = [
        ProfileChoice("SD", "SD", "Primary school"),
        ProfileChoice("SMP", "SMP", "Junior secondary"),
        ProfileChoice("SMA", "SMA", "Senior secondary"),
        ProfileChoice("D1-D3", "D1–D3", "Diploma (1–3 years)"),
        ProfileChoice("S1", "D4/S1", "Bachelor's degree / D4"),
        ProfileChoice("S2", "S2", "Master's degree"),
        ProfileChoice("S3", "S3", "Doctorate"),
    ]

    /// PNS, TNI, POLRI, Swasta, Wirausaha, Lainnya (the sample questionnaire).
    public static let standardOccupations: [ProfileChoice] = [
        ProfileChoice("PNS", "PNS", "Civil servant"),
        ProfileChoice("TNI", "TNI", "Armed forces"),
        ProfileChoice("POLRI", "POLRI", "Police"),
        ProfileChoice("SWASTA", "Swasta", "Private sector employee"),
        ProfileChoice("WIRAUSAHA", "Wirausaha", "Self-employed"),
        ProfileChoice("LAINNYA", "Lainnya", "Other"),
    ]

    /// Under 20, 20–29, 30–39, 40–49, 50–59, 60 and over.
    public static let standardAgeBands: [AgeBand] = [
        AgeBand(lowerBound: 0, label: SurveyText(id: "< 20 tahun", en: "under 20")),
        AgeBand(lowerBound: 20, label: SurveyText(id: "20–29 tahun", en: "20–29")),
        AgeBand(lowerBound: 30, label: SurveyText(id: "30–39 tahun", en: "30–39")),
        AgeBand(lowerBound: 40, label: SurveyText(id: "40–49 tahun", en: "40–49")),
        AgeBand(lowerBound: 50, label: SurveyText(id: "50–59 tahun", en: "50–59")),
        AgeBand(lowerBound: 60, label: SurveyText(id: "≥ 60 tahun", en: "60 and over")),
    ]

    /// The one choice `text` names by code, label, the list's own aliases or the standard aliases
    /// (``ProfileChoiceAliases/match(_:in:kind:)``); nil when none or several do.
    static func match(_ text: String, in choices: [ProfileChoice], kind: ProfileListKind? = nil) -> ProfileChoice? {
        if case .matched(let c) = ProfileChoiceAliases.match(text, in: choices, kind: kind) { return c }
        return nil
    }

    /// Index of the band holding `age`, or nil when age is below the first band.
    public func ageBandIndex(for age: Int) -> Int? {
        var found: Int?
        for (i, b) in ageBands.enumerated() where age >= b.lowerBound { found = i }
        return found
    }
}

/// A citizen satisfaction survey (SKM) as a unit runs it: the service, the unsur asked (in form
/// order) with their weights, and the profile questions.
///
/// ``standard(service:)`` gives the nine unsur of PermenPANRB 14/2017 in the sample
/// questionnaire's order with weight exactly 1/9 each. A unit may add its own unsur or re-weight
/// them, provided the weights still sum to 1 (checked by ``validate()`` within 1e-9).
public struct SurveyDefinition: Hashable, Sendable, Codable {
    public var service: SurveyService
    /// Title shown on the form, e.g. "Survei Kepuasan Masyarakat Pelayanan KTP-el".
    public var title: SurveyText?
    /// The unsur in the order the form asks them.
    public var items: [SurveyItem]
    public var profile: RespondentProfileSchema

    public init(service: SurveyService, title: SurveyText? = nil, items: [SurveyItem],
                profile: RespondentProfileSchema = .standard) {
        self.service = service
        self.title = title
        self.items = items
        self.profile = profile
    }

    /// The nine standard unsur in questionnaire order (U1–U9), 1/9 each.
    public static func standard(service: SurveyService, profile: RespondentProfileSchema = .standard) -> SurveyDefinition {
        let items = SurveyUnsur.questionnaireOrder.compactMap(SurveyUnsur.standard).map {
            SurveyItem(unsur: $0, weight: .equalShare(of: 9))
        }
        return SurveyDefinition(service: service, items: items, profile: profile)
    }

    /// Codes in form order.
    public var unsurCodes: [UnsurCode] { items.map(\.unsur.code) }

    /// The item with this code.
    public func item(_ code: UnsurCode) -> SurveyItem? { items.first { $0.unsur.code == code } }

    /// Sum of the weights as an exact fraction (nil if it cannot be represented in 128 bits).
    var exactWeightSum: ExactFraction? {
        var s = ExactFraction.zero
        for item in items {
            guard let n = s.adding(ExactFraction(item.weight)) else { return nil }
            s = n
        }
        return s
    }

    /// All problems of this definition; empty when it is valid.
    ///
    /// Checks: at least one unsur; codes well formed and unique; four answer labels per unsur;
    /// a non-empty question; weights positive and summing to 1 within 1e-9; unique profile codes;
    /// age bands ascending.
    public func issues() -> [SurveyIssue] {
        var out: [SurveyIssue] = []
        if service.unitID.trimmingCharacters(in: .whitespaces).isEmpty {
            out.append(SurveyIssue(field: "service.unitID", message: "unit wajib diisi (unit is required)"))
        }
        if items.isEmpty {
            out.append(SurveyIssue(field: "items", message: "minimal satu unsur (at least one unsur)"))
        }
        var seen: Set<UnsurCode> = []
        for (i, item) in items.enumerated() {
            let f = "items[\(i)]"
            let code = item.unsur.code
            if !code.isWellFormed {
                out.append(SurveyIssue(field: "\(f).unsur.code", message:
                    "kode '\(code)' tidak valid: huruf kecil, angka, _ (invalid code: lowercase letters, digits, _)"))
            }
            if !seen.insert(code).inserted {
                out.append(SurveyIssue(field: "\(f).unsur.code", message: "kode '\(code)' ganda (duplicate code)"))
            }
            if item.unsur.answerLabels.count != 4 {
                out.append(SurveyIssue(field: "\(f).unsur.answerLabels", message:
                    "harus 4 label jawaban, ada \(item.unsur.answerLabels.count) (exactly 4 answer labels needed)"))
            }
            if item.unsur.question.id.trimmingCharacters(in: .whitespaces).isEmpty {
                out.append(SurveyIssue(field: "\(f).unsur.question.id", message: "pertanyaan kosong (empty question)"))
            }
            if item.weight.numerator == 0 {
                out.append(SurveyIssue(field: "\(f).weight", message: "bobot harus > 0 (weight must be positive)"))
            }
        }
        if !items.isEmpty {
            if let sum = exactWeightSum {
                // |sum - 1| <= 1e-9  <=>  |n - d| * 10^9 <= d
                let diff = sum.numerator - sum.denominator
                let mag = diff < 0 ? -diff : diff
                let (scaled, overflow) = mag.multipliedReportingOverflow(by: 1_000_000_000)
                if overflow || scaled > sum.denominator {
                    out.append(SurveyIssue(field: "items.weight", message:
                        "jumlah bobot \(Self.format(sum.doubleValue)) harus 1 (weights must sum to 1)"))
                }
            } else {
                let total = items.reduce(0.0) { $0 + $1.weight.doubleValue }
                if abs(total - 1) > 1e-9 {
                    out.append(SurveyIssue(field: "items.weight", message:
                        "jumlah bobot \(Self.format(total)) harus 1 (weights must sum to 1)"))
                }
            }
        }
        out += Self.choiceIssues(profile.educationLevels, field: "profile.educationLevels", kind: .education)
        out += Self.choiceIssues(profile.occupations, field: "profile.occupations", kind: .occupation)
        out += Self.choiceIssues(profile.serviceTypes, field: "profile.serviceTypes", kind: .serviceType)
        for i in profile.ageBands.indices.dropFirst() where profile.ageBands[i].lowerBound <= profile.ageBands[i - 1].lowerBound {
            out.append(SurveyIssue(field: "profile.ageBands[\(i)].lowerBound", message:
                "batas usia harus naik (age bands must ascend)"))
        }
        return out
    }

    /// Throws ``SurveyError/invalidDefinition(_:)`` listing every problem of ``issues()``.
    public func validate() throws(SurveyError) {
        let found = issues()
        if !found.isEmpty { throw .invalidDefinition(found) }
    }

    private static func choiceIssues(_ choices: [ProfileChoice], field: String, kind: ProfileListKind) -> [SurveyIssue] {
        RespondentProfileSchema.listProblems(choices, kind: kind).map { p in
            SurveyIssue(field: "\(field)[\(p.index)]." + (p.code == .aliasConflict ? "aliases" : "code"), message: p.message)
        }
    }

    private static func format(_ v: Double) -> String { String(format: "%.10g", v) }
}
