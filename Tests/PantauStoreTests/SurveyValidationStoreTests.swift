import Foundation
import PantauCore
import PantauStore
import PantauTestSupport
import Testing

/// The store refuses exactly what PantauCore's validator reports, with its field and default text,
/// and stores profile answers under the list's codes.
@Suite("Store: survey responses through the shared validator")
struct SurveyValidationStoreTests {
    @Test(arguments: TestEngine.all)
    func storeRefusesEachProblemOfTheValidator(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store async throws in
            let unit = try await store.createUnit(UnitInput(parentID: nil, code: "PKM", name: "Puskesmas", level: .unitKerja), by: admin)
            let survey = try await store.createSurvey(SurveyInput(unitID: unit.id, name: "Imunisasi", periodKind: .quarter,
                                                                  definition: .standard(service: SurveyService(unitID: "\(unit.id)"))), by: admin)
            let actor = AuditActor(userID: nil, label: "public")
            let long = String(repeating: "x", count: 201)
            let bad: [SurveyResponse] = [
                SurveyResponse(answers: [.waktu: 5]),
                SurveyResponse(answers: ["kebersihan": 3]),
                SurveyResponse(answers: [:]),
                SurveyResponse(profile: RespondentProfile(education: "S7"), answers: [.waktu: 3]),
                SurveyResponse(profile: RespondentProfile(occupation: "Astronot"), answers: [.waktu: 3]),
                SurveyResponse(profile: RespondentProfile(age: 131), answers: [.waktu: 3]),
                SurveyResponse(answers: [.waktu: 3], caseReference: long),
                SurveyResponse(id: long, answers: [.waktu: 3]),
            ]
            var seen: Set<SurveyResponseProblem.Code> = []
            for r in bad {
                let problem = try #require(r.validate(against: survey.definition).first)
                seen.insert(problem.code)
                await #expect(throws: StoreError.invalid(field: problem.issue.field, message: problem.issue.message)) {
                    try await store.submitResponse(surveyID: survey.id, r, channel: .web, by: actor)
                }
                await #expect(throws: StoreError.invalid(field: "rows[2]." + problem.issue.field, message: problem.issue.message)) {
                    try await store.importResponses(surveyID: survey.id, [SurveyResponse(answers: [.waktu: 4]), r],
                                                    defaultDate: CivilDate("2026-07-01")!, source: "", by: admin)
                }
            }
            #expect(seen == [.scoreOutOfRange, .unknownUnsur, .noAnswer, .unknownEducation, .unknownOccupation, .ageOutOfRange, .tooLong])
            #expect(try await store.responses(surveyID: survey.id, period: SurveyPeriod("2026")!).total == 0)

            // Labels and other spellings are stored as the list's codes, so the breakdown groups them.
            let stored = try await store.submitResponse(
                surveyID: survey.id, SurveyResponse(date: CivilDate("2026-07-02"), profile: RespondentProfile(education: " sma ", occupation: "Swasta"),
                                                    answers: [.waktu: 3], saran: "  "), channel: .web, by: actor)
            #expect(stored.response.profile.education == "SMA" && stored.response.profile.occupation == "SWASTA" && stored.response.saran == nil)
            let back = try #require(try await store.responses(surveyID: survey.id, period: SurveyPeriod("2026-Q3")!).items.first)
            #expect(back.response.profile.education == "SMA" && back.response.profile.occupation == "SWASTA")
        }
    }
}
