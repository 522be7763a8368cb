import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A small in-memory XML element tree for model files (PNML, BPMN are at most a few MB).
/// Element names are stored without namespace prefix.
final class ModelXMLNode {
    let name: String
    let attributes: [String: String]
    let line: Int
    var children: [ModelXMLNode] = []
    var text = ""

    init(name: String, attributes: [String: String], line: Int) {
        self.name = name
        self.attributes = attributes
        self.line = line
    }

    /// Direct children with this local name.
    func children(_ name: String) -> [ModelXMLNode] { children.filter { $0.name == name } }
    /// First direct child with this local name.
    func child(_ name: String) -> ModelXMLNode? { children.first { $0.name == name } }
    /// All descendants (depth first, document order) with this local name.
    func descendants(_ name: String) -> [ModelXMLNode] {
        var out: [ModelXMLNode] = []
        var stack: [ModelXMLNode] = children.reversed()
        while let n = stack.popLast() {
            if n.name == name { out.append(n) }
            stack.append(contentsOf: n.children.reversed())
        }
        return out
    }
    /// Text of the `<text>` child (PNML style), trimmed.
    var textChild: String? {
        child("text").map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// Parses a whole document.
    /// - Throws: ``ProcessModelError/malformedXML(file:line:column:message:)``.
    static func parse(_ data: Data, file: String?) throws -> ModelXMLNode {
        let data = try preflight(data, file: file)
        let builder = ModelXMLTreeBuilder()
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = false
        parser.shouldResolveExternalEntities = false
        parser.delegate = builder
        builder.parser = parser
        let ok = parser.parse()
        if ok, !builder.stack.isEmpty {
            throw ProcessModelError.malformedXML(
                file: file, line: parser.lineNumber, column: parser.columnNumber,
                message: "unexpected end of document inside <\(builder.stack.last?.name ?? "")>")
        }
        guard ok, let root = builder.root else {
            let err = parser.parserError.map { String(describing: $0) } ?? "no root element"
            throw ProcessModelError.malformedXML(
                file: file, line: parser.lineNumber, column: parser.columnNumber, message: err)
        }
        return root
    }
}

extension ModelXMLNode {
    /// Checks a document before Foundation's `XMLParser` sees it, and returns the bytes to parse.
    ///
    /// On Linux `XMLParser` (swift-corelibs-foundation over libxml2) crashes the process on some
    /// inputs that libxml2 itself reports or accepts; fuzzing found two (docs/fuzzing.md):
    /// - a name that is not UTF-8 (`<`, 0xE4, `d="` traps on a force unwrap): the document must be
    ///   UTF-8, which every modelling tool writes (a BOM is allowed; another encoding is refused
    ///   with the place of the first bad byte);
    /// - a processing instruction without data (`<?x?>`: `strlen(NULL)`): a space is inserted
    ///   after its target (`<?x ?>`), which means the same and is ignored like any PI.
    /// A `<!DOCTYPE` is refused as well: model files need no DTD, and its entity and notation
    /// declarations are the parser's least exercised callbacks (and the entity-expansion attacks).
    /// - Throws: ``ProcessModelError/malformedXML(file:line:column:message:)``.
    static func preflight(_ data: Data, file: String?) throws -> Data {
        var bytes = [UInt8](data)
        func place(_ offset: Int) -> (line: Int, column: Int) {
            var line = 1, start = 0
            for k in 0..<offset where bytes[k] == 0x0A { line += 1; start = k + 1 }
            return (line, offset - start + 1)
        }
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b < 0x80 {
                i += 1
                continue
            }
            let n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2
            guard b >= 0xC2, b <= 0xF4, i + n <= bytes.count, String(validating: bytes[i..<(i + n)], as: UTF8.self) != nil else {
                let at = place(i)
                throw ProcessModelError.malformedXML(file: file, line: at.line, column: at.column,
                                                     message: "the file is not UTF-8 (save it as UTF-8)")
            }
            i += n
        }
        let doctype = Array("<!DOCTYPE".utf8)
        var inserts: [Int] = []
        i = 0
        while i + 1 < bytes.count {
            guard bytes[i] == UInt8(ascii: "<") else { i += 1; continue }
            if bytes[i + 1] == UInt8(ascii: "!"), bytes[i...].starts(with: doctype) {
                let at = place(i)
                throw ProcessModelError.malformedXML(file: file, line: at.line, column: at.column,
                                                     message: "a DOCTYPE is not accepted in a model file")
            }
            if bytes[i + 1] == UInt8(ascii: "?") {
                // <?target?> with no white space before "?>": its data is NULL.
                var k = i + 2
                while k < bytes.count, !isXMLSpace(bytes[k]), bytes[k] != UInt8(ascii: "?") { k += 1 }
                if k + 1 < bytes.count, bytes[k] == UInt8(ascii: "?"), bytes[k + 1] == UInt8(ascii: ">") { inserts.append(k) }
                i += 2  // not k: a "<?" inside the target (`<?<?d?>`) starts a PI of its own
                continue
            }
            i += 1
        }
        guard !inserts.isEmpty else { return data }
        for k in inserts.reversed() { bytes.insert(0x20, at: k) }
        return Data(bytes)
    }

    private static func isXMLSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
}

private final class ModelXMLTreeBuilder: NSObject, XMLParserDelegate {
    var root: ModelXMLNode?
    var stack: [ModelXMLNode] = []
    weak var parser: XMLParser?

    static func local(_ name: String) -> String {
        if let i = name.lastIndex(of: ":") { return String(name[name.index(after: i)...]) }
        return name
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        var attrs: [String: String] = [:]
        for (k, v) in attributeDict { attrs[ModelXMLTreeBuilder.local(k)] = v }
        let node = ModelXMLNode(name: ModelXMLTreeBuilder.local(elementName), attributes: attrs, line: parser.lineNumber)
        if let top = stack.last { top.children.append(node) } else if root == nil { root = node }
        stack.append(node)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        _ = stack.popLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        stack.last?.text += string
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        stack.last?.text += String(decoding: CDATABlock, as: UTF8.self)
    }
}

/// Escapes text for XML content and attribute values. Characters XML 1.0 forbids (C0 controls
/// other than tab, line feed and carriage return, U+FFFE, U+FFFF) become U+FFFD, so a name with
/// one (an SOP step typed or imported with a stray control character) still gives a file that
/// reads back, as ``xmlWritable(_:)`` shows it.
func modelXMLEscape(_ s: String) -> String {
    var out = ""
    out.reserveCapacity(s.utf8.count)
    for c in s.unicodeScalars {
        switch c {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&apos;"
        default: out.unicodeScalars.append(isXMLCharacter(c) ? c : "\u{FFFD}")
        }
    }
    return out
}

/// Whether XML 1.0 allows the character in a document.
func isXMLCharacter(_ c: Unicode.Scalar) -> Bool {
    switch c.value {
    case 0x9, 0xA, 0xD, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: return true
    default: return false
    }
}

/// `s` as a model file written by Pantau holds it: characters XML 1.0 forbids become U+FFFD.
public func xmlWritable(_ s: String) -> String {
    guard s.unicodeScalars.contains(where: { !isXMLCharacter($0) }) else { return s }
    var out = ""
    for c in s.unicodeScalars { out.unicodeScalars.append(isXMLCharacter(c) ? c : "\u{FFFD}") }
    return out
}
