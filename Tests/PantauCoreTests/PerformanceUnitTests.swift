import Foundation
import Testing
@testable import PantauCore

@Suite("Performance statistics on small logs")
struct PerformanceUnitTests {
    @Test("DurationStatistics: mean, median, percentiles (type 7), sample stdev")
    func statistics() throws {
        let s = try #require(DurationStatistics([4, 1, 3, 2, .nan]))
        #expect(s.count == 4 && s.sum == 10 && s.mean == 2.5 && s.median == 2.5)
        #expect(s.min == 1 && s.max == 4)
        #expect(abs(s.p90 - 3.7) < 1e-12)   // h = 3 * 0.9 = 2.7 -> 3 + 0.7 * 1
        #expect(abs(s.p95 - 3.85) < 1e-12)
        #expect(abs(s.stdev! - (5.0 / 3.0).squareRoot()) < 1e-12)
        let one = try #require(DurationStatistics([7]))
        #expect(one.stdev == nil && one.p90 == 7 && one.median == 7)
        #expect(DurationStatistics([Double]()) == nil)
        #expect(DurationStatistics([.nan]) == nil)
        #expect(DurationStatistics.percentile(sorted: [1, 2, 3, 4, 5], 0.5) == 3)
    }

    /// case 1: a(0) b(10) c(30) b(60);  case 2: a(100) c(100) (tie: log order);  case 3: b (no time)
    func log() -> EventLog {
        var b = EventLog.Builder()
        for (c, a, t) in [("1", "a", 0.0), ("1", "b", 10), ("1", "c", 30), ("1", "b", 60), ("2", "a", 100), ("2", "c", 100)] {
            b.append(caseID: c, activity: a, complete: t)
        }
        b.append(caseID: "3", activity: "b", complete: nil)
        return b.build()
    }

    @Test("performance DFG counts and complete-to-complete durations")
    func dfg() throws {
        let r = PerformanceDFG().discover(in: log())
        #expect(r.timing == .completeToComplete)
        #expect(r.edges.map { "\($0.from)>\($0.to):\($0.count)" } == ["a>b:1", "a>c:1", "b>c:1", "c>b:1"])
        #expect(r.edge(from: "a", to: "c")?.duration?.mean == 0)
        #expect(r.edge(from: "c", to: "b")?.duration?.sum == 30)
        #expect(r.startActivities == ["a": 2, "b": 1])
        #expect(r.endActivities == ["b": 2, "c": 1])
        #expect(r.slowestEdges(2).map(\.from) == ["c", "b"])
    }

    @Test("waiting-time DFG orders by start time and measures start(b) - complete(a)")
    func waitingDFG() throws {
        var b = EventLog.Builder()
        // b starts before a completes (overlap) and before c starts: order by start = a, b, c
        b.append(caseID: "1", activity: "a", complete: 50, start: 0)
        b.append(caseID: "1", activity: "c", complete: 70, start: 60)
        b.append(caseID: "1", activity: "b", complete: 80, start: 40)
        let log = b.build()
        let r = PerformanceDFG().discover(in: log)
        #expect(r.timing == .waiting)
        #expect(r.edge(from: "a", to: "b")?.duration?.mean == -10)   // 40 - 50
        #expect(r.edge(from: "b", to: "c")?.duration?.mean == -20)   // 60 - 80
        #expect(r.startActivities == ["a": 1])
        #expect(r.endActivities == ["b": 1])    // log order, not start order
        let c2c = PerformanceDFG(options: .init(timing: .completeToComplete)).discover(in: log)
        #expect(c2c.edges.map { "\($0.from)>\($0.to)" } == ["a>c", "c>b"])
    }

    @Test("case durations, rework, time since previous event")
    func others() throws {
        let log = log()
        #expect(CaseDurations().durations(of: log) == [60, 0, nil])
        let rw = ReworkAnalysis().analyze(log)
        #expect(rw.activity("b")?.reworkCases == 1 && rw.activity("b")?.casesWithActivity == 2)
        #expect(rw.activity("b")?.share == 0.5 && rw.activity("b")?.extraOccurrences == 1)
        #expect(rw.casesWithAnyRework == 1 && abs(rw.casesWithAnyReworkShare - 1.0 / 3) < 1e-12)
        let at = ActivityTimes().analyze(log)
        #expect(at.sincePrevious["b"]?.sum == 40)   // 10 + 30
        #expect(at.sincePrevious["c"]?.count == 2)
        #expect(at.sincePrevious["a"] == nil)
        #expect(at.serviceTime == nil && at.waitingTime == nil)
        // span vs last-minus-first on a log whose file order is not chronological
        var b = EventLog.Builder()
        b.append(caseID: "x", activity: "p", complete: 100)
        b.append(caseID: "x", activity: "q", complete: 40, start: 20)
        let x = b.build()
        #expect(CaseDurations().durations(of: x) == [-60])
        #expect(CaseDurations(options: .init(measure: .span)).durations(of: x) == [80])
    }

    @Test("lifecycle logs: unpaired complete events count 0 s of service time, or are excluded")
    func unpaired() throws {
        var b = EventLog.Builder()
        b.append(caseID: "1", activity: "a", complete: 10, lifecycle: "start")
        b.append(caseID: "1", activity: "a", complete: 40, lifecycle: "complete")
        b.append(caseID: "1", activity: "a", complete: 50, lifecycle: "complete")
        let log = b.build()
        #expect(log.startTimestampSource == .lifecycle)
        #expect(ActivityTimes().analyze(log).serviceTime?["a"]?.mean == 15)   // (30 + 0) / 2
        #expect(ActivityTimes(options: .init(unpairedServiceTime: .excluded)).analyze(log).serviceTime?["a"]?.mean == 30)
        // lifecycle start times do not switch the DFG to waiting time (PM4Py parity)
        #expect(PerformanceDFG().discover(in: log).timing == .completeToComplete)
        #expect(PerformanceDFG(options: .init(timing: .waiting)).discover(in: log).timing == .waiting)
    }

    @Test("LogPerformance report: counts, variants, JSON")
    func report() throws {
        let r = LogPerformance(options: .init(variantLimit: 2)).analyze(log())
        #expect(r.cases == 3 && r.events == 7 && r.activities == 3 && r.variantCount == 3)
        #expect(r.variants.count == 2)
        #expect(r.caseDuration?.count == 2)
        let back = try JSONDecoder().decode(LogPerformanceReport.self, from: JSONEncoder().encode(r))
        #expect(back == r)
        let empty = LogPerformance().analyze(EventLog())
        #expect(empty.cases == 0 && empty.caseDuration == nil && empty.dfg.edges.isEmpty)
    }

    @Test("variants: counts, case lists, order by count then names")
    func variants() {
        var b = EventLog.Builder()
        for (c, t) in [("1", "ab"), ("2", "ba"), ("3", "ab"), ("4", "b"), ("5", "a")] {
            for ch in t { b.append(caseID: c, activity: String(ch), complete: nil) }
        }
        let log = b.build()
        let v = log.variants()
        #expect(v.map { log.names($0.activities).joined() } == ["ab", "a", "b", "ba"])
        #expect(v[0].cases == [0, 2] && v[0].count == 2)
        #expect(log.traces.count == 5 && Array(log.traces[1]) == [1, 0])
    }
}
