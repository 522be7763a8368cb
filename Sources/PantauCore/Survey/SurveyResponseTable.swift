import Foundation

/// Survey responses stored by column for fast aggregation: one byte per answer (0 = unanswered,
/// 1–4 = score), interned profile values.
///
/// Build it from ``SurveyResponse`` values or, from a store, row by row with
/// ``appendRow(scores:gender:education:occupation:serviceType:age:)``. A million responses of nine
/// unsur take about 9 MB of scores plus 6 bytes of profile per row.
public struct SurveyResponseTable: Sendable {
    /// The unsur columns, in the order scores are stored per row.
    public let unsurCodes: [UnsurCode]
    /// Number of rows.
    public private(set) var rowCount: Int = 0

    /// Row-major scores: row r, unsur j at `r * unsurCodes.count + j`; 0 = unanswered.
    private(set) var scores: [UInt8] = []
    /// 0 = not answered, 1 = L, 2 = P.
    private(set) var gender: [UInt8] = []
    /// 0 = not answered, else the age in years (capped at 255).
    private(set) var age: [UInt8] = []
    private(set) var education = InternedColumn()
    private(set) var occupation = InternedColumn()
    private(set) var serviceType = InternedColumn()
    private let columnOf: [UnsurCode: Int]

    /// An empty table with these unsur columns.
    public init(unsurCodes: [UnsurCode], reservingCapacity capacity: Int = 0) {
        self.unsurCodes = unsurCodes
        var map: [UnsurCode: Int] = [:]
        for (i, c) in unsurCodes.enumerated() where map[c] == nil { map[c] = i }
        columnOf = map
        reserveCapacity(capacity)
    }

    /// A table of `responses` with the definition's unsur as columns.
    /// - Throws: ``SurveyError/invalidResponse(row:_:)`` (1-based row) for a score outside 1–4 or an
    ///   answer to an unsur the definition does not have.
    public init(definition: SurveyDefinition, responses: [SurveyResponse]) throws(SurveyError) {
        self.init(unsurCodes: definition.unsurCodes, reservingCapacity: responses.count)
        for (i, r) in responses.enumerated() {
            do { try append(r) } catch {
                if case .invalidResponse(_, let issues) = error { throw .invalidResponse(row: i + 1, issues) }
                throw error
            }
        }
    }

    /// Reserves room for `capacity` rows.
    public mutating func reserveCapacity(_ capacity: Int) {
        guard capacity > 0 else { return }
        scores.reserveCapacity(capacity * unsurCodes.count)
        gender.reserveCapacity(capacity)
        age.reserveCapacity(capacity)
        education.reserveCapacity(capacity)
        occupation.reserveCapacity(capacity)
        serviceType.reserveCapacity(capacity)
    }

    /// Appends one response.
    /// - Throws: ``SurveyError/invalidResponse(row:_:)`` for a score outside 1–4 or an unknown unsur.
    public mutating func append(_ response: SurveyResponse) throws(SurveyError) {
        var row = [UInt8](repeating: 0, count: unsurCodes.count)
        var issues: [SurveyIssue] = []
        for (code, score) in response.answers {
            guard let j = columnOf[code] else {
                issues.append(SurveyIssue(field: "answers.\(code)", message: "unsur tidak ada di survei ini (unknown unsur)"))
                continue
            }
            guard (1...4).contains(score) else {
                issues.append(SurveyIssue(field: "answers.\(code)", message: "nilai \(score) harus 1–4 (score must be 1–4)"))
                continue
            }
            row[j] = UInt8(score)
        }
        if !issues.isEmpty {
            throw .invalidResponse(row: nil, issues.sorted { $0.field < $1.field })
        }
        let p = response.profile
        appendUnchecked(row, gender: p.gender, education: p.education, occupation: p.occupation,
                        serviceType: p.serviceType, age: p.age)
    }

    /// Appends one row given as scores in ``unsurCodes`` order (0 = unanswered).
    /// - Throws: ``SurveyError/invalidResponse(row:_:)`` when the count differs from the columns or a score exceeds 4.
    public mutating func appendRow(scores row: [UInt8], gender: RespondentGender? = nil, education: String? = nil,
                                   occupation: String? = nil, serviceType: String? = nil, age: Int? = nil) throws(SurveyError) {
        guard row.count == unsurCodes.count else {
            throw .invalidResponse(row: rowCount + 1, [SurveyIssue(field: "scores", message:
                "\(row.count) nilai, seharusnya \(unsurCodes.count) (expected one score per unsur)")])
        }
        if let bad = row.firstIndex(where: { $0 > 4 }) {
            throw .invalidResponse(row: rowCount + 1, [SurveyIssue(field: "answers.\(unsurCodes[bad])", message:
                "nilai \(row[bad]) harus 1–4 (score must be 1–4)")])
        }
        appendUnchecked(row, gender: gender, education: education, occupation: occupation, serviceType: serviceType, age: age)
    }

    private mutating func appendUnchecked(_ row: [UInt8], gender g: RespondentGender?, education e: String?,
                                          occupation o: String?, serviceType s: String?, age a: Int?) {
        scores.append(contentsOf: row)
        gender.append(g == .male ? 1 : g == .female ? 2 : 0)
        age.append(a.map { UInt8(clamping: max(0, $0)) } ?? 0)
        education.append(e)
        occupation.append(o)
        serviceType.append(s)
        rowCount += 1
    }

    /// The score (1–4) of `row` for `code`, nil if unanswered or unknown.
    public func score(row: Int, _ code: UnsurCode) -> Int? {
        guard row >= 0, row < rowCount, let j = columnOf[code] else { return nil }
        let s = scores[row * unsurCodes.count + j]
        return s == 0 ? nil : Int(s)
    }
}

/// A column of optional strings stored as small integer codes; code 0 means "not answered".
struct InternedColumn: Sendable {
    /// Level texts; index 0 is the empty "not answered" level.
    private(set) var levels: [String] = [""]
    private(set) var codes: [UInt16] = []
    private var index: [String: UInt16] = [:]
    static let overflowCode = 65_000
    static let overflowText = "(lainnya / other)"

    mutating func reserveCapacity(_ n: Int) { codes.reserveCapacity(n) }

    mutating func append(_ value: String?) {
        guard let raw = value else {
            codes.append(0)
            return
        }
        // Fast path: the exact text was seen before (also caches untrimmed spellings).
        if let c = index[raw] {
            codes.append(c)
            return
        }
        let v = raw.trimmingCharacters(in: .whitespaces)
        if v.isEmpty {
            if index.count < 4 * InternedColumn.overflowCode { index[raw] = 0 }
            codes.append(0)
            return
        }
        if let c = index[v] {
            if index.count < 4 * InternedColumn.overflowCode { index[raw] = c }
            codes.append(c)
        } else if levels.count < InternedColumn.overflowCode {
            let c = UInt16(levels.count)
            levels.append(v)
            index[v] = c
            codes.append(c)
        } else {
            // Too many distinct free-text values: the rest share one explicit overflow level.
            if levels.count == InternedColumn.overflowCode { levels.append(InternedColumn.overflowText) }
            codes.append(UInt16(InternedColumn.overflowCode))
        }
    }
}
