import Foundation
import Testing
@testable import PantauCore

@Suite("Survey CSV import")
struct SurveyCSVImportTests {
    let importer = SurveyCSVImporter(definition: .standard(service: testService))

    @Test func readsAValidSemicolonFileWithBOM() throws {
        let csv = "\u{FEFF}id;tanggal;jam;jenis_kelamin;pendidikan;pekerjaan;jenis_layanan;usia;"
            + "persyaratan;prosedur;waktu;biaya;produk;kompetensi;perilaku;sarana;pengaduan;saran;referensi_kasus\r\n"
            + "F-001;2026-07-14;09:30;L;SMA;PNS;KTP-el;34;4;3;3;4;4;3;4;3;4;\"Antrian; lama\nperlu nomor\";REG/2026/001\r\n"
            + "F-002;15/07/2026;;Perempuan;s1;wirausaha;KK;;4;4;;4;4;4;4;4;4;;\r\n"
            + ";;;;;;;;;;;;;;;;;;\r\n"
        let out = try importer.parse(Data(csv.utf8))
        #expect(out.delimiter == .semicolon)
        #expect(out.responses.count == 2)
        #expect(out.sourceRows == [2, 3])
        #expect(out.blankRows == 1)
        let a = out.responses[0]
        #expect(a.id == "F-001")
        #expect(a.date == CivilDate(year: 2026, month: 7, day: 14))
        #expect(a.time?.description == "09:30")
        #expect(a.profile == RespondentProfile(gender: .male, education: "SMA", occupation: "PNS", serviceType: "KTP-el", age: 34))
        #expect(a.answers[.sarana] == 3 && a.answers[.pengaduan] == 4)
        #expect(a.saran == "Antrian; lama\nperlu nomor")
        #expect(a.caseReference == "REG/2026/001")
        let b = out.responses[1]
        #expect(b.date == CivilDate(year: 2026, month: 7, day: 15))
        #expect(b.profile.gender == .female && b.profile.education == "S1" && b.profile.occupation == "WIRAUSAHA")
        #expect(b.answers[.waktu] == nil)  // empty cell = unanswered
        #expect(b.answers.count == 8)
    }

    @Test func questionnaireNumbersMapU8ToSaranaAndU9ToPengaduan() throws {
        let csv = "U1,U2,U3,U4,U5,U6,U7,U8,U9\n1,2,3,4,1,2,3,2,4\n"
        let r = try importer.parse(csv).responses[0]
        #expect(r.answers[.sarana] == 2)
        #expect(r.answers[.pengaduan] == 4)
        #expect(r.answers[.persyaratan] == 1)
    }

    static let badFile = """
        persyaratan,waktu,jenis_kelamin,pendidikan,tanggal,usia
        4,3,L,SMA,2026-07-01,30
        5,3,L,S7,2026-07-01,30
        4,x,X,SMA,31/02/2026,abc
        3,3,P,S2,2026-07-02,41
        4,3,L
        """

    @Test func collectsEveryErrorWithRowColumnAndValue() {
        do {
            _ = try importer.parse(Self.badFile)
            Issue.record("expected rejection")
        } catch {
            guard case .csvRejected(let issues) = error else { Issue.record("wrong error \(error)"); return }
            let got = issues.map { "\($0.row)|\($0.column)|\($0.value)|\($0.problem.rawValue)" }
            #expect(got == [
                "3|persyaratan|5|scoreNotInRange",
                "3|pendidikan|S7|unknownEducation",
                "4|waktu|x|scoreNotInRange",
                "4|jenis_kelamin|X|unknownGender",
                "4|tanggal|31/02/2026|invalidDate",
                "4|usia|abc|invalidAge",
                "6|persyaratan||tooFewFields",
            ])
            #expect(error.description.contains("baris 3"))
            #expect(issues[1].description.contains("kolom 'pendidikan', nilai 'S7'"))
            // The accepted values travel with the problem: the survey's list, codes and labels.
            #expect(issues[1].accepted == RespondentProfileSchema.standardEducation)
            #expect(issues[1].description.hasSuffix("diterima (accepted): SD, SMP, SMA, S1, S2, S3"))
        }
    }

    @Test func skipModeReturnsGoodRowsAndReportsSkipped() throws {
        let skipper = SurveyCSVImporter(definition: .standard(service: testService), options: .init(skipInvalidRows: true))
        let out = try skipper.parse(Self.badFile)
        #expect(out.responses.count == 2)
        #expect(out.sourceRows == [2, 5])
        #expect(out.skipped.map(\.row) == [3, 4, 6])
        #expect(out.skipped.map(\.issues.count) == [2, 4, 1])
        #expect(out.responses[1].profile.education == "S2")
    }

    @Test func headerProblemsRejectTheFile() {
        func problems(_ csv: String, _ options: SurveyCSVImporter.Options = .init()) -> [String] {
            do {
                _ = try SurveyCSVImporter(definition: .standard(service: testService), options: options).parse(csv)
                return []
            } catch {
                guard case .csvRejected(let issues) = error else { return ["?"] }
                return issues.map { "\($0.column)|\($0.problem.rawValue)" }
            }
        }
        #expect(problems("persyaratn,waktu\n4,4\n") == ["persyaratn|unknownColumn"])
        #expect(problems("persyaratn,waktu\n4,4\n", .init(allowUnknownColumns: true)) == [])
        #expect(problems("waktu,Waktu\n4,4\n") == ["Waktu|duplicateColumn"])
        #expect(problems("u1,persyaratan\n4,4\n") == ["persyaratan|duplicateColumn"])
        #expect(problems("jenis_kelamin,saran\nL,ok\n") == ["|noUnsurColumn"])
        #expect(problems("") == ["|emptyFile"])
        #expect(problems("waktu,saran\n4,\"tidak ditutup\n") == ["|unterminatedQuote"])
        #expect(problems("waktu\n4,4\n") == ["waktu|tooManyFields"])
        #expect(problems("waktu\n4,\n") == [])  // trailing empty field tolerated
    }

    @Test func invalidUTF8IsReported() {
        #expect(throws: SurveyError.csvRejected([SurveyCSVIssue(row: 1, line: 1, column: "", value: "", problem: .notUTF8)])) {
            try importer.parse(Data([0x77, 0x61, 0xFF, 0xFE, 0x0A]))
        }
    }

    @Test func configuredListsAreUsed() throws {
        var def = SurveyDefinition.standard(service: testService, profile: RespondentProfileSchema(
            educationLevels: RespondentProfileSchema.educationWithDiploma,
            serviceTypes: [ProfileChoice("KTP", "KTP-el", "ID card"), ProfileChoice("KK", "Kartu Keluarga", "Family card")]))
        def.title = SurveyText(id: "SKM", en: "SKM")
        let imp = SurveyCSVImporter(definition: def, options: .init(skipInvalidRows: true))
        let out = try imp.parse("waktu,pendidikan,jenis_layanan\n4,D1-D3,kartu keluarga\n4,SMA,Paspor\n")
        #expect(out.responses.map(\.profile.education) == ["D1-D3"])
        #expect(out.responses.map(\.profile.serviceType) == ["KK"])
        #expect(out.skipped.first?.issues.map(\.problem) == [.unknownServiceType])
    }

    @Test func tabDelimiterAndLineNumbersAfterMultilineFields() throws {
        let imp = SurveyCSVImporter(definition: .standard(service: testService), options: .init(skipInvalidRows: true))
        let out = try imp.parse("waktu\tsaran\n4\t\"baris\nkedua\"\n7\tx\n")
        #expect(out.delimiter == .tab)
        #expect(out.skipped.first?.row == 3)
        #expect(out.skipped.first?.line == 4)
    }
}
