import CZlib
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A stream of raw bytes: a file, in-memory data, or a gunzipped view of either.
protocol ByteSource: AnyObject {
    /// Fills `dst` from the start; returns the number of bytes written, 0 at the end.
    func read(into dst: UnsafeMutableRawBufferPointer) throws -> Int
}

/// Reads a file in large blocks with stdio.
final class FileByteSource: ByteSource {
    private let fp: UnsafeMutablePointer<FILE>
    let path: String

    init(path: String) throws {
        guard let fp = fopen(path, "rb") else {
            throw EventLogError.io(path: path, message: String(cString: strerror(errno)))
        }
        self.fp = fp
        self.path = path
    }

    deinit { fclose(fp) }

    func read(into dst: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = dst.baseAddress, dst.count > 0 else { return 0 }
        let n = fread(base, 1, dst.count, fp)
        if n == 0 && ferror(fp) != 0 {
            throw EventLogError.io(path: path, message: "read error")
        }
        return n
    }
}

/// Serves bytes from memory.
final class DataByteSource: ByteSource {
    private let data: Data
    private var offset = 0

    init(_ data: Data) { self.data = data }

    func read(into dst: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(dst.count, data.count - offset)
        guard n > 0, let base = dst.baseAddress else { return 0 }
        data.withUnsafeBytes { src in
            base.copyMemory(from: src.baseAddress! + offset, byteCount: n)
        }
        offset += n
        return n
    }
}

/// Gunzips another source on the fly with zlib. Concatenated gzip members are read one after the
/// other; bytes after the last member that do not start a new member are ignored (as `gzip -d`
/// does). A stream that ends before its end marker is reported as
/// ``EventLogError/truncatedGzip(at:)``, invalid data as ``EventLogError/corruptGzip(message:at:)``.
/// Output beyond `maxOutput` bytes (a "zip bomb") stops with
/// ``EventLogError/decompressedTooLarge(limit:at:)`` before it is handed on.
final class GzipByteSource: ByteSource {
    private let inner: any ByteSource
    private var stream = z_stream()
    private let buffer: UnsafeMutableRawBufferPointer
    private var innerAtEnd = false
    private var finished = false
    private let file: String?
    private let maxOutput: Int
    private var totalOutput = 0

    init(_ inner: any ByteSource, file: String?, maxOutput: Int = EventLog.defaultMaxDecompressedBytes) throws {
        self.inner = inner
        self.file = file
        self.maxOutput = max(0, maxOutput)
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        guard pantau_inflate_init_gzip(&stream) == Z_OK else {
            buffer.deallocate()
            throw EventLogError.corruptGzip(message: "cannot start zlib", at: InputLocation(file: file, line: 0, column: 0))
        }
    }

    deinit {
        inflateEnd(&stream)
        buffer.deallocate()
    }

    private var location: InputLocation { InputLocation(file: file, line: 0, column: 0) }

    /// Moves unread input to the front of the buffer and reads more after it; false at the end
    /// of the inner source.
    private func refill() throws -> Bool {
        if innerAtEnd { return false }
        let base = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let pending = Int(stream.avail_in)
        if pending > 0, let next = stream.next_in, next != base {
            memmove(base, next, pending)
        }
        let n = try inner.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[pending...]))
        if n == 0 { innerAtEnd = true }
        stream.next_in = base
        stream.avail_in = uInt(pending + n)
        return n > 0
    }

    func read(into dst: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let out = dst.baseAddress, dst.count > 0 else { return 0 }
        while !finished {
            if stream.avail_in == 0 { _ = try refill() }
            stream.next_out = out.assumingMemoryBound(to: UInt8.self)
            stream.avail_out = uInt(dst.count)
            let rc = inflate(&stream, Z_NO_FLUSH)
            let produced = dst.count - Int(stream.avail_out)
            switch rc {
            case Z_STREAM_END:
                if try nextMemberFollows() {
                    inflateReset(&stream)
                } else {
                    finished = true
                }
            case Z_OK:
                break
            case Z_BUF_ERROR:
                // No progress possible: zlib needs input that is not there.
                if produced == 0, stream.avail_in == 0, !(try refill()) { throw EventLogError.truncatedGzip(at: location) }
            case Z_DATA_ERROR, Z_NEED_DICT:
                throw EventLogError.corruptGzip(message: "invalid deflate data", at: location)
            case Z_MEM_ERROR:
                throw EventLogError.corruptGzip(message: "zlib is out of memory", at: location)
            default:
                throw EventLogError.corruptGzip(message: "zlib error \(rc)", at: location)
            }
            if produced > 0 {
                totalOutput += produced
                if totalOutput > maxOutput { throw EventLogError.decompressedTooLarge(limit: maxOutput, at: location) }
                return produced
            }
            if rc == Z_OK, stream.avail_in == 0, innerAtEnd { throw EventLogError.truncatedGzip(at: location) }
        }
        return 0
    }

    /// After a member's end: whether another gzip member follows.
    private func nextMemberFollows() throws -> Bool {
        if stream.avail_in < 2 { _ = try refill() }
        guard stream.avail_in >= 2, let p = stream.next_in else { return false }
        return p[0] == 0x1F && p[1] == 0x8B
    }
}

extension EventLog {
    /// How many bytes a gzip-compressed log may expand to by default (4 GiB): enough for any real
    /// log, small enough that a few kilobytes of "zip bomb" cannot fill the disk or memory.
    /// Readers take a different limit in their `maxDecompressedBytes` option.
    public static let defaultMaxDecompressedBytes = 4 << 30
}

enum ByteSources {
    /// A source for a file, gunzipping when its first bytes are the gzip magic number (at most
    /// `maxDecompressedBytes` of output).
    static func open(path: String, maxDecompressedBytes: Int = EventLog.defaultMaxDecompressedBytes) throws -> any ByteSource {
        let f = try FileByteSource(path: path)
        var magic = [UInt8](repeating: 0, count: 2)
        let n = try magic.withUnsafeMutableBytes { try f.read(into: $0) }
        let head = Data(magic[0..<n])
        let rest = PrefixedByteSource(prefix: head, rest: f)
        if n == 2 && magic[0] == 0x1F && magic[1] == 0x8B {
            return try GzipByteSource(rest, file: path, maxOutput: maxDecompressedBytes)
        }
        return rest
    }

    /// A source for in-memory bytes, gunzipping when they start with the gzip magic number.
    static func open(data: Data, maxDecompressedBytes: Int = EventLog.defaultMaxDecompressedBytes) throws -> any ByteSource {
        let d = DataByteSource(data)
        if data.count >= 2 && data[data.startIndex] == 0x1F && data[data.startIndex + 1] == 0x8B {
            return try GzipByteSource(d, file: nil, maxOutput: maxDecompressedBytes)
        }
        return d
    }

    /// Streams `source` through `process` in chunks of about `chunkSize` bytes.
    ///
    /// `process(bytes, atEnd)` returns how many bytes it consumed; the rest is handed again,
    /// followed by more input. At the end `process` is called with `atEnd == true` and must
    /// consume everything (or throw). A chunk that `process` cannot consume at all grows the buffer.
    static func stream(_ source: any ByteSource, chunkSize: Int = 1 << 22,
                       _ process: (UnsafeRawBufferPointer, Bool) throws -> Int) throws {
        var cap = chunkSize
        var buf = UnsafeMutableRawBufferPointer.allocate(byteCount: cap, alignment: 16)
        defer { buf.deallocate() }
        var have = 0
        var atEnd = false
        while true {
            if !atEnd {
                // fill the buffer
                while have < cap {
                    let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buf[have..<cap]))
                    if n == 0 { atEnd = true; break }
                    have += n
                }
            }
            let consumed = try process(UnsafeRawBufferPointer(rebasing: buf[0..<have]), atEnd)
            if atEnd { return }
            if consumed < have {
                if consumed > 0 {
                    (buf.baseAddress! + 0).copyMemory(from: buf.baseAddress! + consumed, byteCount: have - consumed)
                } else if have == cap {
                    // one token larger than the buffer: grow
                    let nb = UnsafeMutableRawBufferPointer.allocate(byteCount: cap * 2, alignment: 16)
                    nb.baseAddress!.copyMemory(from: buf.baseAddress!, byteCount: have)
                    buf.deallocate()
                    buf = nb
                    cap *= 2
                }
            }
            have -= consumed
        }
    }
}

extension ByteSources {
    /// 1-based line and column of byte `offset` of a source (counting `\n`).
    static func lineAndColumn(ofOffset offset: Int, in source: any ByteSource) throws -> InputLocation {
        var line = 1
        var lastNL = -1  // absolute index of the last newline before offset
        var pos = 0
        try stream(source) { p, _ in
            let end = min(p.count, offset - pos)
            if end > 0 {
                for i in 0..<end where p[i] == 0x0A {
                    line += 1
                    lastNL = pos + i
                }
            }
            pos += p.count
            return p.count
        }
        return InputLocation(line: line, column: offset - lastNL)
    }
}

/// A few bytes already read, then the rest of a source.
final class PrefixedByteSource: ByteSource {
    private var prefix: Data
    private let rest: any ByteSource

    init(prefix: Data, rest: any ByteSource) {
        self.prefix = prefix
        self.rest = rest
    }

    func read(into dst: UnsafeMutableRawBufferPointer) throws -> Int {
        if !prefix.isEmpty, let base = dst.baseAddress {
            let n = min(prefix.count, dst.count)
            prefix.withUnsafeBytes { base.copyMemory(from: $0.baseAddress!, byteCount: n) }
            prefix.removeFirst(n)
            return n
        }
        return try rest.read(into: dst)
    }
}
