import Foundation
import Testing
@testable import PantauCore

/// End to end: read the shared log file with the EventLog readers, then conformance against the
/// model file, and compare with PM4Py's numbers in `<stem>.expected.json`.
@Suite("Conformance end to end from the log files")
struct ParityEndToEndTests {
    static let logs = ["running-example.xes", "roadtraffic100traces.xes", "interval_event_log.csv", "sop_izin_1k.csv",
                       "sop_izin_10k.xes.gz", "sop_izin_noisy_10k.csv.gz"]

    @Test("alignments and token replay from the log file equal PM4Py's", .enabled(if: SharedData.available), arguments: logs)
    func endToEnd(file: String) throws {
        let url = SharedData.url(file)
        let log = file.contains(".csv") ? try CSVReader().read(contentsOf: url) : try XESReader().read(contentsOf: url)
        var stem = file
        for ext in [".gz", ".xes", ".csv"] where stem.hasSuffix(ext) { stem.removeLast(ext.count) }
        for model in try ParityData.expected(stem) where (model.alignments["status"] as? String) == "ok" {
            let modelURL = SharedData.url(model.file)
            let al = try ConformanceCheck().run(log, modelURL: modelURL)
            #expect(ParityData.close(al.logFitness, ParityData.double(model.alignments["log_fitness"])), "\(file) \(model.file)")
            #expect(ParityData.close(al.averageTraceFitness, ParityData.double(model.alignments["average_trace_fitness"])), "\(file) \(model.file)")
            #expect(ParityData.close(al.percentageOfFittingTraces, ParityData.double(model.alignments["percentage_of_fitting_traces"])), "\(file) \(model.file)")
            let net = try ConformanceCheck.loadModel(contentsOf: modelURL)
            if net.silentTransitionCount == 0 {
                let tr = try ConformanceCheck(options: .init(method: .tokenReplay)).run(log, modelURL: modelURL)
                #expect(ParityData.close(tr.logFitness, ParityData.double(model.tokenReplay["log_fitness"])), "\(file) \(model.file)")
                #expect(ParityData.close(tr.averageTraceFitness, ParityData.double(model.tokenReplay["average_trace_fitness"])), "\(file) \(model.file)")
            }
        }
    }

    @Test("SOP deviations from an event log equal those from case traces")
    func sopFromEventLog() throws {
        var b = EventLog.Builder()
        let traces: [(String, String, [String])] = [
            ("c1", "Kec. A", ConformanceSOPTests.happy),
            ("c2", "Kec. A", ["Input Berkas", "Verifikasi Administrasi", "Rapat Tim Teknis", "Penandatanganan Izin"]),
            ("c3", "Kec. B", ConformanceSOPTests.happy + ["Penandatanganan Izin"]),
        ]
        var t = 0.0
        for (c, unit, acts) in traces {
            for a in acts {
                t += 60
                b.append(caseID: c, activity: a, complete: t, unit: unit)
            }
        }
        let log = b.build()
        let doc = ConformanceSOPTests.permitSOP()
        let fromLog = try SOPConformance().check(log, against: doc)
        let fromCases = try SOPConformance().check(traces.map { SOPCaseTrace(caseID: $0.0, unit: $0.1, activities: $0.2) }, against: doc)
        #expect(fromLog.steps == fromCases.steps)
        #expect(fromLog.units == fromCases.units)
        #expect(fromLog.compliantCases == 1)
        #expect(Set(fromLog.caseResults.map(\.caseID)) == ["c1", "c2", "c3"])
        #expect(fromLog.steps.first { $0.stepID == "periksa" }?.deviations.skipped == 1)
    }
}
