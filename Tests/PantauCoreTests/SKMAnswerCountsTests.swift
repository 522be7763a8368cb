import Foundation
import PantauCore
import Testing

/// A small deterministic generator (SplitMix64) so a failing case can be replayed by its seed.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random responses that exercise every path of the breakdown: unanswered unsur and profile
/// questions, known codes in other spellings, values outside the lists (also differing only in
/// case, so the first one seen names the group), ages outside every band.
func randomSurveyResponses(_ n: Int, seed: UInt64, codes: [UnsurCode] = SurveyUnsur.questionnaireOrder,
                           extraCodes: [UnsurCode] = []) -> [SurveyResponse] {
    var g = SeededRandom(seed: seed)
    let educations: [String?] = [nil, "SD", "SMP", "SMA", "S1", "S2", "S3", "sma", "D3", "d3"]
    let occupations: [String?] = [nil, "PNS", "TNI", "POLRI", "SWASTA", "WIRAUSAHA", "LAINNYA", "Petani", "petani"]
    let services: [String?] = [nil, "Imunisasi", "imunisasi", "KIA", "Gigi", "gigi", "Umum"]
    var out: [SurveyResponse] = []
    for i in 0..<n {
        var answers: [UnsurCode: Int] = [:]
        let skip = Double.random(in: 0..<1, using: &g) * 0.4
        for c in codes + extraCodes where Double.random(in: 0..<1, using: &g) >= skip {
            // Skewed scores so that groups differ.
            answers[c] = min(4, 1 + Int.random(in: 0...3, using: &g) + (i % 3 == 0 ? 1 : 0))
        }
        let gender: RespondentGender? = [nil, .male, .female].randomElement(using: &g)!
        let age: Int? = Bool.random(using: &g) ? nil : Int.random(in: 1...130, using: &g)
        out.append(SurveyResponse(
            profile: RespondentProfile(gender: gender, education: educations.randomElement(using: &g)!,
                                       occupation: occupations.randomElement(using: &g)!,
                                       serviceType: services.randomElement(using: &g)!, age: age),
            answers: answers))
    }
    return out
}

@Suite("SKM from answer counts")
struct SKMAnswerCountsTests {
    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func countsGiveExactlyTheResultOfTheTable(_ seed: UInt64) throws {
        let def = SurveyDefinition.standard(service: testService)
        let responses = randomSurveyResponses(300 + Int(seed) * 37, seed: seed)
        let calc = SKMCalculator(options: .init(population: 5000, period: SurveyPeriod("2026-Q3")))
        let fromTable = try calc.compute(def, table: try SurveyResponseTable(definition: def, responses: responses))
        let fromCounts = try calc.compute(def, counts: SKMAnswerCounts(responses: responses))
        #expect(fromCounts.respondentCount == responses.count)
        #expect(fromCounts.unsur == fromTable.unsur)
        #expect(fromCounts.ikmHundredths == fromTable.ikmHundredths && fromCounts.ikmUnrounded == fromTable.ikmUnrounded)
        #expect(fromCounts.priorities == fromTable.priorities)
        #expect(fromCounts.profile == fromTable.profile)
        #expect(fromCounts.sample == fromTable.sample)
        #expect(fromCounts == fromTable)
    }

    @Test func countsOfSeveralMonthsAddUpAndOrderFreeTextByFirstAppearance() throws {
        // Service types are free text (no list): "gigi" seen before "Gigi" names their group.
        var def = SurveyDefinition.standard(service: testService)
        def.profile.serviceTypes = []
        let responses = randomSurveyResponses(400, seed: 99)
        let half = responses.count / 2
        var merged = SKMAnswerCounts(responses: Array(responses[..<half]), ids: (0..<half).map { Int64($0) })
        merged.merge(SKMAnswerCounts(responses: Array(responses[half...]), ids: (half..<responses.count).map { Int64($0) }))
        #expect(merged == SKMAnswerCounts(responses: responses))
        let table = try SKMCalculator().compute(def, table: try SurveyResponseTable(definition: def, responses: responses))
        #expect(try SKMCalculator().compute(def, counts: merged) == table)
        let groups = try #require(table.profile.first { $0.dimension == .serviceType }).groups.compactMap(\.code)
        let firstGigi = try #require(responses.first { $0.profile.serviceType?.lowercased() == "gigi" }?.profile.serviceType)
        #expect(groups.contains(firstGigi) && groups.filter { $0.lowercased() == "gigi" }.count == 1)
    }

    @Test func unsurOutsideTheDefinitionAreLeftOutAndMissingOnesRenormalize() throws {
        // The definition lost `pengaduan` and nobody answered `sarana`: the store's counts still
        // hold answers to `pengaduan` and to an old unit unsur.
        var def = SurveyDefinition.standard(service: testService)
        def.items.removeAll { $0.unsur.code == .pengaduan }
        for i in def.items.indices { def.items[i].weight = .equalShare(of: def.items.count) }
        let kept = def.unsurCodes.filter { $0 != .sarana }
        let stored = randomSurveyResponses(250, seed: 7, codes: kept, extraCodes: [.pengaduan, "kebersihan"])
        let visible = stored.map { r in
            var v = r
            v.answers = r.answers.filter { def.item($0.key) != nil }
            return v
        }
        let fromTable = try SKMCalculator().compute(def, table: try SurveyResponseTable(definition: def, responses: visible))
        let fromCounts = try SKMCalculator().compute(def, counts: SKMAnswerCounts(responses: stored))
        #expect(fromCounts == fromTable)
        #expect(fromCounts.weightsRenormalized && fromCounts.unsurWithoutAnswers == [.sarana])
    }

    @Test func noResponsesGiveTheEmptyResult() throws {
        let def = SurveyDefinition.standard(service: testService)
        let empty = try SKMCalculator().compute(def, counts: SKMAnswerCounts())
        #expect(empty == (try SKMCalculator().compute(def, responses: [])))
        #expect(empty.respondentCount == 0 && empty.ikm == nil)
    }
}
