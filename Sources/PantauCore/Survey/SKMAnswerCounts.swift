import Foundation

/// The answers of a set of responses summed per profile value: everything ``SKMCalculator`` needs,
/// without the rows. A store keeps these sums per month (updated in the transaction that inserts
/// the responses) and adds up the months of a period, so a result costs a few thousand sums instead
/// of a pass over every response.
///
/// For each ``Dimension`` (gender, education, occupation, service type, age) and each value of it
/// (`""` = not answered) it holds the number of responses, the smallest response id seen with that
/// value (free-text values are ordered by first appearance, as in ``SurveyResponseTable``), and per
/// unsur code how many responses scored 1, 2, 3 and 4. Unanswered counts follow: responses minus
/// answered. Every response has exactly one value per dimension, so the gender cells add up to all
/// responses.
///
/// ``SKMCalculator/compute(_:counts:)`` gives exactly the ``SKMResult`` of
/// ``SKMCalculator/compute(_:table:)`` over the same responses.
public struct SKMAnswerCounts: Hashable, Sendable {
    /// A profile question counted. The raw values are the store's codes.
    public enum Dimension: String, Hashable, Sendable, CaseIterable, Codable {
        case gender = "g"
        case education = "e"
        case occupation = "o"
        case serviceType = "s"
        case age = "a"
    }

    /// The counts of one value of one dimension.
    public struct Cell: Hashable, Sendable {
        /// Responses with this value.
        public var responses: Int = 0
        /// Smallest response id with this value (`Int64.max` when unknown).
        public var firstID: Int64 = .max
        /// Per unsur: responses that scored 1, 2, 3, 4 (index 0 is score 1).
        public var scores: [UnsurCode: [Int]] = [:]

        public init() {}
    }

    /// One addition: `count` responses (when `unsur` is nil) or answers (`unsur` scored `score`).
    public struct Key: Hashable, Sendable {
        public var dimension: Dimension
        /// The profile value as stored (`""` = not answered; age in decimal digits).
        public var value: String
        /// Nil: the key counts responses; otherwise answers to this unsur.
        public var unsur: UnsurCode?
        /// 1–4 for an answer; 0 for a response count.
        public var score: Int

        public init(dimension: Dimension, value: String, unsur: UnsurCode?, score: Int) {
            self.dimension = dimension
            self.value = value
            self.unsur = unsur
            self.score = score
        }
    }

    public private(set) var cells: [Dimension: [String: Cell]] = [:]

    public init() {}

    /// The counts of these responses; `ids` (same order) give the first-appearance order of
    /// free-text values, default the position.
    public init(responses: [SurveyResponse], ids: [Int64]? = nil) {
        for (i, r) in responses.enumerated() {
            let id = ids?[i] ?? Int64(i)
            for key in Self.keys(of: r) { add(key, count: 1, firstID: id) }
        }
    }

    /// Responses counted (the sum over the gender values).
    public var responseCount: Int { cells[.gender]?.values.reduce(0) { $0 + $1.responses } ?? 0 }

    /// The stored value of `dimension` for a response (`""` when not answered).
    public static func value(_ dimension: Dimension, of r: SurveyResponse) -> String {
        switch dimension {
        case .gender: return r.profile.gender?.rawValue ?? ""
        case .education: return r.profile.education ?? ""
        case .occupation: return r.profile.occupation ?? ""
        case .serviceType: return r.profile.serviceType ?? ""
        case .age: return r.profile.age.map(String.init) ?? ""
        }
    }

    /// What one response adds: per dimension one response count and one count per answer.
    /// Answers outside 1–4 are left out (a validated response has none).
    public static func keys(of r: SurveyResponse) -> [Key] {
        var out: [Key] = []
        let answers = r.answers.filter { (1...4).contains($0.value) }.sorted { $0.key < $1.key }
        out.reserveCapacity(Dimension.allCases.count * (1 + answers.count))
        for d in Dimension.allCases {
            let v = value(d, of: r)
            out.append(Key(dimension: d, value: v, unsur: nil, score: 0))
            for (code, score) in answers { out.append(Key(dimension: d, value: v, unsur: code, score: score)) }
        }
        return out
    }

    /// Adds `count` to a key; `firstID` lowers the value's first appearance.
    public mutating func add(_ key: Key, count: Int, firstID: Int64) {
        var cell = cells[key.dimension]?[key.value] ?? Cell()
        cell.firstID = min(cell.firstID, firstID)
        if let u = key.unsur {
            guard (1...4).contains(key.score) else { return }
            var s = cell.scores[u] ?? [0, 0, 0, 0]
            s[key.score - 1] += count
            cell.scores[u] = s
        } else {
            cell.responses += count
        }
        cells[key.dimension, default: [:]][key.value] = cell
    }

    /// Adds every count of `other`.
    public mutating func merge(_ other: SKMAnswerCounts) {
        for (d, values) in other.cells {
            for (v, c) in values {
                add(Key(dimension: d, value: v, unsur: nil, score: 0), count: c.responses, firstID: c.firstID)
                for (u, s) in c.scores {
                    for (i, n) in s.enumerated() where n != 0 { add(Key(dimension: d, value: v, unsur: u, score: i + 1), count: n, firstID: c.firstID) }
                }
            }
        }
    }
}

extension Histogram {
    /// The histogram that ``init(table:)`` builds from a table of the same responses, with
    /// `unsurCodes` as the columns (answers to other unsur are left out).
    init(counts: SKMAnswerCounts, unsurCodes: [UnsurCode]) {
        let k = unsurCodes.count
        unsurCount = k
        var column: [UnsurCode: Int] = [:]
        for (i, c) in unsurCodes.enumerated() where column[c] == nil { column[c] = i }

        // Interned codes of the free-text dimensions, values fed in order of first appearance
        // exactly as the table interns them row by row.
        func interned(_ d: SKMAnswerCounts.Dimension) -> (InternedColumn, [String: Int]) {
            var col = InternedColumn()
            var code: [String: Int] = [:]
            let values = (counts.cells[d] ?? [:]).sorted { a, b in
                a.value.firstID != b.value.firstID ? a.value.firstID < b.value.firstID : a.key < b.key
            }
            for (v, _) in values {
                col.append(v)
                code[v] = Int(col.codes.last ?? 0)
            }
            return (col, code)
        }
        let (edu, eduCode) = interned(.education)
        let (occ, occCode) = interned(.occupation)
        let (svc, svcCode) = interned(.serviceType)
        educationLevels = edu.levels
        occupationLevels = occ.levels
        serviceLevels = svc.levels
        let gb = 1
        let eb = gb + 3
        let ob = eb + edu.levels.count
        let sb = ob + occ.levels.count
        let ab = sb + svc.levels.count
        genderBase = gb
        educationBase = eb
        occupationBase = ob
        serviceBase = sb
        ageBase = ab
        let stride = k * 5
        var hist = [Int](repeating: 0, count: (ab + 256) * stride)

        func slot(_ d: SKMAnswerCounts.Dimension, _ value: String) -> Int {
            switch d {
            case .gender:
                let g = RespondentGender(rawValue: value)
                return gb + (g == .male ? 1 : g == .female ? 2 : 0)
            case .education: return eb + (eduCode[value] ?? 0)
            case .occupation: return ob + (occCode[value] ?? 0)
            case .serviceType: return sb + (svcCode[value] ?? 0)
            case .age: return ab + Int(Int(value).map { UInt8(clamping: max(0, $0)) } ?? 0)
            }
        }

        if k > 0 {
            for (d, values) in counts.cells {
                for (value, cell) in values {
                    var slots = [slot(d, value)]
                    if d == .gender { slots.append(0) }  // the all-responses slot
                    for s in slots {
                        let base = s * stride
                        for (j, code) in unsurCodes.enumerated() {
                            // A repeated code: the table fills only its first column.
                            guard column[code] == j else { hist[base + j * 5] += cell.responses; continue }
                            let sc = cell.scores[code] ?? [0, 0, 0, 0]
                            let answered = sc.reduce(0, +)
                            hist[base + j * 5] += cell.responses - answered
                            for score in 1...4 { hist[base + j * 5 + score] += sc[score - 1] }
                        }
                    }
                }
            }
        }
        self.cells = hist
    }
}

extension SKMCalculator {
    /// Computes the result from answer counts: the same ``SKMResult`` as
    /// ``compute(_:table:)`` over the responses the counts were made of. Answers to unsur the
    /// definition does not have are left out (as a store's response table leaves them out).
    /// - Throws: ``SurveyError/invalidDefinition(_:)``.
    public func compute(_ definition: SurveyDefinition, counts: SKMAnswerCounts) throws(SurveyError) -> SKMResult {
        try definition.validate()
        let codes = definition.unsurCodes
        return result(definition, Histogram(counts: counts, unsurCodes: codes), unsurCodes: codes, total: counts.responseCount)
    }
}
