import Foundation

/// One problem of a survey response against its definition: a code, the field and the arguments,
/// no words. Every entry point (public form, API, paper import, store) validates with
/// ``SurveyResponse/validate(against:)`` and turns the codes into its own field names and texts.
public struct SurveyResponseProblem: Hashable, Sendable, Codable, CustomStringConvertible {
    public enum Code: String, Hashable, Sendable, Codable, CaseIterable {
        /// An answer to an unsur the survey does not have. Arguments: the unsur code.
        case unknownUnsur = "unknown_unsur"
        /// A score outside 1–4. Arguments: the score.
        case scoreOutOfRange = "score_out_of_range"
        /// No unsur answered at all.
        case noAnswer = "no_answer"
        /// A profile value not in the survey's list. Arguments: the value.
        case unknownEducation = "unknown_education"
        case unknownOccupation = "unknown_occupation"
        case unknownServiceType = "unknown_service_type"
        /// Age outside 1–130. Arguments: the age.
        case ageOutOfRange = "age_out_of_range"
        /// A text longer than allowed. Arguments: the maximum number of characters.
        case tooLong = "too_long"
    }

    /// The part of the response concerned.
    public enum Field: Hashable, Sendable, Codable {
        case answer(UnsurCode)
        case answers
        case education
        case occupation
        case occupationDetail
        case serviceType
        case age
        case saran
        case caseReference
        /// The paper form's number (``SurveyResponse/id``).
        case formNumber

        /// The field's path in a ``SurveyResponse`` as the store names it (`answers.waktu`,
        /// `profile.education`, `case_reference`, …).
        public var path: String {
            switch self {
            case .answer(let c): return "answers.\(c)"
            case .answers: return "answers"
            case .education: return "profile.education"
            case .occupation: return "profile.occupation"
            case .occupationDetail: return "profile.occupationDetail"
            case .serviceType: return "profile.serviceType"
            case .age: return "profile.age"
            case .saran: return "saran"
            case .caseReference: return "case_reference"
            case .formNumber: return "form_number"
            }
        }
    }

    public var code: Code
    public var field: Field
    public var arguments: [String]

    public init(_ code: Code, _ field: Field, _ arguments: [String] = []) {
        self.code = code
        self.field = field
        self.arguments = arguments
    }

    public var description: String { "\(field.path): \(code.rawValue)\(arguments.isEmpty ? "" : " \(arguments)")" }
}

extension SurveyResponse {
    /// Longest saran (characters).
    public static let saranMaxLength = 2000
    /// Longest case reference, form number, occupation detail and free-text service type.
    public static let shortTextMaxLength = 200

    /// The response with texts trimmed (empty → nil) and profile answers given as a code or label of
    /// the definition's lists replaced by the list's code. Values that match nothing are kept (for
    /// ``validate(against:)`` to report).
    public func normalized(against definition: SurveyDefinition) -> SurveyResponse {
        func clean(_ s: String?) -> String? {
            guard let t = s?.trimmingCharacters(in: .whitespacesAndNewlines), !t.isEmpty else { return nil }
            return t
        }
        func code(_ s: String?, _ list: [ProfileChoice]) -> String? {
            guard let v = clean(s) else { return nil }
            return RespondentProfileSchema.match(v, in: list)?.code ?? v
        }
        var r = self
        let schema = definition.profile
        r.id = clean(id)
        r.saran = clean(saran)
        r.caseReference = clean(caseReference)
        r.profile.education = code(profile.education, schema.educationLevels)
        r.profile.occupation = code(profile.occupation, schema.occupations)
        r.profile.occupationDetail = clean(profile.occupationDetail)
        r.profile.serviceType = schema.serviceTypes.isEmpty ? clean(profile.serviceType) : code(profile.serviceType, schema.serviceTypes)
        return r
    }

    /// Every problem of this response against `definition`, in a fixed order: answers (by unsur
    /// code), no answer at all, profile values (education, occupation, service type, age), then
    /// text lengths (saran, case reference, occupation detail, service type, form number). Empty
    /// when valid. Profile values may be a code or a label of the lists (any case).
    public func validate(against definition: SurveyDefinition) -> [SurveyResponseProblem] {
        var out: [SurveyResponseProblem] = []
        let codes = Set(definition.unsurCodes)
        for (code, score) in answers.sorted(by: { $0.key < $1.key }) {
            if !codes.contains(code) {
                out.append(.init(.unknownUnsur, .answer(code), [code.rawValue]))
            } else if !(1...4).contains(score) {
                out.append(.init(.scoreOutOfRange, .answer(code), [String(score)]))
            }
        }
        if answers.isEmpty { out.append(.init(.noAnswer, .answers)) }
        let schema = definition.profile
        if let e = profile.education, RespondentProfileSchema.match(e, in: schema.educationLevels) == nil {
            out.append(.init(.unknownEducation, .education, [e]))
        }
        if let o = profile.occupation, RespondentProfileSchema.match(o, in: schema.occupations) == nil {
            out.append(.init(.unknownOccupation, .occupation, [o]))
        }
        if let s = profile.serviceType, !schema.serviceTypes.isEmpty, RespondentProfileSchema.match(s, in: schema.serviceTypes) == nil {
            out.append(.init(.unknownServiceType, .serviceType, [s]))
        }
        if let a = profile.age, !(1...130).contains(a) {
            out.append(.init(.ageOutOfRange, .age, [String(a)]))
        }
        func limit(_ v: String?, _ f: SurveyResponseProblem.Field, _ max: Int) {
            if let v, v.count > max { out.append(.init(.tooLong, f, [String(max)])) }
        }
        limit(saran, .saran, Self.saranMaxLength)
        limit(caseReference, .caseReference, Self.shortTextMaxLength)
        limit(profile.occupationDetail, .occupationDetail, Self.shortTextMaxLength)
        limit(profile.serviceType, .serviceType, Self.shortTextMaxLength)
        limit(id, .formNumber, Self.shortTextMaxLength)
        return out
    }
}

extension SurveyResponseProblem {
    /// The problem as a ``SurveyIssue`` with Pantau's default bilingual text, for callers without a
    /// catalog (the store's errors, the CLI). The web layer translates ``code`` itself.
    public var issue: SurveyIssue {
        let a = arguments.first ?? ""
        let message: String
        switch code {
        case .unknownUnsur: message = "unsur tidak ada di survei ini (unknown unsur)"
        case .scoreOutOfRange: message = "nilai \(a) harus 1–4 (score must be 1–4)"
        case .noAnswer: message = "Jawab minimal satu unsur (answer at least one unsur)"
        case .unknownEducation: message = "pendidikan '\(a)' tidak dikenal (unknown education)"
        case .unknownOccupation: message = "pekerjaan '\(a)' tidak dikenal (unknown occupation)"
        case .unknownServiceType: message = "jenis layanan '\(a)' tidak dikenal (unknown service type)"
        case .ageOutOfRange: message = "usia \(a) di luar 1–130 (age out of range)"
        case .tooLong: message = "Maks. \(a) karakter"
        }
        return SurveyIssue(field: field.path, message: message)
    }
}
