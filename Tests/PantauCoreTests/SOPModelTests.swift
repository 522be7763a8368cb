import Foundation
import PantauCore
import Testing

/// A small valid SOP used across tests.
func sampleSOP() -> SOPDocument {
    SOPDocument(
        identity: SOPIdentity(unitName: "Disdukcapil", number: "470/SOP-KTP/2026", title: "Penerbitan KTP-el",
                              approvedBy: SOPApprover(position: "Kepala Dinas", name: "Drs. Agus", nip: "196808171993031008")),
        actors: [SOPActor(id: "loket", name: "Petugas Loket"), SOPActor(id: "pemohon", name: "Pemohon"), SOPActor(id: "operator", name: "Operator")],
        steps: [
            SOPStep(id: "terima", kind: .start, activity: "Menerima berkas", actor: "loket", standard: QualityStandard(time: .minutes(10))),
            SOPStep(id: "cek", kind: .decision, activity: "Memeriksa berkas", actor: "loket", yes: "rekam", no: "lengkapi", question: "Lengkap?"),
            SOPStep(id: "lengkapi", activity: "Melengkapi berkas", actor: "pemohon", next: "cek"),
            SOPStep(id: "rekam", activity: "Merekam biometrik", actor: "operator", standard: QualityStandard(time: .minutes(15))),
            SOPStep(id: "serah", kind: .end, activity: "Menyerahkan KTP-el", actor: "loket"),
        ])
}

@Suite("SOP model: validation")
struct SOPValidationTests {
    @Test func aWellFormedSOPHasNoIssues() {
        #expect(sampleSOP().validate().isEmpty)
    }

    @Test func issuesNameTheStepAndField() {
        var d = sampleSOP()
        d.steps[3].actor = "kasir"
        d.steps[1].no = nil
        d.steps[0].standard.time = TimeStandard(seconds: 0)
        let issues = d.validate()
        #expect(issues.contains { $0.code == .unknownActor && $0.stepNumber == 4 && $0.field == "langkah[4].pelaksana" && $0.detail == "kasir" })
        #expect(issues.contains { $0.code == .decisionNeedsBothTargets && $0.stepID == "cek" && $0.field == "langkah[2].tidak" })
        #expect(issues.contains { $0.code == .nonPositiveTime && $0.field == "langkah[1].mutu_baku.waktu" })
        // Core words issues only in English (logs, CLI); the web layer translates the code.
        #expect(issues.first { $0.code == .unknownActor }!.description == "Step 4 (rekam): pelaksana 'kasir' is not in the list of actors")
    }

    @Test func reachabilityBothWays() {
        var d = sampleSOP()
        // An island: nothing leads to it.
        d.steps.insert(SOPStep(id: "pulau", activity: "Langkah lepas", actor: "loket", next: "serah"), at: 4)
        d.steps[3].next = "serah"
        #expect(d.validate().map(\.code) == [.unreachable])
        // A dead end: a loop that never reaches an end.
        var e = sampleSOP()
        e.steps[1].yes = "lengkapi"
        #expect(e.validate().contains { $0.code == .unreachable && $0.stepID == "rekam" })
        var f = sampleSOP()
        f.steps[2].next = "lengkapi" // loops on itself forever
        let codes = f.validate()
        #expect(codes.contains { $0.code == .cannotReachEnd && $0.stepID == "lengkapi" })
    }

    @Test func structuralRules() {
        var d = sampleSOP()
        d.steps[4].kind = .process
        #expect(d.validate().contains { $0.code == .noEnd })
        #expect(d.validate().contains { $0.code == .lastStepNotEnd })
        var e = sampleSOP()
        e.steps[0].kind = .process
        #expect(e.validate().contains { $0.code == .noStart })
        var f = sampleSOP()
        f.steps[3].id = "cek"
        #expect(f.validate().contains { $0.code == .duplicateStepID && $0.stepNumber == 4 })
        var g = sampleSOP()
        g.steps[2].next = "hilang"
        #expect(g.validate().contains { $0.code == .unknownTarget && $0.field == "langkah[3].berikutnya" && $0.detail == "hilang" })
        var h = sampleSOP()
        h.identity.approvedBy?.nip = "12345"
        #expect(h.validate().contains { $0.code == .invalidNIP })
        var i = sampleSOP()
        i.steps = []
        #expect(i.validate().map(\.code) == [.noSteps])
        var j = sampleSOP()
        j.identity.title = "  "
        #expect(j.validate().contains { $0.code == .missingField && $0.field == "identitas.judul" })
    }

    @Test func successorsFollowTableOrderAndBranches() {
        let d = sampleSOP()
        #expect(d.successors(of: d.steps[0]).map(\.target) == ["cek"])
        #expect(d.successors(of: d.steps[1]).map { "\($0.target)/\($0.branch.rawValue)" } == ["rekam/yes", "lengkapi/no"])
        #expect(d.successors(of: d.steps[2]).map(\.target) == ["cek"])
        #expect(d.successors(of: d.steps[4]).isEmpty)
    }

    @Test func demoStyleLogNamesMapToSteps() {
        var d = sampleSOP()
        d.steps[3].logNames = ["Perekaman Biometrik", "REKAM"]
        let map = d.stepIndexByLogName()
        #expect(map["merekam biometrik"] == "rekam")
        #expect(map[SOPDocument.normalizeLogName("  Perekaman biometrik ")] == "rekam")
        #expect(map["rekam"] == "rekam")
    }
}

@Suite("SOP model: durations and dates")
struct SOPValueTests {
    @Test(arguments: [
        ("15 menit", 900.0), ("2 jam", 7200), ("1 hari", 86400), ("30 detik", 30), ("1 jam 30 menit", 5400),
        ("1h30m", 5400), ("2d", 172_800), ("PT15M", 900), ("P1DT2H", 93600), ("1,5 jam", 5400), ("45 MENIT", 2700),
    ])
    func parsesDurations(_ text: String, _ seconds: Double) {
        #expect(TimeStandard(parsing: text)?.seconds == seconds)
    }

    @Test(arguments: ["", "sebentar", "15", "menit", "15 bulan", "P", "PT", "1 jam lebih", "-"])
    func rejectsNonDurations(_ text: String) {
        #expect(TimeStandard(parsing: text) == nil)
    }

    @Test func formatsForPeople() {
        #expect(TimeStandard(seconds: 5400).description == "1 jam 30 menit")
        #expect(TimeStandard.format(seconds: 93_600, language: .en) == "1 d 2 h")
        #expect(TimeStandard(parsing: TimeStandard(seconds: 3_725).description)?.seconds == 3_725)
    }

    @Test func civilDates() {
        #expect(CivilDate("2026-02-29") == nil)
        #expect(CivilDate("2024-02-29") != nil)
        #expect(CivilDate("2026-13-01") == nil)
        #expect(CivilDate("26-01-01") == nil)
        #expect(CivilDate("2026-07-01")! < CivilDate("2026-07-02")!)
        // 23:30 UTC on 30 June is already 1 July in WIB.
        let t = ISO8601DateFormatter().date(from: "2026-06-30T23:30:00Z")!
        #expect(CivilDate(t) == CivilDate(year: 2026, month: 7, day: 1))
    }

    @Test func versionInForceByDate() {
        let periods = [SOPVersionPeriod(version: 1, effectiveFrom: CivilDate("2026-01-19")!),
                       SOPVersionPeriod(version: 2, effectiveFrom: CivilDate("2026-07-01")!)]
        #expect(SOPVersionPeriod.versionInForce(on: CivilDate("2026-01-18")!, among: periods) == nil)
        #expect(SOPVersionPeriod.versionInForce(on: CivilDate("2026-01-19")!, among: periods) == 1)
        #expect(SOPVersionPeriod.versionInForce(on: CivilDate("2026-06-30")!, among: periods) == 1)
        #expect(SOPVersionPeriod.versionInForce(on: CivilDate("2026-07-01")!, among: periods) == 2)
    }

    @Test func lifecycleTransitions() {
        #expect(SOPStatus.draft.allowedTransitions == [.review, .archived])
        #expect(!SOPStatus.draft.allowedTransitions.contains(.effective))
        #expect(SOPStatus.archived.allowedTransitions.isEmpty)
        #expect(!SOPStatus.effective.isEditable && SOPStatus.review.isEditable)
    }

    @Test func diffMatchesStepsByID() {
        let a = sampleSOP()
        var b = a
        b.steps.swapAt(3, 2)
        b.steps[2].standard.time = .minutes(20)
        b.actors.append(SOPActor(id: "kasi", name: "Kepala Seksi"))
        let fields = a.changes(to: b).map(\.field)
        #expect(fields.contains("langkah[rekam].no"))
        #expect(fields.contains("langkah[rekam].mutu_baku.waktu"))
        #expect(fields.contains("pelaksana[kasi]"))
        #expect(!fields.contains { $0.hasPrefix("langkah[terima]") })
        #expect(a.changes(to: a).isEmpty)
    }
}

@Suite("SOP files: YAML and JSON")
struct SOPFileTests {
    @Test(arguments: SOPFileFormat.allCases)
    func roundTrips(_ format: SOPFileFormat) throws {
        let text = try SOPFile.encode(sampleSOP(), format: format)
        #expect(try SOPFile.decode(text, format: format) == sampleSOP())
    }

    @Test func theDocumentedExampleIsValid() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/examples/sop-penerbitan-izin-usaha.yaml")
        let doc = try SOPFile.decode(try String(contentsOf: url, encoding: .utf8), format: .yaml)
        #expect(doc.identity.title == "Penerbitan Izin Usaha" && doc.steps.count == 11)
    }

    @Test func syntaxErrorsNameTheLine() {
        let yaml = """
        identitas:
          unit: Dinas
          nomor: "1"
          judul: [tidak ditutup
        pelaksana: []
        """
        #expect(throws: SOPFileError.self) { try SOPFile.decode(yaml, format: .yaml) }
        do { _ = try SOPFile.decode(yaml, format: .yaml) } catch {
            #expect(error.line != nil && error.line! >= 4, "\(error)")
        }
        do { _ = try SOPFile.decode("{\"identitas\": {\"unit\": 1,, }}", format: .json) } catch {
            #expect(error.message.contains("JSON") || error.line != nil, "\(error)")
        }
    }

    @Test func wrongTypesAndMissingFieldsNameLineAndField() throws {
        var yaml = try SOPFile.encode(sampleSOP(), format: .yaml)
        yaml = yaml.replacingOccurrences(of: "waktu: 15 menit", with: "waktu: sebentar saja")
        do {
            _ = try SOPFile.decode(yaml, format: .yaml)
            Issue.record("expected an error")
        } catch {
            #expect(error.field == "langkah[4].mutu_baku.waktu", "\(error)")
            #expect(error.problem == .invalidDuration(value: "sebentar saja"), "\(error)")
            let line = yaml.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("sebentar saja") }! + 1
            #expect(error.line == line, "\(error)")
        }
        let missing = """
        identitas:
          unit: Dinas
          judul: Tanpa nomor
        pelaksana: []
        langkah: []
        """
        do {
            _ = try SOPFile.decode(missing, format: .yaml)
            Issue.record("expected an error")
        } catch {
            #expect(error.field == "identitas.nomor" && error.line == 1, "\(error)")
            #expect(error.problem == .keyRequired(key: "nomor"))
        }
        // Dates carry a code and the value as written (the web layer words it in the reader's language).
        var withDate = try SOPFile.encode(sampleSOP(), format: .yaml)
        if let r = withDate.range(of: "  judul:") { withDate.insert(contentsOf: "  tanggal_efektif: 31-12-2026\n", at: r.lowerBound) }
        do {
            _ = try SOPFile.decode(withDate, format: .yaml)
            Issue.record("expected an error")
        } catch {
            #expect(error.field == "identitas.tanggal_efektif", "\(error)")
            #expect(error.problem == .invalidDate(value: "31-12-2026"), "\(error)")
        }
    }

    @Test func validationErrorsPointAtTheStepLine() throws {
        var d = sampleSOP()
        d.steps[3].actor = "kasir"
        let yaml = try SOPFile.encode(d, format: .yaml)
        do {
            _ = try SOPFile.decode(yaml, format: .yaml)
            Issue.record("expected an error")
        } catch {
            #expect(error.field == "langkah[4].pelaksana")
            let line = yaml.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("pelaksana: kasir") }! + 1
            #expect(error.line == line, "\(error)")
            #expect(error.issues.count == 1)
        }
        let json = try SOPFile.encode(d, format: .json)
        do {
            _ = try SOPFile.decode(json, format: .json)
            Issue.record("expected an error")
        } catch {
            let line = json.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("\"kasir\"") }! + 1
            #expect(error.line == line, "\(error)")
        }
    }

    @Test func emptyAndGarbageFiles() {
        #expect(throws: SOPFileError.self) { try SOPFile.decode("", format: .yaml) }
        #expect(throws: SOPFileError.self) { try SOPFile.decode("", format: .json) }
        #expect(throws: SOPFileError.self) { try SOPFile.decode("- a\n- b\n", format: .yaml) }
        #expect(throws: SOPFileError.self) { try SOPFile.decode("\u{0}\u{1}binary", format: .yaml) }
    }
}

@Suite("Organisation tree")
struct OrgTreeTests {
    @Test func subtreesAndPaths() {
        let t = OrgTree([
            OrgUnit(id: 1, parentID: nil, code: "A", name: "Pemkot", level: .instansi),
            OrgUnit(id: 2, parentID: 1, code: "B", name: "Dinkes", level: .instansi),
            OrgUnit(id: 3, parentID: 2, code: "C", name: "Puskesmas", level: .unitKerja),
            OrgUnit(id: 4, parentID: 1, code: "D", name: "Dukcapil", level: .instansi),
        ])
        #expect(t.subtree(of: 2) == [2, 3])
        #expect(t.subtree(of: 99).isEmpty)
        #expect(t.contains(3, inSubtreeOf: 1) && !t.contains(4, inSubtreeOf: 2))
        #expect(t.path(to: 3).map(\.code) == ["A", "B", "C"])
        #expect(t.flattened().map { "\($0.unit.code)\($0.depth)" } == ["A0", "B1", "C2", "D1"])
    }

    @Test func aCycleInDataDoesNotHang() {
        let t = OrgTree([OrgUnit(id: 1, parentID: 2, code: "A", name: "A", level: .instansi),
                         OrgUnit(id: 2, parentID: 1, code: "B", name: "B", level: .instansi)])
        #expect(!t.contains(1, inSubtreeOf: 3))
        #expect(t.path(to: 1).count <= 3)
    }
}
