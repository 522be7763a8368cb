import Foundation

/// The column names of survey responses in CSV and XLSX files, defined once: the paper import
/// (``SurveyCSVImporter``) reads them, the raw-response export and the import template write them.
/// Unsur columns are the definition's unsur codes (the import also reads `u1`…`u9`).
public enum SurveyCSVColumn: String, CaseIterable, Hashable, Sendable {
    /// Export: the stored response id. Import: the form number when there is no `no_formulir`.
    case id = "id"
    /// The paper form's number.
    case formNumber = "no_formulir"
    case date = "tanggal"
    case time = "jam"
    /// How the response came in (export only; the import ignores it).
    case channel = "kanal"
    case gender = "jenis_kelamin"
    case age = "usia"
    case education = "pendidikan"
    case occupation = "pekerjaan"
    case occupationDetail = "pekerjaan_lainnya"
    case serviceType = "jenis_layanan"
    case saran = "saran"
    case caseReference = "referensi_kasus"
    /// When the response was entered (export only; the import ignores it).
    case submittedAt = "waktu_kirim"

    /// Other names the import accepts for a column.
    public static let aliases: [String: SurveyCSVColumn] = ["umur": .age]

    /// The column a header names (already lower-cased, spaces and `-` as `_`), or nil.
    public init?(reading key: String) {
        if let c = SurveyCSVColumn(rawValue: key) { self = c } else if let c = Self.aliases[key] { self = c } else { return nil }
    }

    /// The raw-response export: stored id, form number, date, time, channel, profile, the
    /// definition's unsur codes, saran, case reference and entry time. The import reads all of it.
    public static func exportHeader(_ definition: SurveyDefinition) -> [String] {
        ([.id, .formNumber, .date, .time, .channel, .gender, .age, .education, .occupation, .occupationDetail, .serviceType] as [Self])
            .map(\.rawValue) + definition.unsurCodes.map(\.rawValue) + [Self.saran, .caseReference, .submittedAt].map(\.rawValue)
    }

    /// The header of the paper-import template: what a typist fills in (age only when the survey
    /// asks it).
    public static func templateHeader(_ definition: SurveyDefinition) -> [String] {
        ([.id, .date, .time, .gender] + (definition.profile.asksAge ? [.age] : []) + [.education, .occupation, .occupationDetail, .serviceType] as [Self])
            .map(\.rawValue) + definition.unsurCodes.map(\.rawValue) + [Self.saran, .caseReference].map(\.rawValue)
    }
}
