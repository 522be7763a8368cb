import Foundation
import Testing
@testable import PantauCore

@Suite("SOP → Petri net and deviations in SOP terms")
struct ConformanceSOPTests {
    /// Permit SOP: register, verify (complete? no → repair and verify again), inspect, technical
    /// meeting (approve? yes → sign, no → reject letter).
    static func permitSOP() -> SOPDocument {
        SOPDocument(
            identity: SOPIdentity(unitName: "DPMPTSP", number: "SOP-01", title: "Penerbitan Izin"),
            actors: [SOPActor(id: "loket", name: "Petugas Loket"), SOPActor(id: "verif", name: "Verifikator"),
                     SOPActor(id: "teknis", name: "Tim Teknis"), SOPActor(id: "kepala", name: "Kepala Dinas")],
            steps: [
                SOPStep(id: "daftar", kind: .start, activity: "Pendaftaran Permohonan", actor: "loket", logNames: ["Input Berkas"]),
                SOPStep(id: "verif", kind: .decision, activity: "Verifikasi Administrasi", actor: "verif",
                        yes: "periksa", no: "perbaiki", question: "Berkas lengkap?"),
                SOPStep(id: "perbaiki", activity: "Perbaikan Berkas", actor: "loket", next: "verif"),
                SOPStep(id: "periksa", activity: "Pemeriksaan Lapangan", actor: "teknis"),
                SOPStep(id: "rapat", kind: .decision, activity: "Rapat Tim Teknis", actor: "teknis",
                        yes: "ttd", no: "tolak", question: "Disetujui?"),
                SOPStep(id: "ttd", kind: .end, activity: "Penandatanganan Izin", actor: "kepala"),
                SOPStep(id: "tolak", kind: .end, activity: "Penerbitan Surat Penolakan", actor: "kepala"),
            ])
    }

    static let happy = ["Pendaftaran Permohonan", "Verifikasi Administrasi", "Pemeriksaan Lapangan",
                        "Rapat Tim Teknis", "Penandatanganan Izin"]

    @Test func compiledNetHasOneTransitionPerStepAndOneFinalPlace() throws {
        let sop = try SOPNet(compiling: Self.permitSOP())
        let net = sop.net
        try net.validate()
        #expect(net.transitions.count == 7)
        #expect(net.silentTransitionCount == 0)   // every branch target has one predecessor
        #expect(Set(sop.stepOfTransition.values) == Set(Self.permitSOP().steps.map(\.id)))
        #expect(net.finalMarking?.total == 1)
        // Both end steps produce into the one final place.
        let ends = ["ttd", "tolak"].compactMap { sop.transitionOfStep[$0] }
        #expect(Set(ends.flatMap { net.outputs(of: $0).map(\.place) }).count == 1)
        // The happy path and the rework loop replay perfectly.
        let tr = try TokenReplay().replay(TraceVariants(traces: [Self.happy]), on: net)
        #expect(tr.fittingTraces == 1)
    }

    @Test func loopBackToTheStartKeepsASilentTransition() throws {
        var doc = Self.permitSOP()
        doc.steps[1].no = "daftar"
        let sop = try SOPNet(compiling: doc)
        #expect(sop.net.silentTransitionCount == 1)
        let a = try Alignments().align(trace: ["Pendaftaran Permohonan", "Verifikasi Administrasi", "Pendaftaran Permohonan",
                                               "Verifikasi Administrasi", "Pemeriksaan Lapangan", "Rapat Tim Teknis",
                                               "Penerbitan Surat Penolakan"], to: sop.net)
        #expect(a.cost == 1)   // one τ, no deviation
    }

    @Test func brokenSOPsAreRejected() {
        var doc = Self.permitSOP()
        doc.steps[3].next = "nowhere"
        #expect(throws: ProcessModelError.self) { try SOPNet(compiling: doc) }
        var noStart = Self.permitSOP()
        noStart.steps[0].kind = .process
        #expect(throws: ProcessModelError.invalidSOP(reason: "no start step (jenis: mulai)")) { try SOPNet(compiling: noStart) }
    }

    func check(_ traces: [[String]], units: [String?]? = nil) throws -> SOPConformanceReport {
        let cases = traces.enumerated().map { i, t in
            SOPCaseTrace(caseID: "c\(i)", unit: units?[i], activities: t)
        }
        return try SOPConformance().check(cases, against: Self.permitSOP())
    }

    @Test func conformingCaseHasNoDeviation() throws {
        let r = try check([Self.happy])
        #expect(r.compliantCases == 1)
        #expect(r.caseResults[0].deviations.isEmpty)
        #expect(r.steps.first { $0.stepID == "ttd" }?.complianceRate == 1)
        #expect(r.steps.first { $0.stepID == "tolak" }?.casesReaching == 0)
    }

    @Test func skippedStepIsAModelMoveOnTheStep() throws {
        let r = try check([["Pendaftaran Permohonan", "Verifikasi Administrasi", "Rapat Tim Teknis", "Penandatanganan Izin"]])
        let d = r.caseResults[0].deviations
        #expect(d == [Deviation(kind: .skipped, stepID: "periksa", activity: "Pemeriksaan Lapangan", eventIndex: nil, inSOP: true)])
        #expect(r.compliantCases == 0)
        let periksa = try #require(r.steps.first { $0.stepID == "periksa" })
        #expect(periksa.deviations.skipped == 1 && periksa.complianceRate == 0)
        #expect(r.actors.first { $0.key == "teknis" }?.deviations.skipped == 1)
    }

    @Test func swappedStepsAreOneOutOfOrderDeviation() throws {
        let r = try check([["Pendaftaran Permohonan", "Verifikasi Administrasi", "Rapat Tim Teknis", "Pemeriksaan Lapangan",
                            "Penandatanganan Izin"]])
        let d = r.caseResults[0].deviations
        #expect(d.count == 1)
        #expect(d.first?.kind == .outOfOrder)
        #expect(["periksa", "rapat"].contains(d.first?.stepID ?? ""))
    }

    @Test func reworkAndUnknownActivities() throws {
        let rework = ["Input Berkas", "Verifikasi Administrasi", "Perbaikan Berkas", "Verifikasi Administrasi",
                      "Pemeriksaan Lapangan", "Rapat Tim Teknis", "Penandatanganan Izin"]
        let doubled = Self.happy + ["Penandatanganan Izin"]
        let foreign = ["Pendaftaran Permohonan", "Minta Paraf Camat"] + Self.happy.dropFirst()
        let r = try check([rework, doubled, foreign, Self.happy], units: ["Kec. A", "Kec. A", "Kec. B", nil])
        // The SOP's loop is followed (fitting), but the second verification is rework.
        #expect(r.caseResults[0].compliant)
        #expect(r.caseResults[0].deviations.map(\.kind) == [.repeated])
        #expect(r.caseResults[0].deviations.first?.stepID == "verif")
        // A second signature is a repeated step (a log move after the step occurred).
        #expect(r.caseResults[1].deviations.map(\.kind) == [.repeated])
        #expect(!r.caseResults[1].compliant)
        // An activity outside the SOP.
        #expect(r.caseResults[2].deviations == [Deviation(kind: .unexpected, stepID: nil, activity: "Minta Paraf Camat", eventIndex: 1, inSOP: false)])
        #expect(r.activitiesOutsideSOP == ["Minta Paraf Camat": 1])
        #expect(r.cases == 4 && r.compliantCases == 2)
        #expect(r.caseComplianceRate == 0.5)
        let unitA = try #require(r.units.first { $0.key == "Kec. A" })
        #expect(unitA.cases == 2 && unitA.compliantCases == 1 && unitA.deviations.repeated == 2)
        #expect(r.units.first { $0.key == "Kec. B" }?.deviations.unexpected == 1)
        let verif = try #require(r.steps.first { $0.stepID == "verif" })
        #expect(verif.casesReaching == 4 && verif.compliantCases == 3)
        let codable = try JSONDecoder().decode(SOPConformanceReport.self, from: JSONEncoder().encode(r))
        #expect(codable == r)
    }

    /// The SOP behind the shared `sop_izin.pnml`, written as an SOP document.
    static let sopIzin = SOPDocument(
        identity: SOPIdentity(unitName: "DPMPTSP", number: "SOP/IZIN/01", title: "Layanan Penerbitan Izin"),
        actors: [SOPActor(id: "loket", name: "Petugas Loket"), SOPActor(id: "verifikator", name: "Verifikator"),
                 SOPActor(id: "teknis", name: "Tim Teknis"), SOPActor(id: "bendahara", name: "Bendahara"),
                 SOPActor(id: "kepala", name: "Kepala Dinas")],
        steps: [
            SOPStep(id: "daftar", kind: .start, activity: "Pendaftaran Permohonan", actor: "loket"),
            SOPStep(id: "verifikasi", kind: .decision, activity: "Verifikasi Administrasi", actor: "verifikator",
                    yes: "lapangan", no: "kekurangan", question: "Berkas lengkap?"),
            SOPStep(id: "kekurangan", activity: "Pemberitahuan Kekurangan Berkas", actor: "loket"),
            SOPStep(id: "perbaikan", activity: "Penyerahan Perbaikan Berkas", actor: "loket", next: "verifikasi"),
            SOPStep(id: "lapangan", activity: "Pemeriksaan Lapangan", actor: "teknis"),
            SOPStep(id: "rapat", kind: .decision, activity: "Rapat Tim Teknis", actor: "teknis",
                    yes: "retribusi", no: "tolak", question: "Disetujui?"),
            SOPStep(id: "retribusi", activity: "Penetapan Retribusi", actor: "bendahara"),
            SOPStep(id: "bayar", activity: "Pembayaran Retribusi", actor: "bendahara"),
            SOPStep(id: "ttd", activity: "Penandatanganan Izin", actor: "kepala", next: "serah"),
            SOPStep(id: "tolak", activity: "Penerbitan Surat Penolakan", actor: "kepala", next: "serah"),
            SOPStep(id: "serah", kind: .end, activity: "Penyerahan Dokumen", actor: "loket"),
        ])

    @Test("the compiled SOP aligns like PM4Py on sop_izin.pnml", .enabled(if: SharedData.available))
    func compiledSOPMatchesTheSharedNet() throws {
        let sop = try SOPNet(compiling: Self.sopIzin)
        #expect(sop.net.transitions.count == 11 && sop.net.silentTransitionCount == 0)
        for stem in ["sop_izin_10k", "sop_izin_noisy_10k"] {
            let data = try ParityData.variants(stem)
            let rows = try #require(data.align["sop_izin.pnml"])
            let report = try Alignments().align(data.log, to: sop.net)
            for v in report.variants {
                #expect(v.cost == ParityData.int(rows[v.variant][0]), "\(stem) variant \(v.variant)")
            }
            let expected = try #require(try ParityData.expected(stem).first { $0.file == "sop_izin.pnml" })
            #expect(ParityData.close(report.logFitness, ParityData.double(expected.alignments["log_fitness"])))
            // Deviations: every non-fitting case has at least one, fitting cases only rework.
            let cases = data.log.variants.indices.map { i in
                SOPCaseTrace(caseID: "v\(i)", activities: data.log.names(ofVariant: i))
            }
            let dev = try SOPConformance().check(cases, against: Self.sopIzin)
            for (i, c) in dev.caseResults.enumerated() {
                let fitting = (report.variants[i].cost ?? 0) < 10_000
                #expect(c.compliant == fitting)
                if !fitting { #expect(!c.deviations.isEmpty, "\(stem) variant \(i)") }
                if fitting { #expect(c.deviations.allSatisfy { $0.kind == .repeated }) }
            }
        }
    }
}
