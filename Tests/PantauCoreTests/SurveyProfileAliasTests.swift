import Foundation
import Testing
@testable import PantauCore

/// Paper forms write profile answers the way each office prints them (`D3`, `Sarjana`, `SLTA`,
/// `Wiraswasta`, `Wanita`): the import reads the usual names of each list, refuses what is
/// ambiguous, and lists what the survey accepts when a value fits nothing.
@Suite("Survey profile aliases")
struct SurveyProfileAliasTests {
    let diploma = RespondentProfileSchema.educationWithDiploma
    let standard = RespondentProfileSchema.standardEducation
    /// A list with every diploma level apart (D4 too).
    let separate: [ProfileChoice] = [
        ProfileChoice("SD", "SD", "Primary"), ProfileChoice("SMP", "SMP", "Junior"), ProfileChoice("SMA", "SMA", "Senior"),
        ProfileChoice("D1", "D1", "Diploma 1"), ProfileChoice("D2", "D2", "Diploma 2"), ProfileChoice("D3", "D3", "Diploma 3"),
        ProfileChoice("D4", "D4", "Diploma 4"), ProfileChoice("S1", "S1", "Bachelor"), ProfileChoice("S2", "S2", "Master"),
        ProfileChoice("S3", "S3", "Doctorate"),
    ]

    func code(_ text: String, _ list: [ProfileChoice], _ kind: ProfileListKind = .education) -> String? {
        if case .matched(let c) = ProfileChoiceAliases.match(text, in: list, kind: kind) { return c.code }
        return nil
    }

    @Test func diplomaLevelsMapToTheListInUse() {
        // The issue's case: D3 on the diploma list (one "D1-D3" choice).
        for d in ["D1", "D2", "D3", "d3", "D-III", "Diploma 3", "D III"] { #expect(code(d, diploma) == "D1-D3", "\(d)") }
        #expect(code("D4", diploma) == "S1")  // the "D4/S1" choice
        // Separate levels map exactly, by code.
        #expect(["D1", "D2", "D3", "D4"].map { code($0, separate) } == ["D1", "D2", "D3", "D4"])
        #expect(code("Diploma III", separate) == "D3" && code("D-IV", separate) == "D4")
        // The sample list has no diploma level: refused, not guessed.
        #expect(ProfileChoiceAliases.match("D3", in: standard, kind: .education) == .unknown)
    }

    @Test func usualNamesOfSchoolLevelsAndDegrees() {
        for (text, expected) in [("Sarjana", "S1"), ("S-1", "S1"), ("Strata 1", "S1"), ("s 1", "S1"), ("Magister", "S2"), ("S-2", "S2"),
                                 ("Doktor", "S3"), ("S-3", "S3"), ("SLTA", "SMA"), ("SMK", "SMA"), ("MA", "SMA"), ("Paket C", "SMA"),
                                 ("SLTP", "SMP"), ("MTs", "SMP"), ("Paket B", "SMP"), ("MI", "SD"), ("Paket A", "SD"), ("sd", "SD")] {
            #expect(code(text, standard) == expected, "\(text)")
            #expect(code(text, diploma) == expected, "\(text) on the diploma list")
        }
        // "Tidak sekolah" only where the list has it.
        #expect(code("Tidak tamat SD", standard) == nil)
        let withNone = [ProfileChoice("TIDAK_SEKOLAH", "Tidak/belum sekolah", "No schooling")] + standard
        #expect(code("Tidak tamat SD", withNone) == "TIDAK_SEKOLAH" && code("tidak sekolah", withNone) == "TIDAK_SEKOLAH")
    }

    @Test func occupationsAndGender() {
        let jobs = RespondentProfileSchema.standardOccupations
        for (text, expected) in [("ASN", "PNS"), ("Pegawai Negeri Sipil", "PNS"), ("Pegawai Swasta", "SWASTA"), ("Karyawan", "SWASTA"),
                                 ("Wiraswasta", "WIRAUSAHA"), ("Pengusaha", "WIRAUSAHA"), ("Lain-lain", "LAINNYA"), ("polisi", "POLRI")] {
            #expect(code(text, jobs, .occupation) == expected, "\(text)")
        }
        // Pelajar and IRT exist only on lists that have them.
        #expect(code("Mahasiswa", jobs, .occupation) == nil)
        let more = jobs + [ProfileChoice("PELAJAR", "Pelajar/Mahasiswa", "Student"), ProfileChoice("IRT", "Ibu rumah tangga", "Homemaker")]
        #expect(code("Mahasiswa", more, .occupation) == "PELAJAR" && code("ibu rumah tangga", more, .occupation) == "IRT")
        // A combined TNI/POLRI choice takes either.
        let combined = [ProfileChoice("PNS", "PNS", "Civil servant"), ProfileChoice("TNI/POLRI", "TNI/POLRI", "Armed forces/police")]
        #expect(code("POLRI", combined, .occupation) == "TNI/POLRI" && code("TNI", combined, .occupation) == "TNI/POLRI")
        for (text, g) in [("L", RespondentGender.male), ("Laki - Laki", .male), ("PRIA", .male), ("M", .male), ("lk", .male),
                          ("P", .female), ("Wanita", .female), ("perempuan", .female), ("F", .female)] {
            #expect(ProfileChoiceAliases.gender(text) == g, "\(text)")
        }
        #expect(ProfileChoiceAliases.gender("X") == nil)
    }

    @Test func anAmbiguousNameIsAnErrorNeverAGuess() {
        // TNI/POLRI on the sample list, where TNI and POLRI are two choices.
        #expect(ProfileChoiceAliases.match("TNI/POLRI", in: RespondentProfileSchema.standardOccupations, kind: .occupation)
                == .ambiguous([RespondentProfileSchema.standardOccupations[1], RespondentProfileSchema.standardOccupations[2]]))
        // Two choices of a survey's own list with one alias: ambiguous, and the list is invalid.
        let list = [ProfileChoice("A", "Layanan A", "A", aliases: ["Umum"]), ProfileChoice("B", "Layanan B", "B", aliases: ["umum"])]
        #expect(ProfileChoiceAliases.match("UMUM", in: list, kind: .serviceType) == .ambiguous(list))
        #expect(RespondentProfileSchema.listProblems(list, kind: .serviceType)
                == [ProfileListProblem(.aliasConflict, .serviceType, 1, ["umum", "A", "B"])])
        // The code wins over anyone's alias; an own alias over a standard one.
        let own = [ProfileChoice("SMA", "SMA", "Senior"), ProfileChoice("SMK", "SMK", "Vocational", aliases: ["STM"])]
        #expect(code("SMK", own) == "SMK" && code("STM", own) == "SMK" && code("SLTA", own) == "SMA")
    }

    @Test func aSurveysOwnAliasesAreReadAndStoredOnlyWhenSet() throws {
        var jobs = RespondentProfileSchema.standardOccupations
        jobs[5].aliases = ["Honorer", "Petani"]
        #expect(code("honorer", jobs, .occupation) == "LAINNYA")
        // Stored JSON of a list without aliases is unchanged; with aliases it round-trips.
        let plain = String(decoding: try JSONEncoder().encode(RespondentProfileSchema.standardOccupations[0]), as: UTF8.self)
        #expect(!plain.contains("aliases"))
        let decoded = try JSONDecoder().decode(ProfileChoice.self, from: try JSONEncoder().encode(jobs[5]))
        #expect(decoded == jobs[5])
        let old = try JSONDecoder().decode(ProfileChoice.self, from: Data(#"{"code":"PNS","label":{"id":"PNS","en":"Civil servant"}}"#.utf8))
        #expect(old.aliases.isEmpty)
        // A definition whose own alias names another choice does not validate.
        var def = SurveyDefinition.standard(service: testService)
        def.profile.occupations[0].aliases = ["Swasta"]
        #expect(def.issues().map(\.field) == ["profile.occupations[0].aliases"])
    }

    @Test func importReadsAliasesAndListsAcceptedValuesInEachError() throws {
        let def = SurveyDefinition.standard(service: testService, profile: RespondentProfileSchema(educationLevels: diploma))
        let csv = """
            waktu;jenis_kelamin;pendidikan;pekerjaan
            4;Wanita;D3;ASN
            4;Pria;Sarjana;Wiraswasta
            4;L;SLTA;Karyawan
            3;P;D4;TNI/POLRI
            3;P;Kursus;PNS
            """
        do {
            _ = try SurveyCSVImporter(definition: def).parse(csv)
            Issue.record("expected rejection")
        } catch {
            guard case .csvRejected(let issues) = error else { Issue.record("\(error)"); return }
            #expect(issues.map { "\($0.row)|\($0.column)|\($0.value)|\($0.problem.rawValue)" }
                    == ["5|pekerjaan|TNI/POLRI|ambiguousOccupation", "6|pendidikan|Kursus|unknownEducation"])
            #expect(issues[0].acceptedValues(.indonesian) == ["TNI", "POLRI"])
            #expect(issues[1].acceptedValues(.indonesian) == ["SD", "SMP", "SMA", "D1-D3", "S1 (D4/S1)", "S2", "S3"])
            #expect(issues[1].acceptedValues(.english).contains("S1 (Bachelor's degree / D4)"))
        }
        let out = try SurveyCSVImporter(definition: def, options: .init(skipInvalidRows: true)).parse(csv)
        #expect(out.responses.map(\.profile.education) == ["D1-D3", "S1", "SMA"])
        #expect(out.responses.map(\.profile.occupation) == ["PNS", "WIRAUSAHA", "SWASTA"])
        #expect(out.responses.map(\.profile.gender) == [.female, .male, .male])
        // The stored values are the list's codes, valid for every entry point.
        #expect(out.responses.allSatisfy { $0.validate(against: def).isEmpty })
    }

    @Test func unknownColumnsAreRefusedOrIgnoredAndListed() throws {
        let csv = "No,Timestamp,Nama,respondent,persyaratan,waktu\n1,2026-07-01 09:00,Ani,R1,4,3\n"
        let strict = SurveyCSVImporter(definition: .standard(service: testService))
        #expect(throws: SurveyError.csvRejected(["No", "Timestamp", "Nama", "respondent"].map {
            SurveyCSVIssue(row: 1, line: 1, column: $0, value: "", problem: .unknownColumn)
        })) { try strict.parse(csv) }
        let lenient = SurveyCSVImporter(definition: .standard(service: testService), options: .init(allowUnknownColumns: true))
        let out = try lenient.parse(csv)
        #expect(out.ignoredColumns == ["No", "Timestamp", "Nama", "respondent"])
        #expect(out.responses.count == 1 && out.responses[0].answers == [.persyaratan: 4, .waktu: 3])
        // The export's own columns are known, not "ignored".
        #expect(try lenient.parse("kanal,waktu_kirim,waktu\nweb,x,4\n").ignoredColumns.isEmpty)
    }
}
