import Foundation
import Testing
@testable import PantauCore

/// SOP-step statistics on a hand-made log whose answers are worked out by hand.
///
/// SOP: terima (10 min) -> verifikasi (30 min) -> serahkan (15 min). Times in seconds from 0.
///
///   case A (Ani):  terima   start 0     complete 600    service 600   (within)
///                  verif.   start 900   complete 3300   service 2400  (excess 600), waiting 300
///                  verif.   start 3600  complete 4800   service 1200  (within; a repetition), waiting 300
///                  serahkan start 5400  complete 6000   service 600   (within), waiting 600
///   case B (Budi): terima   start 0     complete 1200   service 1200  (excess 600)
///                  cetak    start 1300  complete 1500   (not in the SOP)
///                  serahkan start 1800  complete 2700   service 900   (= standard: within), waiting 300
@Suite("SOPPerformance")
struct PerformanceSOPTests {
    let doc = SOPDocument(
        identity: SOPIdentity(unitName: "DPMPTSP", number: "SOP-01", title: "Izin"),
        actors: [SOPActor(id: "loket", name: "Loket"), SOPActor(id: "ver", name: "Verifikator")],
        steps: [
            SOPStep(id: "terima", kind: .start, activity: "Terima Berkas", actor: "loket",
                    standard: QualityStandard(time: .minutes(10))),
            SOPStep(id: "verifikasi", activity: "Verifikasi", actor: "ver",
                    standard: QualityStandard(time: .minutes(30)), logNames: ["Cek Berkas"]),
            SOPStep(id: "serahkan", kind: .end, activity: "Serahkan", actor: "loket",
                    standard: QualityStandard(time: .minutes(15))),
            SOPStep(id: "arsip", kind: .end, activity: "Arsip", actor: "loket"),
        ])

    func log() -> EventLog {
        var b = EventLog.Builder()
        b.append(caseID: "A", activity: "terima berkas", complete: 600, start: 0, resource: "Ani", unit: "U1")
        b.append(caseID: "A", activity: "Verifikasi", complete: 3300, start: 900, resource: "Ani", unit: "U1")
        b.append(caseID: "A", activity: " CEK BERKAS ", complete: 4800, start: 3600, resource: "Ani", unit: "U1")
        b.append(caseID: "A", activity: "Serahkan", complete: 6000, start: 5400, resource: "Ani", unit: "U1")
        b.append(caseID: "B", activity: "Terima Berkas", complete: 1200, start: 0, resource: "Budi", unit: "U1")
        b.append(caseID: "B", activity: "Cetak", complete: 1500, start: 1300, resource: "Budi", unit: "U2")
        b.append(caseID: "B", activity: "Serahkan", complete: 2700, start: 1800, resource: "Budi", unit: "U2")
        return b.build()
    }

    @Test("per-step time against the standard, percentiles, service and waiting time")
    func steps() throws {
        let r = SOPPerformance().analyze(log(), against: doc)
        #expect(r.measure == .serviceTime)
        #expect(r.cases == 2 && r.events == 7 && r.mappedEvents == 6)
        #expect(r.unmappedActivities == [UnmappedActivity(name: "Cetak", events: 1, cases: 1)])
        #expect(r.steps.map(\.stepID) == ["terima", "verifikasi", "serahkan", "arsip"])

        let terima = try #require(r.step("terima"))
        #expect(terima.occurrences == 2 && terima.cases == 2)
        #expect(terima.standardSeconds == 600)
        let tt = try #require(terima.time)
        #expect(tt.mean == 900 && tt.p50 == 900 && tt.min == 600 && tt.max == 1200)
        #expect(abs(tt.p90 - 1140) < 1e-9)   // 600 + 0.9 * 600
        #expect(abs(tt.p95 - 1170) < 1e-9)
        #expect(terima.withinStandard == 1 && terima.withinStandardShare == 0.5)
        #expect(terima.exceedingStandard == 1 && terima.excessSeconds == 600)
        #expect(terima.waitingTime == nil)  // first events: no previous event

        let verif = try #require(r.step("verifikasi"))
        #expect(verif.occurrences == 2 && verif.cases == 1)
        #expect(verif.time?.sum == 3600)
        #expect(verif.withinStandard == 1 && verif.excessSeconds == 600)
        #expect(verif.waitingTime?.mean == 300 && verif.waitingTime?.count == 2)
        #expect(verif.serviceTime?.mean == 1800)

        let serahkan = try #require(r.step("serahkan"))
        #expect(serahkan.withinStandardShare == 1.0 && serahkan.excessSeconds == 0)
        #expect(serahkan.waitingTime?.sum == 900)   // 600 (A) + 300 (B, after the unmapped Cetak)

        let arsip = try #require(r.step("arsip"))
        #expect(arsip.occurrences == 0 && arsip.time == nil && arsip.standardSeconds == nil)
        #expect(arsip.withinStandard == nil && arsip.excessSeconds == nil)
    }

    @Test("rework: repeated occurrences, their time and share of case time")
    func rework() throws {
        let r = SOPPerformance().analyze(log(), against: doc)
        let rw = try #require(r.step("verifikasi")).rework
        #expect(rw.casesRepeating == 1 && rw.shareOfCasesWithStep == 1.0)
        #expect(rw.repeatedOccurrences == 1)
        #expect(rw.reworkSeconds == 1200)
        #expect(rw.shareOfCaseTime == 1200.0 / 6000.0)   // case A spans 0 ... 6000
        #expect(try #require(r.step("terima")).rework.casesRepeating == 0)
        #expect(r.casesWithRework == 1 && r.casesWithReworkShare == 0.5)
        #expect(r.reworkSeconds == 1200)
        #expect(r.reworkShareOfCaseTime == 1200.0 / (6000 + 2700))
        #expect(r.caseTime?.mean == 4350)
    }

    @Test("bottlenecks by excess (ties in table order), waiting time and mean time")
    func bottlenecks() {
        let byExcess = SOPPerformance().analyze(log(), against: doc).bottlenecks
        #expect(byExcess.map(\.stepID) == ["terima", "verifikasi", "serahkan"])
        #expect(byExcess.map(\.value) == [600, 600, 0])
        #expect(byExcess.map(\.rank) == [1, 2, 3])
        let byWaiting = SOPPerformance(options: .init(bottleneckCriterion: .waitingTime)).analyze(log(), against: doc)
        #expect(byWaiting.bottlenecks.map(\.stepID) == ["serahkan", "verifikasi"])
        let byMean = SOPPerformance(options: .init(bottleneckCriterion: .meanTime, bottleneckCount: 1)).analyze(log(), against: doc)
        #expect(byMean.bottlenecks.map(\.stepID) == ["verifikasi"])
        #expect(byMean.bottlenecks.first?.value == 1800)
    }

    @Test("per resource and per unit")
    func groups() throws {
        let r = SOPPerformance().analyze(log(), against: doc)
        #expect(r.resources.map(\.name) == ["Ani", "Budi"])
        let ani = r.resources[0]
        #expect(ani.events == 4 && ani.cases == 1)
        #expect(ani.withinStandard == 3 && ani.withinStandardShare == 0.75 && ani.excessSeconds == 600)
        #expect(ani.steps.map(\.stepID) == ["terima", "verifikasi", "serahkan"])
        #expect(ani.steps[1].occurrences == 2 && ani.steps[1].withinStandardShare == 0.5)
        let budi = r.resources[1]
        #expect(budi.events == 2 && budi.withinStandard == 1 && budi.excessSeconds == 600)
        #expect(r.units.map(\.name) == ["U1", "U2"])
        #expect(r.units[0].events == 5 && r.units[1].events == 1)  // Cetak (U2) is unmapped
    }

    @Test("without start times the measure is the time since the previous event")
    func sincePrevious() throws {
        var b = EventLog.Builder()
        b.append(caseID: "A", activity: "Terima Berkas", complete: 600)
        b.append(caseID: "A", activity: "Verifikasi", complete: 3300)
        b.append(caseID: "A", activity: "Verifikasi", complete: 4800)
        b.append(caseID: "A", activity: "Serahkan", complete: 6000)
        let r = SOPPerformance().analyze(b.build(), against: doc)
        #expect(r.measure == .sincePreviousEvent)
        #expect(r.step("terima")?.measuredOccurrences == 0)
        #expect(r.step("verifikasi")?.time?.sum == 4200)   // 2700 + 1500
        #expect(r.step("verifikasi")?.withinStandard == 1)   // 1500 <= 1800 < 2700
        #expect(r.step("verifikasi")?.rework.reworkSeconds == 1500)
        #expect(r.step("serahkan")?.excessSeconds == 300)
        #expect(r.step("verifikasi")?.serviceTime == nil)
        #expect(r.resources.isEmpty && r.units.isEmpty)
        // and the same measure can be asked for explicitly on an interval log
        let forced = SOPPerformance(options: .init(measure: .sincePreviousEvent)).analyze(log(), against: doc)
        #expect(forced.step("verifikasi")?.time?.sum == 4200)
    }

    @Test("the report encodes to JSON and back")
    func codable() throws {
        let r = SOPPerformance().analyze(log(), against: doc)
        let data = try JSONEncoder().encode(r)
        #expect(try JSONDecoder().decode(SOPPerformanceReport.self, from: data) == r)
    }

    @Test("shared SOP log: every event maps to a step of a matching SOP", .enabled(if: SharedData.available))
    func sharedLog() throws {
        let log = try SharedLogs.log("sop_izin_1k.csv")
        let names = log.activities
        let steps = names.enumerated().map { i, n in
            SOPStep(id: "s\(i)", activity: n, actor: "a", standard: QualityStandard(time: .hours(2)))
        }
        let sop = SOPDocument(identity: SOPIdentity(unitName: "U", number: "1", title: "Izin"),
                              actors: [SOPActor(id: "a", name: "A")], steps: steps)
        let r = SOPPerformance().analyze(log, against: sop)
        #expect(r.mappedEvents == log.eventCount)
        #expect(r.unmappedActivities.isEmpty)
        #expect(r.steps.reduce(0) { $0 + $1.occurrences } == log.eventCount)
        // occurrences and repeating cases agree with the activity-level rework numbers
        let rework = ReworkAnalysis().analyze(log)
        for s in r.steps {
            let a = try #require(rework.activity(s.activity))
            #expect(s.cases == a.casesWithActivity)
            #expect(s.rework.casesRepeating == a.reworkCases)
            #expect(s.rework.repeatedOccurrences == a.extraOccurrences)
        }
        // service times agree with ActivityTimes
        let service = try #require(ActivityTimes().analyze(log).serviceTime)
        for s in r.steps {
            #expect(close(s.serviceTime?.mean, service[s.activity]?.mean, 1e-9))
        }
    }
}
