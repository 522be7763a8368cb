import Foundation
import Testing
@testable import PantauCore

/// Builds responses column by column: `columns[code] = [(score, count), ...]` assigned to
/// respondents 0, 1, 2, … in order; respondents past a column's total leave that unsur empty.
func surveyResponses(_ n: Int, _ columns: [UnsurCode: [(score: Int, count: Int)]]) -> [SurveyResponse] {
    var rows = [SurveyResponse](repeating: SurveyResponse(answers: [:]), count: n)
    for (code, runs) in columns {
        var i = 0
        for run in runs {
            for _ in 0..<run.count where i < n {
                rows[i].answers[code] = run.score
                i += 1
            }
        }
    }
    return rows
}

let testService = SurveyService(unitID: "dukcapil", sopID: "sop-ktp", name: "Pelayanan KTP-el")

@Suite("SKM calculator (PermenPANRB 14/2017)")
struct SurveyCalculatorTests {
    /// The worked example of rennn9/GASPUL_BACKEND `rumus_perhitungan_ikm_lengkap.md` (29 respondents):
    ///
    ///     U1 persyaratan 18×4 + 11×3        = 105   NRR 105/29 = 3.6207
    ///     U2 prosedur    14×4 + 15×3        = 101          3.4828
    ///     U3 waktu       15×4 + 12×3 + 2×2  = 100          3.4483
    ///     U4 biaya       29×4               = 116          4.0000
    ///     U5 produk      15×4 + 14×3        = 102          3.5172
    ///     U6 kompetensi  18×4 + 11×3        = 105          3.6207
    ///     U7 perilaku    19×4 + 10×3        = 106          3.6552
    ///     U8 sarana      18×4 + 11×3        = 105          3.6207
    ///     U9 pengaduan   28×4 +  1×3        = 115          3.9655
    ///                                 total = 955
    ///
    /// Exact weights 1/9: IKM = 25 × (955/29)/9 = 23875/261 = 91.4750957… → 91.48 (A).
    /// Rounded weight 0.11: 25 × 0.11 × 955/29 = 2626.25/29 = 90.5603… → 90.56 (the pitfall).
    static let gaspul: [SurveyResponse] = surveyResponses(29, [
        .persyaratan: [(4, 18), (3, 11)],
        .prosedur: [(4, 14), (3, 15)],
        .waktu: [(4, 15), (3, 12), (2, 2)],
        .biaya: [(4, 29)],
        .produk: [(4, 15), (3, 14)],
        .kompetensi: [(4, 18), (3, 11)],
        .perilaku: [(4, 19), (3, 10)],
        .sarana: [(4, 18), (3, 11)],
        .pengaduan: [(4, 28), (3, 1)],
    ])

    @Test func gaspulWorkedExampleWithExactWeights() throws {
        let def = SurveyDefinition.standard(service: testService)
        let r = try SKMCalculator().compute(def, responses: Self.gaspul)
        #expect(r.respondentCount == 29)
        #expect(r.unsur.map(\.scoreSum) == [105, 101, 100, 116, 102, 105, 106, 105, 115])
        #expect(r.unsur.map(\.code) == SurveyUnsur.questionnaireOrder)
        #expect(abs((r.unsur(.waktu)?.nrr ?? 0) - 100.0 / 29) < 1e-12)
        #expect(r.unsur(.waktu)?.answerCounts == [0, 2, 12, 15])
        #expect(r.ikm == 91.48)
        #expect(r.ikmHundredths == 9148)
        #expect(abs((r.ikmUnrounded ?? 0) - 23875.0 / 261) < 1e-12)
        #expect(abs((r.index ?? 0) - 955.0 / 261) < 1e-12)
        #expect(r.grade == .a)
        #expect(r.isExact)  // decided on the exact fraction 23875/261
        #expect(r.weightsRenormalized == false)
        // Weighted NRR with 1/9: 105/29/9 = 0.40230
        #expect(abs((r.unsur(.persyaratan)?.weightedNRR ?? 0) - 105.0 / 29 / 9) < 1e-12)
    }

    @Test func roundedWeightPitfallGives90_56AndIsRejected() throws {
        let def = SurveyDefinition.standard(service: testService)
        let r = try SKMCalculator().compute(def, responses: Self.gaspul)
        // The regulation's printed weight 0.11 applied to the same NRRs:
        let rounded = r.unsur.compactMap(\.nrr).reduce(0) { $0 + $1 * 0.11 } * 25
        #expect((rounded * 100).rounded() / 100 == 90.56)
        // A definition with 0.11 per unsur sums to 0.99 and is rejected, naming the field.
        var bad = def
        for i in bad.items.indices { bad.items[i].weight = try #require(SurveyWeight(0.11)) }
        #expect(throws: SurveyError.self) { try bad.validate() }
        let issues = bad.issues()
        #expect(issues.map(\.field) == ["items.weight"])
        #expect(issues.first?.message.contains("0.99") == true)
    }

    /// 5000 respondents, every unsur 321×4 + 4679×3 = 15321: NRR = 3.0642 each,
    /// IKM = 25 × 3.0642 = 76.605 exactly, which rounds half up to 76.61 → B (the B boundary).
    @Test func exactHalfOnGradeBoundaryRoundsUp() throws {
        let runs: [(score: Int, count: Int)] = [(4, 321), (3, 4679)]
        let data = surveyResponses(5000, Dictionary(uniqueKeysWithValues: SurveyUnsur.regulationOrder.map { ($0, runs) }))
        let r = try SKMCalculator().compute(.standard(service: testService), responses: data)
        #expect(r.ikmHundredths == 7661)
        #expect(r.ikm == 76.61)
        #expect(r.grade == .b)
        #expect(r.isExact)
    }

    /// 1000 respondents, 659×4 + 341×3 = 3659 per unsur: IKM = 25 × 3.659 = 91.475 exactly.
    /// As a binary double 91.475 is 91.474999999999994…, so naive rounding gives 91.47; the
    /// exact rule gives 91.48.
    @Test func halfThatBinaryFloatingPointWouldRoundDown() throws {
        let runs: [(score: Int, count: Int)] = [(4, 659), (3, 341)]
        let data = surveyResponses(1000, Dictionary(uniqueKeysWithValues: SurveyUnsur.regulationOrder.map { ($0, runs) }))
        let r = try SKMCalculator().compute(.standard(service: testService), responses: data)
        #expect(r.ikmHundredths == 9148)
        #expect(r.unsur.allSatisfy { $0.convertedNRR == 91.48 })
        #expect(SKMGrade.hundredths(of: 91.475) == 9148)
    }

    /// Weights with 15 decimals and respondent counts that are distinct primes make the common
    /// denominator of Σ wᵢ·Sᵢ/nᵢ about 2¹³⁰, past 128-bit fractions, so the 30-digit fixed-point
    /// path decides the rounding. Expected value from Python's `fractions.Fraction`:
    ///     weights 8 × 0.111111111111111 + 0.111111111111112 (= 1 exactly)
    ///     unsur j answered by p_j ∈ {1009, 1013, …, 1051}; (37j mod 100) + 500 of them score 4, the rest 3
    ///     IKM = 88.30456638236805… → 88.30 (B, just under the A limit)
    @Test func hugeDenominatorsStillRoundExactly() throws {
        let primes = [1009, 1013, 1019, 1021, 1031, 1033, 1039, 1049, 1051]
        var def = SurveyDefinition.standard(service: testService)
        for i in def.items.indices {
            def.items[i].weight = try #require(SurveyWeight(parsing: i == 8 ? "0.111111111111112" : "0.111111111111111"))
        }
        try def.validate()
        var cols: [UnsurCode: [(score: Int, count: Int)]] = [:]
        for (j, item) in def.items.enumerated() {
            let fours = (j * 37) % 100 + 500
            cols[item.unsur.code] = [(4, fours), (3, primes[j] - fours)]
        }
        let r = try SKMCalculator().compute(def, responses: surveyResponses(1051, cols))
        #expect(r.ikmHundredths == 8830)
        #expect(r.grade == .b)
        #expect(r.isExact)
        #expect(abs((r.ikmUnrounded ?? 0) - 88.30456638236805) < 1e-12)
    }

    @Test func gradeBoundaries() {
        let cases: [(Double, SKMGrade)] = [
            (25.00, .d), (64.99, .d), (65.00, .c), (76.60, .c), (76.61, .b),
            (88.30, .b), (88.31, .a), (100.00, .a),
            (64.994, .d), (64.995, .c), (76.605, .b), (88.305, .a),
        ]
        for (ikm, grade) in cases {
            #expect(SKMGrade(ikm: ikm) == grade, "IKM \(ikm)")
        }
        #expect(SKMGrade(ikmHundredths: 7660) == .c)
        #expect(SKMGrade(ikmHundredths: 7661) == .b)
        #expect(SKMGrade.a.label.id == "Sangat baik")
        #expect(SKMGrade.b.label.id == "Baik")
        #expect(SKMGrade.c.label.id == "Kurang baik")
        #expect(SKMGrade.d.label.id == "Tidak baik")
        #expect(SKMGrade.d < SKMGrade.a)
    }

    /// NRR divides by the respondents who answered the unsur, not by all respondents.
    ///
    ///     4 respondents; persyaratan answered by 2 (4, 3): NRR = 7/2 = 3.5 (not 7/4)
    ///     all other unsur answered 4 by everybody: NRR = 4
    ///     IKM = 25 × (3.5 + 8×4)/9 = 25 × 35.5/9 = 98.6111… → 98.61
    @Test func unansweredUnsurDoNotCount() throws {
        var data = surveyResponses(4, Dictionary(uniqueKeysWithValues: SurveyUnsur.regulationOrder.map { ($0, [(score: 4, count: 4)]) }))
        data[1].answers[.persyaratan] = 3
        data[2].answers[.persyaratan] = nil
        data[3].answers[.persyaratan] = nil
        let r = try SKMCalculator().compute(.standard(service: testService), responses: data)
        let p = try #require(r.unsur(.persyaratan))
        #expect(p.answered == 2)
        #expect(p.unanswered == 2)
        #expect(p.nrr == 3.5)
        #expect(p.convertedNRR == 87.5)
        #expect(p.grade == .b)
        #expect(r.ikm == 98.61)
        #expect(r.priorities.first?.code == .persyaratan)
        #expect(r.priorities.count == 9)
    }

    /// Nobody answered biaya: by default the other 8 are reweighted to 1/8 each.
    ///     NRRs: 8 × 3 → IKM = 75.00 (C). With `.noIndex` there is no IKM.
    @Test func unsurWithoutAnyAnswer() throws {
        var cols = Dictionary(uniqueKeysWithValues: SurveyUnsur.regulationOrder.map { ($0, [(score: 3, count: 10)]) })
        cols[.biaya] = nil
        let data = surveyResponses(10, cols)
        let r = try SKMCalculator().compute(.standard(service: testService), responses: data)
        #expect(r.unsurWithoutAnswers == [.biaya])
        #expect(r.weightsRenormalized)
        #expect(r.ikm == 75.0)
        #expect(r.grade == .c)
        #expect(r.unsur(.biaya)?.nrr == nil)
        #expect(r.priorities.count == 8)
        let strict = try SKMCalculator(options: .init(missingUnsur: .noIndex)).compute(.standard(service: testService), responses: data)
        #expect(strict.ikm == nil)
        #expect(strict.grade == nil)
    }

    /// Nine standard unsur plus a unit's own "kebersihan", weights 0.1 each (sum exactly 1).
    ///     NRRs: nine at 4, kebersihan at 2 → index = 0.1 × (36 + 2) = 3.8 → IKM 95.00.
    /// And a re-weighting that puts 0.2 on waktu and 0.1 on the other eight: sums to 1.
    ///     waktu NRR 2, others 4 → 0.2×2 + 0.8×4 = 3.6 → IKM 90.00.
    @Test func customUnsurAndWeights() throws {
        let kebersihan = SurveyUnsur(
            code: "kebersihan", name: SurveyText(id: "Kebersihan", en: "Cleanliness"),
            question: SurveyText(id: "Bagaimana kebersihan ruang pelayanan?", en: "How clean is the service room?"),
            answerLabels: [SurveyText(id: "Kotor", en: "Dirty"), SurveyText(id: "Kurang bersih", en: "Not very clean"),
                           SurveyText(id: "Bersih", en: "Clean"), SurveyText(id: "Sangat bersih", en: "Very clean")])
        let tenth = try #require(SurveyWeight(parsing: "0.1"))
        var def = SurveyDefinition.standard(service: testService)
        for i in def.items.indices { def.items[i].weight = tenth }
        def.items.append(SurveyItem(unsur: kebersihan, weight: tenth))
        try def.validate()
        var cols = Dictionary(uniqueKeysWithValues: SurveyUnsur.regulationOrder.map { ($0, [(score: 4, count: 5)]) })
        cols["kebersihan"] = [(2, 5)]
        let r = try SKMCalculator().compute(def, responses: surveyResponses(5, cols))
        #expect(r.ikm == 95.0)
        #expect(r.isExact)
        #expect(r.priorities.first?.code == "kebersihan")

        var reweighted = SurveyDefinition.standard(service: testService)
        for i in reweighted.items.indices {
            reweighted.items[i].weight = reweighted.items[i].unsur.code == .waktu ? try #require(SurveyWeight(0.2)) : tenth
        }
        try reweighted.validate()
        var cols2 = Dictionary(uniqueKeysWithValues: SurveyUnsur.regulationOrder.map { ($0, [(score: 4, count: 3)]) })
        cols2[.waktu] = [(2, 3)]
        let r2 = try SKMCalculator().compute(reweighted, responses: surveyResponses(3, cols2))
        #expect(r2.ikm == 90.0)
        #expect(abs((r2.unsur(.waktu)?.weightedNRR ?? 0) - 0.4) < 1e-12)
    }

    @Test func definitionValidationNamesFields() {
        var def = SurveyDefinition.standard(service: SurveyService(unitID: " "))
        def.items[2].unsur.code = "Waktu Layanan"
        def.items[3].unsur.code = def.items[0].unsur.code
        def.items[4].unsur.answerLabels.removeLast()
        def.items[5].weight = .zero
        def.profile.educationLevels.append(ProfileChoice("sma", "SMA", "Senior secondary"))
        let fields = Set(def.issues().map(\.field))
        #expect(fields.isSuperset(of: [
            "service.unitID", "items[2].unsur.code", "items[3].unsur.code", "items[4].unsur.answerLabels",
            "items[5].weight", "items.weight", "profile.educationLevels[6].code",
        ]))
        do {
            try def.validate()
            Issue.record("expected invalid definition")
        } catch {
            guard case .invalidDefinition(let issues) = error else { Issue.record("wrong error \(error)"); return }
            #expect(issues.count >= 7)
        }
        let empty = SurveyDefinition(service: testService, items: [])
        #expect(empty.issues().map(\.field) == ["items"])
    }

    @Test func weightsWithinToleranceAreAccepted() throws {
        // 1/3 typed as 0.3333333333 three times sums to 0.9999999999: within 1e-9.
        let w = try #require(SurveyWeight(parsing: "0.3333333333"))
        let items = SurveyUnsur.standard.prefix(3).map { SurveyItem(unsur: $0, weight: w) }
        #expect(SurveyDefinition(service: testService, items: items).issues().isEmpty)
        let w2 = try #require(SurveyWeight(parsing: "0.333333333"))  // sum 0.999999999: off by 1e-9, still accepted
        #expect(SurveyDefinition(service: testService, items: SurveyUnsur.standard.prefix(3).map { SurveyItem(unsur: $0, weight: w2) }).issues().isEmpty)
        let w3 = try #require(SurveyWeight(parsing: "0.33333333"))   // sum 0.99999999: rejected
        #expect(!SurveyDefinition(service: testService, items: SurveyUnsur.standard.prefix(3).map { SurveyItem(unsur: $0, weight: w3) }).issues().isEmpty)
    }

    @Test func invalidScoresAreRejectedWithRow() {
        var data = Self.gaspul
        data[6].answers[.biaya] = 5
        do {
            _ = try SKMCalculator().compute(.standard(service: testService), responses: data)
            Issue.record("expected error")
        } catch {
            #expect(error == .invalidResponse(row: 7, [SurveyIssue(field: "answers.biaya", message: "nilai 5 harus 1–4 (score must be 1–4)")]))
        }
        var unknown = Self.gaspul
        unknown[0].answers["kebersihan"] = 3
        #expect(throws: SurveyError.self) { try SKMCalculator().compute(.standard(service: testService), responses: unknown) }
    }

    /// Two men (all 4s → 100.00, A), one woman (all 2s → 50.00, D), one without gender (all 3s → 75.00, C).
    /// Overall: NRR = (4+4+2+3)/4 = 3.25 for every unsur → 81.25 (B).
    @Test func profileBreakdown() throws {
        func resp(_ s: Int, _ p: RespondentProfile) -> SurveyResponse {
            SurveyResponse(profile: p, answers: Dictionary(uniqueKeysWithValues: SurveyUnsur.regulationOrder.map { ($0, s) }))
        }
        let data = [
            resp(4, RespondentProfile(gender: .male, education: "SMA", occupation: "PNS", serviceType: "KTP", age: 34)),
            resp(4, RespondentProfile(gender: .male, education: "s1", occupation: "Wirausaha", serviceType: "KK", age: 61)),
            resp(2, RespondentProfile(gender: .female, education: "SMA", occupation: "PNS", serviceType: "KTP", age: 19)),
            resp(3, RespondentProfile()),
        ]
        let r = try SKMCalculator(options: .init(population: 4)).compute(.standard(service: testService), responses: data)
        #expect(r.ikm == 81.25)
        let gender = try #require(r.profile.first { $0.dimension == .gender })
        #expect(gender.groups.map(\.code) == ["L", "P", nil])
        #expect(gender.groups.map(\.respondents) == [2, 1, 1])
        #expect(gender.groups.map(\.ikm) == [100.0, 50.0, 75.0])
        #expect(gender.groups.map(\.grade) == [.a, .d, .c])
        #expect(gender.groups[0].share == 0.5)
        let edu = try #require(r.profile.first { $0.dimension == .education })
        // All schema levels listed (empty ones too); "s1" matched to S1 case-insensitively.
        #expect(edu.groups.map(\.code) == ["SD", "SMP", "SMA", "S1", "S2", "S3", nil])
        #expect(edu.groups.map(\.respondents) == [0, 0, 2, 1, 0, 0, 1])
        #expect(edu.groups[2].ikm == 75.0)  // SMA: one 4, one 2 → NRR 3 → 75.00
        #expect(edu.groups[0].ikm == nil)
        let occ = try #require(r.profile.first { $0.dimension == .occupation })
        #expect(occ.groups.first { $0.code == "WIRAUSAHA" }?.respondents == 1)
        let svc = try #require(r.profile.first { $0.dimension == .serviceType })
        #expect(svc.groups.map(\.code) == ["KK", "KTP", nil])  // free text, sorted
        let age = try #require(r.profile.first { $0.dimension == .ageBand })
        #expect(age.groups.map(\.respondents) == [1, 0, 1, 0, 0, 1, 1])
        #expect(r.sample == SampleAdequacy(population: 4, required: 4, collected: 4))
        #expect(r.sample?.isAdequate == true)
    }

    @Test func tableAndResponsesGiveTheSameResult() throws {
        let def = SurveyDefinition.standard(service: testService)
        var table = SurveyResponseTable(unsurCodes: SurveyUnsur.regulationOrder)  // different column order
        for r in Self.gaspul {
            try table.appendRow(scores: SurveyUnsur.regulationOrder.map { UInt8(r.answers[$0] ?? 0) })
        }
        let a = try SKMCalculator().compute(def, table: table)
        let b = try SKMCalculator().compute(def, responses: Self.gaspul)
        #expect(a == b)
        #expect(table.score(row: 0, .waktu) == 4)
        #expect(throws: SurveyError.self) { try table.appendRow(scores: [1, 2]) }
        #expect(throws: SurveyError.self) { try table.appendRow(scores: [UInt8](repeating: 5, count: 9)) }
    }

    @Test func resultIsCodable() throws {
        let r = try SKMCalculator(options: .init(population: 100, period: SurveyPeriod("2026-Q3")))
            .compute(.standard(service: testService), responses: Self.gaspul)
        let data = try JSONEncoder().encode(r)
        let back = try JSONDecoder().decode(SKMResult.self, from: data)
        #expect(back == r)
        let json = String(decoding: data, as: UTF8.self)
        #expect(json.contains("\"period\":\"2026-Q3\""))
        #expect(json.contains("\"isAdequate\":false"))
        #expect(r.sample?.required == 80)
        #expect(r.sample?.shortfall == 51)
    }

    @Test func weightParsingAndCoding() throws {
        #expect(SurveyWeight(parsing: "1/9") == SurveyWeight(numerator: 1, denominator: 9))
        #expect(SurveyWeight(parsing: "2/18") == SurveyWeight.equalShare(of: 9))
        #expect(SurveyWeight(parsing: "15%") == SurveyWeight(numerator: 3, denominator: 20))
        #expect(SurveyWeight(parsing: "0,15") == SurveyWeight(0.15))
        #expect(SurveyWeight(0.1)?.denominator == 10)
        #expect(SurveyWeight(parsing: "-0.1") == nil)
        #expect(SurveyWeight(parsing: "1/0") == nil)
        #expect(SurveyWeight(-1) == nil)
        #expect(SurveyWeight(.nan) == nil)
        let def = SurveyDefinition.standard(service: testService)
        let json = try JSONEncoder().encode(def)
        #expect(String(decoding: json, as: UTF8.self).contains("\"weight\":\"1\\/9\""))
        #expect(try JSONDecoder().decode(SurveyDefinition.self, from: json) == def)
        let w = try JSONDecoder().decode([SurveyWeight].self, from: Data("[0.15, \"1/9\"]".utf8))
        #expect(w == [SurveyWeight(numerator: 3, denominator: 20), SurveyWeight(numerator: 1, denominator: 9)])
        #expect(String(decoding: try JSONEncoder().encode(w), as: UTF8.self) == "[0.15,\"1\\/9\"]")
    }

    @Test func standardUnsurData() {
        #expect(SurveyUnsur.standard.count == 9)
        #expect(SurveyUnsur.regulationOrder == [.persyaratan, .prosedur, .waktu, .biaya, .produk, .kompetensi, .perilaku, .pengaduan, .sarana])
        #expect(SurveyUnsur.questionnaireOrder[7] == .sarana)
        #expect(SurveyUnsur.questionnaireOrder[8] == .pengaduan)
        #expect(SurveyUnsur.sarana.questionnaireNumber == 8)
        #expect(SurveyUnsur.pengaduan.regulationLetter == "h")
        #expect(SurveyUnsur.standard.allSatisfy { $0.answerLabels.count == 4 && $0.code.isWellFormed })
        #expect(SurveyUnsur.biaya.label(forScore: 4)?.id == "Gratis")
        #expect(SurveyUnsur.pengaduan.label(forScore: 2)?.id == "Ada tetapi tidak berfungsi")
        #expect(SurveyUnsur.biaya.label(forScore: 0) == nil)
        #expect(!UnsurCode("9lives").isWellFormed)
    }
}
