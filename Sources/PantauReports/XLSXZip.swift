import Foundation
import PantauCore

/// CRC-32 as used by ZIP, gzip and PNG (polynomial 0xEDB88320, reflected, initial and final XOR
/// 0xFFFFFFFF). `CRC32.checksum(Array("123456789".utf8)) == 0xCBF43926`.
public enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// Continues a running checksum (`previous` is a finished CRC, 0 to start).
    /// - Complexity: O(n).
    public static func checksum(_ bytes: some Sequence<UInt8>, continuing previous: UInt32 = 0) -> UInt32 {
        var c = previous ^ 0xFFFF_FFFF
        for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}

/// Errors writing a ZIP archive.
public enum ZipArchiveError: Error, Hashable, Sendable, CustomStringConvertible {
    /// An entry name was empty, absolute, contained `..` or a backslash, or was longer than 65,535 bytes.
    case invalidName(String)
    /// Two entries have the same name.
    case duplicateName(String)
    /// An entry or the archive exceeds 4 GiB, or there are more than 65,535 entries (ZIP64 is not written).
    case tooLarge(String)

    public var description: String {
        switch self {
        case .invalidName(let n): return "nama entri ZIP tidak valid (invalid ZIP entry name) '\(n)'"
        case .duplicateName(let n): return "nama entri ZIP ganda (duplicate ZIP entry) '\(n)'"
        case .tooLarge(let what): return "arsip ZIP terlalu besar (ZIP too large): \(what)"
        }
    }
}

/// Writes a ZIP archive (PKWARE APPNOTE 6.3): local file headers, data, the central directory and
/// the end-of-central-directory record. Entries are deflated (zlib raw deflate, level 6) when
/// that makes them smaller, stored otherwise (and always when ``compress`` is off). Names are
/// UTF-8 (general-purpose flag bit 11). Output is deterministic for a given modification date.
///
/// - Complexity: O(total bytes).
public struct ZipArchiveWriter: Sendable {
    private var out: [UInt8] = []
    private var central: [UInt8] = []
    private var names: Set<String> = []
    private var count = 0
    private let dosTime: UInt16
    private let dosDate: UInt16
    /// Deflate entries (default); false writes every entry stored.
    public var compress = true

    /// - Parameter modified: timestamp stored for every entry, as local time in `timeZone`
    ///   (default 1980-01-01 00:00, the earliest DOS date, for reproducible files).
    public init(modified: Date? = nil, timeZone: TimeZone = TimeZone(secondsFromGMT: 0) ?? .current) {
        if let modified {
            var cal = Calendar(identifier: .gregorian)
            cal.timeZone = timeZone
            let c = cal.dateComponents([.year, .month, .day, .hour, .minute, .second], from: modified)
            let y = min(max((c.year ?? 1980) - 1980, 0), 127)
            dosDate = UInt16(y << 9 | (c.month ?? 1) << 5 | (c.day ?? 1))
            dosTime = UInt16((c.hour ?? 0) << 11 | (c.minute ?? 0) << 5 | (c.second ?? 0) / 2)
        } else {
            dosDate = UInt16(0 << 9 | 1 << 5 | 1)
            dosTime = 0
        }
    }

    /// Adds an entry: deflated when ``compress`` is on and that is smaller, stored otherwise.
    /// - Throws: ``ZipArchiveError``.
    public mutating func add(name: String, data: [UInt8]) throws(ZipArchiveError) {
        let nameBytes = Array(name.utf8)
        guard !name.isEmpty, nameBytes.count <= 0xFFFF, !name.hasPrefix("/"), !name.contains("\\"),
              !name.split(separator: "/").contains("..")
        else { throw .invalidName(name) }
        guard names.insert(name).inserted else { throw .duplicateName(name) }
        guard data.count < 0xFFFF_FFFF else { throw .tooLarge(name) }
        guard count < 0xFFFF else { throw .tooLarge("lebih dari 65.535 entri (more than 65,535 entries)") }
        let crc = CRC32.checksum(data)
        // Tiny entries stay stored: deflate's block header would outweigh what it saves.
        let packed = compress && data.count > 64 ? RawDeflate.deflate(data, level: 6) : nil
        let method: UInt16 = packed.map { $0.count < data.count } == true ? 8 : 0
        let body = method == 8 ? packed! : data
        guard out.count < 0xFFFF_FFFF - body.count - 30 - nameBytes.count else { throw .tooLarge(name) }
        let offset = UInt32(out.count)
        let size = UInt32(data.count)
        let csize = UInt32(body.count)
        // Local file header.
        out.zipLE32(0x0403_4B50)
        out.zipLE16(20)            // version needed: 2.0
        out.zipLE16(0x0800)        // flags: UTF-8 names
        out.zipLE16(method)        // 0 stored, 8 deflate
        out.zipLE16(dosTime)
        out.zipLE16(dosDate)
        out.zipLE32(crc)
        out.zipLE32(csize)         // compressed size
        out.zipLE32(size)          // uncompressed size
        out.zipLE16(UInt16(nameBytes.count))
        out.zipLE16(0)             // extra length
        out += nameBytes
        out += body
        // Central directory header.
        central.zipLE32(0x0201_4B50)
        central.zipLE16(0x031E)    // made by: UNIX, spec 3.0
        central.zipLE16(20)
        central.zipLE16(0x0800)
        central.zipLE16(method)
        central.zipLE16(dosTime)
        central.zipLE16(dosDate)
        central.zipLE32(crc)
        central.zipLE32(csize)
        central.zipLE32(size)
        central.zipLE16(UInt16(nameBytes.count))
        central.zipLE16(0)         // extra
        central.zipLE16(0)         // comment
        central.zipLE16(0)         // disk number start
        central.zipLE16(0)         // internal attributes
        central.zipLE32(0o100644 << 16)  // external attributes: regular file rw-r--r--
        central.zipLE32(offset)
        central += nameBytes
        count += 1
    }

    /// The finished archive.
    /// - Throws: ``ZipArchiveError/tooLarge(_:)`` if the central directory would start past 4 GiB.
    public func finish() throws(ZipArchiveError) -> [UInt8] {
        guard out.count + central.count < 0xFFFF_FFFF else { throw .tooLarge("arsip > 4 GiB") }
        var result = out
        let cdOffset = UInt32(result.count)
        result += central
        result.zipLE32(0x0605_4B50)
        result.zipLE16(0)          // this disk
        result.zipLE16(0)          // disk with central directory
        result.zipLE16(UInt16(count))
        result.zipLE16(UInt16(count))
        result.zipLE32(UInt32(central.count))
        result.zipLE32(cdOffset)
        result.zipLE16(0)          // comment length
        return result
    }
}

extension [UInt8] {
    @inline(__always) mutating func zipLE16(_ v: UInt16) {
        append(UInt8(v & 0xFF)); append(UInt8(v >> 8))
    }

    @inline(__always) mutating func zipLE32(_ v: UInt32) {
        append(UInt8(v & 0xFF)); append(UInt8((v >> 8) & 0xFF)); append(UInt8((v >> 16) & 0xFF)); append(UInt8(v >> 24))
    }
}
