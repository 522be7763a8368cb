import Foundation
import FuzzSupport
import PantauCore

/// The event ingestion API's body (`POST /api/v1/events`): EventBatchBody.split as a JSON body
/// (one object or an array) and as NDJSON, every input both ways. For each event object: its
/// fields written back as JSON decode to the same fields (the wrong-typed ones dropped), and its
/// timestamps go through EventTimestamp.parse, whose result written back as ISO 8601 with the
/// same offset parses to the same instant and offset.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = bytes(data, size)
    for ndjson in [false, true] {
        let elements: [EventBatchBody.Element]
        do { elements = try EventBatchBody.split(input, ndjson: ndjson) } catch {
            _ = error.rawValue
            continue
        }
        check(!elements.isEmpty, "a body without events was not refused")
        for case let fields? in elements { exercise(fields) }
    }
    return 0
}

func exercise(_ f: EventFields) {
    check(Set(f.typeProblems.map(\.field)).count == f.typeProblems.count, "a field reported twice")
    var object: [String: JSONValue] = [:]
    func put(_ key: String, _ v: String?) { if let v { object[key] = .string(v) } }
    put("event_id", f.eventID); put("case", f.caseReference); put("activity", f.activity); put("lifecycle", f.lifecycle)
    put("timestamp", f.timestamp); put("start_timestamp", f.startTimestamp); put("resource", f.resource)
    put("unit", f.unit); put("note", f.note)
    if let v = f.sopID { object["sop_id"] = .int(v) }
    if let v = f.caseClosed { object["case_closed"] = .bool(v) }
    if let a = f.attributes { object["attributes"] = .object(a.mapValues { .string($0) }) }
    do {
        let again = try JSONDecoder().decode(EventFields.self, from: JSONEncoder().encode(JSONValue.object(object)))
        var expected = f
        expected.typeProblems = []
        check(again == expected, "event fields change when written back as JSON")
    } catch {
        check(false, "event fields written back as JSON do not decode: \(error)")
    }
    for ts in [f.timestamp, f.startTimestamp].compactMap({ $0 }) { exercise(timestamp: ts) }
}

func exercise(timestamp text: String) {
    guard case let .success((date, offset)) = EventTimestamp.parse(text) else { return }
    check(abs(offset) <= 14 * 3600 + 59 * 60, "offset \(offset) out of range")
    check(date.timeIntervalSinceReferenceDate.isFinite, "timestamp not finite")
    // Written back at its offset (microseconds) and read again: same instant and offset.
    let local = date.addingTimeInterval(Double(offset))
    var cal = Calendar(identifier: .gregorian)
    cal.timeZone = TimeZone(secondsFromGMT: 0)!
    let c = cal.dateComponents([.year, .month, .day, .hour, .minute, .second, .nanosecond], from: local)
    guard let y = c.year, (0...9999).contains(y), let mo = c.month, let d = c.day, let h = c.hour, let mi = c.minute,
          let s = c.second, let ns = c.nanosecond else { return }
    let sign = offset < 0 ? "-" : "+"
    let z = String(format: "%@%02d:%02d", sign, abs(offset) / 3600, abs(offset) % 3600 / 60)
    let text2 = String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%06d", y, mo, d, h, mi, s, ns / 1000) + z
    guard case let .success((date2, offset2)) = EventTimestamp.parse(text2) else {
        check(false, "timestamp \(text) written back as \(text2) does not parse")
        return
    }
    check(offset2 == offset, "offset changes: \(text) → \(text2)")
    check(abs(date2.timeIntervalSince(date)) < 2e-6 * max(1, abs(date.timeIntervalSinceReferenceDate) / 1e9) + 1e-6,
          "instant changes: \(text) → \(text2)")
}

/// Entry point: SwiftPM links `main` as `FuzzEventJSON_main` (see FuzzSupport.runFuzzer).
@_cdecl("FuzzEventJSON_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { fuzz($0, $1) }
}
