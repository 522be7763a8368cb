import Foundation
import PantauCore

/// Conformance cases: alignments and token replay of each shared log against each model PM4Py
/// was run on (`<stem>.expected.json` → `models`), plus SOP deviations on the sop_izin logs.
/// One core (``Alignments/Options/workers`` = 1); each run starts with fresh caches.
extension BenchmarkHooks {
    static var conformanceCases: [BenchmarkCase] {
        var out: [BenchmarkCase] = []
        for slot in ModelSlot.allCases {
            out.append(BenchmarkCase("alignments \(slot.rawValue)", appliesTo: { slot.url(for: $0) != nil }) { input in
                guard let url = slot.url(for: input) else { return nil }
                let net = try ConformanceCheck.loadModel(contentsOf: url)
                var opts = Alignments.Options(keepMoves: false)
                opts.workers = 1
                let r = try Alignments(options: opts).align(TraceVariants(input.log), to: net)
                return "\(url.lastPathComponent): fitness \(r.logFitness), avg \(r.averageTraceFitness), fit \(r.percentageOfFittingTraces) %, unaligned \(r.unalignedTraces)"
            })
            out.append(BenchmarkCase("token replay \(slot.rawValue)", appliesTo: { slot.url(for: $0) != nil }) { input in
                guard let url = slot.url(for: input) else { return nil }
                let net = try ConformanceCheck.loadModel(contentsOf: url)
                let r = try TokenReplay().replay(TraceVariants(input.log), on: net)
                return "\(url.lastPathComponent): fitness \(r.logFitness), avg \(r.averageTraceFitness), fit \(r.percentageOfFittingTraces) %"
            })
        }
        out.append(BenchmarkCase("SOP deviations (sop_izin SOP)", appliesTo: { $0.stem.hasPrefix("sop_izin") }) { input in
            let r = try SOPConformance(options: .init(includeCases: false)).check(input.log, against: sopIzinDocument)
            let devs = r.steps.reduce(0) { $0 + $1.deviations.total }
            return "compliant \(r.compliantCases)/\(r.cases), \(devs) deviations"
        })
        return out
    }
}

/// Which model of a log a case uses.
enum ModelSlot: String, CaseIterable {
    case im20pnml = "im20.pnml", im00pnml = "im00.pnml", im20bpmn = "im20.bpmn", im00bpmn = "im00.bpmn"
    case reference = "reference model"

    /// The model file for this log, when PM4Py's expected numbers list it (or the reference
    /// model of the generated sop_izin logs).
    func url(for input: BenchmarkInput) -> URL? {
        guard let dir = input.sharedDir else { return nil }
        let stem = input.stem
        let name: String?
        switch self {
        case .reference:
            if stem.hasPrefix("sop_izin") { name = "sop_izin.pnml" }
            else if stem == "running-example" { name = "running-example.pnml" }
            else if stem == "roadtraffic100traces" { name = "roadtraffic.pnml" }
            else if stem == "a32f0n10" { name = "a32.pnml" }
            else { name = nil }
        default:
            name = "\(stem).\(rawValue)"
        }
        guard let name else { return nil }
        let url = dir.appendingPathComponent(name)
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }
}

/// The SOP behind `sop_izin.pnml` ("Layanan Penerbitan Izin"), as an SOP document: compiled by
/// ``SOPNet`` it gives the same net (11 steps, no silent transitions).
let sopIzinDocument = SOPDocument(
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
