import Foundation
import Testing
@testable import PantauCore

@Suite("XESReader")
struct EventLogXESReaderTests {
    func read(_ xml: String, _ options: XESReader.Options = .init()) throws -> EventLog {
        try XESReader(options: options).read(data: Data(xml.utf8))
    }

    func t(_ iso: String) -> Double { TimestampParser().parse(iso)! }

    @Test("reads traces, events, resources, case and event attributes; skips globals and nested attributes")
    func basic() throws {
        let log = try read("""
        <?xml version="1.0" encoding="UTF-8"?>
        <!-- a comment with <tags> inside -->
        <log xes.version="1.0" xmlns="http://www.xes-standard.org/">
          <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
          <global scope="event"><string key="concept:name" value="__INVALID__"/></global>
          <classifier name="Activity" keys="concept:name"/>
          <string key="concept:name" value="demo"/>
          <int key="meta" value="3"><int key="nested" value="4"/></int>
          <trace>
            <string key="concept:name" value="C1"/>
            <string key="kanal" value="Loket &amp; Online"/>
            <event>
              <string key="concept:name" value="Terima &#39;berkas&#x27;"/>
              <date key="time:timestamp" value="2024-01-02T08:00:00.000+07:00"/>
              <string key="org:resource" value="FO-01"/>
              <string key="org:group" value="DPMPTSP"/>
              <float key="biaya" value="1.5"/>
              <list key="items"><values><string key="x" value="y"/></values></list>
            </event>
            <event>
              <string key='concept:name' value='Verifikasi'/>
              <date key="time:timestamp" value="2024-01-02T09:30:00+07:00"/>
            </event>
          </trace>
          <trace>
            <event><string key="concept:name" value="Verifikasi"/></event>
            <string key="concept:name" value="C2"/>
          </trace>
          <trace><string key="concept:name" value="empty"/></trace>
        </log>
        """)
        #expect(log.caseIDs == ["C1", "C2"])
        #expect(log.activities == ["Terima 'berkas'", "Verifikasi"])
        #expect(log.eventCount == 3)
        #expect(log.trace(0) == [0, 1])
        #expect(log.trace(1) == [1])
        #expect(log.completeTimes[0] == t("2024-01-02T01:00:00Z"))
        #expect(log.completeTimes[1] - log.completeTimes[0] == 5400)
        #expect(log.completeTime(ofEvent: 2) == nil)
        #expect(log.resource(ofEvent: 0) == "FO-01")
        #expect(log.resource(ofEvent: 1) == nil)
        #expect(log.unit(ofEvent: 0) == "DPMPTSP")
        #expect(log.caseAttributes.value("kanal", row: 0) == "Loket & Online")
        #expect(log.eventAttributes.value("biaya", row: 0) == "1.5")
        #expect(log.eventAttributes.column("biaya")?.type == .float)
        #expect(log.eventAttributes.column("x") == nil)
        #expect(log.eventAttributes.column("items") == nil)
        #expect(log.logAttributes["concept:name"] == "demo")
        #expect(log.logAttributes["nested"] == nil)
        #expect(log.startTimestampSource == .none)
        #expect(log.readInfo.droppedEmptyCases == 1)
    }

    @Test("a trace without concept:name gets trace-N; traces with the same name merge")
    func caseNames() throws {
        let log = try read("""
        <log>
          <trace><event><string key="concept:name" value="a"/></event></trace>
          <trace><string key="concept:name" value="X"/><event><string key="concept:name" value="b"/></event></trace>
          <trace><string key="concept:name" value="X"/><event><string key="concept:name" value="c"/></event></trace>
        </log>
        """)
        #expect(log.caseIDs == ["trace-1", "X"])
        #expect(log.names(log.trace(1)) == ["b", "c"])
    }

    @Test("lifecycle: only complete events are kept; start events pair FIFO per activity")
    func lifecyclePairing() throws {
        let xml = """
        <log>
          <trace><string key="concept:name" value="1"/>
            <event><string key="concept:name" value="A"/><string key="lifecycle:transition" value="schedule"/><date key="time:timestamp" value="2020-01-01T00:00:00Z"/></event>
            <event><string key="concept:name" value="A"/><string key="lifecycle:transition" value="START"/><date key="time:timestamp" value="2020-01-01T00:01:00Z"/></event>
            <event><string key="concept:name" value="A"/><string key="lifecycle:transition" value="start"/><date key="time:timestamp" value="2020-01-01T00:02:00Z"/></event>
            <event><string key="concept:name" value="B"/><date key="time:timestamp" value="2020-01-01T00:03:00Z"/></event>
            <event><string key="concept:name" value="A"/><string key="lifecycle:transition" value="Complete"/><date key="time:timestamp" value="2020-01-01T00:04:00Z"/></event>
            <event><string key="concept:name" value="A"/><string key="lifecycle:transition" value="complete"/><date key="time:timestamp" value="2020-01-01T00:05:00Z"/></event>
            <event><string key="concept:name" value="A"/><string key="lifecycle:transition" value="complete"/><date key="time:timestamp" value="2020-01-01T00:06:00Z"/></event>
            <event><string key="concept:name" value="C"/><string key="lifecycle:transition" value="start"/><date key="time:timestamp" value="2020-01-01T00:07:00Z"/></event>
          </trace>
        </log>
        """
        let log = try read(xml)
        #expect(log.names(log.trace(0)) == ["B", "A", "A", "A"])
        #expect(log.startTimestampSource == .lifecycle)
        let base = t("2020-01-01T00:00:00Z")
        #expect(log.startTime(ofEvent: 0) == nil)            // B: no start event
        #expect(log.startTime(ofEvent: 1) == base + 60)      // first A complete <- first A start
        #expect(log.startTime(ofEvent: 2) == base + 120)     // second <- second
        #expect(log.startTime(ofEvent: 3) == nil)            // third A: none left
        #expect(log.readInfo.droppedLifecycleEvents == 4)
        #expect(log.readInfo.pairedStarts == 2)
        #expect(log.readInfo.unpairedStarts == 1)            // C start
        #expect(log.activities == ["A", "B"])                // C occurs only as a start event

        let all = try read(xml, .init(lifecycle: .keepAll))
        #expect(all.eventCount == 8)
        #expect(all.startTimestampSource == .none)
        #expect(all.eventAttributes.value("lifecycle:transition", row: 1) == "START")
    }

    @Test("start_timestamp attribute gives an interval log")
    func startAttribute() throws {
        let log = try read("""
        <log><trace><string key="concept:name" value="1"/>
          <event><string key="concept:name" value="A"/><date key="start_timestamp" value="2020-01-01T00:00:00Z"/><date key="time:timestamp" value="2020-01-01T00:10:00Z"/></event>
        </trace></log>
        """)
        #expect(log.startTimestampSource == .attribute)
        #expect(log.completeTimes[0] - log.startTimes[0] == 600)
    }

    @Test("malformed XML is an error with line and column", arguments: [
        ("<log>\n<trace>\n<event>\n</trace>\n</log>", 4),
        ("<log>\n <trace>\n  <event><string key=\"concept:name\" value=\"a\"/></event>\n", 4),
        ("<log>\n<trace><event><string key=concept:name value=\"a\"/></event></trace></log>", 2),
        ("<log>\n<trace>\n<event><string key=\"concept:name\" value=\"a\"/></event>\n</trace>\n</log>\n</log>", 6),
        ("<log><trace><event><string key=\"concept:name\" value=\"a", 1),
    ])
    func malformed(xml: String, line: Int) throws {
        do {
            _ = try read(xml)
            Issue.record("no error for \(xml)")
        } catch let e as EventLogError {
            guard case let .malformedXML(_, at) = e else { Issue.record("wrong error \(e)"); return }
            #expect(at.line == line, "\(e)")
            #expect(at.column >= 1)
        }
    }

    @Test("an event without concept:name, a bad date, a non-XES root and empty input are errors")
    func badContent() throws {
        #expect(throws: EventLogError.missingValue(field: "concept:name", at: InputLocation(line: 2, column: 55))) {
            try read("<log><trace>\n<event><date key=\"time:timestamp\" value=\"2020-01-01\"/></event></trace></log>")
        }
        do {
            _ = try read("<log><trace><string key=\"concept:name\" value=\"1\"/>\n\n<event><string key=\"concept:name\" value=\"a\"/><date key=\"time:timestamp\" value=\"2020-13-01T00:00:00\"/></event></trace></log>")
            Issue.record("no error")
        } catch let EventLogError.invalidTimestamp(value, field, at) {
            #expect(value == "2020-13-01T00:00:00")
            #expect(field == "time:timestamp")
            #expect(at.line == 3)
        }
        #expect(throws: EventLogError.self) { try read("<model><trace/></model>") }
        #expect(throws: EventLogError.emptyInput(at: InputLocation(line: 0, column: 0))) { try read("") }
    }

    @Test("values split across read blocks are read whole")
    func blockBoundaries() throws {
        // many events so the 4 MiB block boundary falls inside markup
        var xml = "<log>"
        for c in 0..<3000 {
            xml += "<trace><string key=\"concept:name\" value=\"case-\(c)\"/>"
            for k in 0..<20 {
                xml += "<event><string key=\"concept:name\" value=\"activity \(k % 7) with a rather long name to fill the block\"/><date key=\"time:timestamp\" value=\"2021-03-04T05:06:\(String(format: "%02d", k % 60)).123+01:00\"/><string key=\"padding\" value=\"\(String(repeating: "x", count: 30))\"/></event>"
            }
            xml += "</trace>"
        }
        xml += "</log>"
        #expect(xml.utf8.count > 4 << 20)
        let log = try read(xml)
        #expect(log.caseCount == 3000)
        #expect(log.eventCount == 60000)
        #expect(log.activityCount == 7)
        #expect(log.caseIDs[2999] == "case-2999")
        #expect(log.eventAttributes.column("padding")?.rows.count == 60000)
        #expect(!log.completeTimes.contains { $0.isNaN })
    }

    @Test("gzip: compressed XES reads like plain; truncated or corrupt data is an error")
    func gzip() throws {
        var b = EventLog.Builder()
        for c in 0..<200 {
            for k in 0..<5 { b.append(caseID: "c\(c)", activity: "a\(k)", complete: Double(c * 100 + k)) }
        }
        let log = b.build()
        let gz = try XESWriter(options: .init(gzip: true)).data(log)
        #expect(gz.prefix(2) == Data([0x1F, 0x8B]))
        let back = try XESReader().read(data: gz)
        #expect(back.eventCount == 1000)
        #expect(back.completeTimes == log.completeTimes)
        #expect(throws: EventLogError.truncatedGzip(at: InputLocation(line: 0, column: 0))) {
            try XESReader().read(data: gz.prefix(gz.count / 2))
        }
        var corrupt = gz
        for i in 20..<60 { corrupt[i] ^= 0x5A }
        #expect(throws: EventLogError.self) { try XESReader().read(data: corrupt) }
    }

    @Test("reading a file names the file in errors", .enabled(if: SharedData.available))
    func fileErrors() throws {
        let missing = URL(fileURLWithPath: "/nonexistent/x.xes")
        #expect(throws: EventLogError.self) { try XESReader().read(contentsOf: missing) }
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("evlog-bad-\(UUID().uuidString).xes")
        try Data("<log>\n<trace>\n</event>".utf8).write(to: tmp)
        defer { try? FileManager.default.removeItem(at: tmp) }
        do {
            _ = try XESReader().read(contentsOf: tmp)
            Issue.record("no error")
        } catch let e as EventLogError {
            #expect(e.location?.file == tmp.lastPathComponent)
            #expect(e.location?.line == 3)
        }
    }
}
