import Foundation

/// One problem found in a survey definition or a response, naming the field.
public struct SurveyIssue: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Path of the offending field, e.g. `items[3].weight` or `answers.waktu`.
    public var field: String
    /// What is wrong (Bahasa Indonesia, with English in parentheses).
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}

/// Errors of the survey (SKM) area.
public enum SurveyError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The survey definition is invalid; every problem found is listed.
    case invalidDefinition([SurveyIssue])
    /// A response does not fit the definition (unknown unsur, score outside 1–4, bad profile value).
    case invalidResponse(row: Int?, [SurveyIssue])
    /// A period text is not `YYYY`, `YYYY-MM`, `YYYY-Qn` or `YYYY-Sn`.
    case invalidPeriod(String)
    /// A CSV file was rejected: the header problem or all bad rows, each with row, column and value.
    case csvRejected([SurveyCSVIssue])

    public var description: String {
        switch self {
        case .invalidDefinition(let issues):
            return "definisi survei tidak valid (invalid survey definition): "
                + issues.map(\.description).joined(separator: "; ")
        case .invalidResponse(let row, let issues):
            let at = row.map { "baris \($0): " } ?? ""
            return "\(at)jawaban tidak valid (invalid response): " + issues.map(\.description).joined(separator: "; ")
        case .invalidPeriod(let text):
            return "periode tidak dikenal (unknown period) '\(text)'; gunakan 2026, 2026-07, 2026-Q3 atau 2026-S1"
        case .csvRejected(let issues):
            let shown = issues.prefix(20).map(\.description).joined(separator: "; ")
            let more = issues.count > 20 ? " … (+\(issues.count - 20))" : ""
            return "CSV ditolak (CSV rejected), \(issues.count) masalah: \(shown)\(more)"
        }
    }
}
