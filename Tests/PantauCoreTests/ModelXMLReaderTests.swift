import Foundation
import Testing
@testable import PantauCore

/// The XML reader of model files (``ModelXMLNode/parse(_:file:)`` on ``XMLPullScanner``'s
/// well-formed mode), which replaced Foundation's `XMLParser` (docs/fuzzing.md, finding 7).
@Suite("Model XML reader")
struct ModelXMLReaderTests {
    static func parse(_ text: String) throws -> ModelXMLNode { try ModelXMLNode.parse(Data(text.utf8), file: "m.bpmn") }

    /// The error a malformed document gives.
    static func error(_ bytes: [UInt8]) -> ProcessModelError? {
        do {
            _ = try ModelXMLNode.parse(Data(bytes), file: "m.bpmn")
            return nil
        } catch {
            return error as? ProcessModelError
        }
    }

    static func malformed(_ line: Int, _ column: Int, _ message: String) -> ProcessModelError {
        .malformedXML(file: "m.bpmn", line: line, column: column, message: message)
    }

    @Test func entityAndCharacterReferencesAreDecoded() throws {
        let root = try Self.parse(#"<a x="&lt;&gt;&amp;&quot;&apos;&#65;&#x42;&#x1F600;">t&amp;u&#233;&#xE9;</a>"#)
        #expect(root.attributes["x"] == "<>&\"'AB\u{1F600}")
        #expect(root.text == "t&u\u{E9}\u{E9}")
    }

    @Test func cdataIsTextAndCommentsAndProcessingInstructionsAreSkipped() throws {
        let doc = """
            <?xml version='1.0' encoding="utf-8" standalone="yes"?>
            <!-- before --><?tool x?>
            <a><?pi?><![CDATA[<b>&amp;</b>]]><!-- in -->y<![CDATA[]]></a>
            <!-- after --><?tool?>
            """
        let root = try Self.parse(doc)
        #expect(root.name == "a" && root.children.isEmpty)
        #expect(root.text == "<b>&amp;</b>y")
        #expect(root.line == 3)
    }

    @Test func prefixesAreStrippedAndNamespaceDeclarationsLeftOut() throws {
        let doc = #"<bpmn:definitions xmlns="u0" xmlns:bpmn="u1" id="d"><bpmn:task xsi:id="x" id="t1" bpmn:name="Cek"/><ñama é="1"/></bpmn:definitions>"#
        let root = try Self.parse(doc)
        #expect(root.name == "definitions" && root.attributes == ["id": "d"])
        #expect(root.children.map(\.name) == ["task", "ñama"])
        // The unprefixed attribute wins over a prefixed one of the same local name.
        #expect(root.children[0].attributes == ["id": "t1", "name": "Cek"])
        #expect(root.children[1].attributes == ["é": "1"])
    }

    @Test func lineEndsAndAttributeWhiteSpaceAreNormalised() throws {
        let root = try Self.parse("<a\r\n x=\"1\t2\r\n3\n4&#10;\">\r\nl1\rl2\r\n<b/>\r<c/></a>")
        #expect(root.attributes["x"] == "1 2 3 4\n")
        #expect(root.text == "\nl1\nl2\n\n")
        #expect(root.children.map(\.line) == [7, 8])
    }

    @Test func aByteOrderMarkIsAcceptedAndNotCounted() throws {
        let root = try ModelXMLNode.parse(Data([0xEF, 0xBB, 0xBF] + Array("<a>é</a>".utf8)), file: nil)
        #expect(root.text == "é")
        #expect(Self.error([0xEF, 0xBB, 0xBF] + Array("<a>\n</b>".utf8)) == Self.malformed(2, 1, "end tag </b> does not match <a>"))
    }

    /// Each malformed document is refused with the place (1-based line and column, in characters)
    /// and a message naming the problem.
    @Test(arguments: [
        ("<a>\n  <b>\n  </a>", 3, 3, "end tag </a> does not match <b>"),
        ("<a>\r\n<b>\r\n</c>", 3, 1, "end tag </c> does not match <b>"),
        ("<é>\n <b/></x>", 2, 6, "end tag </x> does not match <é>"),
        ("<a/></a>", 1, 5, "end tag </a> without a start tag"),
        ("<a>&nbsp;</a>", 1, 4, "undefined entity &nbsp;"),
        ("<a x='&foo;'/>", 1, 7, "undefined entity &foo;"),
        ("<a>& b</a>", 1, 4, "'&' starts no entity reference (write &amp; for '&')"),
        ("<a>&#0;</a>", 1, 4, "character reference &#0; is not a character XML allows"),
        ("<a>&#x110000;</a>", 1, 4, "character reference &#x110000; is not a character XML allows"),
        ("<a>&#xZ;</a>", 1, 4, "invalid character reference &#xZ"),
        ("<a>\u{1}</a>", 1, 4, "character U+0001 is not allowed in XML"),
        ("<a>\u{FFFF}</a>", 1, 4, "character U+FFFF is not allowed in XML"),
        ("<a x=\"1\" x=\"2\"/>", 1, 10, "attribute x is repeated"),
        ("<a p:x=\"1\" p:x=\"2\"/>", 1, 12, "attribute p:x is repeated"),
        ("<a x=1/>", 1, 6, "the value of attribute x is not quoted"),
        ("<a x/>", 1, 5, "attribute x has no value"),
        ("<a x=\"1\"y=\"2\"/>", 1, 9, "attributes must be separated by white space"),
        ("<a x=\"<\"/>", 1, 7, "'<' in an attribute value (write &lt;)"),
        ("<a>\n<b x='1", 2, 7, "unterminated value of attribute x"),
        ("<a><b></b>", 1, 11, "the document ends inside <a>"),
        ("<a></a ", 1, 8, "the document ends inside the end tag </a>"),
        ("<a><b", 1, 6, "the document ends inside the tag <b>"),
        ("<a><!-- x", 1, 4, "unterminated comment"),
        ("<a><![CDATA[x</a>", 1, 4, "unterminated CDATA section"),
        ("<a><?pi x", 1, 4, "unterminated processing instruction"),
        ("<a><!-- a -- b --></a>", 1, 11, "'--' inside a comment"),
        ("<a>x]]>y</a>", 1, 5, "']]>' in text (write ]]&gt;)"),
        ("<a/><b/>", 1, 5, "a second root element <b>"),
        ("x<a/>", 1, 1, "text before the root element"),
        ("<a/>\n x", 2, 2, "text after the root element"),
        ("<![CDATA[x]]><a/>", 1, 1, "CDATA section outside the root element"),
        ("", 1, 1, "the document has no root element"),
        ("<!-- only a comment -->\n", 2, 1, "the document has no root element"),
        ("< a/>", 1, 2, "'<' not followed by a tag name (write &lt; for '<')"),
        ("<1a/>", 1, 2, "'<' not followed by a tag name (write &lt; for '<')"),
        ("<a/ >", 1, 3, "'/' not followed by '>' in a tag"),
        ("<a><?x?y?></a>", 1, 7, "invalid character in a processing instruction's target"),
        ("<a><??></a>", 1, 6, "processing instruction without a target"),
        ("<!ELEMENT a ANY><a/>", 1, 1, "'<!' starts no comment or CDATA section"),
        ("<a/><?xml version=\"1.0\"?>", 1, 5, "the XML declaration must be at the very start of the file"),
        ("\n<?xml version=\"1.0\"?><a/>", 2, 1, "the XML declaration must be at the very start of the file"),
        ("<?xml encoding=\"UTF-8\"?><a/>", 1, 7, "invalid XML declaration (encoding not expected here)"),
        ("<?xml version=\"2.0\"?><a/>", 1, 16, "unsupported XML version \"2.0\""),
        ("<?xml version=\"1.0\" standalone=\"maybe\"?><a/>", 1, 33, "standalone must be \"yes\" or \"no\""),
        ("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>é</a>", 1, 31, "the file says it is ISO-8859-1, not UTF-8 (save it as UTF-8)"),
        ("<?xml version=\"1.0\" encoding=\"UTF-j\"?><a/>", 1, 31, "unknown encoding UTF-j (save the file as UTF-8)"),
    ])
    func malformedDocumentIsRefusedWithItsPlace(doc: String, line: Int, column: Int, message: String) {
        #expect(Self.error(Array(doc.utf8)) == Self.malformed(line, column, message))
    }

    @Test func aDeclaredEncodingOtherThanUTF8IsReadWhenTheFileIsASCII() throws {
        for encoding in ["ISO-8859-1", "windows-1252", "US-ASCII", "utf8"] {
            let root = try Self.parse("<?xml version=\"1.0\" encoding=\"\(encoding)\"?><a>x</a>")
            #expect(root.text == "x")
        }
    }

    @Test func aDoctypeIsRefusedBeforeAnyEntityIsExpanded() {
        let laughs = """
            <?xml version="1.0"?>
            <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
            <lolz>&lol2;</lolz>
            """
        #expect(Self.error(Array(laughs.utf8)) == Self.malformed(2, 1, "a DOCTYPE is not accepted (the file needs no DTD)"))
        let xxe = "<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><a>&x;</a>"
        #expect(Self.error(Array(xxe.utf8)) == Self.malformed(1, 1, "a DOCTYPE is not accepted (the file needs no DTD)"))
    }

    @Test func aFileThatIsNotUTF8IsRefusedAtItsFirstBadByte() {
        let latin1 = Array("<a>\n  <b>caf".utf8) + [0xE9] + Array("</b></a>".utf8)
        #expect(Self.error(latin1) == Self.malformed(2, 9, "the file is not UTF-8 (save it as UTF-8)"))
        // Overlong forms, surrogates and sequences cut short are not UTF-8 either.
        for bad: [UInt8] in [[0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE4, 0xB8]] {
            #expect(Self.error(Array("<a>é".utf8) + bad + Array("</a>".utf8)) == Self.malformed(1, 5, "the file is not UTF-8 (save it as UTF-8)"))
        }
        // UTF-16 (with its BOM) is not read as UTF-8.
        #expect(Self.error([0xFF, 0xFE, 0x3C, 0x00, 0x61, 0x00]) == Self.malformed(1, 1, "the file is not UTF-8 (save it as UTF-8)"))
    }

    @Test func nestingIsBoundedAndDeepInputDoesNotOverflowTheStack() throws {
        let max = ModelXMLNode.maxDepth
        let ok = String(repeating: "<a>", count: max) + String(repeating: "</a>", count: max)
        var node = try Self.parse(ok)
        var depth = 1
        while let c = node.children.first { node = c; depth += 1 }
        #expect(depth == max)
        let over = String(repeating: "<a>", count: max + 1) + String(repeating: "</a>", count: max + 1)
        #expect(Self.error(Array(over.utf8)) == Self.malformed(1, 3 * max + 1, "elements nested deeper than \(max)"))
        // A million open tags: refused at the bound, not a crash.
        let deep = String(repeating: "<a>", count: 1_000_000)
        #expect(Self.error(Array(deep.utf8))?.description == "m.bpmn:1:\(3 * max + 1): malformed XML: elements nested deeper than \(max)")
    }

    @Test func manyAttributesAreCheckedForRepeatsInLinearTime() throws {
        let attrs = (0..<5000).map { "a\($0)=\"\($0)\"" }.joined(separator: " ")
        let root = try Self.parse("<x \(attrs)/>")
        #expect(root.attributes.count == 5000 && root.attributes["a4999"] == "4999")
        #expect(Self.error(Array("<x \(attrs) a17=\"again\"/>".utf8))?.description.hasSuffix("attribute a17 is repeated") == true)
    }

    @Test func aModelFileOverTheSizeLimitIsRefused() {
        let big = Data(count: ModelXMLNode.maxDocumentBytes + 1)
        #expect(throws: ProcessModelError.invalidModel(file: "big.pnml", reason: "the file is larger than 64 MB")) {
            try PNML.read(data: big, file: "big.pnml")
        }
    }

    /// The readers on top: a PNML label with references reads as its text; an error is described
    /// with file, line and column as before.
    @Test func pnmlAndBPMNReadThroughTheNewReader() throws {
        let pnml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <pnml><net id="n"><page id="p">
            <place id="p1"><initialMarking><text>1</text></initialMarking></place>
            <transition id="t1"><name><text>Cek &amp; <![CDATA[verifikasi]]> berkas&#x20;</text></name></transition>
            <arc id="a1" source="p1" target="t1"/>
            </page></net></pnml>
            """
        let net = try PNML.read(data: Data(pnml.utf8))
        #expect(net.labels == ["Cek & verifikasi berkas"])
        let broken = pnml.replacingOccurrences(of: "</page>", with: "</pag>")
        do {
            _ = try PNML.read(data: Data(broken.utf8), file: "x.pnml")
            Issue.record("read a malformed file")
        } catch let e as ProcessModelError {
            #expect(e.description == "x.pnml:6:1: malformed XML: end tag </pag> does not match <page>")
        }
        let bpmn = """
            <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"><bpmn:process id="p">
            <bpmn:startEvent id="s"/><bpmn:task id="t" name="Terima &quot;berkas&quot;"/><bpmn:endEvent id="e"/>
            <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t"/><bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e"/>
            </bpmn:process></bpmn:definitions>
            """
        let model = try BPMN.read(data: Data(bpmn.utf8))
        #expect(model.nodes.map(\.name) == ["", "Terima \"berkas\"", ""])
        #expect(model.flows.count == 2)
    }
}
