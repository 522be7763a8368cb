import Foundation
import PantauReports
import Testing

@Suite struct SVGTextTests {
    @Test func measuresWithArialMetrics() {
        // Arial: "a" 556, "i" 222, "W" 944 thousandths of an em.
        #expect(abs(SVGText.width("a", fontSize: 10) - 5.56) < 1e-9)
        #expect(abs(SVGText.width("aiW", fontSize: 20) - (556 + 222 + 944) * 0.02) < 1e-9)
        #expect(SVGText.width("a", fontSize: 10, bold: true) == 5.56)
        #expect(SVGText.width("b", fontSize: 10, bold: true) > SVGText.width("b", fontSize: 10))
        #expect(SVGText.width("", fontSize: 10) == 0)
        #expect(SVGText.width("漢", fontSize: 10) == 10)
    }

    @Test func wrapsWordsWithinTheWidth() {
        let text = "Memverifikasi dokumen dan melakukan peninjauan lapangan bila diperlukan"
        let lines = SVGText.wrap(text, maxWidth: 120, fontSize: 10)
        #expect(lines.count > 1)
        for l in lines { #expect(SVGText.width(l, fontSize: 10) <= 120) }
        #expect(lines.joined(separator: " ") == text)
    }

    @Test func keepsLineBreaksAndCollapsesSpaces() {
        #expect(SVGText.wrap("a  b\nc\r\n\nd", maxWidth: 500, fontSize: 10) == ["a b", "c", "", "d"])
        #expect(SVGText.wrap("  \n \t ", maxWidth: 100, fontSize: 10).isEmpty)
    }

    @Test func splitsLongWordsPreferablyAfterSlashes() {
        let lines = SVGText.wrap("800/045/SOP/DPMPTSP/2026", maxWidth: 60, fontSize: 10)
        #expect(lines.count > 1)
        #expect(lines.joined() == "800/045/SOP/DPMPTSP/2026")
        #expect(lines.dropLast().allSatisfy { $0.hasSuffix("/") })
        let xs = SVGText.wrap(String(repeating: "x", count: 100), maxWidth: 50, fontSize: 10)
        for l in xs { #expect(SVGText.width(l, fontSize: 10) <= 50) }
        #expect(xs.joined().count == 100)
    }

    @Test func truncatesWithEllipsisAtMaxLines() {
        let lines = SVGText.wrap("satu dua tiga empat lima enam tujuh delapan", maxWidth: 40, fontSize: 10, maxLines: 2)
        #expect(lines.count == 2)
        #expect(lines[1].hasSuffix("…"))
        #expect(SVGText.width(lines[1], fontSize: 10) <= 40)
    }

    @Test func formatsNumbersWithoutLocale() {
        #expect(SVGFormat.number(12) == "12")
        #expect(SVGFormat.number(12.5) == "12.5")
        #expect(SVGFormat.number(-0.25) == "-0.25")
        #expect(SVGFormat.number(1.005) == "1" || SVGFormat.number(1.005) == "1.01")
        #expect(SVGFormat.number(3.04) == "3.04")
        #expect(SVGFormat.number(.nan) == "0")
        #expect(SVGFormat.number(.infinity) == "0")
        #expect(SVGFormat.number(-0.001) == "0")
        #expect(SVGFormat.polylinePath([(0, 0), (10, 0), (10, 5.5)]) == "M0 0 L10 0 L10 5.5")
        #expect(SVGFormat.attributes([("a", "<\"&>")]) == " a=\"&lt;&quot;&amp;&gt;\"")
    }
}

@Suite struct SVGEscapeTests {
    @Test func escapesMarkupCharacters() {
        #expect(HTMLEscape.text("<script>alert('x') & \"y\"</script>")
            == "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;")
        #expect(HTMLEscape.text("Dinas Penanaman Modal — é 漢") == "Dinas Penanaman Modal — é 漢")
    }

    @Test func replacesCharactersXMLForbids() {
        #expect(HTMLEscape.text("a\u{0}b\u{1B}c\u{FFFE}") == "a\u{FFFD}b\u{FFFD}c\u{FFFD}")
        #expect(HTMLEscape.text("tab\tline\n") == "tab\tline\n")
    }

    @Test func attributesKeepLineBreaks() {
        #expect(HTMLEscape.attribute("a\nb\tc") == "a&#10;b&#9;c")
    }

    @Test func commentsCannotBeClosedEarly() {
        #expect(!HTMLEscape.comment("x -- y --> z").contains("--"))
    }

    @Test func onlySafeURLsAreKept() {
        #expect(HTMLEscape.safeURL("https://example.go.id/logo.png?a=1&b=2") == "https://example.go.id/logo.png?a=1&amp;b=2")
        #expect(HTMLEscape.safeURL("/static/logo.svg") == "/static/logo.svg")
        #expect(HTMLEscape.safeURL("data:image/png;base64,AAAA") != nil)
        #expect(HTMLEscape.safeURL("javascript:alert(1)") == nil)
        #expect(HTMLEscape.safeURL(" JavaScript:alert(1)") == nil)
        #expect(HTMLEscape.safeURL("data:text/html,<script>") == nil)
        #expect(HTMLEscape.safeURL("") == nil)
        #expect(HTMLEscape.safeURL("logo.png\"><script>") == "logo.png&quot;&gt;&lt;script&gt;")
    }
}
