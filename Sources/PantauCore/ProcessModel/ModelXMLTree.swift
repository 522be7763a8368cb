import Foundation

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

    /// Model files larger than this are not read (PNML and BPMN files are at most a few MB).
    static let maxDocumentBytes = 64 << 20
    /// Elements nested deeper than this are refused (libxml2's default bound, which the reader
    /// had before; real models nest a few levels).
    static let maxDepth = 256

    /// Parses a whole document with ``XMLPullScanner``'s well-formed mode (no libxml2: Foundation's
    /// `XMLParser` crashed on some inputs and leaked on every malformed one, docs/fuzzing.md).
    /// Attributes are keyed by local name; an unprefixed one wins over a prefixed one of the same
    /// local name, and namespace declarations are left out.
    /// - Throws: ``ProcessModelError/malformedXML(file:line:column:message:)`` with the 1-based
    ///   line and column of the problem; ``ProcessModelError/invalidModel(file:reason:)`` for a
    ///   file over ``maxDocumentBytes``.
    static func parse(_ data: Data, file: String?) throws -> ModelXMLNode {
        guard data.count <= maxDocumentBytes else {
            throw ProcessModelError.invalidModel(file: file, reason: "the file is larger than \(maxDocumentBytes >> 20) MB")
        }
        let bytes = [UInt8](data)
        do throws(XMLSyntaxError) {
            var scanner = try XMLPullScanner(wellFormed: bytes, maxDepth: maxDepth)
            return try build(&scanner)
        } catch {
            let at = XMLPullScanner.location(of: error.offset, in: bytes)
            throw ProcessModelError.malformedXML(file: file, line: at.line, column: at.column, message: error.message)
        }
    }

    /// The tree of the scanner's tokens (iterative: deep nesting costs no stack).
    private static func build(_ scanner: inout XMLPullScanner) throws(XMLSyntaxError) -> ModelXMLNode {
        var root: ModelXMLNode?
        var stack: [ModelXMLNode] = []
        var line = 1, counted = 0  // lines up to the byte offset `counted`
        while true {
            switch try scanner.next() {
            case let .start(name, empty):
                let bytes = scanner.bytes
                while counted < scanner.tokenStart {
                    let b = bytes[counted]
                    if b == 0x0A || (b == 0x0D && bytes[counted + 1] != 0x0A) { line += 1 }
                    counted += 1
                }
                var attributes: [String: String] = [:]
                for a in scanner.attributes where !a.declaresNamespace {
                    if !a.prefixed || attributes[a.name] == nil { attributes[a.name] = a.value }
                }
                let node = ModelXMLNode(name: name, attributes: attributes, line: line)
                if let top = stack.last { top.children.append(node) } else { root = node }
                if !empty { stack.append(node) }
            case .end:
                stack.removeLast()
            case let .text(t):
                stack.last?.text += t
            case .eof:
                guard let root else { throw XMLSyntaxError(message: "the document has no root element", offset: scanner.bytes.count) }
                return root
            }
        }
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
