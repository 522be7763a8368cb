import Foundation

/// An interning table: each distinct UTF-8 byte string gets a dense `Int32` id (0, 1, 2, ...).
///
/// Lookups go straight from raw bytes (no `String` is created for values already seen), which is
/// what lets the XES and CSV readers intern millions of activity, resource and case names cheaply.
/// Open addressing with linear probing; the table keeps its load factor below 1/2.
struct StringTable: Sendable {
    private(set) var strings: [String] = []
    private var arena: [UInt8] = []
    private var starts: [Int] = [0]
    private var hashes: [UInt64] = []
    private var slots: [Int32]
    private var mask: Int

    init(capacity: Int = 16) {
        var c = 16
        while c < capacity * 2 { c <<= 1 }
        slots = Array(repeating: -1, count: c)
        mask = c - 1
    }

    var count: Int { strings.count }

    static func hash(_ p: UnsafeRawBufferPointer) -> UInt64 {
        let n = p.count
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: n)
        guard let base = p.baseAddress else { return h }
        var i = 0
        while i + 8 <= n {
            let w = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ w) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 29
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < n {
            tail |= UInt64(base.load(fromByteOffset: i, as: UInt8.self)) << shift
            shift += 8
            i += 1
        }
        h = (h ^ tail) &* 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 32
        return h
    }

    @inline(__always)
    private func equals(_ id: Int, _ p: UnsafeRawBufferPointer) -> Bool {
        let s = starts[id], e = starts[id + 1]
        let n = p.count
        guard e - s == n else { return false }
        if n == 0 { return true }
        return arena.withUnsafeBytes { a in
            let x = a.baseAddress! + s, y = p.baseAddress!
            if n >= 8 && n <= 16 {
                // two overlapping 8-byte words cover the string
                return x.loadUnaligned(as: UInt64.self) == y.loadUnaligned(as: UInt64.self)
                    && x.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) == y.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
            }
            return memcmp(x, y, n) == 0
        }
    }

    /// The id of the bytes, if present.
    func lookup(_ p: UnsafeRawBufferPointer) -> Int32? {
        let h = StringTable.hash(p)
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let id = slots[i]
            if id < 0 { return nil }
            if hashes[Int(id)] == h && equals(Int(id), p) { return id }
            i = (i + 1) & mask
        }
    }

    func lookup(_ s: String) -> Int32? {
        var s = s
        return s.withUTF8 { lookup(UnsafeRawBufferPointer($0)) }
    }

    /// The id of the bytes, adding them when new. Bytes that are not valid UTF-8 are interned as
    /// their repaired text (invalid sequences as U+FFFD), so two byte strings that read as the
    /// same `String` get one id (found by fuzzing: two CSV case ids of different invalid bytes
    /// became two cases with the same name).
    mutating func intern(_ p: UnsafeRawBufferPointer) -> Int32 {
        let h = StringTable.hash(p)
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let id = slots[i]
            if id < 0 { break }
            if hashes[Int(id)] == h && equals(Int(id), p) { return id }
            i = (i + 1) & mask
        }
        let text = String(decoding: p, as: UTF8.self)
        if text.utf8.count != p.count || !text.utf8.elementsEqual(p) {
            return intern(text)  // repaired text is valid UTF-8: this does not recurse again
        }
        let id = Int32(truncatingIfNeeded: strings.count)
        arena.append(contentsOf: p)
        starts.append(arena.count)
        hashes.append(h)
        strings.append(text)
        slots[i] = id
        if strings.count * 2 > slots.count { grow() }
        return id
    }

    mutating func intern(_ s: String) -> Int32 {
        var s = s
        return s.withUTF8 { intern(UnsafeRawBufferPointer($0)) }
    }

    private mutating func grow() {
        let c = slots.count * 2
        var ns = [Int32](repeating: -1, count: c)
        let m = c - 1
        for (id, h) in hashes.enumerated() {
            var i = Int(truncatingIfNeeded: h) & m
            while ns[i] >= 0 { i = (i + 1) & m }
            ns[i] = Int32(id)
        }
        slots = ns
        mask = m
    }
}
