import Foundation

/// A small pull scanner for the XML of spreadsheet parts: start and end tags with their
/// attributes, and text with the predefined and numeric character references decoded. Names are
/// given without their namespace prefix (`x:c` reads as `c`). Comments, processing instructions
/// and the XML declaration are skipped, CDATA is text. A document type declaration is refused
/// (spreadsheets have none, and entity definitions are how "billion laughs" files blow up), as
/// is any unknown entity.
///
/// - Complexity: O(n) over the part's bytes.
struct XMLScanner {
    enum Token: Equatable {
        case start(String, empty: Bool)
        case end(String)
        case text(String)
        case eof
    }

    let bytes: [UInt8]
    let part: String
    private(set) var pos = 0
    /// The attributes of the last start tag (local names).
    private(set) var attributes: [(name: String, value: String)] = []

    init(_ bytes: [UInt8], part: String) {
        self.bytes = bytes
        self.part = part
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { pos = 3 }
    }

    func attribute(_ name: String) -> String? {
        for a in attributes where a.name == name { return a.value }
        return nil
    }

    private func fail(_ message: String) -> XLSXReadError { .malformedXML(part: part, message: message, offset: pos) }

    private static func localName(_ raw: ArraySlice<UInt8>) -> String {
        if let colon = raw.lastIndex(of: 0x3A) { return String(decoding: raw[(colon + 1)...], as: UTF8.self) }
        return String(decoding: raw, as: UTF8.self)
    }

    @inline(__always) private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

    mutating func next() throws(XLSXReadError) -> Token {
        let n = bytes.count
        while pos < n {
            if bytes[pos] != 0x3C {
                let s = pos
                while pos < n && bytes[pos] != 0x3C { pos += 1 }
                return .text(try decode(s, pos))
            }
            // '<'
            guard pos + 1 < n else { throw fail("document ends inside a tag") }
            let b = bytes[pos + 1]
            if b == 0x3F {  // <? … ?>
                guard let e = find([0x3F, 0x3E], from: pos + 2) else { throw fail("unterminated processing instruction") }
                pos = e + 2
                continue
            }
            if b == 0x21 {  // <!-- -->, <![CDATA[ ]]>, <!DOCTYPE
                if bytes[pos...].starts(with: Array("<!--".utf8)) {
                    guard let e = find(Array("-->".utf8), from: pos + 4) else { throw fail("unterminated comment") }
                    pos = e + 3
                    continue
                }
                if bytes[pos...].starts(with: Array("<![CDATA[".utf8)) {
                    let s = pos + 9
                    guard let e = find(Array("]]>".utf8), from: s) else { throw fail("unterminated CDATA section") }
                    pos = e + 3
                    return .text(String(decoding: bytes[s..<e], as: UTF8.self))
                }
                throw fail("document type declarations are not allowed")
            }
            if b == 0x2F {  // </name>
                let s = pos + 2
                var i = s
                while i < n && bytes[i] != 0x3E && !Self.isSpace(bytes[i]) { i += 1 }
                let name = Self.localName(bytes[s..<i])
                while i < n && bytes[i] != 0x3E { i += 1 }
                guard i < n, !name.isEmpty else { throw fail("unterminated end tag") }
                pos = i + 1
                return .end(name)
            }
            // start tag
            var i = pos + 1
            let s = i
            while i < n && bytes[i] != 0x3E && bytes[i] != 0x2F && !Self.isSpace(bytes[i]) { i += 1 }
            guard i > s else { throw fail("empty tag name") }
            let name = Self.localName(bytes[s..<i])
            attributes.removeAll(keepingCapacity: true)
            while true {
                while i < n && Self.isSpace(bytes[i]) { i += 1 }
                guard i < n else { pos = i; throw fail("document ends inside a tag") }
                if bytes[i] == 0x3E { pos = i + 1; return .start(name, empty: false) }
                if bytes[i] == 0x2F {
                    guard i + 1 < n, bytes[i + 1] == 0x3E else { pos = i; throw fail("'/' inside a tag") }
                    pos = i + 2
                    return .start(name, empty: true)
                }
                let as_ = i
                while i < n && bytes[i] != 0x3D && !Self.isSpace(bytes[i]) && bytes[i] != 0x3E && bytes[i] != 0x2F { i += 1 }
                let an = Self.localName(bytes[as_..<i])
                while i < n && Self.isSpace(bytes[i]) { i += 1 }
                guard i < n, bytes[i] == 0x3D, !an.isEmpty else { pos = i; throw fail("attribute without value") }
                i += 1
                while i < n && Self.isSpace(bytes[i]) { i += 1 }
                guard i < n, bytes[i] == 0x22 || bytes[i] == 0x27 else { pos = i; throw fail("attribute value without quotes") }
                let q = bytes[i]
                let vs = i + 1
                i = vs
                while i < n && bytes[i] != q { i += 1 }
                guard i < n else { pos = vs; throw fail("unterminated attribute value") }
                let save = pos
                pos = vs
                let v = try decode(vs, i)
                pos = save
                attributes.append((an, v))
                i += 1
            }
        }
        return .eof
    }

    private func find(_ needle: [UInt8], from: Int) -> Int? {
        let n = bytes.count, m = needle.count
        var i = from
        while i + m <= n {
            if bytes[i] == needle[0] && bytes[i..<(i + m)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    /// Text of `s..<e` with `&…;` references decoded.
    private func decode(_ s: Int, _ e: Int) throws(XLSXReadError) -> String {
        guard bytes[s..<e].contains(0x26) else { return String(decoding: bytes[s..<e], as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(e - s)
        var i = s
        while i < e {
            let b = bytes[i]
            if b != 0x26 { out.append(b); i += 1; continue }
            var j = i + 1
            while j < e && j - i <= 12 && bytes[j] != 0x3B { j += 1 }
            guard j < e, bytes[j] == 0x3B else { throw .malformedXML(part: part, message: "unterminated entity", offset: i) }
            let ref = String(decoding: bytes[(i + 1)..<j], as: UTF8.self)
            let scalar: Unicode.Scalar?
            switch ref {
            case "lt": scalar = "<"
            case "gt": scalar = ">"
            case "amp": scalar = "&"
            case "quot": scalar = "\""
            case "apos": scalar = "'"
            default:
                if ref.hasPrefix("#x") || ref.hasPrefix("#X") {
                    scalar = UInt32(ref.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init)
                } else if ref.hasPrefix("#") {
                    scalar = UInt32(ref.dropFirst(), radix: 10).flatMap(Unicode.Scalar.init)
                } else {
                    scalar = nil
                }
            }
            guard let scalar else { throw .malformedXML(part: part, message: "unknown entity &\(ref);", offset: i) }
            out.append(contentsOf: String(Character(scalar)).utf8)
            i = j + 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}
