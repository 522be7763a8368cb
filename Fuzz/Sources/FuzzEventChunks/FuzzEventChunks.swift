import Foundation
import FuzzSupport
import PantauCore

/// The streamed event readers (`EventChunkReader`, what `pantau events import` and the web import
/// read with) against the whole-log readers on the same bytes: the first byte picks CSV or XES,
/// the chunk size and the lifecycle rule; the rest is the file. Whenever the whole-log reader
/// reads the file, the chunked reader must read it too and give the same events per case, in the
/// same order, with positions counting up; whatever the input, neither may crash or hang.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 1 else { return -1 }
    let selector = data[0]
    let input = bytes(data + 1, size - 1)
    if input.starts(with: [0x1F, 0x8B]) { return -1 }
    let chunk = 1 + Int(selector >> 3)  // 1 … 32 events a chunk
    let xes = selector & 1 == 1
    let whole: EventLog?
    let source: EventChunkReader
    do {
        if xes {
            var o = XESReader.Options()
            if selector & 2 == 2 { o.lifecycle = .keepAll }
            whole = try? XESReader(options: o).read(data: input)
            source = try XESReader(options: o).chunks(data: input)
        } else {
            var o = CSVReader.Options(ordering: .asAppended)
            if selector & 2 == 2 { o.lifecycle = .keepAll }
            whole = try? CSVReader(options: o).read(data: input)
            source = try CSVReader(options: o).chunks(data: input)
        }
    } catch let e as EventLogError {
        _ = e.description
        check(whole == nil || whole?.eventCount == 0, "the chunked reader refused at once (\(e)) a file the whole-log reader read")
        return 0
    } catch {
        check(false, "a chunked reader threw a non-EventLogError: \(error)")
        return 0
    }
    var streamed: [String: [StreamedEvent]] = [:]
    var count = 0
    do {
        while let events = try source.next(maxEvents: chunk) {
            check(!events.isEmpty && events.count <= chunk, "a chunk of \(events.count) events for \(chunk) asked")
            for var e in events {
                e.line = 0
                streamed[e.caseID, default: []].append(e)
                count += 1
            }
        }
    } catch let e as EventLogError {
        _ = e.description
        check(whole == nil, "the chunked reader refused (\(e)) a file the whole-log reader read")
        return 0
    } catch {
        check(false, "the chunked reader threw a non-EventLogError: \(error)")
        return 0
    }
    guard let whole else { return 0 }
    check(count == whole.eventCount, "chunked \(count) events, whole log \(whole.eventCount)")
    let memory = EventLogChunks(whole)
    var expected: [String: [StreamedEvent]] = [:]
    while let events = try? memory.next(maxEvents: 1000) {
        for e in events { expected[e.caseID, default: []].append(e) }
    }
    check(Set(streamed.keys) == Set(expected.keys), "chunked cases differ from the whole log's")
    for (c, evs) in expected {
        check(streamed[c] == evs, "case \(c): chunked events differ from the whole log's")
        check((streamed[c] ?? []).map(\.position) == Array(1...max(1, evs.count)).prefix(evs.count).map { $0 },
              "case \(c): positions do not count up")
    }
    return 0
}

/// Entry point: SwiftPM links `main` as `FuzzEventChunks_main` (see FuzzSupport.runFuzzer).
@_cdecl("FuzzEventChunks_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { fuzz($0, $1) }
}
