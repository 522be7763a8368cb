import Foundation
import Testing
@testable import PantauCore

/// The XLSX reader on a workbook made by openpyxl (Fixtures/xlsx, see make_openpyxl_sample.py):
/// shared strings with a rich-text run, an inline string, a formula's cached value, date, date-time
/// and time styles; and the number and date formatting rules.
@Suite("XLSX reader: openpyxl files, formats, dates")
struct XLSXFixtureTests {
    static func fixture(_ name: String) throws -> Data {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/xlsx/\(name)", withExtension: "xlsx"))
        return try Data(contentsOf: url)
    }

    @Test func readsAnOpenpyxlWorkbook() throws {
        let data = try Self.fixture("openpyxl-sample")
        #expect(XLSXReader.looksLikeZip(data))
        let t = try XLSXReader().read(data)
        #expect(t.sheetName == "Kejadian")
        #expect(t.rows == [
            ["case_id", "activity", "time:timestamp", "tanggal", "jam", "catatan", "jumlah"],
            ["K-1", "Terima berkas", "2026-03-02 08:15:30", "2026-03-02", "08:15:00", "catatan & inline", "3"],
            ["K-1", "Verifikasi – berkas ✓", "2026-03-02 13:00:00", "2026-03-02", "13:00:00", "", "2.5"],
            ["K-2", "Terima berkas", "2026-12-31 23:59:59", "2024-02-29", "", "baris\nkedua", "0.1"],
        ])
        #expect(try XLSXReader(options: .init(sheet: "LAIN")).read(data).rows == [["a", "b"], ["1", "2"]])
    }

    @Test func anOpenpyxlEventLogReadsAsTheSameCSV() throws {
        let zone = TimeZone(identifier: "Asia/Jakarta")!
        let options = CSVReader.Options(defaultTimeZone: zone, ordering: .asAppended)
        let fromXLSX = try CSVReader(options: options).read(xlsx: try Self.fixture("events-openpyxl"))
        let fromCSV = try CSVReader(options: options).read(string: XLSXEventFixture.csv)
        #expect(fromXLSX.eventCount == 4 && fromXLSX.caseCount == 2)
        #expect((0..<4).map { fromXLSX.event($0) } == (0..<4).map { fromCSV.event($0) })
        #expect((0..<4).map { fromXLSX.eventAttributes.attributes(ofRow: $0) } == (0..<4).map { fromCSV.eventAttributes.attributes(ofRow: $0) })
        // 2026-03-02 08:15:30 WIB
        #expect(fromXLSX.completeTime(ofEvent: 0) == 1_772_414_130)
    }

    @Test func numbersAsExcelShowsThem() {
        #expect(XLSXReader.general(0.1) == "0.1")
        #expect(XLSXReader.general(1.0 / 3) == "0.333333333333333")
        #expect(XLSXReader.general(12.300000000000001) == "12.3")
        #expect(XLSXReader.general(1e20) == "1E+20")
        #expect(XLSXReader.general(1.5e-7) == "1.5E-07")
        #expect(XLSXReader.general(-42) == "-42")
        #expect(XLSXReader.general(6_281_234_567_890) == "6281234567890")
    }

    @Test func dateStylesAndSerials() {
        #expect(XLSXReader.dateKind(builtIn: 14) == .date && XLSXReader.dateKind(builtIn: 22) == .dateTime)
        #expect(XLSXReader.dateKind(builtIn: 20) == .time && XLSXReader.dateKind(builtIn: 2) == nil && XLSXReader.dateKind(builtIn: 49) == nil)
        #expect(XLSXReader.dateKind(format: "yyyy-mm-dd") == .date)
        #expect(XLSXReader.dateKind(format: "[$-409]d-mmm-yy;@") == .date)
        #expect(XLSXReader.dateKind(format: "dd/mm/yyyy hh:mm") == .dateTime)
        #expect(XLSXReader.dateKind(format: "h:mm AM/PM") == .time)
        #expect(XLSXReader.dateKind(format: "mm:ss") == .time)
        #expect(XLSXReader.dateKind(format: "[h]:mm") == .time)
        #expect(XLSXReader.dateKind(format: "0.00") == nil)
        #expect(XLSXReader.dateKind(format: "General") == nil)
        #expect(XLSXReader.dateKind(format: "#,##0 \"hari\"") == nil)
        #expect(XLSXReader.dateKind(format: "[Red]0.00;[Blue]-0.00") == nil)
        #expect(XLSXReader.dateKind(format: "0\\d") == nil)
        // 1900 system: serial 1 = 1900-01-01, 59 = 1900-02-28, 61 = 1900-03-01; 46023 = 2026-01-01.
        #expect(XLSXReader.serialText(1, kind: .date, date1904: false) == "1900-01-01")
        #expect(XLSXReader.serialText(59, kind: .date, date1904: false) == "1900-02-28")
        #expect(XLSXReader.serialText(61, kind: .date, date1904: false) == "1900-03-01")
        #expect(XLSXReader.serialText(46023.5, kind: .dateTime, date1904: false) == "2026-01-01 12:00:00")
        #expect(XLSXReader.serialText(46023.999999, kind: .dateTime, date1904: false) == "2026-01-02 00:00:00")
        #expect(XLSXReader.serialText(46023.25, kind: .date, date1904: false) == "2026-01-01 06:00:00", "a date style with a time part keeps it")
        #expect(XLSXReader.serialText(0.75, kind: .time, date1904: false) == "18:00:00")
        #expect(XLSXReader.serialText(0, kind: .date, date1904: true) == "1904-01-01")
        #expect(XLSXReader.serialText(-1, kind: .date, date1904: false) == nil)
        #expect(XLSXReader.serialText(3e6, kind: .date, date1904: false) == nil)
    }

    @Test func cellReferencesAndEscapes() {
        #expect(XLSXReader.parseReference("A1")! == (0, 1))
        #expect(XLSXReader.parseReference("$AA$10")! == (26, 10))
        #expect(XLSXReader.parseReference("XFD1048576")! == (16_383, 1_048_576))
        #expect(XLSXReader.parseReference("XFE1") == nil && XLSXReader.parseReference("A0") == nil && XLSXReader.parseReference("1A") == nil)
        #expect(XLSXReader.parseReference("A10485761") == nil && XLSXReader.parseReference("") == nil)
        #expect(XLSXReader.columnName(0) == "A" && XLSXReader.columnName(26) == "AA" && XLSXReader.columnName(16_383) == "XFD")
        #expect(XLSXReader.unescapeOOXML("a_x000D_b_x005F_x0041_") == "a\rb_x0041_")
        #expect(XLSXReader.resolve("../media/x.xml", base: "xl/worksheets") == "xl/media/x.xml")
        #expect(XLSXReader.resolve("/xl/a.xml", base: "xl") == "xl/a.xml")
    }
}

/// The CSV twin of Fixtures/xlsx/events-openpyxl.xlsx (used by the store test too, as text).
enum XLSXEventFixture {
    static let csv = """
        case_id,activity,time:timestamp,start_timestamp,org:resource,catatan,jumlah
        IZN-1,Terima Berkas,2026-03-02 08:15:30,2026-03-02 08:00:00,Rina,lengkap,1
        IZN-1,Verifikasi Administrasi,2026-03-02 13:00:00,,Budi,"cek, ulang
        baris dua",2.5
        IZN-2,Terima Berkas,2026-03-03 09:05:00,,Rina,,0.1
        IZN-1,Penerbitan Izin,2026-03-04 16:45:00,2026-03-04 16:00:00,,\"""kutip"" & ✓\",3

        """
}
