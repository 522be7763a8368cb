import Foundation
import Testing
import PantauCore
import PantauReports

/// The XLSX reader (PantauCore) against the writer (PantauReports): values round-trip, sheets are
/// found by name, CSV conversion keeps spreadsheet row numbers, damaged and hostile files end in
/// a clear error; the compressed exports open in openpyxl.
@Suite("XLSX reader and compressed exports", .timeLimit(.minutes(3)))
struct XLSXReaderTests {
    static let jakarta = TimeZone(identifier: "Asia/Jakarta")!

    // MARK: Round trip

    @Test func writerOutputReadsBackCellByCell() throws {
        let instant = Date(timeIntervalSince1970: 1_772_438_130)  // 2026-03-02 07:55:30 UTC = 14:55:30 WIB
        let wb = XLSXWorkbook(sheets: [
            XLSXSheet(name: "Data", header: ["teks", "angka", "tanggal", "waktu", "lain"], rows: [
                [.text("Pelayanan ✓ 日本 «ok»"), .integer(42), .date(CivilDate(year: 2026, month: 3, day: 2)), .dateTime(instant), .bool(true)],
                [.text("koma, \"kutip\"\nbaris dua"), .number(2.5), .empty, .empty, .number(0.1, .twoDecimals)],
                [.empty, .number(1e20), .date(CivilDate(year: 1999, month: 12, day: 31)), .empty, .text("_x0041_ dan \u{1} kontrol")],
                [],
                [.boldText("tebal"), .number(-3.25, .percent), .empty, .empty, .number(6_281_234_567_890)],
            ]),
            XLSXSheet(name: "Kedua", header: ["a"], rows: [["b"]]),
        ])
        let data = try XLSXWriter(options: .init(timeZone: Self.jakarta)).write(wb)
        let table = try XLSXReader().read(data)
        #expect(table.sheetName == "Data")
        #expect(table.rows == [
            ["teks", "angka", "tanggal", "waktu", "lain"],
            ["Pelayanan ✓ 日本 «ok»", "42", "2026-03-02", "2026-03-02 14:55:30", "TRUE"],
            ["koma, \"kutip\"\nbaris dua", "2.5", "", "", "0.1"],
            ["", "1E+20", "1999-12-31", "", "_x0041_ dan \u{1} kontrol"],
            ["", "", "", "", ""],
            ["tebal", "-3.25", "", "", "6281234567890"],
        ])
        #expect(try XLSXReader(options: .init(sheet: "kedua")).read(data).rows == [["a"], ["b"]])
        #expect(throws: XLSXReadError.sheetNotFound("Ketiga", available: ["Data", "Kedua"])) {
            try XLSXReader(options: .init(sheet: "Ketiga")).read(data)
        }
    }

    @Test func manyRowsRoundTripAndCompressionPaysOff() throws {
        let rows: [[XLSXCell]] = (0..<20_000).map { i in
            [.text("IZN-\(i / 4)"), .text(["Terima Berkas", "Verifikasi", "Survei Lapangan", "Penerbitan"][i % 4]),
             .dateTime(Date(timeIntervalSince1970: 1_770_000_000 + Double(i) * 97)), .integer(i), .number(Double(i) / 8)]
        }
        let wb = XLSXWorkbook(sheets: [XLSXSheet(name: "Log", header: ["case_id", "activity", "time:timestamp", "n", "x"], rows: rows)])
        let packed = try XLSXWriter(options: .init(timeZone: Self.jakarta)).write(wb)
        let stored = try XLSXWriter(options: .init(timeZone: Self.jakarta, compress: false)).write(wb)
        #expect(packed.count * 4 < stored.count, "deflated \(packed.count) bytes vs stored \(stored.count)")
        let zip = try TestZip(Array(packed))
        #expect(zip.entries.first { $0.name == "xl/worksheets/sheet1.xml" }?.method == 8)
        let a = try XLSXReader().read(packed), b = try XLSXReader().read(stored)
        #expect(a == b)
        #expect(a.rows.count == 20_001)
        #expect(a.rows[20_000] == ["IZN-4999", "Penerbitan", Self.wallClock(1_770_000_000 + 19_999 * 97), "19999", "2499.875"])
    }

    static func wallClock(_ t: Double) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = jakarta
        f.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return f.string(from: Date(timeIntervalSince1970: t))
    }

    // MARK: CSV and the importers

    @Test func csvKeepsSpreadsheetRowsAndEventErrorsNameThem() throws {
        let wb = XLSXWorkbook(sheets: [XLSXSheet(name: "Log", header: ["case_id", "activity", "time:timestamp", "catatan"], rows: [
            ["K-1", "Terima", "2026-03-02 08:00:00", .text("dua\nbaris; dan | tab\t")],
            ["K-1", "Verifikasi", "2026-03-02 09:00:00", "ok"],
            ["K-2", "Terima", "kemarin sore", "salah"],
        ])])
        let data = try XLSXWriter().write(wb)
        let csv = try XLSXReader().read(data).csv
        #expect(csv.text == "case_id,activity,time:timestamp,catatan\nK-1,Terima,2026-03-02 08:00:00,\"dua\nbaris; dan | tab\t\"\nK-1,Verifikasi,2026-03-02 09:00:00,ok\nK-2,Terima,kemarin sore,salah\n")
        #expect(csv.rowOfLine == [1, 2, 2, 3, 4])
        do {
            _ = try CSVReader(options: .init(defaultTimeZone: Self.jakarta)).read(xlsx: data)
            Issue.record("an unreadable timestamp was accepted")
        } catch let e as EventLogError {
            guard case let .invalidTimestamp(value, field, at) = e else { Issue.record("\(e)"); return }
            #expect(value == "kemarin sore" && field == "time:timestamp")
            #expect(at.line == 4, "spreadsheet row 4 (CSV line 5)")
            #expect(at.column == 3)
        }
        // Without the bad row: the same log as the CSV text gives.
        var fixed = wb
        fixed.sheets[0].rows.removeLast()
        let fromXLSX = try CSVReader(options: .init(defaultTimeZone: Self.jakarta)).read(xlsx: try XLSXWriter().write(fixed))
        let fromCSV = try CSVReader(options: .init(defaultTimeZone: Self.jakarta)).read(string: "case_id,activity,time:timestamp,catatan\nK-1,Terima,2026-03-02 08:00:00,\"dua\nbaris; dan | tab\t\"\nK-1,Verifikasi,2026-03-02 09:00:00,ok\n")
        #expect(fromXLSX.eventCount == 2)
        #expect((0..<2).map { fromXLSX.event($0) } == (0..<2).map { fromCSV.event($0) })
    }

    @Test func surveyAnswersFromXLSXEqualTheSameAnswersAsCSV() throws {
        let service = SurveyService(unitID: "dukcapil", sopID: "sop-ktp", name: "Pelayanan KTP-el")
        let importer = SurveyCSVImporter(definition: .standard(service: service))
        let header = ["no_formulir", "tanggal", "jam", "jenis_kelamin", "pendidikan", "usia", "u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9", "saran"]
        let wb = XLSXWorkbook(sheets: [XLSXSheet(name: "Kuesioner", header: header, rows: [
            ["F-1", .date(CivilDate(year: 2026, month: 7, day: 14)), .dateTime(Date(timeIntervalSince1970: 1_784_002_200)), "L", "SMA", .integer(34),
             4, 3, 3, 4, 4, 3, 4, 3, 4, .text("Antrian lama,\nperlu nomor")],
            [],
            ["F-2", "15/07/2026", "10:05", "P", "S1", .empty, 4, 4, .empty, 4, 4, 4, 4, 4, 4, .empty],
        ])])
        let csv = header.joined(separator: ";") + "\n"
            + "F-1;2026-07-14;11:10;L;SMA;34;4;3;3;4;4;3;4;3;4;\"Antrian lama,\nperlu nomor\"\n"
            + ";;;;;;;;;;;;;;;\n"
            + "F-2;15/07/2026;10:05;P;S1;;4;4;;4;4;4;4;4;4;\n"
        let table = try XLSXReader().read(try XLSXWriter(options: .init(timeZone: Self.jakarta)).write(wb))
        #expect(table.rows[1][2] == "2026-07-14 11:10:00", "a date-time cell in the jam column")
        // The jam column as an office types it: a time-only cell.
        var rows = table.rows
        rows[1][2] = "11:10:00"
        let fromXLSX = try importer.parse(XLSXTable(sheetName: table.sheetName, rows: rows).csv.text)
        let fromCSV = try importer.parse(csv)
        #expect(fromXLSX.responses == fromCSV.responses)
        #expect(fromXLSX.sourceRows == [2, 4] && fromCSV.sourceRows == [2, 4])
        #expect(fromXLSX.blankRows == 1)
        #expect(fromXLSX.responses.count == 2)
    }

    @Test func surveyErrorsNameTheSpreadsheetRow() throws {
        let service = SurveyService(unitID: "dukcapil", sopID: "sop-ktp", name: "Pelayanan KTP-el")
        let importer = SurveyCSVImporter(definition: .standard(service: service))
        let wb = XLSXWorkbook(sheets: [XLSXSheet(name: "K", header: ["u1", "saran"], rows: [
            [4, .text("satu\ndua\ntiga")],
            [7, "nilai salah"],
        ])])
        let text = try XLSXReader().read(try XLSXWriter().write(wb)).csv.text
        #expect(throws: SurveyError.self) { try importer.parse(text) }
        do {
            _ = try importer.parse(text)
        } catch {
            guard case let .csvRejected(issues) = error else { Issue.record("\(error)"); return }
            #expect(issues.map(\.row) == [3])
            #expect(issues.first?.problem == .scoreNotInRange)
        }
    }

    // MARK: Damaged and hostile files

    /// A minimal package around `sheet` (the worksheet XML's `<sheetData>` content), stored or deflated.
    static func package(sheetData: String, workbookExtra: String = "", omitSheet: Bool = false, compress: Bool = true) throws -> [UInt8] {
        var z = ZipArchiveWriter()
        z.compress = compress
        try z.add(name: "[Content_Types].xml", data: Array("<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>".utf8))
        try z.add(name: "xl/workbook.xml", data: Array("""
            <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\(workbookExtra)<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>
            """.utf8))
        try z.add(name: "xl/_rels/workbook.xml.rels", data: Array("""
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/data.xml"/></Relationships>
            """.utf8))
        if !omitSheet {
            try z.add(name: "xl/worksheets/data.xml", data: Array("<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>\(sheetData)</sheetData></worksheet>".utf8))
        }
        return try z.finish()
    }

    @Test func sparseCellsAndReferencesWithoutRowNumbers() throws {
        let bytes = try Self.package(sheetData: """
            <row r="2"><c r="C2" t="inlineStr"><is><t>c2</t></is></c><c r="AA2"><v>7</v></c></row>\
            <row><c t="str"><v>a3</v></c><c t="b"><v>0</v></c><c t="e"><v>#N/A</v></c></row>\
            <row r="5"><c r="B5" s="0"/></row>
            """)
        let t = try XLSXReader().read(Data(bytes))
        #expect(t.rows.count == 3, "trailing empty rows are dropped")
        #expect(t.rows[0] == Array(repeating: "", count: 27))
        #expect(t.rows[1][2] == "c2" && t.rows[1][26] == "7" && t.rows[1].filter { !$0.isEmpty }.count == 2)
        #expect(Array(t.rows[2].prefix(3)) == ["a3", "FALSE", "#N/A"])
    }

    @Test func the1904DateSystem() throws {
        let styles = "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><cellXfs count=\"2\"><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/></cellXfs></styleSheet>"
        var z = ZipArchiveWriter()
        try z.add(name: "xl/workbook.xml", data: Array("<workbook xmlns:r=\"r\"><workbookPr date1904=\"1\"/><sheets><sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>".utf8))
        try z.add(name: "xl/_rels/workbook.xml.rels", data: Array("<Relationships><Relationship Id=\"rId1\" Type=\"x/worksheet\" Target=\"/xl/worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" Type=\"x/styles\" Target=\"styles.xml\"/></Relationships>".utf8))
        try z.add(name: "xl/styles.xml", data: Array(styles.utf8))
        try z.add(name: "xl/worksheets/sheet1.xml", data: Array("<worksheet><sheetData><row r=\"1\"><c r=\"A1\" s=\"1\"><v>0</v></c><c r=\"B1\" s=\"1\"><v>44256</v></c><c r=\"C1\"><v>44256</v></c></row></sheetData></worksheet>".utf8))
        let t = try XLSXReader().read(Data(try z.finish()))
        #expect(t.rows == [["1904-01-01", "2025-03-02", "44256"]])
    }

    @Test func damagedArchivesGiveClearErrors() throws {
        let good = try Self.package(sheetData: "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>\(String(repeating: "isi sel ", count: 200))</t></is></c></row>")
        #expect(throws: Never.self) { try XLSXReader().read(Data(good)) }
        #expect(throws: XLSXReadError.notZip) { try XLSXReader().read(Data("case_id,activity\n".utf8)) }
        #expect(throws: XLSXReadError.notZip) { try XLSXReader().read(Data()) }
        // Cut off: the central directory is gone.
        let cut = Self.readError(Array(good.prefix(good.count - 40)))
        #expect(cut?.code == "corrupt", "\(String(describing: cut))")
        // A flipped byte inside the sheet's deflate data.
        let zip = try TestZip(good)
        let sheet = try #require(zip.entries.first { $0.name == "xl/worksheets/data.xml" })
        #expect(sheet.method == 8)
        let at = try #require(Self.dataOffset(of: "xl/worksheets/data.xml", in: good))
        var flipped = good
        flipped[at + 20] ^= 0x55
        let damaged = try #require(Self.readError(flipped), "a damaged entry was read")
        #expect(["corrupt", "crc"].contains(damaged.code), "\(damaged)")
        #expect(damaged.description.contains("xl/worksheets/data.xml"))
        // A stored entry whose bytes changed: the CRC catches it.
        let plain = try Self.package(sheetData: "<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>", compress: false)
        var changed = plain
        let p = try #require(Self.dataOffset(of: "xl/worksheets/data.xml", in: plain))
        let v = try #require(changed[p...].firstIndex(of: UInt8(ascii: "1")))
        changed[v] = UInt8(ascii: "2")
        #expect(throws: XLSXReadError.crcMismatch(part: "xl/worksheets/data.xml")) { try XLSXReader().read(Data(changed)) }
        // Encrypted flag, ZIP64 marker, unknown method.
        #expect(throws: XLSXReadError.encrypted(part: "xl/workbook.xml")) { try XLSXReader().read(Data(Self.patchCentral(good, "xl/workbook.xml", at: 8, 0x0801))) }
        #expect(throws: XLSXReadError.unsupportedCompression(part: "xl/workbook.xml", method: 12)) {
            try XLSXReader().read(Data(Self.patchCentral(good, "xl/workbook.xml", at: 10, 12)))
        }
        var zip64 = good
        zip64[zip64.count - 12] = 0xFF; zip64[zip64.count - 11] = 0xFF
        #expect(throws: XLSXReadError.zip64) { try XLSXReader().read(Data(zip64)) }
        // Not a workbook; a workbook whose sheet is missing.
        var other = ZipArchiveWriter()
        try other.add(name: "a.txt", data: Array("halo".utf8))
        #expect(throws: XLSXReadError.missingPart("xl/workbook.xml")) { try XLSXReader().read(Data(try other.finish())) }
        #expect(throws: XLSXReadError.missingPart("xl/worksheets/data.xml")) { try XLSXReader().read(Data(try Self.package(sheetData: "", omitSheet: true))) }
        // Malformed XML and bad cells name the part and the cell.
        #expect(throws: XLSXReadError.badCell(part: "xl/worksheets/data.xml", cell: "C7", "indeks teks bersama '3' tidak ada (shared string index out of range)")) {
            try XLSXReader().read(Data(try Self.package(sheetData: "<row r=\"7\"><c r=\"C7\" t=\"s\"><v>3</v></c></row>")))
        }
        #expect(throws: XLSXReadError.badCell(part: "xl/worksheets/data.xml", cell: "B2", "bukan angka 'abc' (not a number)")) {
            try XLSXReader().read(Data(try Self.package(sheetData: "<row r=\"2\"><c r=\"B2\"><v>abc</v></c></row>")))
        }
        #expect(throws: XLSXReadError.badCellReference(part: "xl/worksheets/data.xml", "XFE1")) {
            try XLSXReader().read(Data(try Self.package(sheetData: "<row r=\"1\"><c r=\"XFE1\"><v>1</v></c></row>")))
        }
        let entity = try #require(Self.readError(try Self.package(sheetData: "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>&bom;</t></is></c></row>")))
        #expect(entity.code == "xml" && entity.description.contains("xl/worksheets/data.xml") && entity.description.contains("&bom;"), "\(entity)")
        #expect(throws: XLSXReadError.self) {
            try XLSXReader().read(Data(try Self.package(sheetData: "", workbookExtra: "<!DOCTYPE x [<!ENTITY a \"aaaa\">]>")))
        }
    }

    @Test func zipBombsAndHugeSheetsAreRefused() throws {
        // 24 MB of blanks inside the sheet deflate to some 24 KB; the part limit stops them unread.
        let blanks = String(repeating: " ", count: 24 << 20)
        let bomb = try Self.package(sheetData: "<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>" + blanks)
        #expect(bomb.count < 200_000)
        #expect(throws: XLSXReadError.entryTooLarge(part: "xl/worksheets/data.xml", limit: 8 << 20)) {
            try XLSXReader(options: .init(maxPartBytes: 8 << 20)).read(Data(bomb))
        }
        // A declared size smaller than what the data inflates to: cut at the declared size.
        let honest = try Self.package(sheetData: "<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>" + String(repeating: " ", count: 10_000))
        let lying = Self.patchCentral32(honest, "xl/worksheets/data.xml", at: 24, 200)
        let overlong = try #require(Self.readError(lying), "an entry larger than declared was read")
        #expect(overlong.code == "corrupt" && overlong.description.contains("data.xml"), "\(overlong)")
        // One cell far away would make 17 billion blanks; many cells pass the cell limit.
        #expect(throws: XLSXReadError.tooManyCells(limit: 10_000_000)) {
            try XLSXReader().read(Data(try Self.package(sheetData: "<row r=\"1048576\"><c r=\"XFD1048576\"><v>1</v></c></row>")))
        }
        let grid = (1...30).map { r in "<row r=\"\(r)\">" + (0..<10).map { "<c><v>\($0)</v></c>" }.joined() + "</row>" }.joined()
        #expect(throws: XLSXReadError.tooManyCells(limit: 250)) { try XLSXReader(options: .init(maxCells: 250)).read(Data(try Self.package(sheetData: grid))) }
        #expect(try XLSXReader(options: .init(maxCells: 300)).read(Data(try Self.package(sheetData: grid))).rows.count == 30)
    }

    @Test func randomDamageEndsInAnErrorOrATableNeverACrash() throws {
        // Seeded, so a failure can be replayed: bytes flipped, cut or repeated in a real workbook
        // (stored, so the XML itself gets damaged too, and deflated).
        var rng = SplitMix(seed: 0x5EED_0010)
        let wb = XLSXWorkbook(sheets: [XLSXSheet(name: "Log", header: ["case_id", "activity", "time:timestamp"], rows: (0..<30).map { i in
            [.text("K-\(i)"), .text("Aktivitas ✓ \(i % 3)"), .dateTime(Date(timeIntervalSince1970: 1_770_000_000 + Double(i) * 600))]
        })])
        let originals = [Array(try XLSXWriter(options: .init(compress: false)).write(wb)), Array(try XLSXWriter().write(wb))]
        var read = 0, refused = 0
        for i in 0..<1_500 {
            var b = originals[i % 2]
            switch rng.next() % 3 {
            case 0:
                for _ in 0..<(1 + rng.next() % 8) { b[Int(rng.next() % UInt64(b.count))] = UInt8(truncatingIfNeeded: rng.next()) }
            case 1:
                b = Array(b.prefix(Int(rng.next() % UInt64(b.count))))
            default:
                let at = Int(rng.next() % UInt64(b.count)), n = Int(rng.next() % 64)
                b.insert(contentsOf: b[at..<min(b.count, at + n)], at: at)
            }
            if Self.readError(b, .init(maxPartBytes: 1 << 20, maxCells: 100_000)) == nil { read += 1 } else { refused += 1 }
        }
        #expect(read + refused == 1_500 && refused > 0)
    }

    struct SplitMix {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// The reader's error for `bytes`, nil when they read.
    static func readError(_ bytes: [UInt8], _ options: XLSXReader.Options = .init()) -> XLSXReadError? {
        do {
            _ = try XLSXReader(options: options).read(Data(bytes))
            return nil
        } catch {
            return error
        }
    }

    /// Where the data of an entry starts (after its local header).
    static func dataOffset(of name: String, in zip: [UInt8]) -> Int? {
        var i = 0
        while i + 30 < zip.count {
            if zip[i] == 0x50, zip[i + 1] == 0x4B, zip[i + 2] == 3, zip[i + 3] == 4 {
                let n = Int(zip[i + 26]) | Int(zip[i + 27]) << 8, x = Int(zip[i + 28]) | Int(zip[i + 29]) << 8
                if String(decoding: zip[(i + 30)..<(i + 30 + n)], as: UTF8.self) == name { return i + 30 + n + x }
            }
            i += 1
        }
        return nil
    }

    /// The central-directory header of `name`.
    static func central(_ zip: [UInt8], _ name: String) -> Int {
        var i = zip.count - 22
        while i > 0 {
            if zip[i] == 0x50, zip[i + 1] == 0x4B, zip[i + 2] == 1, zip[i + 3] == 2 {
                let n = Int(zip[i + 28]) | Int(zip[i + 29]) << 8
                if String(decoding: zip[(i + 46)..<(i + 46 + n)], as: UTF8.self) == name { return i }
            }
            i -= 1
        }
        return -1
    }

    static func patchCentral(_ zip: [UInt8], _ name: String, at offset: Int, _ value: UInt16) -> [UInt8] {
        var z = zip
        let c = central(zip, name)
        z[c + offset] = UInt8(value & 0xFF); z[c + offset + 1] = UInt8(value >> 8)
        return z
    }

    static func patchCentral32(_ zip: [UInt8], _ name: String, at offset: Int, _ value: UInt32) -> [UInt8] {
        var z = zip
        let c = central(zip, name)
        for k in 0..<4 { z[c + offset + k] = UInt8((value >> (8 * UInt32(k))) & 0xFF) }
        return z
    }

    // MARK: openpyxl

    /// Whether `python3 -c "import openpyxl"` works; with PANTAU_REQUIRE_OPENPYXL=1 its absence fails the test.
    static func openpyxlAvailable() -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import openpyxl"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try ProcessLaunch.run(p) } catch { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }

    @Test func compressedExportsOpenInOpenpyxl() throws {
        guard Self.openpyxlAvailable() else {
            if ProcessInfo.processInfo.environment["PANTAU_REQUIRE_OPENPYXL"] == "1" {
                Issue.record("PANTAU_REQUIRE_OPENPYXL=1 but python3 cannot import openpyxl (python3 -m pip install openpyxl)")
            }
            return
        }
        let rows: [[XLSXCell]] = (0..<3_000).map { i in
            [.text("IZN-\(i)"), .text("Verifikasi ✓ \(i % 7)"), .date(CivilDate(year: 2026, month: 1 + i % 12, day: 1 + i % 28)), .integer(i), .number(Double(i) / 4, .twoDecimals)]
        }
        let wb = XLSXWorkbook(sheets: [
            XLSXSheet(name: "Rekap IKM", header: ["id", "aktivitas", "tanggal", "n", "x"], rows: rows),
            XLSXSheet(name: "Profil", header: ["k"], rows: [[.bool(false)]]),
        ], title: "Uji", creator: "Pantau")
        let data = try XLSXWriter(options: .init(timeZone: Self.jakarta)).write(wb)
        #expect(try TestZip(Array(data)).entries.contains { $0.method == 8 })
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("pantau-openpyxl-\(UUID().uuidString).xlsx")
        try data.write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let script = """
            import json, sys, openpyxl
            wb = openpyxl.load_workbook(sys.argv[1])
            ws = wb["Rekap IKM"]
            out = {"sheets": wb.sheetnames, "rows": ws.max_row, "a1": ws["A1"].value, "b3": ws["B3"].value,
                   "c2": ws["C2"].value.strftime("%Y-%m-%d"), "d3001": ws["D3001"].value, "e5": ws["E5"].value,
                   "profil": wb["Profil"]["A2"].value, "title": wb.properties.title}
            print(json.dumps(out))
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, url.path]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try ProcessLaunch.run(p)
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(String(decoding: stderr, as: UTF8.self))")
        let json = try #require(try JSONSerialization.jsonObject(with: stdout) as? [String: Any], "\(String(decoding: stdout, as: UTF8.self))")
        #expect(json["sheets"] as? [String] == ["Rekap IKM", "Profil"])
        #expect(json["rows"] as? Int == 3_001)
        #expect(json["a1"] as? String == "id")
        #expect(json["b3"] as? String == "Verifikasi ✓ 1")
        #expect(json["c2"] as? String == "2026-01-01")
        #expect(json["d3001"] as? Int == 2_999)
        #expect(json["e5"] as? Double == 0.75)
        #expect(json["profil"] as? Bool == false)
        #expect(json["title"] as? String == "Uji")
    }
}
