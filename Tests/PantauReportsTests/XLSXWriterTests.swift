import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import PantauCore
import PantauReports

/// A minimal ZIP reader written for the tests, independent of the writer: it walks the end
/// record, the central directory and the local headers, and checks each entry's CRC-32 with a
/// bit-by-bit CRC (not the writer's table).
struct TestZip {
    struct Entry {
        var name: String
        var data: [UInt8]
        var crc: UInt32
        var method: UInt16
    }

    var entries: [Entry] = []

    enum Failure: Error { case bad(String) }

    static func bitwiseCRC(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            c ^= UInt32(b)
            for _ in 0..<8 { c = (c >> 1) ^ (0xEDB8_8320 & (0 &- (c & 1))) }
        }
        return ~c
    }

    init(_ d: [UInt8]) throws {
        func u16(_ o: Int) throws -> Int {
            guard o + 2 <= d.count else { throw Failure.bad("read past end at \(o)") }
            return Int(d[o]) | Int(d[o + 1]) << 8
        }
        func u32(_ o: Int) throws -> UInt32 {
            guard o + 4 <= d.count else { throw Failure.bad("read past end at \(o)") }
            return UInt32(d[o]) | UInt32(d[o + 1]) << 8 | UInt32(d[o + 2]) << 16 | UInt32(d[o + 3]) << 24
        }
        let eocd = d.count - 22
        guard eocd >= 0, try u32(eocd) == 0x0605_4B50 else { throw Failure.bad("no end record") }
        let count = try u16(eocd + 10)
        let cdSize = Int(try u32(eocd + 12))
        let cdOffset = Int(try u32(eocd + 16))
        guard cdOffset + cdSize == eocd, try u16(eocd + 8) == count else { throw Failure.bad("end record inconsistent") }
        var p = cdOffset
        for _ in 0..<count {
            guard try u32(p) == 0x0201_4B50 else { throw Failure.bad("bad central header at \(p)") }
            let flags = try u16(p + 8), method = try u16(p + 10)
            let crc = try u32(p + 16)
            let csize = Int(try u32(p + 20)), usize = Int(try u32(p + 24))
            let nlen = try u16(p + 28), xlen = try u16(p + 30), clen = try u16(p + 32)
            let local = Int(try u32(p + 42))
            let name = String(decoding: d[(p + 46)..<(p + 46 + nlen)], as: UTF8.self)
            p += 46 + nlen + xlen + clen
            guard flags & 0x0800 != 0, method == 8 || (method == 0 && csize == usize) else { throw Failure.bad("\(name): flags/method/size") }
            guard try u32(local) == 0x0403_4B50, try u32(local + 14) == crc, Int(try u32(local + 18)) == csize,
                  try u16(local + 8) == method, Int(try u32(local + 22)) == usize,
                  try u16(local + 26) == nlen,
                  String(decoding: d[(local + 30)..<(local + 30 + nlen)], as: UTF8.self) == name
            else { throw Failure.bad("\(name): local header disagrees with central directory") }
            let start = local + 30 + nlen + (try u16(local + 28))
            guard start + csize <= cdOffset else { throw Failure.bad("\(name): data overlaps directory") }
            let raw = Array(d[start..<(start + csize)])
            let data = method == 8 ? try RawDeflate.inflate(raw, expectedSize: usize) : raw
            guard data.count == usize, Self.bitwiseCRC(data) == crc else { throw Failure.bad("\(name): CRC mismatch") }
            entries.append(Entry(name: name, data: data, crc: crc, method: UInt16(method)))
        }
        guard p == eocd else { throw Failure.bad("central directory size mismatch") }
    }

    func text(_ name: String) -> String? {
        entries.first { $0.name == name }.map { String(decoding: $0.data, as: UTF8.self) }
    }
}

/// Collects elements and character data from an XML document; fails on malformed XML.
final class XMLCollector: NSObject, XMLParserDelegate {
    var elements: [(name: String, attributes: [String: String])] = []
    var texts: [String] = []
    private var current = ""
    private var inText = false

    static func parse(_ s: String) -> XMLCollector? {
        let c = XMLCollector()
        let p = XMLParser(data: Data(s.utf8))
        p.delegate = c
        return p.parse() ? c : nil
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        elements.append((name, attributes))
        if name == "t" || name == "v" { inText = true; current = "" }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { if inText { current += string } }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "t" || name == "v" { texts.append(current); inText = false }
    }
}

@Suite("XLSX writer")
struct XLSXWriterTests {
    static let tricky = "A&B <tag> \"q\" 'a' \u{1} bell _x0041_ Rp ✓ 日本\n2nd line"

    static var workbook: XLSXWorkbook {
        XLSXWorkbook(sheets: [
            XLSXSheet(name: "Rekap IKM", header: ["Unsur", "NRR", "Responden", "Tanggal", "Waktu", "Memenuhi"], rows: [
                [.text("Persyaratan"), .number(3.6207, .fourDecimals), .integer(29), .date(CivilDate(year: 2026, month: 7, day: 14)),
                 .dateTime(Date(timeIntervalSince1970: 1_784_000_000)), .bool(true)],
                [.text(tricky), .number(0.25, .percent), .empty, .number(.nan), .number(1e-7), .bool(false)],
                [.boldText("Total"), .number(91.475, .twoDecimals), .integer(-3), .number(1234567, .thousands)],
            ], columnWidths: [30, 10]),
            XLSXSheet(name: "Profil/Responden?", rows: [["Kategori", "Jumlah"], ["L", 2]]),
            XLSXSheet(name: "profil_responden_", rows: [["x"]], headerRows: 0),
            XLSXSheet(name: "rekap ikm", rows: [], headerRows: 0),
        ], title: "SKM Triwulan III 2026", creator: "Pantau")
    }

    @Test func writesAValidPackage() throws {
        let data = try XLSXWriter(options: .init(created: Date(timeIntervalSince1970: 1_784_000_000))).write(Self.workbook)
        let zip = try TestZip(Array(data))
        #expect(zip.entries.map(\.name) == [
            "[Content_Types].xml", "_rels/.rels", "docProps/core.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
            "xl/styles.xml", "xl/sharedStrings.xml",
            "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml", "xl/worksheets/sheet4.xml",
        ])
        for e in zip.entries {
            #expect(XMLCollector.parse(String(decoding: e.data, as: UTF8.self)) != nil, "\(e.name) is not well-formed XML")
        }
        // Sheet names made valid and unique.
        let wbText = try #require(zip.text("xl/workbook.xml"))
        let wb = try #require(XMLCollector.parse(wbText))
        #expect(wb.elements.filter { $0.name == "sheet" }.compactMap { $0.attributes["name"] }
            == ["Rekap IKM", "Profil_Responden_", "profil_responden_ (2)", "rekap ikm (2)"])
        // Content types list every part.
        let ct = try #require(zip.text("[Content_Types].xml"))
        for part in ["/xl/workbook.xml", "/xl/worksheets/sheet4.xml", "/xl/styles.xml", "/xl/sharedStrings.xml"] {
            #expect(ct.contains("PartName=\"\(part)\""))
        }
    }

    @Test func cellsAndEscaping() throws {
        let zip = try TestZip(Array(try XLSXWriter().write(Self.workbook)))
        let sstText = try #require(zip.text("xl/sharedStrings.xml"))
        let sst = try #require(XMLCollector.parse(sstText))
        // The control character and the literal "_x0041_" survive through the OOXML escape.
        let stored = try #require(sst.texts.first { $0.hasPrefix("A&B") })
        #expect(stored == "A&B <tag> \"q\" 'a' _x0001_ bell _x005F_x0041_ Rp ✓ 日本\n2nd line")
        let raw = try #require(zip.text("xl/sharedStrings.xml"))
        #expect(raw.contains("A&amp;B &lt;tag&gt;"))
        #expect(raw.contains("<t xml:space=\"preserve\">A&amp;B"))
        let sheet = try #require(zip.text("xl/worksheets/sheet1.xml"))
        #expect(sheet.contains("<dimension ref=\"A1:F4\"/>"))
        #expect(sheet.contains("<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>"))
        #expect(sheet.contains("<col min=\"1\" max=\"1\" width=\"30\" customWidth=\"1\"/>"))
        #expect(sheet.contains("<c r=\"A1\" t=\"s\" s=\"1\"><v>0</v></c>"))          // bold header
        #expect(sheet.contains("<c r=\"B2\" s=\"6\"><v>3.6207</v></c>"))              // 0.0000
        #expect(sheet.contains("<c r=\"D2\" s=\"12\"><v>46217</v></c>"))              // 2026-07-14
        #expect(sheet.contains("<c r=\"F2\" t=\"b\"><v>1</v></c>"))
        #expect(sheet.contains("<c r=\"B3\" s=\"10\"><v>0.25</v></c>"))               // percent
        #expect(!sheet.contains("r=\"C3\""))                                          // empty cell omitted
        #expect(sheet.contains("<c r=\"D3\" t=\"e\"><v>#NUM!</v></c>"))
        #expect(sheet.contains("<c r=\"E3\"><v>1E-07</v></c>"))
        #expect(sheet.contains("<c r=\"A4\" t=\"s\" s=\"1\">"))                       // boldText
        #expect(sheet.contains("<c r=\"C4\"><v>-3</v></c>"))
        #expect(sheet.contains("<c r=\"D4\" s=\"8\"><v>1234567</v></c>"))
        // 1_784_000_000 s = 2026-07-14 03:33:20 UTC = 10:33:20 WIB → 46217 + 10:33:20/24h
        let e2 = try #require(sheet.range(of: "<c r=\"E2\" s=\"14\"><v>")).upperBound
        let serial = try #require(Double(sheet[e2...].prefix { $0 != "<" }))
        #expect(abs(serial - (46217 + (10 * 3600 + 33 * 60 + 20) / 86400.0)) < 1e-9)
        let styles = try #require(zip.text("xl/styles.xml"))
        #expect(styles.contains("<numFmt numFmtId=\"165\" formatCode=\"yyyy-mm-dd\"/>"))
        #expect(styles.contains("<font><b/>"))
        let core = try #require(zip.text("docProps/core.xml"))
        #expect(core.contains("<dc:title>SKM Triwulan III 2026</dc:title>"))
    }

    @Test func deterministicOutput() throws {
        let a = try XLSXWriter().write(Self.workbook)
        let b = try XLSXWriter().write(Self.workbook)
        #expect(a == b)
    }

    @Test func limitsAndErrors() throws {
        #expect(throws: XLSXError.noSheets) { try XLSXWriter().write(XLSXWorkbook(sheets: [])) }
        let long = String(repeating: "x", count: 32_768)
        #expect(throws: XLSXError.textTooLong(sheet: "S", cell: "B2", length: 32_768)) {
            try XLSXWriter().write(XLSXWorkbook(sheets: [XLSXSheet(name: "S", rows: [[], [.empty, .text(long)]])]))
        }
        #expect(XLSXWriter.columnName(0) == "A")
        #expect(XLSXWriter.columnName(25) == "Z")
        #expect(XLSXWriter.columnName(26) == "AA")
        #expect(XLSXWriter.columnName(701) == "ZZ")
        #expect(XLSXWriter.columnName(16_383) == "XFD")
        #expect(XLSXWriter.serialDay(CivilDate(year: 1900, month: 3, day: 1)) == 61)
        #expect(XLSXWriter.serialDay(CivilDate(year: 2026, month: 1, day: 1)) == 46023)
    }

    @Test func crc32AndZipWriter() throws {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([]) == 0)
        let part = CRC32.checksum(Array("12345".utf8))
        #expect(CRC32.checksum(Array("6789".utf8), continuing: part) == 0xCBF4_3926)
        var z = ZipArchiveWriter(modified: Date(timeIntervalSince1970: 1_784_000_000))
        try z.add(name: "a/ü.txt", data: Array("halo".utf8))
        try z.add(name: "empty", data: [])
        #expect(throws: ZipArchiveError.duplicateName("empty")) { try z.add(name: "empty", data: [1]) }
        #expect(throws: ZipArchiveError.invalidName("../x")) { try z.add(name: "../x", data: [1]) }
        #expect(throws: ZipArchiveError.invalidName("/abs")) { try z.add(name: "/abs", data: [1]) }
        let zip = try TestZip(try z.finish())
        #expect(zip.entries.map(\.name) == ["a/ü.txt", "empty"])
        #expect(zip.text("a/ü.txt") == "halo")
    }
}
