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

/// Escapes text for XML content and attribute values.
func modelXMLEscape(_ s: String) -> String {
    var out = ""
    out.reserveCapacity(s.count)
    for c in s {
        switch c {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&apos;"
        default: out.append(c)
        }
    }
    return out
}
