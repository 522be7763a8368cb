import Foundation

/// What is wrong in an XML document, and where: `offset` counts bytes from the start of the
/// document (``XMLPullScanner/location(of:in:)`` turns it into a line and column).
struct XMLSyntaxError: Error, Equatable, Sendable {
    var message: String
    var offset: Int
}

/// A small pull scanner over an XML document in memory, written in Swift (no libxml2): start and
/// end tags with their attributes, and text with the predefined and numeric character references
/// decoded. Names are given without their namespace prefix (`bpmn:task` reads as `task`).
/// Comments and processing instructions are skipped, CDATA is text, and a document type
/// declaration is refused (entity definitions are how "billion laughs" and XXE files work).
///
/// Two modes:
/// - ``init(_:)``, lenient, for the spreadsheet parts ``XMLScanner`` reads: tags need not match,
///   the bytes are not checked, a reference is any `&…;` of at most 11 characters.
/// - ``init(wellFormed:maxDepth:)`` for the model files (PNML, BPMN): the document must be
///   well-formed XML 1.0 as a conforming reader checks it: UTF-8 (a BOM is allowed) of characters
///   XML allows; an XML declaration only at the start; names by XML's `Name` rule; attributes
///   separated by white space, quoted, not repeated, without a `<`; only the five predefined
///   entities and character references to allowed characters; end tags that match their start
///   tags; one root element, and outside it only white space, comments and processing
///   instructions; no `--` in a comment, no `]]>` in text. Line ends are normalised to `\n`, and
///   white space in attribute values to spaces, as an XML processor does. Elements may nest at
///   most `maxDepth` deep (the scanner keeps its open elements in an array, so deep input costs
///   no stack). Namespace prefixes are not checked against their declarations.
///
/// - Complexity: O(n) over the document's bytes.
struct XMLPullScanner {
    enum Token: Equatable {
        case start(String, empty: Bool)
        case end(String)
        case text(String)
        case eof
    }

    /// An attribute of the last start tag (`prefixed` and `declaresNamespace` are only set in the
    /// well-formed mode).
    struct Attribute {
        /// The local name (without prefix).
        let name: String
        let value: String
        /// Whether the name had a namespace prefix (`xsi:type`).
        let prefixed: Bool
        /// `xmlns` or `xmlns:p`: a namespace declaration rather than an attribute of the element.
        let declaresNamespace: Bool
    }

    let bytes: [UInt8]
    private(set) var pos = 0
    /// Where the last token began (the `<` of a tag).
    private(set) var tokenStart = 0
    /// The attributes of the last start tag, in document order.
    private(set) var attributes: [Attribute] = []

    private let wellFormed: Bool
    private let maxDepth: Int
    /// Well-formed mode: the offset after the BOM, where only an XML declaration may stand.
    private var documentStart = 0
    /// Well-formed mode: the qualified names of the open elements (byte ranges).
    private var open: [Range<Int>] = []
    private var sawRoot = false
    /// Well-formed mode: qualified attribute names of the current start tag, for the repeat check.
    private var attributeNames: [Range<Int>] = []
    private var attributeNameSet = Set<ArraySlice<UInt8>>()

    /// A lenient scanner (spreadsheet parts).
    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.wellFormed = false
        self.maxDepth = .max
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { pos = 3 }
    }

    /// A scanner that checks the document is well-formed XML (model files). The encoding and the
    /// characters are checked here, the rest as the tokens are read.
    /// - Throws: ``XMLSyntaxError`` for bytes that are not UTF-8 or a character XML forbids.
    init(wellFormed bytes: [UInt8], maxDepth: Int) throws(XMLSyntaxError) {
        self.bytes = bytes
        self.wellFormed = true
        self.maxDepth = maxDepth
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { pos = 3 }
        documentStart = pos
        try Self.checkCharacters(bytes, from: pos)
    }

    /// The first attribute with this local name.
    func attribute(_ name: String) -> String? {
        for a in attributes where a.name == name { return a.value }
        return nil
    }

    /// The 1-based line and column (in characters) of a byte offset. A line ends at `\n`, `\r\n`
    /// or a lone `\r`; a BOM is not counted.
    static func location(of offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        let end = min(offset, bytes.count)
        var line = 1, start = 0, k = 0
        while k < end {
            let b = bytes[k]
            if b == 0x0A || (b == 0x0D && (k + 1 >= bytes.count || bytes[k + 1] != 0x0A)) { line += 1; start = k + 1 }
            k += 1
        }
        if start == 0 && bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = min(3, end) }
        var column = 1
        for k in start..<end where bytes[k] & 0xC0 != 0x80 { column += 1 }
        return (line, column)
    }

    private func fail(_ message: String) -> XMLSyntaxError { XMLSyntaxError(message: message, offset: pos) }
    private static func fail(_ message: String, at offset: Int) -> XMLSyntaxError { XMLSyntaxError(message: message, offset: offset) }

    private static func localName(_ raw: ArraySlice<UInt8>) -> String {
        if let colon = raw.lastIndex(of: 0x3A) { return String(decoding: raw[(colon + 1)...], as: UTF8.self) }
        return String(decoding: raw, as: UTF8.self)
    }

    @inline(__always) private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

    mutating func next() throws(XMLSyntaxError) -> Token {
        if wellFormed { return try nextWellFormed() }
        let n = bytes.count
        while pos < n {
            tokenStart = pos
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
                if bytes[pos...].starts(with: Self.commentOpen) {
                    guard let e = find(Self.commentClose, from: pos + 4) else { throw fail("unterminated comment") }
                    pos = e + 3
                    continue
                }
                if bytes[pos...].starts(with: Self.cdataOpen) {
                    let s = pos + 9
                    guard let e = find(Self.cdataClose, from: s) else { throw fail("unterminated CDATA section") }
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
                attributes.append(Attribute(name: an, value: v, prefixed: false, declaresNamespace: false))
                i += 1
            }
        }
        return .eof
    }

    private static let commentOpen = Array("<!--".utf8), commentClose = Array("-->".utf8)
    private static let cdataOpen = Array("<![CDATA[".utf8), cdataClose = Array("]]>".utf8)
    private static let doctype = Array("<!DOCTYPE".utf8)

    private func find(_ needle: [UInt8], from: Int) -> Int? {
        let n = bytes.count, m = needle.count
        var i = from
        while i + m <= n {
            if bytes[i] == needle[0] && bytes[i..<(i + m)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    /// Lenient mode: text of `s..<e` with `&…;` references decoded.
    private func decode(_ s: Int, _ e: Int) throws(XMLSyntaxError) -> String {
        guard bytes[s..<e].contains(0x26) else { return String(decoding: bytes[s..<e], as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(e - s)
        var i = s
        while i < e {
            let b = bytes[i]
            if b != 0x26 { out.append(b); i += 1; continue }
            var j = i + 1
            while j < e && j - i <= 12 && bytes[j] != 0x3B { j += 1 }
            guard j < e, bytes[j] == 0x3B else { throw Self.fail("unterminated entity", at: i) }
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
            guard let scalar else { throw Self.fail("unknown entity &\(ref);", at: i) }
            out.append(contentsOf: String(Character(scalar)).utf8)
            i = j + 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}

// MARK: - Well-formed mode

extension XMLPullScanner {
    private mutating func nextWellFormed() throws(XMLSyntaxError) -> Token {
        let n = bytes.count
        while pos < n {
            tokenStart = pos
            if bytes[pos] != 0x3C {
                let s = pos
                while pos < n && bytes[pos] != 0x3C { pos += 1 }
                guard !open.isEmpty else {
                    if let k = bytes[s..<pos].firstIndex(where: { !Self.isSpace($0) }) {
                        throw Self.fail(sawRoot ? "text after the root element" : "text before the root element", at: k)
                    }
                    continue
                }
                return .text(try text(s, pos, attribute: false))
            }
            guard pos + 1 < n else { throw fail("the document ends inside a tag") }
            switch bytes[pos + 1] {
            case 0x3F: try processingInstruction()
            case 0x21:
                if bytes[pos...].starts(with: Self.commentOpen) {
                    guard let e = find([0x2D, 0x2D], from: pos + 4) else { throw fail("unterminated comment") }
                    guard e + 2 < n, bytes[e + 2] == 0x3E else { throw Self.fail("'--' inside a comment", at: e) }
                    pos = e + 3
                } else if bytes[pos...].starts(with: Self.cdataOpen) {
                    guard !open.isEmpty else { throw fail("CDATA section outside the root element") }
                    let s = pos + 9
                    guard let e = find(Self.cdataClose, from: s) else { throw fail("unterminated CDATA section") }
                    pos = e + 3
                    return .text(Self.normalisingLineEnds(bytes[s..<e]))
                } else if bytes[pos...].starts(with: Self.doctype) {
                    throw fail("a DOCTYPE is not accepted (the file needs no DTD)")
                } else {
                    throw fail("'<!' starts no comment or CDATA section")
                }
            case 0x2F: return try endTag()
            default: return try startTag()
            }
        }
        if let top = open.last {
            throw Self.fail("the document ends inside <\(shown(top))>", at: n)
        }
        guard sawRoot else { throw Self.fail("the document has no root element", at: n) }
        return .eof
    }

    private mutating func startTag() throws(XMLSyntaxError) -> Token {
        let n = bytes.count
        let s = pos + 1
        guard let nameEnd = endOfName(at: s) else {
            throw Self.fail("'<' not followed by a tag name (write &lt; for '<')", at: s)
        }
        if open.isEmpty && sawRoot { throw fail("a second root element <\(shown(s..<nameEnd))>") }
        guard open.count < maxDepth else { throw fail("elements nested deeper than \(maxDepth)") }
        let name = Self.localName(bytes[s..<nameEnd])
        attributes.removeAll(keepingCapacity: true)
        attributeNames.removeAll(keepingCapacity: true)
        attributeNameSet.removeAll(keepingCapacity: true)
        var i = nameEnd
        while true {
            let before = i
            while i < n && Self.isSpace(bytes[i]) { i += 1 }
            guard i < n else { throw Self.fail("the document ends inside the tag <\(shown(s..<nameEnd))>", at: n) }
            if bytes[i] == 0x3E || bytes[i] == 0x2F {
                let empty = bytes[i] == 0x2F
                if empty { guard i + 1 < n, bytes[i + 1] == 0x3E else { throw Self.fail("'/' not followed by '>' in a tag", at: i) } }
                pos = i + (empty ? 2 : 1)
                if !empty { open.append(s..<nameEnd) }
                sawRoot = true
                return .start(name, empty: empty)
            }
            guard i > before else {
                throw Self.fail(endOfName(at: i) == nil ? "invalid character in the tag <\(shown(s..<nameEnd))>"
                                : "attributes must be separated by white space", at: i)
            }
            let an = i
            guard let anEnd = endOfName(at: an) else { throw Self.fail("invalid character in the tag <\(shown(s..<nameEnd))>", at: an) }
            let qualified = an..<anEnd
            i = anEnd
            while i < n && Self.isSpace(bytes[i]) { i += 1 }
            guard i < n, bytes[i] == 0x3D else { throw Self.fail("attribute \(shown(qualified)) has no value", at: i) }
            i += 1
            while i < n && Self.isSpace(bytes[i]) { i += 1 }
            guard i < n, bytes[i] == 0x22 || bytes[i] == 0x27 else { throw Self.fail("the value of attribute \(shown(qualified)) is not quoted", at: i) }
            let q = bytes[i]
            let vs = i + 1
            i = vs
            while i < n && bytes[i] != q { i += 1 }
            guard i < n else { throw Self.fail("unterminated value of attribute \(shown(qualified))", at: vs) }
            try checkRepeat(qualified)
            let value = try text(vs, i, attribute: true)
            let prefixed = bytes[qualified].contains(0x3A)
            let xmlns = bytes[qualified].starts(with: Self.xmlns) && (qualified.count == 5 || bytes[an + 5] == 0x3A)
            attributes.append(Attribute(name: Self.localName(bytes[qualified]), value: value, prefixed: prefixed, declaresNamespace: xmlns))
            i += 1
        }
    }

    private static let xmlns = Array("xmlns".utf8)

    private mutating func checkRepeat(_ name: Range<Int>) throws(XMLSyntaxError) {
        if attributeNames.count < 16 {
            for r in attributeNames where r.count == name.count && bytes[r] == bytes[name] {
                throw Self.fail("attribute \(shown(name)) is repeated", at: name.lowerBound)
            }
            attributeNames.append(name)
            return
        }
        if attributeNameSet.isEmpty { for r in attributeNames { attributeNameSet.insert(bytes[r]) } }
        guard attributeNameSet.insert(bytes[name]).inserted else {
            throw Self.fail("attribute \(shown(name)) is repeated", at: name.lowerBound)
        }
    }

    private mutating func endTag() throws(XMLSyntaxError) -> Token {
        let n = bytes.count
        let s = pos + 2
        guard let nameEnd = endOfName(at: s) else { throw Self.fail("'</' not followed by a tag name", at: s) }
        var i = nameEnd
        while i < n && Self.isSpace(bytes[i]) { i += 1 }
        guard i < n, bytes[i] == 0x3E else {
            throw Self.fail(i < n ? "invalid character in the end tag </\(shown(s..<nameEnd))>" : "the document ends inside the end tag </\(shown(s..<nameEnd))>", at: i)
        }
        guard let top = open.last else { throw fail("end tag </\(shown(s..<nameEnd))> without a start tag") }
        guard top.count == nameEnd - s, bytes[top] == bytes[s..<nameEnd] else {
            throw fail("end tag </\(shown(s..<nameEnd))> does not match <\(shown(top))>")
        }
        open.removeLast()
        pos = i + 1
        return .end(Self.localName(bytes[s..<nameEnd]))
    }

    /// `<?target …?>`: skipped; the XML declaration is checked (only at the start).
    private mutating func processingInstruction() throws(XMLSyntaxError) {
        let n = bytes.count
        let s = pos + 2
        guard let targetEnd = endOfName(at: s) else { throw Self.fail("processing instruction without a target", at: s) }
        guard let close = find([0x3F, 0x3E], from: targetEnd) else { throw fail("unterminated processing instruction") }
        if targetEnd < n, bytes[targetEnd] == 0x3F ? close != targetEnd : !Self.isSpace(bytes[targetEnd]) {
            throw Self.fail("invalid character in a processing instruction's target", at: targetEnd)
        }
        let target = bytes[s..<targetEnd]
        if target.count == 3, String(decoding: target, as: UTF8.self).lowercased() == "xml" {
            guard pos == documentStart, target.elementsEqual("xml".utf8) else {
                throw fail(pos == documentStart ? "the XML declaration must be written <?xml" : "the XML declaration must be at the very start of the file")
            }
            try xmlDeclaration(targetEnd, close)
        }
        pos = close + 2
    }

    /// `version="1.x"`, then optionally `encoding="…"` and `standalone="yes|no"`, in this order.
    private func xmlDeclaration(_ from: Int, _ close: Int) throws(XMLSyntaxError) {
        var i = from
        var seen: [String] = []
        while true {
            let before = i
            while i < close && Self.isSpace(bytes[i]) { i += 1 }
            if i == close { break }
            guard i > before else { throw Self.fail("invalid XML declaration", at: i) }
            let ns = i
            while i < close, bytes[i] != 0x3D, !Self.isSpace(bytes[i]) { i += 1 }
            let name = String(decoding: bytes[ns..<i], as: UTF8.self)
            while i < close && Self.isSpace(bytes[i]) { i += 1 }
            guard i < close, bytes[i] == 0x3D else { throw Self.fail("invalid XML declaration", at: i) }
            i += 1
            while i < close && Self.isSpace(bytes[i]) { i += 1 }
            guard i < close, bytes[i] == 0x22 || bytes[i] == 0x27 else { throw Self.fail("invalid XML declaration", at: i) }
            let q = bytes[i]
            let vs = i + 1
            i = vs
            while i < close && bytes[i] != q { i += 1 }
            guard i < close else { throw Self.fail("invalid XML declaration", at: vs) }
            let value = String(decoding: bytes[vs..<i], as: UTF8.self)
            i += 1
            let order = ["version", "encoding", "standalone"]
            guard let k = order.firstIndex(of: name), k > (seen.last.flatMap { order.firstIndex(of: $0) } ?? -1),
                  k == 0 || seen.first == "version" else {
                throw Self.fail("invalid XML declaration (\(name.isEmpty ? "=" : name) not expected here)", at: ns)
            }
            seen.append(name)
            switch name {
            case "version":
                guard value.hasPrefix("1."), value.count > 2, value.dropFirst(2).allSatisfy({ $0.isASCII && $0.isNumber }) else {
                    throw Self.fail("unsupported XML version \"\(value.prefix(20))\"", at: vs)
                }
            case "encoding":
                let e = value.lowercased()
                guard let f = e.unicodeScalars.first, ("a"..."z").contains(f),
                      e.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0) }) else {
                    throw Self.fail("invalid encoding name \"\(value.prefix(40))\"", at: vs)
                }
                // The bytes are read as UTF-8; another encoding that extends ASCII reads the same
                // when the file is ASCII.
                if !["utf-8", "utf8", "us-ascii", "ascii"].contains(e) {
                    guard Self.asciiCompatible(e) else {
                        throw Self.fail("unknown encoding \(value.prefix(40)) (save the file as UTF-8)", at: vs)
                    }
                    if bytes.contains(where: { $0 >= 0x80 }) {
                        throw Self.fail("the file says it is \(value.prefix(40)), not UTF-8 (save it as UTF-8)", at: vs)
                    }
                }
            default:
                guard value == "yes" || value == "no" else { throw Self.fail("standalone must be \"yes\" or \"no\"", at: vs) }
            }
        }
        guard seen.first == "version" else { throw Self.fail("the XML declaration lacks its version", at: from) }
    }

    /// Single-byte encodings (lower-case names) in which ASCII text reads as in UTF-8.
    private static func asciiCompatible(_ e: String) -> Bool {
        if ["latin1", "cp1252"].contains(e) { return true }
        for (prefix, numbers) in [("iso-8859-", 1...16), ("iso8859-", 1...16), ("windows-125", 0...8)] where e.hasPrefix(prefix) {
            return Int(e.dropFirst(prefix.count)).map { numbers.contains($0) } ?? false
        }
        return false
    }

    /// The end of the XML `Name` starting at `i`, or nil when none starts there.
    private func endOfName(at i: Int) -> Int? {
        let n = bytes.count
        var k = i
        while k < n {
            let b = bytes[k]
            if b < 0x80 {
                let ok: Bool
                switch b {
                case 0x41...0x5A, 0x61...0x7A, 0x5F, 0x3A: ok = true  // A-Z a-z _ :
                case 0x30...0x39, 0x2D, 0x2E: ok = k > i  // 0-9 - .
                default: ok = false
                }
                guard ok else { break }
                k += 1
            } else {
                let (c, len) = Self.scalar(at: k, in: bytes)
                guard k == i ? Self.isNameStart(c) : Self.isNameChar(c) else { break }
                k += len
            }
        }
        return k > i ? k : nil
    }

    private static func isNameStart(_ c: UInt32) -> Bool {
        switch c {
        case 0xC0...0xD6, 0xD8...0xF6, 0xF8...0x2FF, 0x370...0x37D, 0x37F...0x1FFF, 0x200C...0x200D,
             0x2070...0x218F, 0x2C00...0x2FEF, 0x3001...0xD7FF, 0xF900...0xFDCF, 0xFDF0...0xFFFD, 0x10000...0xEFFFF:
            return true
        default: return false
        }
    }

    private static func isNameChar(_ c: UInt32) -> Bool {
        isNameStart(c) || c == 0xB7 || (0x300...0x36F).contains(c) || (0x203F...0x2040).contains(c)
    }

    /// The scalar of the (already checked) UTF-8 sequence at `k`, and its length.
    private static func scalar(at k: Int, in bytes: [UInt8]) -> (UInt32, Int) {
        let b = UInt32(bytes[k])
        if b < 0xE0 { return ((b & 0x1F) << 6 | UInt32(bytes[k + 1] & 0x3F), 2) }
        if b < 0xF0 { return ((b & 0x0F) << 12 | UInt32(bytes[k + 1] & 0x3F) << 6 | UInt32(bytes[k + 2] & 0x3F), 3) }
        return ((b & 0x07) << 18 | UInt32(bytes[k + 1] & 0x3F) << 12 | UInt32(bytes[k + 2] & 0x3F) << 6 | UInt32(bytes[k + 3] & 0x3F), 4)
    }

    /// Text or an attribute value (`s..<e`, without its quotes): references decoded, line ends
    /// normalised to `\n`; in an attribute value white space becomes a space and `<` is refused.
    /// In text `]]>` is refused.
    private func text(_ s: Int, _ e: Int, attribute: Bool) throws(XMLSyntaxError) -> String {
        var plain = true
        var i = s
        while i < e {
            switch bytes[i] {
            case 0x26, 0x0D: plain = false
            case 0x09, 0x0A: if attribute { plain = false }
            case 0x3C: throw Self.fail("'<' in an attribute value (write &lt;)", at: i)  // only reachable in a value
            case 0x5D where !attribute && i + 2 < e && bytes[i + 1] == 0x5D && bytes[i + 2] == 0x3E:
                throw Self.fail("']]>' in text (write ]]&gt;)", at: i)
            default: break
            }
            i += 1
        }
        if plain { return String(decoding: bytes[s..<e], as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(e - s)
        i = s
        while i < e {
            let b = bytes[i]
            switch b {
            case 0x26:
                let (c, next) = try reference(at: i, end: e)
                Self.appendUTF8(c, to: &out)
                i = next
                continue
            case 0x0D:
                out.append(attribute ? 0x20 : 0x0A)
                if i + 1 < e && bytes[i + 1] == 0x0A { i += 1 }
            case 0x09, 0x0A:
                out.append(attribute ? 0x20 : b)
            default:
                out.append(b)
            }
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The reference `&…;` at `i` (before `end`): its character and the offset after the `;`.
    private func reference(at i: Int, end e: Int) throws(XMLSyntaxError) -> (UInt32, Int) {
        var j = i + 1
        if j < e && bytes[j] == 0x23 {  // &#…; or &#x…;
            j += 1
            let hex = j < e && bytes[j] == 0x78
            if hex { j += 1 }
            let digits = j
            var value: UInt32 = 0
            while j < e, let d = Self.digit(bytes[j], hex: hex) {
                value = min(value * (hex ? 16 : 10) + d, 0x11_0000)
                j += 1
            }
            let written = String(decoding: bytes[i..<min(j + 1, e, i + 24)], as: UTF8.self)
            guard j > digits, j < e, bytes[j] == 0x3B else { throw Self.fail("invalid character reference \(written)", at: i) }
            guard let c = Unicode.Scalar(value), isXMLCharacter(c) else {
                throw Self.fail("character reference \(written) is not a character XML allows", at: i)
            }
            return (value, j + 1)
        }
        guard let nameEnd = endOfName(at: j), nameEnd < e, bytes[nameEnd] == 0x3B else {
            throw Self.fail("'&' starts no entity reference (write &amp; for '&')", at: i)
        }
        let value: UInt32
        switch String(decoding: bytes[j..<nameEnd], as: UTF8.self) {
        case "lt": value = 0x3C
        case "gt": value = 0x3E
        case "amp": value = 0x26
        case "quot": value = 0x22
        case "apos": value = 0x27
        case let other: throw Self.fail("undefined entity &\(other.prefix(40));", at: i)
        }
        return (value, nameEnd + 1)
    }

    private static func digit(_ b: UInt8, hex: Bool) -> UInt32? {
        switch b {
        case 0x30...0x39: return UInt32(b - 0x30)
        case 0x61...0x66 where hex: return UInt32(b - 0x61 + 10)
        case 0x41...0x46 where hex: return UInt32(b - 0x41 + 10)
        default: return nil
        }
    }

    private static func appendUTF8(_ c: UInt32, to out: inout [UInt8]) {
        switch c {
        case ..<0x80: out.append(UInt8(c))
        case ..<0x800: out += [UInt8(0xC0 | c >> 6), UInt8(0x80 | c & 0x3F)]
        case ..<0x10000: out += [UInt8(0xE0 | c >> 12), UInt8(0x80 | (c >> 6) & 0x3F), UInt8(0x80 | c & 0x3F)]
        default: out += [UInt8(0xF0 | c >> 18), UInt8(0x80 | (c >> 12) & 0x3F), UInt8(0x80 | (c >> 6) & 0x3F), UInt8(0x80 | c & 0x3F)]
        }
    }

    private static func normalisingLineEnds(_ raw: ArraySlice<UInt8>) -> String {
        guard raw.contains(0x0D) else { return String(decoding: raw, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var i = raw.startIndex
        while i < raw.endIndex {
            if raw[i] == 0x0D {
                out.append(0x0A)
                if i + 1 < raw.endIndex && raw[i + 1] == 0x0A { i += 1 }
            } else {
                out.append(raw[i])
            }
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A qualified name for a message (cut at 60 bytes).
    private func shown(_ r: Range<Int>) -> String {
        String(decoding: bytes[r.lowerBound..<min(r.upperBound, r.lowerBound + 60)], as: UTF8.self)
    }

    /// The document is UTF-8 of characters XML 1.0 allows (tab, line feed, carriage return,
    /// U+0020–U+D7FF, U+E000–U+FFFD, U+10000–U+10FFFF).
    private static func checkCharacters(_ bytes: [UInt8], from start: Int) throws(XMLSyntaxError) {
        let n = bytes.count
        var i = start
        while i < n {
            let b = bytes[i]
            if b >= 0x20 && b < 0x80 || b == 0x0A || b == 0x09 || b == 0x0D { i += 1; continue }
            if b < 0x20 {
                throw fail("character U+\(hex4(UInt32(b))) is not allowed in XML", at: i)
            }
            // A multi-byte sequence: lead byte, length, the range of its second byte (no overlong
            // forms, no surrogates, nothing past U+10FFFF).
            let len: Int, low: UInt8, high: UInt8
            switch b {
            case 0xC2...0xDF: (len, low, high) = (2, 0x80, 0xBF)
            case 0xE0: (len, low, high) = (3, 0xA0, 0xBF)
            case 0xE1...0xEC, 0xEE...0xEF: (len, low, high) = (3, 0x80, 0xBF)
            case 0xED: (len, low, high) = (3, 0x80, 0x9F)
            case 0xF0: (len, low, high) = (4, 0x90, 0xBF)
            case 0xF1...0xF3: (len, low, high) = (4, 0x80, 0xBF)
            case 0xF4: (len, low, high) = (4, 0x80, 0x8F)
            default: throw fail("the file is not UTF-8 (save it as UTF-8)", at: i)
            }
            guard i + len <= n, (low...high).contains(bytes[i + 1]),
                  bytes[(i + 2)..<(i + len)].allSatisfy({ $0 & 0xC0 == 0x80 }) else {
                throw fail("the file is not UTF-8 (save it as UTF-8)", at: i)
            }
            if len == 3, b == 0xEF, bytes[i + 1] == 0xBF, bytes[i + 2] >= 0xBE {  // U+FFFE, U+FFFF
                throw fail("character U+FFF\(bytes[i + 2] == 0xBE ? "E" : "F") is not allowed in XML", at: i)
            }
            i += len
        }
    }

    private static func hex4(_ v: UInt32) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - s.count)) + s
    }
}
