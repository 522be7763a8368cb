import Foundation
import Testing
@testable import PantauCore

/// Empty logs, one-event cases, logs without timestamps: the documented treatment.
@Suite("EventLog edge cases")
struct EventLogEdgeCaseTests {
    @Test("empty logs read as 0 cases", arguments: ["<log/>", "<?xml version=\"1.0\"?>\n<log xmlns=\"http://www.xes-standard.org/\"></log>\n"])
    func emptyXES(xml: String) throws {
        let log = try XESReader().read(data: Data(xml.utf8))
        #expect(log.caseCount == 0 && log.eventCount == 0 && log.activityCount == 0)
        #expect(log.variants().isEmpty)
        let r = LogPerformance().analyze(log)
        #expect(r.caseDuration == nil && r.dfg.edges.isEmpty && r.rework.casesWithAnyReworkShare == 0)
    }

    @Test("a CSV with only a header is an empty log")
    func emptyCSV() throws {
        let log = try CSVReader().read(string: "case:concept:name,concept:name,time:timestamp\n")
        #expect(log.caseCount == 0)
        #expect(LogPerformance().analyze(log).events == 0)
    }

    @Test("a case with one event: duration 0, no edge, no time since previous")
    func oneEvent() throws {
        let log = try CSVReader().read(string: "case,activity,timestamp\nA,x,2024-01-01T00:00:00Z\n")
        #expect(CaseDurations().durations(of: log) == [0])
        let dfg = PerformanceDFG().discover(in: log)
        #expect(dfg.edges.isEmpty && dfg.startActivities == ["x": 1] && dfg.endActivities == ["x": 1])
        #expect(ActivityTimes().analyze(log).sincePrevious.isEmpty)
    }

    @Test("a log without timestamps: frequencies, no durations")
    func noTimestamps() throws {
        let log = try XESReader().read(data: Data("""
        <log><trace><string key="concept:name" value="1"/>
        <event><string key="concept:name" value="a"/></event><event><string key="concept:name" value="b"/></event>
        </trace></log>
        """.utf8))
        #expect(!log.hasTimestamps)
        let r = LogPerformance().analyze(log)
        #expect(r.caseDuration == nil)
        #expect(r.dfg.edges.count == 1 && r.dfg.edges[0].count == 1 && r.dfg.edges[0].duration == nil)
        #expect(r.slowestEdges.isEmpty)
    }
}
