import Foundation

/// Jenis kelamin as on the form: L (laki-laki) or P (perempuan).
public enum RespondentGender: String, Hashable, Sendable, Codable, CaseIterable {
    case male = "L"
    case female = "P"

    public var label: SurveyText {
        switch self {
        case .male: return SurveyText(id: "Laki-laki", en: "Male")
        case .female: return SurveyText(id: "Perempuan", en: "Female")
        }
    }

    /// Accepts `L`, `P`, `Laki-laki`, `Laki laki`, `Perempuan`, `M`/`Male`, `F`/`Female` (any case).
    public init?(parsing text: String) {
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "l", "laki-laki", "laki laki", "lakilaki", "pria", "m", "male": self = .male
        case "p", "perempuan", "wanita", "f", "female": self = .female
        default: return nil
        }
    }
}

/// The respondent's profile answers. Every field is optional (a respondent may skip it).
public struct RespondentProfile: Hashable, Sendable, Codable {
    public var gender: RespondentGender?
    /// Code from ``RespondentProfileSchema/educationLevels``.
    public var education: String?
    /// Code from ``RespondentProfileSchema/occupations``.
    public var occupation: String?
    /// Free text for "Lainnya (sebutkan)".
    public var occupationDetail: String?
    /// Jenis layanan received: a code from ``RespondentProfileSchema/serviceTypes``, or free text when that list is empty.
    public var serviceType: String?
    /// Usia in years.
    public var age: Int?

    public init(gender: RespondentGender? = nil, education: String? = nil, occupation: String? = nil,
                occupationDetail: String? = nil, serviceType: String? = nil, age: Int? = nil) {
        self.gender = gender
        self.education = education
        self.occupation = occupation
        self.occupationDetail = occupationDetail
        self.serviceType = serviceType
        self.age = age
    }
}

/// A time of day (jam survei), coded `HH:MM`.
public struct SurveyTimeOfDay: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var hour: Int
    public var minute: Int

    /// Nil unless 0 ≤ hour ≤ 23 and 0 ≤ minute ≤ 59.
    public init?(hour: Int, minute: Int) {
        guard (0...23).contains(hour), (0...59).contains(minute) else { return nil }
        self.hour = hour
        self.minute = minute
    }

    /// Parses `H:MM`, `HH:MM`, `HH.MM` or `HH:MM:SS` (seconds dropped).
    public init?(_ text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(whereSeparator: { $0 == ":" || $0 == "." })
        guard (2...3).contains(parts.count), parts.allSatisfy({ (1...2).contains($0.count) && $0.allSatisfy(\.isASCII) }),
              let h = Int(parts[0]), let m = Int(parts[1]), parts.count == 2 || Int(parts[2]).map({ (0...59).contains($0) }) == true
        else { return nil }
        self.init(hour: h, minute: m)
    }

    public var description: String { String(format: "%02d:%02d", hour, minute) }

    public static func < (a: SurveyTimeOfDay, b: SurveyTimeOfDay) -> Bool { (a.hour, a.minute) < (b.hour, b.minute) }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        guard let t = SurveyTimeOfDay(s) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected HH:MM, got '\(s)'")
        }
        self = t
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// One completed questionnaire: answers per unsur code (an absent code is unanswered), profile,
/// saran and an optional reference to the case (the service request) it is about.
public struct SurveyResponse: Hashable, Sendable, Codable {
    /// Store id, if any.
    public var id: String?
    /// Tanggal survei.
    public var date: CivilDate?
    /// Jam survei.
    public var time: SurveyTimeOfDay?
    public var profile: RespondentProfile
    /// Scores 1–4 by unsur code. A missing code means the respondent did not answer that unsur.
    public var answers: [UnsurCode: Int]
    /// Saran (free-text suggestion).
    public var saran: String?
    /// The case (service request, e.g. a permit number) the respondent was served in.
    public var caseReference: String?

    public init(id: String? = nil, date: CivilDate? = nil, time: SurveyTimeOfDay? = nil,
                profile: RespondentProfile = RespondentProfile(), answers: [UnsurCode: Int],
                saran: String? = nil, caseReference: String? = nil) {
        self.id = id
        self.date = date
        self.time = time
        self.profile = profile
        self.answers = answers
        self.saran = saran
        self.caseReference = caseReference
    }

    /// Problems of this response against `definition` with Pantau's default bilingual texts:
    /// ``validate(against:)`` as ``SurveyIssue`` values. Empty when valid.
    public func issues(against definition: SurveyDefinition) -> [SurveyIssue] {
        validate(against: definition).map { $0.issue }
    }
}
