import Foundation
import PantauCore

/// What the app does with a log it has read (variants, the performance report) and the log's
/// invariants; then, for a log read with the default options (`roundTrip`), the documented round
/// trip: written as XES and read back with the default options, it is the same log (cases,
/// activities, times, resources, units).
public func exerciseEventLog(_ log: EventLog, roundTrip: Bool) {
    // Structure: cases partition the events in order.
    check(log.caseStarts.count == log.caseCount + 1, "caseStarts has \(log.caseStarts.count) entries for \(log.caseCount) cases")
    check(log.caseStarts.first == 0 && log.caseStarts.last == log.eventCount, "caseStarts do not span the events")
    check(zip(log.caseStarts, log.caseStarts.dropFirst()).allSatisfy { $0 <= $1 }, "caseStarts not ascending")
    for c in 0..<log.caseCount {
        for e in log.events(ofCase: c) { check(Int(log.eventCase[e]) == c, "event \(e) not in case \(c)") }
    }
    check(log.eventActivity.allSatisfy { $0 >= 0 && Int($0) < log.activityCount }, "activity id out of range")
    check(log.completeTimes.count == log.eventCount, "completeTimes count")
    check(log.startTimes.isEmpty || log.startTimes.count == log.eventCount, "startTimes count")
    check(Set(log.caseIDs).count == log.caseCount, "case ids not unique")
    for e in 0..<log.eventCount {
        if let s = log.startTime(ofEvent: e), let t = log.completeTime(ofEvent: e) {
            check(s.isFinite && t.isFinite, "non-finite time in event \(e)")
        }
    }

    // What the app does next: variants (conformance, monitoring) and the performance report.
    let variants = TraceVariants(log)
    check(variants.traceCount == log.caseCount, "variants count \(variants.traceCount) traces for \(log.caseCount) cases")
    let report = LogPerformance().analyze(log)
    check(report.cases == log.caseCount && report.events == log.eventCount, "performance report counts")

    // Round trip through the XES writer.
    guard roundTrip else { return }
    let written: Data
    do { written = try XESWriter().data(log) } catch { check(false, "XES writer failed: \(error)"); return }
    let back: EventLog
    do { back = try XESReader().read(data: written) } catch {
        check(false, "XES written by XESWriter does not read back: \(error)")
        return
    }
    check(back.caseIDs == log.caseIDs, "round trip: case ids differ")
    check(back.eventCount == log.eventCount, "round trip: \(back.eventCount) events, was \(log.eventCount)")
    guard back.eventCount == log.eventCount else { return }
    for e in 0..<log.eventCount {
        check(back.activities[Int(back.eventActivity[e])] == log.activities[Int(log.eventActivity[e])],
              "round trip: activity of event \(e) differs")
        check(sameTime(back.completeTime(ofEvent: e), log.completeTime(ofEvent: e)), "round trip: time of event \(e) differs")
        check(sameTime(back.startTime(ofEvent: e), log.startTime(ofEvent: e)), "round trip: start of event \(e) differs")
        check(back.resource(ofEvent: e) == log.resource(ofEvent: e), "round trip: resource of event \(e) differs")
        check(back.unit(ofEvent: e) == log.unit(ofEvent: e), "round trip: unit of event \(e) differs")
    }
}

/// Times equal to the microsecond the writer keeps.
func sameTime(_ a: Double?, _ b: Double?) -> Bool {
    switch (a, b) {
    case (nil, nil): true
    case let (x?, y?): abs(x - y) <= 2e-6 * max(1, abs(x) / 1e9)
    default: false
    }
}
