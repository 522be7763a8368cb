import Foundation
import Testing
@testable import PantauCore

/// Reads every shared log and compares its shape with PM4Py's (`<stem>.expected.json`,
/// `<stem>.variants.json`).
@Suite("EventLog on the shared logs")
struct EventLogSharedLogTests {
    @Test("cases, events, activities and variants equal PM4Py's", .enabled(if: SharedData.available),
          arguments: SharedLogs.all)
    func shapeMatchesPM4Py(file: String) throws {
        let stem = SharedLogs.stem(file)
        let expected = try ExpectedLog.load(stem)
        let log = try SharedLogs.log(file)
        #expect(log.caseCount == expected.log.cases)
        #expect(log.eventCount == expected.log.events)
        #expect(log.activityCount == expected.log.activities)
        #expect(log.readInfo.sourceEvents == expected.log.eventsInFile)
        #expect((log.startTimestampSource == .attribute) == expected.log.hasStartTimestamp)
        let variants = log.variants()
        #expect(variants.count == expected.log.variants)
        // every variant with its count, by activity names
        let ev = try ExpectedVariants.load(stem)
        var want: [[String]: Int] = [:]
        for v in ev.variants { want[v.seq.map { ev.activities[$0] }] = v.count }
        var got: [[String]: Int] = [:]
        for v in variants { got[log.names(v.activities)] = v.count }
        #expect(got == want)
        // variants are sorted by count, descending
        #expect(zip(variants, variants.dropFirst()).allSatisfy { $0.count >= $1.count })
        #expect(variants.reduce(0) { $0 + $1.count } == log.caseCount)
    }
}
