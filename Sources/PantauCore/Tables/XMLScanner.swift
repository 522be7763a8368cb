import Foundation

/// The scanner of spreadsheet parts: ``XMLPullScanner`` in its lenient mode (start and end tags,
/// text with references decoded, names without prefix; comments, PIs and the XML declaration
/// skipped, CDATA as text, a DOCTYPE or an unknown entity refused), its errors given as
/// ``XLSXReadError/malformedXML(part:message:offset:)`` naming the part.
///
/// - Complexity: O(n) over the part's bytes.
struct XMLScanner {
    typealias Token = XMLPullScanner.Token

    let part: String
    private var scanner: XMLPullScanner

    init(_ bytes: [UInt8], part: String) {
        self.part = part
        scanner = XMLPullScanner(bytes)
    }

    /// The value of the last start tag's attribute with this local name.
    func attribute(_ name: String) -> String? { scanner.attribute(name) }

    mutating func next() throws(XLSXReadError) -> Token {
        do throws(XMLSyntaxError) {
            return try scanner.next()
        } catch {
            throw .malformedXML(part: part, message: error.message, offset: error.offset)
        }
    }
}
