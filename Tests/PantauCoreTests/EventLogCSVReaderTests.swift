import Foundation
import Testing
@testable import PantauCore

@Suite("CSVReader")
struct EventLogCSVReaderTests {
    func read(_ text: String, _ options: CSVReader.Options = .init()) throws -> EventLog {
        try CSVReader(options: options).read(string: text)
    }

    func utc(_ iso: String) -> Double { TimestampParser().parse(iso)! }

    @Test("PM4Py column names; grouped by case in first-appearance order; sorted by time, ties in row order")
    func ordering() throws {
        let log = try read("""
        case:concept:name,concept:name,time:timestamp,org:resource,case:kanal,note
        B,b1,2024-01-02 10:00:00,R1,Loket,x
        A,a2,2024-01-02 09:00:00,R2,Online,
        A,a1,2024-01-02 08:00:00,R1,Loket,y
        B,b0,2024-01-02 09:00:00,,Loket,
        A,tie1,2024-01-02 09:00:00,R1,,
        A,missing,,R1,,
        A,tie2,2024-01-02 09:00:00,R1,,
        """)
        #expect(log.caseIDs == ["B", "A"])
        #expect(log.names(log.trace(0)) == ["b0", "b1"])
        #expect(log.names(log.trace(1)) == ["a1", "a2", "tie1", "tie2", "missing"])
        #expect(log.completeTime(ofEvent: 6) == nil)
        // case attribute from the case's first row, prefix "case:" removed
        #expect(log.caseAttributes.value("kanal", row: 0) == "Loket")
        #expect(log.caseAttributes.value("kanal", row: 1) == "Online")
        // event attribute follows its event through the sort
        #expect(log.eventAttributes.value("note", row: 1) == "x")
        #expect(log.eventAttributes.value("note", row: 2) == "y")
        #expect(log.resource(ofEvent: 0) == nil)
        #expect(log.resource(ofEvent: 1) == "R1")
    }

    @Test("delimiter detection, quoting, CRLF, blank lines, BOM", arguments: [",", ";", "\t", "|"])
    func delimiters(d: String) throws {
        let text = "\u{FEFF}Case ID\(d)Activity\(d)Timestamp\(d)Resource\r\n"
            + "1\(d)\"Verifikasi \(d) cek\"\(d)2024-01-02T08:00:00Z\(d)\"Budi \"\"B\"\"\"\r\n"
            + "\r\n"
            + "1\(d)\"Multi\nline\"\(d)2024-01-02T09:00:00Z\(d)Ani\r\n"
        let log = try read(text)
        #expect(log.caseIDs == ["1"])
        #expect(log.activities == ["Verifikasi \(d) cek", "Multi\nline"])
        #expect(log.resources == ["Budi \"B\"", "Ani"])
        #expect(log.completeTimes[1] - log.completeTimes[0] == 3600)
    }

    @Test("explicit mapping with start timestamps, unit and lifecycle")
    func mapping() throws {
        let text = """
        id;step;mulai;selesai;petugas;bidang;lc
        K1;Terima;02/01/2024 08:00;02/01/2024 08:10;ana;Loket;start
        K1;Terima;02/01/2024 08:00;02/01/2024 08:10;ana;Loket;complete
        """
        let m = CSVColumnMapping(caseID: "id", activity: "step", timestamp: "selesai", startTimestamp: "mulai",
                                 resource: "petugas", unit: "bidang", lifecycle: "lc")
        let log = try read(text, .init(mapping: m))
        #expect(log.eventCount == 1)
        #expect(log.startTimestampSource == .attribute)
        #expect(log.completeTimes[0] - log.startTimes[0] == 600)
        #expect(log.unit(ofEvent: 0) == "Loket")
        #expect(log.completeTimes[0] == utc("2024-01-02T08:10:00Z"))
    }

    @Test("timestamps without offset use the configured zone")
    func zones() throws {
        let text = "case,activity,timestamp\n1,a,2024-01-02 08:00:00\n1,b,2024-01-02T08:00:00+07:00\n"
        let log = try read(text, .init(defaultTimeZone: TimeZone(identifier: "Asia/Jakarta")!))
        #expect(log.completeTimes[0] == log.completeTimes[1])
        let utcLog = try read(text)
        // read as UTC, 08:00 is 7 hours after 08:00+07:00, so it sorts last
        #expect(utcLog.names(utcLog.trace(0)) == ["b", "a"])
        #expect(utcLog.completeTimes[1] - utcLog.completeTimes[0] == 25200)
    }

    @Test("errors name line, field and column", arguments: [
        ("case,activity,timestamp\n1,a,2024-01-02\n2,b,2024-02-30 10:00\n", EventLogError.invalidTimestamp(value: "2024-02-30 10:00", field: "timestamp", at: InputLocation(line: 3, column: 3))),
        ("case,activity,timestamp\n1,a,2024-01-02\n2,\"b,2024-01-02\n", EventLogError.unterminatedQuote(at: InputLocation(line: 3, column: 2))),
        ("case,activity,timestamp\n1,a\n", EventLogError.wrongFieldCount(expected: 3, found: 2, at: InputLocation(line: 2, column: 3))),
        ("case,activity,timestamp\n1,,2024-01-02\n", EventLogError.missingValue(field: "activity", at: InputLocation(line: 2, column: 2))),
        ("case,activity,timestamp\n,a,2024-01-02\n", EventLogError.missingValue(field: "case", at: InputLocation(line: 2, column: 1))),
        ("case,activity,timestamp\n1,\"a\"x,2024-01-02\n", EventLogError.malformedCSV(message: "unexpected character after closing quote", at: InputLocation(line: 2, column: 2))),
        ("", EventLogError.emptyInput(at: InputLocation(line: 1, column: 1))),
    ])
    func errors(text: String, expected: EventLogError) throws {
        #expect(throws: expected) { try read(text) }
    }

    @Test("a missing required or named column is reported with the header")
    func missingColumns() throws {
        #expect(throws: EventLogError.missingColumn(name: "activity (e.g. concept:name)", available: ["case", "when"],
                                                    at: InputLocation(line: 1, column: 1))) {
            try read("case,when\n1,2024-01-01\n")
        }
        #expect(throws: EventLogError.missingColumn(name: "selesai", available: ["case", "activity"],
                                                    at: InputLocation(line: 1, column: 1))) {
            try read("case,activity\n1,a\n", .init(mapping: CSVColumnMapping(timestamp: "selesai")))
        }
        // a log without timestamp column is fine: timestamps are missing
        let log = try read("case,activity\n1,a\n1,b\n")
        #expect(!log.hasTimestamps)
        #expect(log.names(log.trace(0)) == ["a", "b"])
    }

    @Test("gzip-compressed CSV; truncated gzip is an error")
    func gzip() throws {
        var b = EventLog.Builder()
        for c in 0..<300 { b.append(caseID: "c\(c)", activity: "x", complete: Double(c)) }
        let gz = try CSVWriter(options: .init(gzip: true)).data(b.build())
        #expect(try CSVReader().read(data: gz).caseCount == 300)
        #expect(throws: EventLogError.truncatedGzip(at: InputLocation(line: 0, column: 0))) {
            try CSVReader().read(data: gz.prefix(gz.count - 9))
        }
    }
}

@Suite("TimestampParser")
struct EventLogTimestampTests {
    let utc = TimestampParser()

    func epoch(_ y: Int, _ mo: Int, _ d: Int, _ h: Int = 0, _ mi: Int = 0, _ s: Double = 0) -> Double {
        var c = DateComponents()
        c.year = y; c.month = mo; c.day = d; c.hour = h; c.minute = mi; c.second = 0
        c.timeZone = TimeZone(identifier: "UTC")
        return Calendar(identifier: .gregorian).date(from: c)!.timeIntervalSince1970 + s
    }

    @Test("automatic format accepts ISO 8601 and day-first forms", arguments: [
        ("2024-01-02T08:11:46.617+07:00", 2024, 1, 2, 1, 11, 46.617),
        ("2024-01-02T08:11:46Z", 2024, 1, 2, 8, 11, 46.0),
        ("2024-01-02 08:11:46", 2024, 1, 2, 8, 11, 46.0),
        ("2024-01-02 08:11:46.5", 2024, 1, 2, 8, 11, 46.5),
        ("2024-01-02T08:11:46,25-0130", 2024, 1, 2, 9, 41, 46.25),
        ("2024-01-02T08:11+07", 2024, 1, 2, 1, 11, 0.0),
        ("2024-01-02 08:11:46 UTC", 2024, 1, 2, 8, 11, 46.0),
        ("2024-01-02", 2024, 1, 2, 0, 0, 0.0),
        ("2024/01/02 08:11", 2024, 1, 2, 8, 11, 0.0),
        ("02/01/2024 08:11", 2024, 1, 2, 8, 11, 0.0),
        ("2/1/2024 8:11:05", 2024, 1, 2, 8, 11, 5.0),
        ("02-01-2024 08:11", 2024, 1, 2, 8, 11, 0.0),
        ("29.02.2024", 2024, 2, 29, 0, 0, 0.0),
        ("1969-12-31T23:59:59Z", 1969, 12, 31, 23, 59, 59.0),
        ("  2000-02-29T12:00:00Z ", 2000, 2, 29, 12, 0, 0.0),
    ])
    func accepts(text: String, y: Int, mo: Int, d: Int, h: Int, mi: Int, s: Double) {
        let v = utc.parse(text)
        #expect(v != nil, "\(text)")
        if let v { #expect(abs(v - epoch(y, mo, d, h, mi, s)) < 1e-6, "\(text)") }
    }

    @Test("automatic format rejects invalid dates and junk", arguments: [
        "2024-13-01", "2023-02-29", "2024-04-31 10:00", "2024-01-02 24:00", "2024-01-02 10:60",
        "2024-01-02T10:00:00+25:00", "yesterday", "", "2024-01-02 10:00 xyz", "12/2024", "2024-01-02T",
    ])
    func rejects(text: String) {
        #expect(utc.parse(text) == nil, "\(text)")
    }

    @Test("patterns and unix times")
    func patterns() {
        let us = TimestampParser(format: .pattern("MM/dd/yyyy hh:mm"))
        _ = us
        let p = TimestampParser(format: .pattern("MM/dd/yyyy HH:mm"))
        #expect(p.parse("01/02/2024 08:11") == epoch(2024, 1, 2, 8, 11))
        #expect(p.parse("13/02/2024 08:11") == nil)
        let q = TimestampParser(format: .pattern("yyyyMMdd'T'HHmmss.SSSXXX"))
        #expect(q.parse("20240102T081146.500+07:00") == epoch(2024, 1, 2, 1, 11, 46.5))
        let yy = TimestampParser(format: .pattern("dd.MM.yy"))
        #expect(yy.parse("02.01.24") == epoch(2024, 1, 2))
        #expect(TimestampParser(format: .unixSeconds).parse("1704153600.25") == 1_704_153_600.25)
        #expect(TimestampParser(format: .unixMilliseconds).parse("1704153600250") == 1_704_153_600.25)
        #expect(TimestampParser(format: .unixSeconds).parse("soon") == nil)
    }

    @Test("default zone with daylight saving time resolves local times")
    func dstZone() {
        let p = TimestampParser(defaultTimeZone: TimeZone(identifier: "Europe/Amsterdam")!)
        #expect(p.parse("2024-01-15 12:00:00") == epoch(2024, 1, 15, 11))  // +01:00
        #expect(p.parse("2024-07-15 12:00:00") == epoch(2024, 7, 15, 10))  // +02:00
        let jkt = TimestampParser(defaultTimeZone: TimeZone(identifier: "Asia/Jakarta")!)
        #expect(jkt.parse("2024-07-15 12:00:00") == epoch(2024, 7, 15, 5))
    }

    @Test("calendar arithmetic round-trips and formats ISO 8601")
    func civil() {
        for days in stride(from: -800_000, through: 800_000, by: 997) {
            let (y, m, d) = CivilTime.civilFromDays(days)
            #expect(CivilTime.daysFromCivil(year: y, month: m, day: d) == days)
        }
        #expect(CivilTime.iso8601(epoch(2024, 1, 2, 1, 11, 46.617), offset: 25200) == "2024-01-02T08:11:46.617+07:00")
        #expect(CivilTime.iso8601(-0.5) == "1969-12-31T23:59:59.500+00:00")
        #expect(CivilTime.iso8601(1.000_001) == "1970-01-01T00:00:01.000001+00:00")
    }
}
