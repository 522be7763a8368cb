import Foundation
import PantauCore
import PantauStore
import PantauTestSupport
import Testing

/// A stored JSON column that does not decode is damage: the read throws `StoreError.corrupt`
/// naming the table, the row and the column, and never reads as an empty list.
@Suite("Store: corrupt JSON columns of the survey tables")
struct SurveyCorruptColumnTests {
    private static func fixture(_ store: PantauStore) async throws -> SurveyRecord {
        let unit = try await store.createUnit(UnitInput(parentID: nil, code: "PKM", name: "Puskesmas", level: .unitKerja), by: admin)
        return try await store.createSurvey(SurveyInput(unitID: unit.id, name: "Pelayanan Imunisasi", periodKind: .quarter,
                                                        definition: .standard(service: SurveyService(unitID: "\(unit.id)"))), by: admin)
    }

    private static func corruptMessage(_ body: () async throws -> Void) async -> String? {
        do {
            try await body()
            return nil
        } catch let StoreError.corrupt(message) {
            return message
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test(arguments: TestEngine.all)
    func importReportThatDoesNotDecodeIsCorrupt(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store async throws in
            let survey = try await Self.fixture(store)
            let parsed = try SurveyCSVImporter(definition: survey.definition, options: .init(skipInvalidRows: true)).parse("u1;u2\n4;3\n9;1\n")
            let skipped = parsed.skipped
            #expect(skipped.count == 1)
            let rec = try await store.importResponses(surveyID: survey.id, parsed.responses,
                                                      defaultDate: CivilDate("2026-07-01")!, source: "kertas.csv", skipped: skipped, by: admin)
            #expect(try await store.surveyImports(surveyID: survey.id).first?.skippedRows == skipped)
            try await rawExecute(store, "UPDATE survey_imports SET report = '{not json' WHERE id = \(rec.id)")
            let message = await Self.corruptMessage { _ = try await store.surveyImports(surveyID: survey.id) }
            #expect(message?.hasPrefix("survey_imports.report of row \(rec.id): ") == true, "\(message ?? "no error")")
        }
    }

    @Test(arguments: TestEngine.all)
    func publicationLinksThatDoNotDecodeAreCorrupt(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store async throws in
            let survey = try await Self.fixture(store)
            let q3 = SurveyPeriod("2026-Q3")!
            try await store.setPopulation(surveyID: survey.id, period: q3, population: 50, by: admin)
            #expect(try await store.periodRecord(surveyID: survey.id, period: q3)?.publicationLinks == [])
            try await rawExecute(store, "UPDATE survey_periods SET publication_links = '[\"https://a.example\", 7' WHERE survey_id = \(survey.id)")
            let expected = "survey_periods.publication_links of row survey \(survey.id) period 2026-Q3: "
            let one = await Self.corruptMessage { _ = try await store.periodRecord(surveyID: survey.id, period: q3) }
            #expect(one?.hasPrefix(expected) == true, "\(one ?? "no error")")
            let all = await Self.corruptMessage { _ = try await store.periodRecords(surveyID: survey.id) }
            #expect(all?.hasPrefix(expected) == true, "\(all ?? "no error")")
        }
    }

    @Test(arguments: TestEngine.all)
    func followUpLinksThatDoNotDecodeAreCorrupt(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store async throws in
            let survey = try await Self.fixture(store)
            let f = try await store.createSurveyFollowUp(surveyID: survey.id, SurveyFollowUpInput(
                problem: "Antrean panjang", action: "Tambah loket", owner: "Kepala", links: ["https://pkm.example/rtl"]), by: admin)
            #expect(try await store.surveyFollowUp(id: f.id).links == ["https://pkm.example/rtl"])
            try await rawExecute(store, "UPDATE survey_followups SET links = 'https://pkm.example/rtl' WHERE id = \(f.id)")
            let expected = "survey_followups.links of row \(f.id): "
            let one = await Self.corruptMessage { _ = try await store.surveyFollowUp(id: f.id) }
            #expect(one?.hasPrefix(expected) == true, "\(one ?? "no error")")
            let list = await Self.corruptMessage { _ = try await store.surveyFollowUps(surveyID: survey.id) }
            #expect(list?.hasPrefix(expected) == true, "\(list ?? "no error")")
        }
    }
}
