import Foundation
import Testing
@testable import PantauCore

@Suite("EventLog writers and builder")
struct EventLogWriterTests {
    /// Same cases, events, names, times (within 1 µs), resources, units and attributes.
    func expectSame(_ a: EventLog, _ b: EventLog, startSource: StartTimestampSource? = nil) {
        #expect(a.caseIDs == b.caseIDs)
        #expect(a.caseStarts == b.caseStarts)
        #expect(a.eventCount == b.eventCount)
        guard a.eventCount == b.eventCount else { return }
        for e in 0..<a.eventCount {
            let x = a.event(e), y = b.event(e)
            #expect(x.caseID == y.caseID && x.activity == y.activity && x.resource == y.resource && x.unit == y.unit)
            #expect(close(x.complete, y.complete, 1e-6))
            #expect(close(x.start, y.start, 1e-6))
            #expect(x.attributes == y.attributes, "event \(e)")
        }
        for c in 0..<a.caseCount {
            #expect(a.caseAttributes.attributes(ofRow: c) == b.caseAttributes.attributes(ofRow: c))
        }
        #expect(b.startTimestampSource == (startSource ?? a.startTimestampSource))
    }

    func sample() -> EventLog {
        var b = EventLog.Builder()
        b.append(caseID: "K-1", activity: "Terima <berkas> & \"cek\"", complete: 1_704_153_600.123, start: 1_704_153_000,
                 resource: "Ani", unit: "Loket", attributes: ["catatan": "baris 1\nbaris 2, ok"])
        b.append(caseID: "K-2", activity: "Verifikasi", complete: 1_704_160_000.5, resource: "Budi")
        b.append(caseID: "K-1", activity: "Verifikasi", complete: 1_704_157_200.000_25, start: nil)
        b.append(caseID: "K-2", activity: "Serahkan 'izin'", complete: nil)
        b.setCaseAttribute("kanal", value: "Online; OSS", forCase: "K-2")
        b.setLogAttribute("concept:name", value: "contoh")
        return b.build()
    }

    @Test("builder groups interleaved cases in first-appearance order")
    func builder() {
        let log = sample()
        #expect(log.caseIDs == ["K-1", "K-2"])
        #expect(log.caseStarts == [0, 2, 4])
        #expect(log.eventCase == [0, 0, 1, 1])
        #expect(log.names(log.trace(0)) == ["Terima <berkas> & \"cek\"", "Verifikasi"])
        #expect(log.eventAttributes.value("catatan", row: 0) == "baris 1\nbaris 2, ok")
        #expect(log.caseAttributes.value("kanal", row: 1) == "Online; OSS")
        #expect(log.startTimestampSource == .attribute)
        #expect(log.startTime(ofEvent: 1) == nil)
        #expect(log.eventResource == [0, -1, 1, -1])
        var sorted = EventLog.Builder(options: .init(ordering: .byCompleteTime))
        sorted.append(caseID: "x", activity: "late", complete: 10)
        sorted.append(caseID: "x", activity: "none", complete: nil)
        sorted.append(caseID: "x", activity: "early", complete: 5)
        #expect(sorted.build().names(sorted.build().trace(0)) == ["early", "late", "none"])
        #expect(EventLog.Builder().build().caseCount == 0)
    }

    @Test("XES round trip (plain and gzip, at +07:00)", arguments: [false, true])
    func xesRoundTrip(gzip: Bool) throws {
        let log = sample()
        let data = try XESWriter(options: .init(utcOffsetSeconds: 25200, gzip: gzip)).data(log)
        let back = try XESReader().read(data: data)
        expectSame(log, back)
        #expect(back.logAttributes["concept:name"] == "contoh")
    }

    @Test("CSV round trip (comma and semicolon)", arguments: [UInt8(ascii: ","), UInt8(ascii: ";")])
    func csvRoundTrip(delimiter: UInt8) throws {
        let log = sample()
        let data = try CSVWriter(options: .init(delimiter: delimiter)).data(log)
        let back = try CSVReader(options: .init(ordering: .asAppended)).read(data: data)
        expectSame(log, back)
    }

    @Test("lifecycle-paired start times are written as start events and read back", .enabled(if: SharedData.available))
    func lifecycleRoundTrip() throws {
        let log = try SharedLogs.log("reviewing.xes")
        #expect(log.startTimestampSource == .lifecycle)
        let back = try XESReader().read(data: try XESWriter().data(log))
        expectSame(log, back)
        let csv = try CSVReader(options: .init(ordering: .asAppended)).read(data: try CSVWriter().data(log))
        expectSame(log, csv, startSource: .attribute)
    }

    @Test("shared logs survive a write/read round trip", .enabled(if: SharedData.available),
          arguments: ["running-example.xes", "roadtraffic100traces.xes", "sop_izin_1k.csv"])
    func sharedRoundTrip(file: String) throws {
        let log = try SharedLogs.log(file)
        expectSame(log, try XESReader().read(data: try XESWriter().data(log)))
        expectSame(log, try CSVReader(options: .init(ordering: .asAppended)).read(data: try CSVWriter().data(log)))
        // the variants survive too
        let v1 = log.variants().map { log.names($0.activities) }
        let back = try XESReader().read(data: try XESWriter(options: .init(gzip: true)).data(log))
        #expect(back.variants().map { back.names($0.activities) } == v1)
    }

    @Test("writing to a file picks gzip from the name")
    func files() throws {
        let dir = FileManager.default.temporaryDirectory
        let x = dir.appendingPathComponent("evlog-\(UUID().uuidString).xes.gz")
        let c = dir.appendingPathComponent("evlog-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: x); try? FileManager.default.removeItem(at: c) }
        try XESWriter().write(sample(), to: x)
        try CSVWriter().write(sample(), to: c)
        #expect(try Data(contentsOf: x).prefix(2) == Data([0x1F, 0x8B]))
        expectSame(sample(), try XESReader().read(contentsOf: x))
        expectSame(sample(), try CSVReader(options: .init(ordering: .asAppended)).read(contentsOf: c))
    }
}
