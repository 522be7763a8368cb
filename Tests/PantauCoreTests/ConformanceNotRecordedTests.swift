import Foundation
import PantauCore
import Testing

/// Steps that leave no event (`tercatat: false`, ``SOPStep/recorded``): the permit SOP drawn with
/// its three checks as decision steps of their own and an end step "Selesai", none of which the
/// permit log records (docs/examples/sop-penerbitan-izin-keputusan.yaml).
@Suite("SOP steps not recorded in the log")
struct ConformanceNotRecordedTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func example(_ name: String) throws -> SOPDocument {
        let url = root.appendingPathComponent("docs/examples/\(name).yaml")
        return try SOPFile.decode(try String(contentsOf: url, encoding: .utf8), format: .yaml)
    }

    /// The decision steps and the end step of the decision example: they appear in no event.
    static let silentSteps = ["keputusan-lengkap", "keputusan-lapangan", "keputusan-izin", "selesai"]

    @Test func theDecisionExampleIsValidAndItsFourStepsAreRecordedByDefault() throws {
        let doc = try Self.example("sop-penerbitan-izin-keputusan")
        #expect(doc.validate().isEmpty, "\(doc.validate())")
        let original = try Self.example("sop-penerbitan-izin-usaha")
        // The same work steps (by activity) plus the four new ones.
        #expect(Set(doc.steps.map(\.activity)).subtracting(original.steps.map(\.activity))
                == ["Berkas lengkap?", "Lapangan sesuai?", "Izin disetujui?", "Selesai"])
        #expect(doc.steps.filter { $0.kind == .decision }.map(\.id) == Array(Self.silentSteps.prefix(3)))
        #expect(doc.steps.allSatisfy { $0.recorded })
    }

    @Test func tercatatFalseRoundTripsThroughYAMLAndJSON() throws {
        var doc = try Self.example("sop-penerbitan-izin-keputusan")
        for i in doc.steps.indices where Self.silentSteps.contains(doc.steps[i].id) { doc.steps[i].recorded = false }
        for format in SOPFileFormat.allCases {
            let text = try SOPFile.encode(doc, format: format)
            #expect(text.components(separatedBy: "tercatat").count - 1 == 4, "only the steps not recorded carry the key (\(format))")
            let back = try SOPFile.decode(text, format: format)
            #expect(back == doc)
            #expect(back.steps.filter { !$0.recorded }.map(\.id) == Self.silentSteps)
        }
    }

    @Test func aTercatatThatIsNotABooleanIsAnErrorNamingTheField() throws {
        let yaml = """
        identitas:
          unit: Dinas
          nomor: "1"
          judul: Uji
        pelaksana:
        - id: fo
          nama: Petugas
        langkah:
        - id: a
          jenis: mulai
          kegiatan: Terima
          pelaksana: fo
          tercatat: mungkin
        - id: b
          jenis: selesai
          kegiatan: Serahkan
          pelaksana: fo
        """
        var caught: SOPFileError?
        do { _ = try SOPFile.decode(yaml, format: .yaml) } catch { caught = error }
        let e = try #require(caught)
        #expect(e.field == "langkah[1].tercatat", "\(e)")
        #expect(e.problem == .wrongType(expected: .boolean), "\(e)")
        #expect(e.line == 13, "\(e)")
        let ok = try SOPFile.decode(yaml.replacingOccurrences(of: "tercatat: mungkin", with: "tercatat: false"), format: .yaml)
        #expect(ok.steps.map(\.recorded) == [false, true])
    }

    @Test func theDiffReportsAChangeOfTercatat() throws {
        let old = try Self.example("sop-penerbitan-izin-keputusan")
        var new = old
        new.steps[2].recorded = false
        let changes = old.changes(to: new)
        #expect(changes == [SOPChange(kind: .changed, field: "langkah[keputusan-lengkap].tercatat", old: "ya", new: "tidak")])
        #expect(new.changes(to: old).map(\.new) == ["ya"])
        #expect(old.changes(to: old).isEmpty)
    }

    /// The scenario of a new user: analysed as written, every case "skips" the four steps the log
    /// does not record (0% compliance); with them not recorded, exactly the cases that follow the
    /// original SOP (whose checks are the work steps themselves) conform.
    @Test(.enabled(if: SharedData.available))
    func decisionsAndTheEndStepThatAreNotLoggedAreNoSkipOnceMarked() throws {
        let log = try SharedLogs.log("sop_izin_1k.csv")
        let original = try SOPConformance().check(log, against: try Self.example("sop-penerbitan-izin-usaha"))
        var doc = try Self.example("sop-penerbitan-izin-keputusan")
        #expect(original.cases == 1000 && original.compliantCases > 0 && original.compliantCases < original.cases)

        let asWritten = try SOPConformance().check(log, against: doc)
        #expect(asWritten.cases == original.cases)
        #expect(asWritten.compliantCases == 0 && asWritten.caseComplianceRate == 0)
        for id in Self.silentSteps {
            let s = try #require(asWritten.steps.first { $0.stepID == id })
            // Every case reaches the step, none without a deviation on it: each skips it at
            // least once (the completeness check once per verification).
            #expect(s.casesReaching == asWritten.cases && s.compliantCases == 0, "\(id)")
            #expect(s.deviations.skipped >= asWritten.cases, "\(id): \(s.deviations)")
            #expect(s.deviations.unexpected == 0 && s.deviations.repeated == 0 && s.deviations.outOfOrder == 0, "\(id)")
        }
        // Every path through the SOP passes each of the four steps, "Selesai" exactly once.
        #expect(asWritten.steps.first { $0.stepID == "selesai" }?.deviations.skipped == asWritten.cases)

        for i in doc.steps.indices where Self.silentSteps.contains(doc.steps[i].id) { doc.steps[i].recorded = false }
        let marked = try SOPConformance().check(log, against: doc)
        #expect(marked.compliantCases == original.compliantCases)
        #expect(Set(marked.caseResults.filter(\.compliant).map(\.caseID)) == Set(original.caseResults.filter(\.compliant).map(\.caseID)))
        for id in Self.silentSteps {
            let s = try #require(marked.steps.first { $0.stepID == id })
            #expect(s.deviations.total == 0, "\(id): \(s.deviations)")
        }
        // The work steps deviate exactly as under the original SOP.
        for s in original.steps {
            let m = try #require(marked.steps.first { $0.activity == s.activity })
            #expect(m.deviations == s.deviations, "\(s.activity)")
        }
        // The same file with the four steps marked `tercatat: false` gives the same result.
        let fromYAML = try SOPFile.decode(try SOPFile.encode(doc, format: .yaml), format: .yaml)
        #expect(try SOPConformance().check(log, against: fromYAML).compliantCases == original.compliantCases)
    }
}
