import Foundation
import PantauCore
import Testing

@Suite("Survey response validator (one for every entry point)")
struct SurveyResponseValidationTests {
    static let def: SurveyDefinition = {
        var d = SurveyDefinition.standard(service: testService)
        d.profile.serviceTypes = [ProfileChoice(code: "KTP", label: SurveyText(id: "KTP-el", en: "ID card"))]
        return d
    }()

    static func problems(_ r: SurveyResponse) -> [String] {
        r.validate(against: def).map { "\($0.code.rawValue)|\($0.field.path)|\($0.arguments.joined(separator: ","))" }
    }

    @Test func aValidResponseHasNoProblem() {
        let r = SurveyResponse(id: "F-1", profile: RespondentProfile(gender: .female, education: "SMA", occupation: "PNS",
                                                                    occupationDetail: "guru", serviceType: "KTP", age: 130),
                               answers: [.waktu: 1, .biaya: 4], saran: String(repeating: "a", count: SurveyResponse.saranMaxLength),
                               caseReference: "KTP-1")
        #expect(r.validate(against: Self.def).isEmpty)
        #expect(r.issues(against: Self.def).isEmpty)
    }

    @Test func eachCodeNamesItsFieldAndArguments() {
        let long = String(repeating: "x", count: SurveyResponse.shortTextMaxLength + 1)
        #expect(Self.problems(SurveyResponse(answers: [.waktu: 5])) == ["score_out_of_range|answers.waktu|5"])
        #expect(Self.problems(SurveyResponse(answers: [.waktu: 0, "kebersihan": 3])) == [
            "unknown_unsur|answers.kebersihan|kebersihan", "score_out_of_range|answers.waktu|0",
        ])
        #expect(Self.problems(SurveyResponse(answers: [:])) == ["no_answer|answers|"])
        #expect(Self.problems(SurveyResponse(profile: RespondentProfile(education: "S7"), answers: [.waktu: 3]))
            == ["unknown_education|profile.education|S7"])
        #expect(Self.problems(SurveyResponse(profile: RespondentProfile(occupation: "Astronot"), answers: [.waktu: 3]))
            == ["unknown_occupation|profile.occupation|Astronot"])
        #expect(Self.problems(SurveyResponse(profile: RespondentProfile(serviceType: "SIM"), answers: [.waktu: 3]))
            == ["unknown_service_type|profile.serviceType|SIM"])
        #expect(Self.problems(SurveyResponse(profile: RespondentProfile(age: 0), answers: [.waktu: 3])) == ["age_out_of_range|profile.age|0"])
        #expect(Self.problems(SurveyResponse(profile: RespondentProfile(age: 131), answers: [.waktu: 3])) == ["age_out_of_range|profile.age|131"])
        #expect(Self.problems(SurveyResponse(id: long, profile: RespondentProfile(occupationDetail: long), answers: [.waktu: 3],
                                             saran: String(repeating: "s", count: 2001), caseReference: long)) == [
            "too_long|saran|2000", "too_long|case_reference|200", "too_long|profile.occupationDetail|200", "too_long|form_number|200",
        ])
        // Every code is covered above.
        #expect(Set(SurveyResponseProblem.Code.allCases.map(\.rawValue)) == [
            "unknown_unsur", "score_out_of_range", "no_answer", "unknown_education", "unknown_occupation", "unknown_service_type",
            "age_out_of_range", "too_long",
        ])
    }

    @Test func normalizedUsesTheListCodesAndDropsEmptyTexts() {
        let r = SurveyResponse(id: "  ", profile: RespondentProfile(education: " sma ", occupation: "Swasta", occupationDetail: "",
                                                                    serviceType: "ktp-EL"),
                               answers: [.waktu: 3], saran: "\n", caseReference: " A-1 ").normalized(against: Self.def)
        #expect(r.profile.education == "SMA" && r.profile.occupation == "SWASTA" && r.profile.serviceType == "KTP")
        #expect(r.id == nil && r.saran == nil && r.caseReference == "A-1" && r.profile.occupationDetail == nil)
        #expect(r.validate(against: Self.def).isEmpty)
    }

    @Test func theImporterReportsTheValidatorsProblemsAtTheirColumns() throws {
        // Each validator code the importer can meet, at the column it came from.
        let csv = """
            no_formulir;waktu;biaya;pendidikan;pekerjaan;jenis_layanan;usia;saran
            F-1;5;3;SMA;PNS;KTP;30;ok
            F-2;;;SMA;PNS;KTP;30;tanpa jawaban
            F-3;4;4;S7;Astronot;SIM;131;ok
            \(String(repeating: "f", count: 201));4;4;;;;;\(String(repeating: "s", count: 2001))
            F-5;x;;;;;;
            """
        let out = try SurveyCSVImporter(definition: Self.def, options: .init(skipInvalidRows: true)).parse(csv)
        let got = out.skipped.flatMap { s in s.issues.map { "\($0.row)|\($0.column)|\($0.problem.rawValue)" } }
        #expect(got == [
            "2|waktu|scoreNotInRange",
            "3||noAnswer",
            "4|pendidikan|unknownEducation", "4|pekerjaan|unknownOccupation", "4|jenis_layanan|unknownServiceType", "4|usia|invalidAge",
            "5|no_formulir|tooLong", "5|saran|tooLong",
            "6|waktu|scoreNotInRange",  // unreadable: no extra "no answer"
        ])
        // The same rows through the validator give the same problems.
        #expect(Self.problems(SurveyResponse(answers: [.waktu: 5, .biaya: 3])) == ["score_out_of_range|answers.waktu|5"])
    }

    @Test func theAppsOwnRawExportIsReadBack() throws {
        let header = SurveyCSVColumn.exportHeader(Self.def)
        #expect(header.prefix(3) == ["id", "no_formulir", "tanggal"] && header.suffix(3) == ["saran", "referensi_kasus", "waktu_kirim"])
        #expect(header.contains("kanal") && header.contains("persyaratan"))
        let row = ["17", "F-9", "2026-07-14", "09:30", "paper", "P", "41", "SMA", "PNS", "", "KTP"]
            + Self.def.unsurCodes.map { _ in "4" } + ["bagus", "KTP-77", "2026-07-15T10:00:00+07:00"]
        let out = try SurveyCSVImporter(definition: Self.def).parse(header.joined(separator: ";") + "\n" + row.joined(separator: ";") + "\n")
        let r = try #require(out.responses.first)
        #expect(r.id == "F-9" && r.date == CivilDate("2026-07-14") && r.profile.age == 41 && r.caseReference == "KTP-77")
        #expect(r.answers.count == Self.def.unsurCodes.count)
        // The template header is read too; there `id` is the form number.
        let template = SurveyCSVColumn.templateHeader(Self.def)
        #expect(template.first == "id" && template.contains("usia") && !template.contains("kanal"))
        let t = try SurveyCSVImporter(definition: Self.def).parse(template.joined(separator: ",") + "\nF-3,2026-07-01,,L,30,,,,," + Self.def.unsurCodes.map { _ in "3" }.joined(separator: ",") + ",,\n")
        #expect(t.responses.first?.id == "F-3")
        #expect(SurveyCSVColumn(reading: "umur") == .age && SurveyCSVColumn(reading: "no_formulir") == .formNumber)
    }
}
