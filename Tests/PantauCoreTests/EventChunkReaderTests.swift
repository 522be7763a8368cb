import Foundation
import Testing
@testable import PantauCore

/// The chunked readers (`EventChunkReader`) give exactly the events of the whole-log readers.
@Suite struct EventChunkReaderTests {
    /// Every event of a source, grouped by case in the order the cases first appear, lines cleared.
    static func byCase(_ source: any EventChunkSource, max: Int) throws -> (order: [String], events: [String: [StreamedEvent]], count: Int) {
        var order: [String] = []
        var events: [String: [StreamedEvent]] = [:]
        var count = 0
        while let chunk = try source.next(maxEvents: max) {
            #expect(!chunk.isEmpty && chunk.count <= max)
            for var e in chunk {
                e.line = 0
                if events[e.caseID] == nil { order.append(e.caseID) }
                events[e.caseID, default: []].append(e)
                count += 1
            }
        }
        #expect(try source.next(maxEvents: max) == nil, "the end stays the end")
        return (order, events, count)
    }

    static func expectSame(_ log: EventLog, _ reader: EventChunkReader, max: Int, _ name: String) throws {
        let whole = try byCase(EventLogChunks(log), max: 10_000)
        let chunked = try byCase(reader, max: max)
        #expect(chunked.count == log.eventCount, "\(name): event count")
        #expect(Set(chunked.order) == Set(whole.order), "\(name): cases")
        #expect(chunked.order.count == log.caseCount, "\(name): case count")
        var differing = 0
        for c in whole.order where chunked.events[c] != whole.events[c] {
            differing += 1
            if differing == 1 {
                let a = whole.events[c] ?? [], b = chunked.events[c] ?? []
                Issue.record("\(name): case \(c) differs: \(a.count) vs \(b.count) events; first whole \(String(describing: a.first)), chunked \(String(describing: b.first))")
            }
        }
        #expect(differing == 0, "\(name): \(differing) cases differ")
        for (_, evs) in chunked.events {
            #expect(evs.map(\.position) == Array(1...evs.count), "\(name): positions count up per case")
        }
        #expect(reader.fractionRead == 1)
    }

    @Test(.enabled(if: SharedData.available),
          arguments: ["running-example.xes", "reviewing.xes", "roadtraffic100traces.xes", "a32f0n10.xes.gz", "sop_izin_10k.xes.gz", "bpic2012.xes.gz"])
    func anXESLogReadInChunksGivesTheWholeLogsEvents(_ name: String) throws {
        let url = SharedData.url(name)
        let log = try XESReader().read(contentsOf: url)
        // 7 events a chunk: chunk boundaries fall inside cases; the 256 KiB input blocks of the
        // larger logs (and their gzip) split traces too.
        try Self.expectSame(log, try XESReader().chunks(contentsOf: url), max: 7, name)
    }

    @Test(.enabled(if: SharedData.available), arguments: ["interval_event_log.csv", "sop_izin_1k.csv", "sop_izin_noisy_10k.csv.gz"])
    func aCSVLogReadInChunksGivesTheWholeLogsEvents(_ name: String) throws {
        let url = SharedData.url(name)
        let o = CSVReader.Options(ordering: .asAppended)
        let log = try CSVReader(options: o).read(contentsOf: url)
        try Self.expectSame(log, try CSVReader(options: o).chunks(contentsOf: url), max: 13, name)
        // the same bytes from memory, and gzip-compressed from memory
        let data = try Data(contentsOf: url)
        try Self.expectSame(log, try CSVReader(options: o).chunks(data: data), max: 5_000, name + " (data)")
    }

    static let xes = """
    <?xml version="1.0" encoding="UTF-8"?>
    <log xes.version="1.0">
      <trace>
        <string key="concept:name" value="A-1"/>
        <string key="kanal" value="loket"/>
        <event>
          <string key="concept:name" value="Daftar"/>
          <string key="lifecycle:transition" value="start"/>
          <date key="time:timestamp" value="2026-01-05T08:00:00+07:00"/>
        </event>
        <event>
          <string key="concept:name" value="Daftar"/>
          <string key="lifecycle:transition" value="complete"/>
          <date key="time:timestamp" value="2026-01-05T08:10:00+07:00"/>
          <string key="org:resource" value="Ani &amp; Budi"/>
        </event>
      </trace>
      <trace>
        <event>
          <string key="concept:name" value="Periksa"/>
          <date key="time:timestamp" value="2026-01-05T09:00:00+07:00"/>
        </event>
        <string key="concept:name" value="B-2"/>
      </trace>
      <trace>
        <string key="concept:name" value="A-1"/>
        <event>
          <string key="concept:name" value="Selesai"/>
          <date key="time:timestamp" value="2026-01-05T10:00:00+07:00"/>
        </event>
      </trace>
    </log>
    """

    @Test func xesEventsCarryTheirLinesPairedStartsPositionsAndCaseAttributes() throws {
        let reader = try XESReader().chunks(data: Data(Self.xes.utf8))
        var all: [StreamedEvent] = []
        while let c = try reader.next(maxEvents: 1) { all += c }
        #expect(all.map(\.caseID) == ["A-1", "B-2", "A-1"], "a trace named after its events is held until </trace>")
        #expect(all.map(\.position) == [1, 1, 2], "a trace repeated later continues its case")
        #expect(all.map(\.line) == [11, 19, 27])
        #expect(all[0].start == all[0].complete.map { $0 - 600 }, "the start event gives its time")
        #expect(all[0].resource == "Ani & Budi")
        #expect(all[0].caseAttributes == ["kanal": "loket"])
        #expect(all[2].caseAttributes.isEmpty)
        #expect(reader.sourceEvents == 4)
    }

    static let csv = """
    case_id,activity,timestamp,note
    K-1,Daftar,2026-01-05 08:00:00,"dua
    baris"
    K-2,Daftar,2026-01-05 08:05:00,
    K-1,Periksa,2026-01-05 08:30:00,ok

    K-2,Periksa,2026-01-05 09:00:00,
    """

    @Test func csvEventsCarryTheRecordsLine() throws {
        let reader = try CSVReader(options: .init(ordering: .asAppended)).chunks(data: Data(Self.csv.utf8))
        let all = try reader.next(maxEvents: 100) ?? []
        #expect(all.map(\.line) == [2, 4, 5, 7])
        #expect(all.map(\.position) == [1, 1, 2, 2])
        #expect(all[0].attributes["note"] == "dua\nbaris")
        #expect(try reader.next(maxEvents: 100) == nil)
    }

    @Test func aBadRowInTheLastChunkThrowsNamingItsLineAfterTheEarlierChunks() throws {
        var text = "case_id,activity,timestamp\n"
        for i in 1...20_000 { text += "K-\(i % 50),Langkah \(i % 7),2026-01-05 08:00:00\n" }
        text += "K-1,Periksa,kemarin\n"
        let reader = try CSVReader(options: .init(ordering: .asAppended)).chunks(data: Data(text.utf8))
        var seen = 0
        do {
            while let c = try reader.next(maxEvents: 1_000) { seen += c.count }
            Issue.record("no error")
        } catch let EventLogError.invalidTimestamp(value, field, at) {
            #expect(value == "kemarin" && field == "timestamp" && at.line == 20_002 && at.column == 3)
        }
        #expect(seen >= 1_000 && seen < 20_000, "earlier chunks came through before the bad row was reached (\(seen)); the caller decides what to keep")
    }

    @Test func skippingLeavesUnreadableRowsOutAndListsThem() throws {
        let text = """
        case_id,activity,timestamp,note
        K-1,Daftar,2026-01-05 08:00:00,a
        K-1,,2026-01-05 08:10:00,b
        K-2,Daftar,bukan waktu,c
        K-2,Daftar
        K-2,Periksa,2026-01-05 09:00:00,d
        """
        let reader = try CSVReader(options: .init(ordering: .asAppended)).chunks(data: Data(text.utf8), skipBadRows: true)
        var all: [StreamedEvent] = []
        while let c = try reader.next(maxEvents: 2) { all += c }
        #expect(all.map(\.activity) == ["Daftar", "Periksa"])
        #expect(all.map(\.attributes) == [["note": "a"], ["note": "d"]], "a skipped row leaves no attribute behind")
        #expect(all.map(\.position) == [1, 1])
        #expect(reader.unreadableRows.compactMap(\.location?.line) == [3, 4, 5])
        // without skipping, the first one stops the reading
        let strict = try CSVReader(options: .init(ordering: .asAppended)).chunks(data: Data(text.utf8))
        #expect(throws: EventLogError.self) { while try strict.next(maxEvents: 2) != nil {} }
    }

    @Test func aBrokenXESNamesTheLineOfTheProblem() throws {
        let broken = Self.xes.replacingOccurrences(of: "</trace>\n  <trace>\n    <event>", with: "</trace>\n  <trace>\n    <evnt>")
        let reader = try XESReader().chunks(data: Data(broken.utf8))
        do {
            while try reader.next(maxEvents: 100) != nil {}
            Issue.record("no error")
        } catch let e as EventLogError {
            #expect(e.location?.line ?? 0 > 15, "\(e)")
        }
    }

    @Test(.enabled(if: SharedData.available)) func aGzipCompressedXESFromMemoryStreamsToo() throws {
        let url = SharedData.url("a32f0n10.xes.gz")
        let log = try XESReader().read(contentsOf: url)
        try Self.expectSame(log, try XESReader().chunks(data: try Data(contentsOf: url)), max: 1, "gzip data")
    }
}
