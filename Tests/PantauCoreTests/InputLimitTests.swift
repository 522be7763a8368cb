import Foundation
import PantauCore
import Testing

/// Limits on what anyone can send (issue 7 §2.8), Core side: YAML aliases, SOP size, gunzip output.
@Suite("Input limits: SOP files and gzip logs", .timeLimit(.minutes(2)))
struct InputLimitTests {
    // MARK: YAML anchors and aliases

    /// A "billion laughs" file: nine nested levels of nine aliases (9^9 = 387 million strings once
    /// expanded), after two ordinary lines, so the first anchor is on line 3.
    static func billionLaughs(aliasAsKey: Bool = false) -> String {
        var y = "identitas:\n  unit: Dinas\n"
        y += "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        var prev = "a"
        for c in ["b", "c", "d", "e", "f", "g", "h", "i"] {
            y += "\(c): &\(c) [" + Array(repeating: "*\(prev)", count: 9).joined(separator: ",") + "]\n"
            prev = c
        }
        // An alias used as a mapping key makes the YAML composer hash the whole expansion.
        if aliasAsKey { y += "j: {*i: 1}\n" }
        return y
    }

    @Test(arguments: [false, true])
    func billionLaughsIsRefusedFastNamingTheLine(aliasAsKey: Bool) throws {
        let start = ContinuousClock.now
        var caught: SOPFileError?
        do { _ = try SOPFile.decode(Self.billionLaughs(aliasAsKey: aliasAsKey), format: .yaml) } catch { caught = error }
        let e = try #require(caught)
        #expect(e.refusal == .yamlAliasNotAllowed)
        #expect(e.line == 3 && e.column == 4, "\(e)")
        #expect(e.problem == .yamlAliasNotAllowed)
        #expect(e.description.hasPrefix("line 3, column 4: YAML anchors and aliases"), "\(e.description)")
        #expect(ContinuousClock.now - start < .seconds(2))
    }

    @Test func aSingleAliasInAnOtherwiseValidSOPIsRefused() throws {
        var yaml = try SOPFile.encode(sampleSOP(), format: .yaml)
        yaml = yaml.replacingOccurrences(of: "pelaksana:\n- id: loket", with: "pelaksana:\n- &loket\n  id: loket")
        #expect(yaml.contains("&loket"))
        #expect(throws: SOPFileError.self) { try SOPFile.decode(yaml, format: .yaml) }
        do { _ = try SOPFile.decode(yaml, format: .yaml) } catch {
            #expect(error.refusal == .yamlAliasNotAllowed)
            let line = yaml.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("&loket") }! + 1
            #expect(error.line == line)
        }
    }

    @Test func asterisksAndAmpersandsInsideTextAreNotAliases() throws {
        var d = sampleSOP()
        d.steps[1].activity = "Cek berkas *wajib* & verifikasi &segera"
        d.steps[2].notes = "*catatan"
        let yaml = try SOPFile.encode(d, format: .yaml)
        #expect(try SOPFile.decode(yaml, format: .yaml) == d)
        let plain = "identitas:\n  unit: Dinas & Kantor\n  nomor: 1\n  judul: Cek *wajib* &x\n"
        do { _ = try SOPFile.decode(plain, format: .yaml) } catch { #expect(error.refusal == nil, "\(error)") }
    }

    // MARK: SOP size

    /// A valid SOP of `n` steps in one chain (start, n-2 processes, end).
    static func chain(_ n: Int) -> SOPDocument {
        var d = sampleSOP()
        d.steps = (1...n).map { i in
            SOPStep(id: "s\(i)", kind: i == 1 ? .start : (i == n ? .end : .process), activity: "Langkah \(i)", actor: "loket")
        }
        return d
    }

    @Test func stepLimitIsInclusiveAndNamed() throws {
        #expect(Self.chain(SOPLimits.maxSteps).validate().isEmpty)
        let over = Self.chain(SOPLimits.maxSteps + 1)
        #expect(over.validate() == [SOPValidationIssue(code: .tooManySteps, field: "langkah", detail: "301", limit: 300)])
        let yaml = try SOPFile.encode(over, format: .yaml)
        var caught: SOPFileError?
        do { _ = try SOPFile.decode(yaml, format: .yaml) } catch { caught = error }
        let e = try #require(caught)
        #expect(e.field == "langkah" && e.line == yaml.split(separator: "\n").firstIndex { $0.hasPrefix("langkah:") }! + 1)
        #expect(e.problem == .invalidSOP)
        #expect(e.message == "The SOP has 301 steps; at most 300 are allowed")
        #expect(e.issues.first?.description == "The SOP has 301 steps; at most 300 are allowed")
    }

    @Test func actorAndListLimits() {
        var d = sampleSOP()
        d.actors += (1...(SOPLimits.maxActors - 2)).map { SOPActor(id: "a\($0)", name: "Aktor \($0)") }
        #expect(d.actors.count == 101)
        #expect(d.validate() == [SOPValidationIssue(code: .tooManyActors, field: "pelaksana", detail: "101", limit: 100)])
        var e = sampleSOP()
        e.identity.legalBasis = (1...101).map { "Peraturan \($0)" }
        e.steps[3].logNames = (1...101).map { "nama \($0)" }
        let issues = e.validate()
        #expect(issues.contains(SOPValidationIssue(code: .tooManyItems, field: "identitas.dasar_hukum", detail: "101", limit: 100)))
        #expect(issues.contains(SOPValidationIssue(code: .tooManyItems, field: "langkah[4].nama_di_log", detail: "101", limit: 100)))
    }

    @Test func textLengthLimitNamesFieldStepAndLine() throws {
        var d = sampleSOP()
        d.steps[1].activity = String(repeating: "x", count: SOPLimits.maxTextLength)
        #expect(d.validate().isEmpty)
        d.steps[1].activity += "y"
        d.identity.warning = String(repeating: "é", count: 5000)
        let issues = d.validate()
        #expect(issues.count == 2)
        #expect(issues.contains(SOPValidationIssue(code: .textTooLong, field: "identitas.peringatan", detail: "5000", limit: 4000)))
        let step = try #require(issues.first { $0.field == "langkah[2].kegiatan" })
        #expect(step.code == .textTooLong && step.limit == 4000 && step.stepNumber == 2 && step.stepID == "cek")
        #expect(step.description == "Step 2 (cek): langkah[2].kegiatan is too long (4001 characters); at most 4000 characters")

        var only = sampleSOP()
        only.steps[1].activity = String(repeating: "x", count: 4001)
        let yaml = try SOPFile.encode(only, format: .yaml)
        var caught: SOPFileError?
        do { _ = try SOPFile.decode(yaml, format: .yaml) } catch { caught = error }
        let e = try #require(caught)
        let line = yaml.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("kegiatan: xxxx") }! + 1
        #expect(e.field == "langkah[2].kegiatan" && e.line == line, "\(e)")
    }

    @Test func fileSizeIsCappedBeforeParsing() throws {
        let big = "identitas:\n  unit: \"" + String(repeating: "a", count: SOPLimits.maxFileBytes) + "\"\n"
        var caught: SOPFileError?
        do { _ = try SOPFile.decode(big, format: .yaml) } catch { caught = error }
        #expect(caught?.refusal == .fileTooLarge(limit: 2 * 1024 * 1024))
        do { _ = try SOPFile.decode(big, format: .json) } catch { #expect(error.refusal == .fileTooLarge(limit: SOPLimits.maxFileBytes)) }
    }

    // MARK: gzip output

    @Test func zipBombIsRefusedAtTheLimit() throws {
        // 16 MiB of 'a' after a CSV header start, from about 100 KB of deflate data (158:1).
        let bomb = Gzip.bomb(prefix: Array("case_id,activity,time:timestamp\n".utf8), repeating: UInt8(ascii: "a"), runs: 65_000)
        #expect(bomb.count < 120_000)
        var small = CSVReader.Options()
        small.maxDecompressedBytes = 1 << 20
        #expect(throws: EventLogError.decompressedTooLarge(limit: 1 << 20, at: InputLocation(line: 0, column: 0))) {
            try CSVReader(options: small).read(data: bomb)
        }
        let message = EventLogError.decompressedTooLarge(limit: 1 << 20, at: InputLocation(file: "log.csv.gz", line: 0, column: 0)).description
        #expect(message.contains("more than 1 MiB (1048576 bytes)") && message.contains("maxDecompressedBytes"))

        // From a file too; the error names it.
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bomb-\(UUID().uuidString).csv.gz")
        try bomb.write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(throws: EventLogError.decompressedTooLarge(limit: 1 << 20, at: InputLocation(file: url.lastPathComponent, line: 0, column: 0))) {
            try CSVReader(options: small).read(contentsOf: url)
        }

        // With room for the whole stream it is read to the end (and fails as the CSV it is: one
        // giant unterminated row), so the size limit, not the data, caused the refusal above.
        var roomy = CSVReader.Options()
        roomy.maxDecompressedBytes = 64 << 20
        do {
            _ = try CSVReader(options: roomy).read(data: bomb)
            Issue.record("expected an error")
        } catch let e as EventLogError {
            if case .decompressedTooLarge = e { Issue.record("refused for size under a 64 MiB limit") }
        }
        #expect(CSVReader.Options().maxDecompressedBytes == 4 << 30)
    }

    @Test func xesReaderHasTheSameLimit() throws {
        let bomb = Gzip.bomb(prefix: Array("<?xml version=\"1.0\"?>\n<log xes.version=\"1.0\">\n".utf8), repeating: UInt8(ascii: " "), runs: 20_000)
        var o = XESReader.Options()
        o.maxDecompressedBytes = 256 << 10
        #expect(throws: EventLogError.decompressedTooLarge(limit: 256 << 10, at: InputLocation(line: 0, column: 0))) {
            try XESReader(options: o).read(data: bomb)
        }
        #expect(XESReader.Options().maxDecompressedBytes == EventLog.defaultMaxDecompressedBytes)
    }
}

/// Builds gzip files by hand for tests.
enum Gzip {
    /// A valid gzip member whose deflate block (fixed Huffman codes) holds `prefix` as literals, then
    /// `runs` copies of 258 bytes at distance 1: the last byte of `prefix` (or `byte`) repeated.
    /// 13 bits of input per 258 bytes of output.
    static func bomb(prefix: [UInt8], repeating byte: UInt8, runs: Int) -> Data {
        var out = BitWriter()
        out.bits(1, count: 1)  // BFINAL
        out.bits(1, count: 2)  // BTYPE = fixed Huffman
        let literals = prefix + [byte]
        for b in literals {
            precondition(b < 144)
            out.huffman(0x30 + Int(b), length: 8)
        }
        for _ in 0..<runs {
            out.huffman(0xC5, length: 8)  // length code 285 = 258 bytes
            out.huffman(0, length: 5)     // distance code 0 = distance 1
        }
        out.huffman(0, length: 7)  // end of block
        var crc = CRC32()
        crc.update(literals)
        let run = [UInt8](repeating: byte, count: 258)
        for _ in 0..<runs { crc.update(run) }
        let size = UInt32(truncatingIfNeeded: literals.count + 258 * runs)
        var d = Data([0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 255])
        d.append(contentsOf: out.bytes)
        for v in [crc.value, size] { for i in 0..<4 { d.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) } }
        return d
    }

    struct BitWriter {
        var bytes: [UInt8] = []
        var bitCount = 0
        /// A value, least significant bit first (header fields, extra bits).
        mutating func bits(_ v: Int, count: Int) {
            for i in 0..<count { put((v >> i) & 1) }
        }
        /// A Huffman code, most significant bit first.
        mutating func huffman(_ code: Int, length: Int) {
            for i in stride(from: length - 1, through: 0, by: -1) { put((code >> i) & 1) }
        }
        private mutating func put(_ bit: Int) {
            if bitCount % 8 == 0 { bytes.append(0) }
            bytes[bytes.count - 1] |= UInt8(bit) << UInt8(bitCount % 8)
            bitCount += 1
        }
    }

    struct CRC32 {
        static let table: [UInt32] = (0..<256).map { n in
            var c = UInt32(n)
            for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            return c
        }
        private var c: UInt32 = 0xFFFF_FFFF
        mutating func update(_ bytes: [UInt8]) {
            for b in bytes { c = Self.table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        }
        var value: UInt32 { c ^ 0xFFFF_FFFF }
    }
}
