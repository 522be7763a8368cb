import CompressNIO
import Foundation
import NIOCore

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

/// Gunzips another source on the fly with CompressNIO (zlib). Concatenated gzip members are
/// read one after the other; bytes after the last member that do not start a new member are
/// ignored (as `gzip -d` does). A stream that ends before its end marker is reported as
/// ``EventLogError/truncatedGzip(at:)``.
final class GzipByteSource: ByteSource {
    private let inner: any ByteSource
    private let inflater: ZlibDecompressor
    private var input: ByteBuffer
    private var window: ByteBuffer
    private var innerAtEnd = false
    private var finished = false
    private let file: String?

    init(_ inner: any ByteSource, file: String?) throws {
        self.inner = inner
        self.file = file
        do {
            inflater = try ZlibDecompressor(algorithm: .gzip)
        } catch {
            throw EventLogError.corruptGzip(message: "cannot start zlib: \(error)", at: InputLocation(file: file, line: 0, column: 0))
        }
        input = ByteBufferAllocator().buffer(capacity: 1 << 20)
        window = ByteBufferAllocator().buffer(capacity: 1 << 22)
    }

    private var location: InputLocation { InputLocation(file: file, line: 0, column: 0) }

    /// Reads more compressed input; false at the end of the inner source.
    private func refill() throws -> Bool {
        if innerAtEnd { return false }
        input.discardReadBytes()
        if input.writableBytes < (1 << 19) { input.reserveCapacity(minimumWritableBytes: 1 << 20) }
        let n = try input.writeWithUnsafeMutableBytes(minimumWritableBytes: 0) { p in
            try inner.read(into: p)
        }
        if n == 0 { innerAtEnd = true }
        return n > 0
    }

    func read(into dst: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = dst.baseAddress else { return 0 }
        while true {
            if window.readableBytes > 0 {
                let n = min(dst.count, window.readableBytes)
                window.withUnsafeReadableBytes { src in base.copyMemory(from: src.baseAddress!, byteCount: n) }
                window.moveReaderIndex(forwardBy: n)
                return n
            }
            if finished { return 0 }
            window.clear()
            // With no input left, inflate is still called once more: it reports the end of the
            // stream again (no progress) or asks for input (truncated).
            if input.readableBytes == 0 { _ = try refill() }
            let before = input.readableBytes
            do {
                try inflater.inflate(from: &input, to: &window)
                // Z_STREAM_END, or Z_OK with room left in the window (all input used so far)
                let progressed = input.readableBytes != before || window.readableBytes > 0
                if !progressed {
                    // stream end reached (inflate reports it again without consuming anything)
                    if try startNextMember() { continue }
                    finished = true
                } else if input.readableBytes == 0 {
                    _ = try refill()
                }
            } catch let e as CompressNIOError where e == .bufferOverflow {
                // window full: hand it out
            } catch let e as CompressNIOError where e == .inputBufferOverflow {
                // needs more input
                if !(try refill()) { throw EventLogError.truncatedGzip(at: location) }
            } catch let e as CompressNIOError where e == .corruptData {
                throw EventLogError.corruptGzip(message: "invalid deflate data", at: location)
            } catch let e as CompressNIOError {
                throw EventLogError.corruptGzip(message: e.description, at: location)
            }
        }
    }

    /// After a member's end: continue with a following gzip member, if any.
    private func startNextMember() throws -> Bool {
        if input.readableBytes < 2 { _ = try refill() }
        guard input.readableBytes >= 2,
              let b0 = input.getInteger(at: input.readerIndex, as: UInt8.self),
              let b1 = input.getInteger(at: input.readerIndex + 1, as: UInt8.self),
              b0 == 0x1F, b1 == 0x8B else { return false }
        do { try inflater.reset() } catch {
            throw EventLogError.corruptGzip(message: "cannot restart zlib", at: location)
        }
        return true
    }
}

enum ByteSources {
    /// A source for a file, gunzipping when its first bytes are the gzip magic number.
    static func open(path: String) throws -> any ByteSource {
        let f = try FileByteSource(path: path)
        var magic = [UInt8](repeating: 0, count: 2)
        let n = try magic.withUnsafeMutableBytes { try f.read(into: $0) }
        let head = Data(magic[0..<n])
        let rest = PrefixedByteSource(prefix: head, rest: f)
        if n == 2 && magic[0] == 0x1F && magic[1] == 0x8B {
            return try GzipByteSource(rest, file: path)
        }
        return rest
    }

    /// A source for in-memory bytes, gunzipping when they start with the gzip magic number.
    static func open(data: Data) throws -> any ByteSource {
        let d = DataByteSource(data)
        if data.count >= 2 && data[data.startIndex] == 0x1F && data[data.startIndex + 1] == 0x8B {
            return try GzipByteSource(d, file: nil)
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
