import CZlib
import Foundation

/// Reads the entries of a ZIP archive held in memory (PKWARE APPNOTE 6.3): the central directory,
/// then each entry on demand, stored (method 0) or deflated (method 8, inflated with zlib as a raw
/// stream). Each entry's CRC-32 and sizes are checked.
///
/// Refused with an ``XLSXReadError``: no end-of-central-directory record (not a ZIP, or
/// truncated), ZIP64 archives or entries, encrypted entries, other compression methods, entries
/// that would inflate beyond ``maxEntryBytes`` (a "zip bomb": the declared size is checked before
/// inflating and the output is cut at the declared size), and any offset or size that points
/// outside the archive.
///
/// - Complexity: O(archive size) to open; O(entry size) per entry read.
struct ZipReader {
    struct Entry {
        var name: String
        var method: UInt16
        var flags: UInt16
        var crc: UInt32
        var compressedSize: Int
        var size: Int
        var localHeaderOffset: Int
    }

    let bytes: [UInt8]
    let maxEntryBytes: Int
    private(set) var entries: [String: Entry] = [:]
    /// Entry names in central-directory order.
    private(set) var names: [String] = []

    init(_ bytes: [UInt8], maxEntryBytes: Int) throws(XLSXReadError) {
        self.bytes = bytes
        self.maxEntryBytes = maxEntryBytes
        try readCentralDirectory()
    }

    private func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
    private func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }

    private mutating func readCentralDirectory() throws(XLSXReadError) {
        let n = bytes.count
        guard n >= 22 else { throw .notZip }
        // The end-of-central-directory record: the last signature within 22 + 65,535 bytes of the end.
        var eocd = -1
        var i = n - 22
        let lowest = max(0, n - 22 - 0xFFFF)
        while i >= lowest {
            if bytes[i] == 0x50 && bytes[i + 1] == 0x4B && bytes[i + 2] == 0x05 && bytes[i + 3] == 0x06 { eocd = i; break }
            i -= 1
        }
        guard eocd >= 0 else {
            throw bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) ? .corruptArchive("no end of central directory (truncated file?)") : .notZip
        }
        // A ZIP64 end-of-central-directory locator right before it.
        if eocd >= 20, u32(eocd - 20) == 0x0706_4B50 { throw .zip64 }
        let disk = u16(eocd + 4), cdDisk = u16(eocd + 6)
        let countHere = u16(eocd + 8), count = u16(eocd + 10)
        let cdSize = u32(eocd + 12), cdOffset = u32(eocd + 16)
        if count == 0xFFFF || cdSize == 0xFFFF_FFFF || cdOffset == 0xFFFF_FFFF { throw .zip64 }
        guard disk == 0, cdDisk == 0, countHere == count else { throw .corruptArchive("multi-disk archives are not supported") }
        guard cdOffset <= eocd, cdSize <= eocd - cdOffset else { throw .corruptArchive("central directory outside the file (truncated file?)") }
        var p = cdOffset
        let end = cdOffset + cdSize
        for _ in 0..<count {
            guard p + 46 <= end, u32(p) == 0x0201_4B50 else { throw .corruptArchive("bad central directory entry") }
            let flags = UInt16(u16(p + 8))
            let method = UInt16(u16(p + 10))
            let crc = UInt32(u32(p + 16))
            let csize = u32(p + 20), usize = u32(p + 24)
            let nameLen = u16(p + 28), extraLen = u16(p + 30), commentLen = u16(p + 32)
            let local = u32(p + 42)
            guard p + 46 + nameLen + extraLen + commentLen <= end else { throw .corruptArchive("bad central directory entry") }
            let name = String(decoding: bytes[(p + 46)..<(p + 46 + nameLen)], as: UTF8.self)
            if csize == 0xFFFF_FFFF || usize == 0xFFFF_FFFF || local == 0xFFFF_FFFF { throw .zip64 }
            let entry = Entry(name: name, method: method, flags: flags, crc: crc, compressedSize: csize, size: usize,
                              localHeaderOffset: local)
            if entries[name] == nil { names.append(name) }
            entries[name] = entry
            p += 46 + nameLen + extraLen + commentLen
        }
    }

    func contains(_ name: String) -> Bool { entries[name] != nil }

    /// The entry's uncompressed bytes.
    func read(_ name: String) throws(XLSXReadError) -> [UInt8] {
        guard let e = entries[name] else { throw .missingPart(name) }
        if e.flags & 0x0001 != 0 || e.flags & 0x0040 != 0 { throw .encrypted(part: name) }
        guard e.method == 0 || e.method == 8 else { throw .unsupportedCompression(part: name, method: Int(e.method)) }
        guard e.size <= maxEntryBytes else { throw .entryTooLarge(part: name, limit: maxEntryBytes) }
        let h = e.localHeaderOffset
        guard h + 30 <= bytes.count, u32(h) == 0x0403_4B50 else { throw .corruptEntry(part: name, "bad local header") }
        let start = h + 30 + u16(h + 26) + u16(h + 28)
        guard start <= bytes.count, e.compressedSize <= bytes.count - start else {
            throw .corruptEntry(part: name, "data runs past the end of the file (truncated file?)")
        }
        let out: [UInt8]
        if e.method == 0 {
            guard e.compressedSize == e.size else { throw .corruptEntry(part: name, "stored sizes differ") }
            out = Array(bytes[start..<(start + e.size)])
        } else {
            out = try bytes.withUnsafeBufferPointer { buf throws(XLSXReadError) in
                try RawDeflate.inflate(UnsafeBufferPointer(rebasing: buf[start..<(start + e.compressedSize)]), expectedSize: e.size, part: name)
            }
        }
        let crc = out.withUnsafeBufferPointer { b in UInt32(crc32(0, b.baseAddress, uInt(b.count))) }
        guard crc == e.crc else { throw .crcMismatch(part: name) }
        return out
    }
}

/// Raw deflate streams (RFC 1951, no zlib or gzip wrapper) as ZIP entries hold them, through zlib.
public enum RawDeflate {
    /// Compresses `data` (zlib level 0–9; 6 is zlib's default balance of speed and size).
    /// - Complexity: O(n).
    public static func deflate(_ data: [UInt8], level: Int32 = 6) -> [UInt8] {
        var stream = z_stream()
        let rc = deflateInit2_(&stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        precondition(rc == Z_OK, "zlib deflateInit2 failed: \(rc)")
        defer { deflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(data.count))) + 16)
        let produced: Int = data.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                stream.next_in = UnsafeMutablePointer(mutating: src.baseAddress)
                stream.avail_in = uInt(src.count)
                stream.next_out = dst.baseAddress
                stream.avail_out = uInt(dst.count)
                let r = CZlib.deflate(&stream, Z_FINISH)
                precondition(r == Z_STREAM_END, "zlib deflate did not finish: \(r)")
                return dst.count - Int(stream.avail_out)
            }
        }
        out.removeSubrange(produced...)
        return out
    }

    /// Inflates a raw deflate stream that must expand to exactly `expectedSize` bytes.
    static func inflate(_ src: UnsafeBufferPointer<UInt8>, expectedSize: Int, part: String) throws(XLSXReadError) -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, -15, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .corruptEntry(part: part, "cannot start zlib")
        }
        defer { inflateEnd(&stream) }
        // One spare byte: output beyond the declared size shows up as a size mismatch, never as growth.
        var out = [UInt8](repeating: 0, count: expectedSize + 1)
        let (rc, produced, leftIn): (Int32, Int, Int) = out.withUnsafeMutableBufferPointer { dst in
            stream.next_in = UnsafeMutablePointer(mutating: src.baseAddress)
            stream.avail_in = uInt(src.count)
            stream.next_out = dst.baseAddress
            stream.avail_out = uInt(dst.count)
            var r: Int32
            repeat {
                r = CZlib.inflate(&stream, Z_FINISH)
            } while r == Z_OK && stream.avail_out > 0 && stream.avail_in > 0
            return (r, dst.count - Int(stream.avail_out), Int(stream.avail_in))
        }
        switch rc {
        case Z_STREAM_END:
            guard produced == expectedSize else { throw .corruptEntry(part: part, "inflated size \(produced) differs from the declared \(expectedSize)") }
            _ = leftIn
        case Z_BUF_ERROR, Z_OK:
            if produced > expectedSize { throw .corruptEntry(part: part, "inflates beyond its declared size \(expectedSize)") }
            throw .corruptEntry(part: part, "compressed data ends early (truncated file?)")
        default:
            throw .corruptEntry(part: part, "invalid deflate data")
        }
        out.removeLast()
        return out
    }
}

extension RawDeflate {
    /// Inflates a raw deflate stream (a ZIP entry of method 8) that must expand to exactly
    /// `expectedSize` bytes.
    /// - Throws: ``XLSXReadError/corruptEntry(part:_:)`` for invalid, short or overlong data.
    public static func inflate(_ data: [UInt8], expectedSize: Int) throws(XLSXReadError) -> [UInt8] {
        try data.withUnsafeBufferPointer { b throws(XLSXReadError) in try inflate(b, expectedSize: expectedSize, part: "deflate") }
    }
}
