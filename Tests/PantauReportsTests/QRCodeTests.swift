import Foundation
import Testing
import PantauReports

@Suite("QR code encoder")
struct QRCodeTests {
    /// Matrices from python-qrcode; automatic mask choices scored with segno's ISO penalty (see the fixture file).
    @Test(arguments: QRCodeFixtures.all.map(\.name))
    func matchesReferenceMatrix(_ name: String) throws {
        let f = try #require(QRCodeFixtures.all.first { $0.name == name })
        let qr = try QRCode(bytes: f.bytes, options: .init(errorCorrection: f.level, mask: f.forcedMask))
        #expect(qr.version == f.version)
        #expect(qr.mask == f.mask)
        if f.forcedMask == nil, let best = f.penalties.min() {
            #expect(f.penalties[f.mask] == best)
        }
        let expected = f.matrix.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "\n")
        #expect(qr.size == f.version * 4 + 17)
        if qr.textMatrix != expected {
            let a = qr.textMatrix.split(separator: "\n"), b = expected.split(separator: "\n")
            let firstDiff = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            Issue.record("matrix differs from the reference; first differing row \(firstDiff.map(String.init) ?? "?")")
        }
    }

    @Test func textEqualsItsUTF8Bytes() throws {
        let text = "Survei Kepuasan Masyarakat — Dinas Kependudukan ✓ 日本"
        let f = try #require(QRCodeFixtures.all.first { $0.name == "utf8Q" })
        let qr = try QRCode(text: text, options: .init(errorCorrection: .quartile))
        #expect(Array(text.utf8) == f.bytes)
        #expect(qr.modules == (try QRCode(bytes: f.bytes, options: .init(errorCorrection: .quartile))).modules)
    }

    @Test func capacityLimits() throws {
        // Byte-mode capacities (ISO/IEC 18004 Table 7): 1-M 14, 10-H 119, 40-L 2953.
        #expect(try QRCode(bytes: [UInt8](repeating: 65, count: 14)).version == 1)
        #expect(try QRCode(bytes: [UInt8](repeating: 65, count: 15)).version == 2)
        #expect(try QRCode(bytes: [UInt8](repeating: 65, count: 17), options: .init(errorCorrection: .low)).version == 1)
        #expect(try QRCode(bytes: [UInt8](repeating: 65, count: 119), options: .init(errorCorrection: .high)).version == 10)
        #expect(try QRCode(bytes: [UInt8](repeating: 65, count: 120), options: .init(errorCorrection: .high)).version == 11)
        #expect(try QRCode(bytes: [UInt8](repeating: 65, count: 2953), options: .init(errorCorrection: .low)).version == 40)
        #expect(throws: QRCodeError.dataTooLong(bytes: 2954, maxBytes: 2953, maxVersion: 40)) {
            try QRCode(bytes: [UInt8](repeating: 65, count: 2954), options: .init(errorCorrection: .low))
        }
        #expect(throws: QRCodeError.dataTooLong(bytes: 300, maxBytes: 213, maxVersion: 10)) {
            try QRCode(bytes: [UInt8](repeating: 65, count: 300), options: .init(maxVersion: 10))
        }
        #expect(throws: QRCodeError.self) { try QRCode(text: "x", options: .init(minVersion: 5, maxVersion: 2)) }
        #expect(throws: QRCodeError.self) { try QRCode(text: "x", options: .init(mask: 8)) }
        #expect(try QRCode(text: "x", options: .init(minVersion: 5)).version == 5)
    }

    @Test func utf8ECIAddsAHeaderAndStillFits() throws {
        let plain = try QRCode(text: "Rp 10.000 ✓", options: .init(mask: 0))
        let eci = try QRCode(text: "Rp 10.000 ✓", options: .init(mask: 0, utf8ECI: true))
        #expect(plain.version == eci.version)
        #expect(plain.modules != eci.modules)
    }

    @Test func structuralPatterns() throws {
        let qr = try QRCode(text: "https://pantau.go.id", options: .init(errorCorrection: .high, minVersion: 7))
        #expect(qr.version == 7)
        let n = qr.size
        // Finder corners: 7×7 dark ring with a dark 3×3 centre.
        for (r, c) in [(0, 0), (0, n - 7), (n - 7, 0)] {
            #expect(qr[r, c] && qr[r + 6, c + 6] && !qr[r + 1, c + 1] && qr[r + 3, c + 3])
        }
        // Timing pattern and the dark module.
        #expect((8..<(n - 8)).allSatisfy { qr[6, $0] == ($0 % 2 == 0) && qr[$0, 6] == ($0 % 2 == 0) })
        #expect(qr[n - 8, 8])
        #expect(!qr[-1, 0] && !qr[0, n])
    }

    @Test func svgHasQuietZoneAndOneRunPerDarkStretch() throws {
        let qr = try QRCode(text: "PANTAU")
        let svg = qr.svg(moduleSize: 5, quietZone: 4, foreground: "red\" onload=\"x", title: "Tautan <survei>")
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"145\" height=\"145\" viewBox=\"0 0 29 29\""))
        #expect(svg.contains("shape-rendering=\"crispEdges\""))
        #expect(svg.contains("<title>Tautan &lt;survei&gt;</title>"))
        #expect(svg.contains("fill=\"#000000\""))  // unsafe colour rejected
        // Count dark modules from the path runs.
        var dark = 0
        let d = try #require(svg.range(of: " d=\"").map { svg[$0.upperBound...].prefix { $0 != "\"" } })
        var rest = Substring(d)
        while let h = rest.range(of: "h") {
            let digits = rest[h.upperBound...].prefix { $0.isNumber }
            dark += Int(digits) ?? 0
            rest = rest[h.upperBound...]
            if let v = rest.range(of: "z") { rest = rest[v.upperBound...] }
        }
        #expect(dark == qr.modules.filter { $0 }.count)
        #expect(svg.contains("M4 4h7v1h-7z"))  // top-left finder's first row, offset by the quiet zone
    }
}

