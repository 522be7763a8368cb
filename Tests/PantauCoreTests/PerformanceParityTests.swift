import Foundation
import Testing
@testable import PantauCore

/// Compares ``LogPerformance`` with PM4Py's numbers in `<stem>.expected.json` for every shared log.
///
/// Tolerance: 1e-6 s for single durations (means, medians, minima, maxima, stdev). A timestamp is
/// a `Double` of seconds since 1970, exact to about 1.2e-7 s, so one difference is exact to
/// 2.4e-7 s; a sum of n differences is compared with n·2.4e-7 s (at least 1e-6 s).
@Suite("Performance parity with PM4Py")
struct PerformanceParityTests {
    static let timed = SharedLogs.all.filter { $0 != "a32f0n10.xes.gz" }

    @Test("performance DFG: every edge's count, mean, median, min, max, sum, stdev",
          .enabled(if: SharedData.available), arguments: timed)
    func dfg(file: String) throws {
        let expected = try #require(try ExpectedLog.load(SharedLogs.stem(file)).performance?.dfg)
        let log = try SharedLogs.log(file)
        let result = PerformanceDFG().discover(in: log)
        #expect(result.edges.count == expected.count)
        for e in expected {
            guard let got = result.edge(from: e.from, to: e.to) else {
                Issue.record("missing edge \(e.from) -> \(e.to)")
                continue
            }
            #expect(got.count == e.count, "\(e.from) -> \(e.to)")
            let d = got.duration
            #expect(close(d?.mean, e.mean, 1e-6), "mean \(e.from) -> \(e.to): \(String(describing: d?.mean)) vs \(String(describing: e.mean))")
            #expect(close(d?.median, e.median, 1e-6), "median \(e.from) -> \(e.to)")
            #expect(close(d?.min, e.min, 1e-6), "min \(e.from) -> \(e.to)")
            #expect(close(d?.max, e.max, 1e-6), "max \(e.from) -> \(e.to)")
            #expect(close(d?.sum, e.sum, max(1e-6, Double(e.count) * 2.4e-7)), "sum \(e.from) -> \(e.to): \(String(describing: d?.sum)) vs \(String(describing: e.sum))")
            #expect(close(d?.stdev, e.stdev, 1e-6), "stdev \(e.from) -> \(e.to): \(String(describing: d?.stdev)) vs \(String(describing: e.stdev))")
        }
    }

    @Test("start and end activities", .enabled(if: SharedData.available), arguments: timed)
    func startEnd(file: String) throws {
        let p = try #require(try ExpectedLog.load(SharedLogs.stem(file)).performance)
        let result = PerformanceDFG().discover(in: try SharedLogs.log(file))
        #expect(result.startActivities == p.startActivities)
        #expect(result.endActivities == p.endActivities)
    }

    @Test("case durations", .enabled(if: SharedData.available), arguments: timed)
    func caseDurations(file: String) throws {
        let e = try #require(try ExpectedLog.load(SharedLogs.stem(file)).performance?.caseDuration)
        let got = try #require(CaseDurations().statistics(of: try SharedLogs.log(file)))
        #expect(got.count == e.count)
        #expect(close(got.mean, e.mean, 1e-6))
        #expect(close(got.median, e.median, 1e-6))
        #expect(close(got.min, e.min, 1e-6))
        #expect(close(got.max, e.max, 1e-6))
    }

    @Test("rework per activity", .enabled(if: SharedData.available), arguments: timed)
    func rework(file: String) throws {
        let p = try #require(try ExpectedLog.load(SharedLogs.stem(file)).performance)
        let expected = try #require(p.rework)
        let got = ReworkAnalysis().analyze(try SharedLogs.log(file))
        #expect(got.activities.count == expected.count)
        for (name, e) in expected {
            let g = try #require(got.activity(name))
            #expect(g.reworkCases == e.reworkCases, "\(name)")
            #expect(g.casesWithActivity == e.casesWithActivity, "\(name)")
            #expect(close(g.share, e.share, 1e-12), "\(name)")
        }
        #expect(got.casesWithAnyRework == p.casesWithAnyRework)
    }

    @Test("time since previous event, service and waiting time by activity",
          .enabled(if: SharedData.available), arguments: timed)
    func activityTimes(file: String) throws {
        let p = try #require(try ExpectedLog.load(SharedLogs.stem(file)).performance)
        let got = ActivityTimes().analyze(try SharedLogs.log(file))
        func compare(_ name: String, _ g: [String: DurationStatistics]?, _ e: [String: ExpectedLog.Aggregate?]?) {
            guard let e else {
                #expect(g == nil || file.contains("reviewing") || file.contains("bpic"), "\(name) not expected")
                return
            }
            guard let g else { Issue.record("\(name) missing"); return }
            for (act, ea) in e {
                guard let ea else { #expect(g[act] == nil, "\(name) \(act)"); continue }
                guard let ga = g[act] else { Issue.record("\(name) \(act) missing"); continue }
                if let c = ea.count { #expect(ga.count == c, "\(name) \(act) count") }
                #expect(close(ga.mean, ea.mean, 1e-6), "\(name) \(act) mean \(ga.mean) vs \(ea.mean)")
                #expect(close(ga.median, ea.median, 1e-6), "\(name) \(act) median")
                if let m = ea.min { #expect(close(ga.min, m, 1e-6), "\(name) \(act) min") }
                if let m = ea.max { #expect(close(ga.max, m, 1e-6), "\(name) \(act) max") }
            }
        }
        compare("since previous", got.sincePrevious, p.sincePrevious)
        compare("service time", got.serviceTime, p.serviceTime)
        compare("waiting time", got.waitingTime, p.waitingTime)
    }
}
