import Foundation

/// Errors encoding a QR code.
public enum QRCodeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The data does not fit the largest allowed version at the chosen error-correction level.
    case dataTooLong(bytes: Int, maxBytes: Int, maxVersion: Int)
    /// Options out of range (version not 1–40, min > max, mask not 0–7).
    case invalidOptions(String)

    public var description: String {
        switch self {
        case .dataTooLong(let n, let max, let v):
            return "data \(n) byte terlalu panjang untuk QR versi \(v) (too long; at most \(max) bytes)"
        case .invalidOptions(let why):
            return "opsi QR tidak valid (invalid QR options): \(why)"
        }
    }
}

/// A QR code symbol (ISO/IEC 18004) in byte mode: the module matrix and an SVG rendering.
///
/// Encoding: the text's UTF-8 bytes in one byte-mode segment (optionally preceded by ECI 26,
/// "UTF-8"); the smallest version in `minVersion...maxVersion` that holds the data at the chosen
/// error-correction level; data split into blocks with Reed–Solomon error correction over
/// GF(256) (polynomial x⁸+x⁴+x³+x²+1) and interleaved; modules placed in the two-column zigzag;
/// format information (BCH(15,5), XOR 101010000010010) and, from version 7, version information
/// (BCH(18,6)).
///
/// Mask choice: each of the 8 masks is applied and scored with the four penalty rules of
/// ISO/IEC 18004:2015 §7.8.3 — N1 runs of ≥5 same-coloured modules in a row/column (3 + run−5),
/// N2 2×2 same-coloured blocks (3 each), N3 1:1:3:1:1 finder-like patterns with 4 light modules on
/// either side, the area outside the symbol counting as light (40 each), N4 deviation of the dark
/// share from 50% in 5% steps (10 each). As §7.8 orders it, scoring happens before format and
/// version information are added (those areas and the dark module count as light), which is
/// also what the `segno` library does; the lowest score wins, the lower mask number on ties.
///
/// - Complexity: O(8 · n²) for an n×n symbol (n = 4·version + 17).
public struct QRCode: Hashable, Sendable {
    /// Error-correction level: L ≈ 7 %, M ≈ 15 %, Q ≈ 25 %, H ≈ 30 % of codewords recoverable.
    public enum ErrorCorrection: Int, Hashable, Sendable, CaseIterable, Codable {
        case low, medium, quartile, high

        /// The two format-information bits (L 01, M 00, Q 11, H 10).
        var formatBits: Int {
            switch self {
            case .low: return 1
            case .medium: return 0
            case .quartile: return 3
            case .high: return 2
            }
        }
    }

    public struct Options: Hashable, Sendable {
        public var errorCorrection: ErrorCorrection
        public var minVersion: Int
        public var maxVersion: Int
        /// Force a mask 0–7; nil chooses by penalty score.
        public var mask: Int?
        /// Prefix ECI designator 26 (UTF-8). Most readers assume UTF-8 without it; some older
        /// readers need it for non-ASCII text, others do not understand it.
        public var utf8ECI: Bool

        public init(errorCorrection: ErrorCorrection = .medium, minVersion: Int = 1, maxVersion: Int = 40,
                    mask: Int? = nil, utf8ECI: Bool = false) {
            self.errorCorrection = errorCorrection
            self.minVersion = minVersion
            self.maxVersion = maxVersion
            self.mask = mask
            self.utf8ECI = utf8ECI
        }
    }

    /// Version 1–40.
    public let version: Int
    public let errorCorrection: ErrorCorrection
    /// Mask pattern 0–7 used.
    public let mask: Int
    /// Modules per side (4·version + 17), without quiet zone.
    public let size: Int
    /// Row-major modules, true = dark.
    public let modules: [Bool]

    /// Encodes the UTF-8 bytes of `text`.
    /// - Throws: ``QRCodeError``.
    public init(text: String, options: Options = Options()) throws(QRCodeError) {
        try self.init(bytes: Array(text.utf8), options: options)
    }

    /// Encodes raw bytes in byte mode.
    /// - Throws: ``QRCodeError``.
    public init(bytes: [UInt8], options: Options = Options()) throws(QRCodeError) {
        guard (1...40).contains(options.minVersion), (1...40).contains(options.maxVersion),
              options.minVersion <= options.maxVersion
        else { throw .invalidOptions("versi harus 1–40 dan min ≤ max (versions must be 1–40, min ≤ max)") }
        if let m = options.mask, !(0...7).contains(m) { throw .invalidOptions("mask harus 0–7 (mask must be 0–7)") }
        let ecl = options.errorCorrection
        let headerBits = (options.utf8ECI ? 12 : 0) + 4
        var chosen: Int?
        for v in options.minVersion...options.maxVersion {
            let countBits = v <= 9 ? 8 : 16
            if bytes.count < (1 << countBits),
               headerBits + countBits + 8 * bytes.count <= QRTables.dataCodewords(v, ecl) * 8 {
                chosen = v
                break
            }
        }
        guard let version = chosen else {
            let v = options.maxVersion
            let countBits = v <= 9 ? 8 : 16
            let maxBytes = max(0, (QRTables.dataCodewords(v, ecl) * 8 - headerBits - countBits) / 8)
            throw .dataTooLong(bytes: bytes.count, maxBytes: maxBytes, maxVersion: v)
        }

        // 1. Bit stream.
        var bits = QRBitBuffer()
        if options.utf8ECI {
            bits.append(0b0111, count: 4)
            bits.append(26, count: 8)
        }
        bits.append(0b0100, count: 4)
        bits.append(bytes.count, count: version <= 9 ? 8 : 16)
        for b in bytes { bits.append(Int(b), count: 8) }
        let capacity = QRTables.dataCodewords(version, ecl) * 8
        bits.append(0, count: min(4, capacity - bits.count))
        bits.append(0, count: (8 - bits.count % 8) % 8)
        var data = bits.bytes
        var pad: UInt8 = 0xEC
        while data.count * 8 < capacity {
            data.append(pad)
            pad = pad == 0xEC ? 0x11 : 0xEC
        }

        // 2. Blocks, error correction, interleaving.
        let codewords = QRTables.interleave(data, version: version, ecl: ecl)

        // 3. Matrix.
        var m = QRMatrix(version: version)
        m.place(codewords)
        let maskNumber: Int
        if let forced = options.mask {
            maskNumber = forced
        } else {
            var best = 0, bestScore = Int.max
            for k in 0..<8 {
                var t = m
                t.applyMask(k)
                let s = t.penalty()
                if s < bestScore { best = k; bestScore = s }
            }
            maskNumber = best
        }
        m.applyMask(maskNumber)
        m.drawFormatAndVersion(ecl: ecl, mask: maskNumber)

        self.version = version
        self.errorCorrection = ecl
        self.mask = maskNumber
        self.size = m.size
        self.modules = m.dark
    }

    /// True if the module at (`row`, `column`) is dark; false outside the symbol.
    public subscript(row: Int, column: Int) -> Bool {
        guard row >= 0, column >= 0, row < size, column < size else { return false }
        return modules[row * size + column]
    }

    /// The matrix as text: one line per row, `1` dark, `0` light (no quiet zone).
    public var textMatrix: String {
        (0..<size).map { r in String((0..<size).map { modules[r * size + $0] ? "1" : "0" }) }.joined(separator: "\n")
    }

    /// An SVG image: a background rectangle and one path of the dark modules (one horizontal run
    /// per subpath), with `shape-rendering="crispEdges"` so edges stay sharp at any zoom.
    /// - Parameters:
    ///   - moduleSize: pixels per module in the `width`/`height` attributes (the viewBox is in modules).
    ///   - quietZone: light border in modules (the standard asks for 4).
    ///   - foreground, background: CSS colours (only `#`-hex and letters are accepted; others fall back to black/white).
    ///   - title: accessible title (escaped).
    public func svg(moduleSize: Int = 4, quietZone: Int = 4, foreground: String = "#000000",
                    background: String = "#ffffff", title: String? = nil) -> String {
        let q = max(0, quietZone)
        let total = size + 2 * q
        let px = max(1, moduleSize) * total
        let fg = Self.safeColor(foreground, fallback: "#000000")
        let bg = Self.safeColor(background, fallback: "#ffffff")
        var path = ""
        for r in 0..<size {
            var c = 0
            while c < size {
                guard modules[r * size + c] else { c += 1; continue }
                let start = c
                while c < size && modules[r * size + c] { c += 1 }
                path += "M\(start + q) \(r + q)h\(c - start)v1h-\(c - start)z"
            }
        }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(px)\" height=\"\(px)\" viewBox=\"0 0 \(total) \(total)\" shape-rendering=\"crispEdges\" role=\"img\">"
        if let title { s += "<title>\(Self.escape(title))</title>" }
        s += "<rect width=\"\(total)\" height=\"\(total)\" fill=\"\(bg)\"/>"
        s += "<path d=\"\(path)\" fill=\"\(fg)\"/>"
        s += "</svg>"
        return s
    }

    private static func safeColor(_ c: String, fallback: String) -> String {
        let ok = !c.isEmpty && c.count <= 32 && c.unicodeScalars.allSatisfy {
            $0 == "#" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)))
        }
        return ok ? c : fallback
    }

    private static func escape(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default:
                if u.value < 0x20 && u != "\t" && u != "\n" && u != "\r" { out += "\u{FFFD}" } else { out.unicodeScalars.append(u) }
            }
        }
        return out
    }
}

/// Bits appended most significant first.
struct QRBitBuffer {
    private(set) var bytes: [UInt8] = []
    private(set) var count = 0

    mutating func append(_ value: Int, count n: Int) {
        guard n > 0 else { return }
        for i in stride(from: n - 1, through: 0, by: -1) {
            if count % 8 == 0 { bytes.append(0) }
            if (value >> i) & 1 == 1 { bytes[count / 8] |= UInt8(0x80 >> (count % 8)) }
            count += 1
        }
    }
}

/// Version/level tables of ISO/IEC 18004 and the block structure.
enum QRTables {
    /// Error-correction codewords per block, [level][version], level order L, M, Q, H.
    static let eccPerBlock: [[Int]] = [
        [0, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
        [0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28],
        [0, 13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30, 28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
        [0, 17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28, 30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
    ]

    /// Number of error-correction blocks, [level][version].
    static let blocks: [[Int]] = [
        [0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25],
        [0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49],
        [0, 1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20, 23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68],
        [0, 1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25, 25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81],
    ]

    /// Alignment pattern centre coordinates per version (ISO/IEC 18004 Annex E).
    static let alignment: [[Int]] = [
        [], [], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34], [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50],
        [6, 30, 54], [6, 32, 58], [6, 34, 62], [6, 26, 46, 66], [6, 26, 48, 70], [6, 26, 50, 74], [6, 30, 54, 78],
        [6, 30, 56, 82], [6, 30, 58, 86], [6, 34, 62, 90], [6, 28, 50, 72, 94], [6, 26, 50, 74, 98],
        [6, 30, 54, 78, 102], [6, 28, 54, 80, 106], [6, 32, 58, 84, 110], [6, 30, 58, 86, 114],
        [6, 34, 62, 90, 118], [6, 26, 50, 74, 98, 122], [6, 30, 54, 78, 102, 126], [6, 26, 52, 78, 104, 130],
        [6, 30, 56, 82, 108, 134], [6, 34, 60, 86, 112, 138], [6, 30, 58, 86, 114, 142], [6, 34, 62, 90, 118, 146],
        [6, 30, 54, 78, 102, 126, 150], [6, 24, 50, 76, 102, 128, 154], [6, 28, 54, 80, 106, 132, 158],
        [6, 32, 58, 84, 110, 136, 162], [6, 26, 54, 82, 110, 138, 166], [6, 30, 58, 86, 114, 142, 170],
    ]

    /// Modules available for data and error correction, per version, counted from the function
    /// patterns themselves.
    static let rawDataModules: [Int] = (0...40).map { v in
        guard v > 0 else { return 0 }
        let m = QRMatrix(version: v)
        return m.function.lazy.filter { !$0 }.count
    }

    static func totalCodewords(_ version: Int) -> Int { rawDataModules[version] / 8 }

    static func dataCodewords(_ version: Int, _ ecl: QRCode.ErrorCorrection) -> Int {
        totalCodewords(version) - eccPerBlock[ecl.rawValue][version] * blocks[ecl.rawValue][version]
    }

    /// Splits data into blocks (short blocks first), appends each block's Reed–Solomon codewords
    /// and interleaves: data codewords column by column, then ECC codewords column by column.
    static func interleave(_ data: [UInt8], version: Int, ecl: QRCode.ErrorCorrection) -> [UInt8] {
        let nBlocks = blocks[ecl.rawValue][version]
        let eccLen = eccPerBlock[ecl.rawValue][version]
        let total = totalCodewords(version)
        let longBlocks = total % nBlocks
        let shortLen = total / nBlocks - eccLen
        let generator = ReedSolomon.generator(degree: eccLen)
        var dataBlocks: [[UInt8]] = []
        var eccBlocks: [[UInt8]] = []
        var k = 0
        for b in 0..<nBlocks {
            let len = shortLen + (b >= nBlocks - longBlocks ? 1 : 0)
            let block = Array(data[k..<(k + len)])
            k += len
            dataBlocks.append(block)
            eccBlocks.append(ReedSolomon.remainder(block, generator: generator))
        }
        var out: [UInt8] = []
        out.reserveCapacity(total)
        for i in 0...shortLen {
            for b in dataBlocks where i < b.count { out.append(b[i]) }
        }
        for i in 0..<eccLen {
            for b in eccBlocks { out.append(b[i]) }
        }
        return out
    }
}

/// Reed–Solomon error correction over GF(2⁸) with reducing polynomial 0x11D and generator α = 2.
enum ReedSolomon {
    static func multiply(_ x: UInt8, _ y: UInt8) -> UInt8 {
        var a = UInt16(x), b = y, r: UInt16 = 0
        while b != 0 {
            if b & 1 != 0 { r ^= a }
            a <<= 1
            if a & 0x100 != 0 { a ^= 0x11D }
            b >>= 1
        }
        return UInt8(r)
    }

    /// Coefficients of ∏_{i<degree} (x − αⁱ) without the leading 1, highest power first.
    static func generator(degree: Int) -> [UInt8] {
        var g: [UInt8] = [1]   // full polynomial, highest power first
        var root: UInt8 = 1
        for _ in 0..<degree {
            var next = [UInt8](repeating: 0, count: g.count + 1)
            for (i, c) in g.enumerated() {
                next[i] ^= c                              // c · x
                next[i + 1] ^= multiply(c, root)          // c · αⁱ
            }
            g = next
            root = multiply(root, 2)
        }
        return Array(g.dropFirst())
    }

    /// The remainder of data(x)·x^n divided by the generator (n = generator.count).
    static func remainder(_ data: [UInt8], generator: [UInt8]) -> [UInt8] {
        var r = [UInt8](repeating: 0, count: generator.count)
        for byte in data {
            let factor = byte ^ r[0]
            r.removeFirst()
            r.append(0)
            if factor != 0 {
                for i in r.indices { r[i] ^= multiply(generator[i], factor) }
            }
        }
        return r
    }
}

/// The module grid under construction: dark modules and which ones are function patterns.
struct QRMatrix {
    let version: Int
    let size: Int
    var dark: [Bool]
    var function: [Bool]

    init(version: Int) {
        self.version = version
        size = version * 4 + 17
        dark = [Bool](repeating: false, count: size * size)
        function = [Bool](repeating: false, count: size * size)
        drawFunctionPatterns()
    }

    private mutating func set(_ row: Int, _ col: Int, _ isDark: Bool) {
        dark[row * size + col] = isDark
        function[row * size + col] = true
    }

    private mutating func drawFunctionPatterns() {
        // Timing patterns.
        for i in 0..<size {
            set(6, i, i % 2 == 0)
            set(i, 6, i % 2 == 0)
        }
        // Finder patterns with separators.
        for (r, c) in [(3, 3), (3, size - 4), (size - 4, 3)] {
            for dy in -4...4 {
                for dx in -4...4 {
                    let y = r + dy, x = c + dx
                    guard y >= 0, x >= 0, y < size, x < size else { continue }
                    let d = max(abs(dx), abs(dy))
                    set(y, x, d != 2 && d != 4)
                }
            }
        }
        // Alignment patterns.
        let pos = QRTables.alignment[version]
        for r in pos {
            for c in pos {
                if (r == 6 && c == 6) || (r == 6 && c == pos.last) || (r == pos.last && c == 6) { continue }
                for dy in -2...2 {
                    for dx in -2...2 { set(r + dy, c + dx, max(abs(dx), abs(dy)) != 1) }
                }
            }
        }
        // Reserve format information (drawn later) and the dark module (light until then).
        for i in 0...8 {
            set(8, i, false)
            set(i, 8, false)
        }
        for i in 0..<8 {
            set(8, size - 1 - i, false)
            set(size - 1 - i, 8, false)
        }
        set(6, 8, true)  // timing module crossed by the format area stays as the timing pattern drew it
        set(8, 6, true)
        // Reserve version information.
        if version >= 7 {
            for i in 0..<6 {
                for j in 0..<3 {
                    set(i, size - 11 + j, false)
                    set(size - 11 + j, i, false)
                }
            }
        }
    }

    /// Places codewords in the two-column zigzag, right to left, skipping the vertical timing column.
    mutating func place(_ codewords: [UInt8]) {
        let totalBits = codewords.count * 8
        var i = 0
        var right = size - 1
        while right >= 1 {
            if right == 6 { right = 5 }
            let upward = ((right + 1) & 2) == 0
            for step in 0..<size {
                let y = upward ? size - 1 - step : step
                for x in [right, right - 1] where !function[y * size + x] {
                    if i < totalBits {
                        dark[y * size + x] = (codewords[i >> 3] >> (7 - (i & 7))) & 1 == 1
                        i += 1
                    }
                }
            }
            right -= 2
        }
    }

    static func maskBit(_ mask: Int, _ y: Int, _ x: Int) -> Bool {
        switch mask {
        case 0: return (y + x) % 2 == 0
        case 1: return y % 2 == 0
        case 2: return x % 3 == 0
        case 3: return (y + x) % 3 == 0
        case 4: return (y / 2 + x / 3) % 2 == 0
        case 5: return (y * x) % 2 + (y * x) % 3 == 0
        case 6: return ((y * x) % 2 + (y * x) % 3) % 2 == 0
        default: return ((y + x) % 2 + (y * x) % 3) % 2 == 0
        }
    }

    mutating func applyMask(_ mask: Int) {
        for y in 0..<size {
            for x in 0..<size where !function[y * size + x] && QRMatrix.maskBit(mask, y, x) {
                dark[y * size + x].toggle()
            }
        }
    }

    mutating func drawFormatAndVersion(ecl: QRCode.ErrorCorrection, mask: Int) {
        let data = ecl.formatBits << 3 | mask
        var rem = data
        for _ in 0..<10 { rem = (rem << 1) ^ ((rem >> 9) * 0x537) }
        let bits = (data << 10 | rem) ^ 0x5412
        func bit(_ i: Int) -> Bool { (bits >> i) & 1 == 1 }
        // Around the top-left finder.
        for i in 0...5 { set(i, 8, bit(i)) }
        set(7, 8, bit(6))
        set(8, 8, bit(7))
        set(8, 7, bit(8))
        for i in 9..<15 { set(8, 14 - i, bit(i)) }
        // Split between the top-right and bottom-left finders.
        for i in 0..<8 { set(8, size - 1 - i, bit(i)) }
        for i in 8..<15 { set(size - 15 + i, 8, bit(i)) }
        set(size - 8, 8, true)  // the dark module
        if version >= 7 {
            var r = version
            for _ in 0..<12 { r = (r << 1) ^ ((r >> 11) * 0x1F25) }
            let vbits = version << 12 | r
            for i in 0..<18 {
                let b = (vbits >> i) & 1 == 1
                let a = size - 11 + i % 3, c = i / 3
                set(c, a, b)
                set(a, c, b)
            }
        }
    }

    /// ISO/IEC 18004:2015 §7.8.3 penalty score (N1 + N2 + N3 + N4).
    func penalty() -> Int {
        var score = 0
        var darkCount = 0
        var line = [Bool](repeating: false, count: size)
        for horizontal in [true, false] {
            for a in 0..<size {
                for b in 0..<size { line[b] = horizontal ? dark[a * size + b] : dark[b * size + a] }
                // N1
                var run = 1
                for b in 1...size {
                    if b < size && line[b] == line[b - 1] { run += 1 } else {
                        if run >= 5 { score += run - 2 }
                        run = 1
                    }
                }
                // N3: 1011101 with four light modules before or after (outside counts as light).
                if size >= 7 {
                    for s in 0...(size - 7) {
                        guard line[s], !line[s + 1], line[s + 2], line[s + 3], line[s + 4], !line[s + 5], line[s + 6] else { continue }
                        let before = (max(0, s - 4)..<s).allSatisfy { !line[$0] }
                        let after = ((s + 7)..<min(size, s + 11)).allSatisfy { !line[$0] }
                        if before || after { score += 40 }
                    }
                }
                if horizontal { darkCount += line.lazy.filter { $0 }.count }
            }
        }
        // N2
        for y in 0..<(size - 1) {
            for x in 0..<(size - 1) {
                let c = dark[y * size + x]
                if c == dark[y * size + x + 1] && c == dark[(y + 1) * size + x] && c == dark[(y + 1) * size + x + 1] { score += 3 }
            }
        }
        // N4
        let total = size * size
        score += abs(darkCount * 20 - total * 10) / total * 10
        return score
    }
}
