import Foundation

/// The two languages Pantau shows survey text in: Bahasa Indonesia first, English second.
public enum SurveyLanguage: String, Hashable, Sendable, Codable, CaseIterable {
    case indonesian = "id"
    case english = "en"
}

/// A text in Bahasa Indonesia and English.
public struct SurveyText: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Bahasa Indonesia (the official wording).
    public var id: String
    /// English.
    public var en: String

    public init(id: String, en: String) {
        self.id = id
        self.en = en
    }

    /// The text in `language`; falls back to Indonesian when the English text is empty.
    public func text(_ language: SurveyLanguage) -> String {
        switch language {
        case .indonesian: return id
        case .english: return en.isEmpty ? id : en
        }
    }

    public var description: String { id }
}

/// The stable key of a survey element (unsur), e.g. `persyaratan`.
///
/// Answers, weights, CSV columns and results are keyed by this code, never by the position of the
/// question on a form (the regulation's order and the sample questionnaire's order differ).
/// A valid code is 1–40 characters of lowercase ASCII letters, digits and `_`, starting with a
/// letter (``isWellFormed``); ``SurveyDefinition/validate()`` checks it.
public struct UnsurCode: RawRepresentable, Hashable, Comparable, Sendable, Codable, CodingKeyRepresentable,
    ExpressibleByStringLiteral, CustomStringConvertible
{
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public var description: String { rawValue }

    public static func < (a: UnsurCode, b: UnsurCode) -> Bool { a.rawValue < b.rawValue }

    public var codingKey: any CodingKey { Key(stringValue: rawValue) }
    public init?<T: CodingKey>(codingKey: T) { self.rawValue = codingKey.stringValue }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// True if the code is 1–40 characters of `a-z`, `0-9`, `_`, starting with a letter.
    public var isWellFormed: Bool {
        let u = Array(rawValue.utf8)
        guard (1...40).contains(u.count), let first = u.first, (0x61...0x7A).contains(first) else { return false }
        return u.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F }
    }

    /// a. Persyaratan.
    public static let persyaratan: UnsurCode = "persyaratan"
    /// b. Sistem, mekanisme, dan prosedur.
    public static let prosedur: UnsurCode = "prosedur"
    /// c. Waktu penyelesaian.
    public static let waktu: UnsurCode = "waktu"
    /// d. Biaya/tarif.
    public static let biaya: UnsurCode = "biaya"
    /// e. Produk spesifikasi jenis pelayanan.
    public static let produk: UnsurCode = "produk"
    /// f. Kompetensi pelaksana.
    public static let kompetensi: UnsurCode = "kompetensi"
    /// g. Perilaku pelaksana.
    public static let perilaku: UnsurCode = "perilaku"
    /// h. Penanganan pengaduan, saran dan masukan.
    public static let pengaduan: UnsurCode = "pengaduan"
    /// i. Sarana dan prasarana.
    public static let sarana: UnsurCode = "sarana"
}

/// One element (unsur) of the citizen satisfaction survey (SKM, PermenPANRB 14/2017): the
/// question asked and the labels of its 1–4 answers.
public struct SurveyUnsur: Hashable, Sendable, Codable {
    /// Stable key.
    public var code: UnsurCode
    /// Short name, e.g. "Persyaratan" / "Requirements".
    public var name: SurveyText
    /// The question as printed on the form.
    public var question: SurveyText
    /// Labels of the answers scored 1, 2, 3, 4 (exactly four; index 0 is score 1).
    public var answerLabels: [SurveyText]
    /// Letter a–i in the regulation's scope list for the nine standard unsur; nil for a unit's own unsur.
    public var regulationLetter: String?

    public init(code: UnsurCode, name: SurveyText, question: SurveyText, answerLabels: [SurveyText],
                regulationLetter: String? = nil) {
        self.code = code
        self.name = name
        self.question = question
        self.answerLabels = answerLabels
        self.regulationLetter = regulationLetter
    }

    /// The label of `score` (1–4), or nil for any other value.
    public func label(forScore score: Int) -> SurveyText? {
        guard (1...4).contains(score), answerLabels.count == 4 else { return nil }
        return answerLabels[score - 1]
    }

    /// Position (1–9) of a standard unsur on the sample questionnaire (U1–U9), nil otherwise.
    public var questionnaireNumber: Int? {
        SurveyUnsur.questionnaireOrder.firstIndex(of: code).map { $0 + 1 }
    }

    // MARK: The nine standard unsur

    private static func labels(_ pairs: [(String, String)]) -> [SurveyText] {
        pairs.map { SurveyText(id: $0.0, en: $0.1) }
    }

    /// a. Persyaratan.
    public static let persyaratan = SurveyUnsur(
        code: .persyaratan,
        name: SurveyText(id: "Persyaratan", en: "Requirements"),
        question: SurveyText(
            id: "Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan jenis pelayanannya?",
            en: "How well do the service requirements match the type of service?"),
        answerLabels: labels([("Tidak sesuai", "Not suitable"), ("Kurang sesuai", "Less suitable"),
                              ("Sesuai", "Suitable"), ("Sangat sesuai", "Very suitable")]),
        regulationLetter: "a")

    /// b. Sistem, mekanisme, dan prosedur.
    public static let prosedur = SurveyUnsur(
        code: .prosedur,
        name: SurveyText(id: "Sistem, mekanisme, dan prosedur", en: "Systems, mechanisms and procedures"),
        question: SurveyText(
            id: "Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?",
            en: "How easy do you find the service procedure at this unit?"),
        answerLabels: labels([("Tidak mudah", "Not easy"), ("Kurang mudah", "Less easy"),
                              ("Mudah", "Easy"), ("Sangat mudah", "Very easy")]),
        regulationLetter: "b")

    /// c. Waktu penyelesaian.
    public static let waktu = SurveyUnsur(
        code: .waktu,
        name: SurveyText(id: "Waktu penyelesaian", en: "Completion time"),
        question: SurveyText(
            id: "Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?",
            en: "How fast was the service delivered?"),
        answerLabels: labels([("Tidak cepat", "Not fast"), ("Kurang cepat", "Less fast"),
                              ("Cepat", "Fast"), ("Sangat cepat", "Very fast")]),
        regulationLetter: "c")

    /// d. Biaya/tarif.
    public static let biaya = SurveyUnsur(
        code: .biaya,
        name: SurveyText(id: "Biaya/tarif", en: "Cost/tariff"),
        question: SurveyText(
            id: "Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?",
            en: "How fair is the cost/tariff of the service?"),
        answerLabels: labels([("Sangat mahal", "Very expensive"), ("Cukup mahal", "Fairly expensive"),
                              ("Murah", "Cheap"), ("Gratis", "Free")]),
        regulationLetter: "d")

    /// e. Produk spesifikasi jenis pelayanan.
    public static let produk = SurveyUnsur(
        code: .produk,
        name: SurveyText(id: "Produk spesifikasi jenis pelayanan", en: "Service product specification"),
        question: SurveyText(
            id: "Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang tercantum dalam standar pelayanan dengan hasil yang diberikan?",
            en: "How well does the service product listed in the service standard match what you received?"),
        answerLabels: labels([("Tidak sesuai", "Not suitable"), ("Kurang sesuai", "Less suitable"),
                              ("Sesuai", "Suitable"), ("Sangat sesuai", "Very suitable")]),
        regulationLetter: "e")

    /// f. Kompetensi pelaksana.
    public static let kompetensi = SurveyUnsur(
        code: .kompetensi,
        name: SurveyText(id: "Kompetensi pelaksana", en: "Staff competence"),
        question: SurveyText(
            id: "Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam pelayanan?",
            en: "How competent were the staff in delivering the service?"),
        answerLabels: labels([("Tidak kompeten", "Not competent"), ("Kurang kompeten", "Less competent"),
                              ("Kompeten", "Competent"), ("Sangat kompeten", "Very competent")]),
        regulationLetter: "f")

    /// g. Perilaku pelaksana.
    public static let perilaku = SurveyUnsur(
        code: .perilaku,
        name: SurveyText(id: "Perilaku pelaksana", en: "Staff conduct"),
        question: SurveyText(
            id: "Bagaimana pendapat Saudara tentang perilaku petugas dalam pelayanan terkait kesopanan dan keramahan?",
            en: "How polite and friendly were the staff?"),
        answerLabels: labels([("Tidak sopan dan ramah", "Not polite and friendly"),
                              ("Kurang sopan dan ramah", "Less polite and friendly"),
                              ("Sopan dan ramah", "Polite and friendly"),
                              ("Sangat sopan dan ramah", "Very polite and friendly")]),
        regulationLetter: "g")

    /// h. Penanganan pengaduan, saran dan masukan.
    public static let pengaduan = SurveyUnsur(
        code: .pengaduan,
        name: SurveyText(id: "Penanganan pengaduan, saran dan masukan",
                         en: "Handling of complaints, suggestions and feedback"),
        question: SurveyText(
            id: "Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna layanan?",
            en: "How are complaints from service users handled?"),
        answerLabels: labels([("Tidak ada", "None"), ("Ada tetapi tidak berfungsi", "Exists but does not work"),
                              ("Berfungsi kurang maksimal", "Works, but not fully"),
                              ("Dikelola dengan baik", "Well managed")]),
        regulationLetter: "h")

    /// i. Sarana dan prasarana.
    public static let sarana = SurveyUnsur(
        code: .sarana,
        name: SurveyText(id: "Sarana dan prasarana", en: "Facilities and infrastructure"),
        question: SurveyText(
            id: "Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?",
            en: "How do you rate the quality of the facilities and infrastructure?"),
        answerLabels: labels([("Buruk", "Poor"), ("Cukup", "Fair"), ("Baik", "Good"), ("Sangat baik", "Very good")]),
        regulationLetter: "i")

    /// The nine unsur in the regulation's scope order (a–i): persyaratan, prosedur, waktu, biaya,
    /// produk, kompetensi, perilaku, pengaduan, sarana.
    public static let standard: [SurveyUnsur] = [
        .persyaratan, .prosedur, .waktu, .biaya, .produk, .kompetensi, .perilaku, .pengaduan, .sarana,
    ]

    /// Codes in the regulation's order (a–i).
    public static let regulationOrder: [UnsurCode] = standard.map(\.code)

    /// Codes in the sample questionnaire's order U1–U9, which puts sarana (U8) before pengaduan (U9).
    public static let questionnaireOrder: [UnsurCode] = [
        .persyaratan, .prosedur, .waktu, .biaya, .produk, .kompetensi, .perilaku, .sarana, .pengaduan,
    ]

    /// The standard unsur with this code, if any.
    public static func standard(_ code: UnsurCode) -> SurveyUnsur? {
        standard.first { $0.code == code }
    }
}
