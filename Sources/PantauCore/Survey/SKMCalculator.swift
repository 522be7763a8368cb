import Foundation

/// Computes the citizen satisfaction index (IKM) of PermenPANRB 14/2017 from raw answers.
///
/// Definitions (REFERENCE §2c–2d):
/// - NRR of an unsur = sum of its scores ÷ number of respondents who **answered** that unsur.
/// - Nilai indeks = Σ NRRᵢ × wᵢ (1–4 scale), weights wᵢ from the definition (1/9 each by default).
/// - IKM = nilai indeks × 25 (25–100 scale), rounded to 2 decimals half away from zero on the
///   exact decimal value (see `docs/skm.md`; intermediate values are exact fractions, not `Double`).
/// - Mutu: A if IKM ≥ 88.31, B if ≥ 76.61, C if ≥ 65.00, else D (``SKMGrade``).
/// - If an unsur has no answers at all it has no NRR; by default the IKM is then computed over the
///   answered unsur with their weights rescaled to sum to 1 (``Options/MissingUnsurPolicy``).
///
/// The profile breakdown applies the same computation to the responses of each profile group.
///
/// - Complexity: O(R·U) for R responses and U unsur in one pass over a ``SurveyResponseTable``
///   (each answer increments one histogram cell per breakdown), plus O(G·U) for G profile groups.
public struct SKMCalculator: Sendable {
    public struct Options: Hashable, Sendable, Codable {
        /// What to do when an unsur received no answers at all.
        public enum MissingUnsurPolicy: String, Hashable, Sendable, Codable {
            /// Compute the IKM over the answered unsur, rescaling their weights to sum to 1.
            case renormalize
            /// Report no IKM.
            case noIndex
        }

        /// Service users in the period, for the Krejcie–Morgan check; nil skips it.
        public var population: Int?
        /// The period the responses belong to (copied into the result).
        public var period: SurveyPeriod?
        public var missingUnsur: MissingUnsurPolicy
        /// Profile questions to break down by, in this order.
        public var breakdown: [ProfileDimension]

        public init(population: Int? = nil, period: SurveyPeriod? = nil,
                    missingUnsur: MissingUnsurPolicy = .renormalize,
                    breakdown: [ProfileDimension] = ProfileDimension.allCases) {
            self.population = population
            self.period = period
            self.missingUnsur = missingUnsur
            self.breakdown = breakdown
        }
    }

    public var options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    /// Computes the result of `responses` (validated like ``SurveyResponseTable/init(definition:responses:)``).
    /// - Throws: ``SurveyError/invalidDefinition(_:)`` or ``SurveyError/invalidResponse(row:_:)``.
    public func compute(_ definition: SurveyDefinition, responses: [SurveyResponse]) throws(SurveyError) -> SKMResult {
        try definition.validate()
        let table = try SurveyResponseTable(definition: definition, responses: responses)
        return try compute(definition, table: table)
    }

    /// Computes the result of a columnar table. Definition unsur missing from the table count as
    /// unanswered.
    /// - Throws: ``SurveyError/invalidDefinition(_:)``, or ``SurveyError/invalidResponse(row:_:)`` when
    ///   the table has a column the definition lacks.
    public func compute(_ definition: SurveyDefinition, table: SurveyResponseTable) throws(SurveyError) -> SKMResult {
        try definition.validate()
        let defCodes = Set(definition.unsurCodes)
        let extra = table.unsurCodes.filter { !defCodes.contains($0) }
        if !extra.isEmpty {
            throw .invalidResponse(row: nil, extra.map {
                SurveyIssue(field: "answers.\($0)", message: "unsur tidak ada di survei ini (unknown unsur)")
            })
        }
        return result(definition, Histogram(table: table), unsurCodes: table.unsurCodes, total: table.rowCount)
    }

    /// The result of a filled histogram whose columns are `unsurCodes`, over `total` responses.
    func result(_ definition: SurveyDefinition, _ hist: Histogram, unsurCodes: [UnsurCode], total: Int) -> SKMResult {
        let itemColumn: [Int?] = definition.items.map { item in unsurCodes.firstIndex(of: item.unsur.code) }

        func stats(_ slots: [Int]) -> [UnsurStats] {
            itemColumn.map { col in
                guard let col else { return UnsurStats(counts: [0, 0, 0, 0], unanswered: hist.rows(slots)) }
                return hist.stats(slots: slots, column: col)
            }
        }

        let all = stats([hist.allSlot])
        let overall = index(definition, all)

        // Per unsur.
        var unsurResults: [SKMUnsurResult] = []
        for (i, item) in definition.items.enumerated() {
            let s = all[i]
            let nrr = s.answered > 0 ? Double(s.sum) / Double(s.answered) : nil
            let conv = SKMExactIndex.evaluate([.init(weight: ExactFraction(1, 1), sum: s.sum, count: s.answered)])
            let w = overall?.weights[i]
            unsurResults.append(SKMUnsurResult(
                code: item.unsur.code, name: item.unsur.name, regulationLetter: item.unsur.regulationLetter,
                weight: item.weight, answered: s.answered, unanswered: s.unanswered, scoreSum: s.sum,
                answerCounts: s.counts, nrr: nrr,
                weightedNRR: nrr.flatMap { n in w.map { n * $0.doubleValue } },
                convertedNRR: conv?.rounded, grade: conv.map { SKMGrade(ikmHundredths: $0.hundredths) }))
        }

        // Priorities: lowest NRR first, ties in form order (exact comparison of fractions).
        let ranked = unsurResults.indices.filter { all[$0].answered > 0 }.sorted { a, b in
            let l = Int128(all[a].sum) * Int128(all[b].answered)
            let r = Int128(all[b].sum) * Int128(all[a].answered)
            return l != r ? l < r : a < b
        }
        let priorities = ranked.enumerated().compactMap { (rank, i) -> SKMPriority? in
            let u = unsurResults[i]
            guard let nrr = u.nrr, let conv = u.convertedNRR, let g = u.grade else { return nil }
            return SKMPriority(rank: rank + 1, code: u.code, name: u.name, nrr: nrr, convertedNRR: conv, grade: g)
        }

        // Profile breakdown.
        var breakdowns: [SKMProfileBreakdown] = []
        for dim in options.breakdown {
            var groups: [SKMProfileGroup] = []
            for g in hist.groups(dim, schema: definition.profile) {
                let n = hist.rows(g.slots)
                if g.code == nil && n == 0 { continue }
                let r = n > 0 ? index(definition, stats(g.slots)) : nil
                groups.append(SKMProfileGroup(
                    code: g.code, label: g.label, respondents: n,
                    share: total > 0 ? Double(n) / Double(total) : 0,
                    ikm: r.map { $0.value.rounded }, grade: r.map { SKMGrade(ikmHundredths: $0.value.hundredths) }))
            }
            if dim == .ageBand && !definition.profile.asksAge && groups.allSatisfy({ $0.code == nil || $0.respondents == 0 }) {
                continue
            }
            breakdowns.append(SKMProfileBreakdown(dimension: dim, label: dim.label, groups: groups))
        }

        let sample = options.population.flatMap { KrejcieMorgan.adequacy(population: $0, collected: total) }
        let missing = definition.items.indices.filter { all[$0].answered == 0 }.map { definition.items[$0].unsur.code }
        return SKMResult(
            service: definition.service, period: options.period, respondentCount: total, unsur: unsurResults,
            index: overall.map { $0.value.value / 25 }, ikmUnrounded: overall?.value.value,
            ikm: overall?.value.rounded, ikmHundredths: overall?.value.hundredths,
            grade: overall.map { SKMGrade(ikmHundredths: $0.value.hundredths) },
            priorities: priorities, profile: breakdowns, sample: sample,
            unsurWithoutAnswers: missing, weightsRenormalized: overall?.renormalized ?? false,
            isExact: overall?.value.isExact ?? true)
    }

    /// The IKM of per-item statistics, with the effective weights used.
    private func index(_ definition: SurveyDefinition, _ stats: [UnsurStats])
        -> (value: SKMExactIndex, weights: [ExactFraction?], renormalized: Bool)?
    {
        let answered = stats.map { $0.answered > 0 }
        guard answered.contains(true) else { return nil }
        var weights: [ExactFraction?] = definition.items.map { ExactFraction($0.weight) }
        var renormalized = false
        if answered.contains(false) {
            guard options.missingUnsur == .renormalize else { return nil }
            var sum = ExactFraction.zero
            var ok = true
            for (i, item) in definition.items.enumerated() where answered[i] {
                if let s = sum.adding(ExactFraction(item.weight)) { sum = s } else { ok = false }
            }
            for i in weights.indices {
                if !answered[i] { weights[i] = nil; continue }
                if ok, let w = weights[i]?.dividing(by: sum) { weights[i] = w } else {
                    // Overflow: approximate the rescaled weight by a decimal fraction.
                    let d = (weights[i]?.doubleValue ?? 0) / stats.indices.filter { answered[$0] }
                        .reduce(0.0) { $0 + definition.items[$1].weight.doubleValue }
                    weights[i] = SurveyWeight(numerator: Int64((d * 1e15).rounded()), denominator: 1_000_000_000_000_000)
                        .map(ExactFraction.init)
                }
            }
            renormalized = true
        }
        let terms = stats.indices.compactMap { i -> SKMExactIndex.Term? in
            guard answered[i], let w = weights[i] else { return nil }
            return SKMExactIndex.Term(weight: w, sum: stats[i].sum, count: stats[i].answered)
        }
        guard let v = SKMExactIndex.evaluate(terms) else { return nil }
        return (v, weights, renormalized)
    }
}

/// Counts of answers 1–4 and of unanswered for one unsur in one set of rows.
struct UnsurStats {
    var counts: [Int]
    var unanswered: Int
    var answered: Int { counts.reduce(0, +) }
    var sum: Int { counts[0] + 2 * counts[1] + 3 * counts[2] + 4 * counts[3] }
}

/// Answer histograms per profile slot: `cells[(slot * U + column) * 5 + score]`, score 0 = unanswered.
///
/// Slots: 0 = all rows; then gender (3), education levels, occupation levels, service-type levels,
/// and one slot per raw age 0–255. One pass over the table fills all of them.
struct Histogram {
    let unsurCount: Int
    let cells: [Int]
    let genderBase: Int
    let educationBase: Int
    let occupationBase: Int
    let serviceBase: Int
    let ageBase: Int
    let educationLevels: [String]
    let occupationLevels: [String]
    let serviceLevels: [String]
    let allSlot = 0

    init(table: SurveyResponseTable) {
        let k = table.unsurCodes.count
        unsurCount = k
        educationLevels = table.education.levels
        occupationLevels = table.occupation.levels
        serviceLevels = table.serviceType.levels
        genderBase = 1
        educationBase = genderBase + 3
        occupationBase = educationBase + educationLevels.count
        serviceBase = occupationBase + occupationLevels.count
        ageBase = serviceBase + serviceLevels.count
        let slots = ageBase + 256
        let stride = k * 5
        var cells = [Int](repeating: 0, count: slots * stride)
        let n = table.rowCount
        let (gb, eb, ob, sb, ab) = (genderBase, educationBase, occupationBase, serviceBase, ageBase)
        if k > 0 && n > 0 {
            cells.withUnsafeMutableBufferPointer { h in
                table.scores.withUnsafeBufferPointer { sc in
                table.gender.withUnsafeBufferPointer { gender in
                table.age.withUnsafeBufferPointer { age in
                table.education.codes.withUnsafeBufferPointer { edu in
                table.occupation.codes.withUnsafeBufferPointer { occ in
                table.serviceType.codes.withUnsafeBufferPointer { svc in
                    for r in 0..<n {
                        let b1 = (gb &+ Int(gender[r])) &* stride
                        let b2 = (eb &+ Int(edu[r])) &* stride
                        let b3 = (ob &+ Int(occ[r])) &* stride
                        let b4 = (sb &+ Int(svc[r])) &* stride
                        let b5 = (ab &+ Int(age[r])) &* stride
                        let rowBase = r &* k
                        for j in 0..<k {
                            let t = j &* 5 &+ Int(sc[rowBase &+ j])
                            h[t] &+= 1
                            h[b1 &+ t] &+= 1
                            h[b2 &+ t] &+= 1
                            h[b3 &+ t] &+= 1
                            h[b4 &+ t] &+= 1
                            h[b5 &+ t] &+= 1
                        }
                    }
                }}}}}}
            }
        }
        self.cells = cells
    }

    /// Rows in the union of `slots` (slots of one dimension never overlap).
    func rows(_ slots: [Int]) -> Int {
        guard unsurCount > 0 else { return 0 }
        var n = 0
        for s in slots {
            let base = s * unsurCount * 5
            for score in 0...4 { n += cells[base + score] }
        }
        return n
    }

    func stats(slots: [Int], column: Int) -> UnsurStats {
        var counts = [0, 0, 0, 0]
        var unanswered = 0
        for s in slots {
            let base = (s * unsurCount + column) * 5
            unanswered += cells[base]
            for score in 1...4 { counts[score - 1] += cells[base + score] }
        }
        return UnsurStats(counts: counts, unanswered: unanswered)
    }

    struct Group {
        var code: String?
        var label: SurveyText
        var slots: [Int]
    }

    static let notAnswered = SurveyText(id: "Tidak diisi", en: "Not answered")

    /// The groups of `dim`: the schema's choices in order (even if empty), then values outside the
    /// schema (sorted), then "not answered".
    func groups(_ dim: ProfileDimension, schema: RespondentProfileSchema) -> [Group] {
        switch dim {
        case .gender:
            return RespondentGender.allCases.enumerated().map {
                Group(code: $0.element.rawValue, label: $0.element.label, slots: [genderBase + $0.offset + 1])
            } + [Group(code: nil, label: Self.notAnswered, slots: [genderBase])]
        case .education:
            return categorical(levels: educationLevels, base: educationBase, choices: schema.educationLevels)
        case .occupation:
            return categorical(levels: occupationLevels, base: occupationBase, choices: schema.occupations)
        case .serviceType:
            return categorical(levels: serviceLevels, base: serviceBase, choices: schema.serviceTypes)
        case .ageBand:
            var bands = schema.ageBands.map { Group(code: String($0.lowerBound), label: $0.label, slots: []) }
            var unknown = Group(code: nil, label: Self.notAnswered, slots: [ageBase])
            for a in 1...255 {
                if let b = schema.ageBandIndex(for: a) { bands[b].slots.append(ageBase + a) } else { unknown.slots.append(ageBase + a) }
            }
            return bands + [unknown]
        }
    }

    private func categorical(levels: [String], base: Int, choices: [ProfileChoice]) -> [Group] {
        var known = choices.map { Group(code: $0.code, label: $0.label, slots: []) }
        var other: [String: Group] = [:]
        for (i, text) in levels.enumerated() where i > 0 {
            if let c = RespondentProfileSchema.match(text, in: choices), let gi = choices.firstIndex(of: c) {
                known[gi].slots.append(base + i)
            } else {
                let key = text.uppercased()
                other[key, default: Group(code: text, label: SurveyText(id: text, en: text), slots: [])].slots.append(base + i)
            }
        }
        let extra = other.keys.sorted().compactMap { other[$0] }
        return known + extra + [Group(code: nil, label: Self.notAnswered, slots: [base])]
    }
}
