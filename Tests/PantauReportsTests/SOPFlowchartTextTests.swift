import Foundation
import PantauCore
import PantauReports
import Testing

/// Text inside the flowchart: lines break between words; a word wider than its box shrinks the
/// question's font or is hyphenated, never cut without a hyphen.
@Suite struct SOPFlowchartTextTests {
    /// Why `lines` are not a word-respecting wrap of `text`, or nil when they are: every line
    /// ends at a space of the text, after a "/", "-" or "_" of the text, or inside a word with
    /// an added "-"; the last line may end in "…" (truncation).
    static func badBreak(_ text: String, _ lines: [String]) -> String? {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
        let flat = Array(words.joined(separator: " "))
        var i = 0
        for (k, line) in lines.enumerated() {
            var l = Array(line)
            if k == lines.count - 1, l.last == "\u{2026}" { return nil } // truncated: the rest is cut with an ellipsis
            if l.isEmpty { continue }
            let matches = i + l.count <= flat.count && Array(flat[i..<i + l.count]) == l
            if matches {
                i += l.count
                if i == flat.count { continue }
                if flat[i] == " " { i += 1; continue }
                if let c = l.last, "/-_".contains(c) { continue }
                return "line \(k) \"\(line)\" ends inside a word of \"\(text)\" without a hyphen"
            }
            guard l.last == "-" else { return "line \(k) \"\(line)\" is not in \"\(text)\" at offset \(i)" }
            l.removeLast()
            guard i + l.count <= flat.count, Array(flat[i..<i + l.count]) == l else {
                return "line \(k) \"\(line)\" is not in \"\(text)\" at offset \(i)"
            }
            i += l.count
        }
        return i >= flat.count ? nil : "lines \(lines) drop text of \"\(text)\""
    }

    /// Checks every wrapped text of a layout against its source; returns the problems.
    static func wordBreakProblems(_ layout: SOPFlowchartLayout, _ doc: SOPDocument) -> [String] {
        var problems: [String] = []
        for col in layout.columns {
            if let p = badBreak(col.title, col.titleLines) { problems.append("heading: \(p)") }
        }
        for page in layout.pages {
            for row in page.rows {
                guard let step = doc.step(id: row.stepID) else { continue }
                for (text, lines) in [(step.activity, row.text.activity), (step.standard.requirements, row.text.requirements),
                                      (step.standard.output, row.text.output), (step.notes, row.text.notes)] {
                    if let p = badBreak(text, lines) { problems.append("row \(row.number): \(p)") }
                }
            }
            for sym in page.symbols where sym.shape == .decision {
                guard let step = doc.step(id: sym.stepID) else { continue }
                if let p = badBreak(step.question, sym.lines) { problems.append("symbol \(sym.number): \(p)") }
            }
        }
        return problems
    }

    @Test func hyphenationPointsFollowIndonesianSyllables() {
        func hyphenated(_ w: String) -> String {
            var s = ""
            let points = Set(SVGText.hyphenationPoints(w))
            for (i, c) in w.enumerated() {
                if points.contains(i) { s += "-" }
                s.append(c)
            }
            return s
        }
        #expect(hyphenated("permohonan") == "per-mo-ho-nan")
        #expect(hyphenated("pengajuan") == "pe-nga-juan")
        #expect(hyphenated("kenyataan") == "ke-nya-taan")
        #expect(hyphenated("berkas") == "ber-kas")
        #expect(hyphenated("Diimunisasi") == "Dii-mu-ni-sa-si")
        #expect(hyphenated("penyelenggaraan") == "pe-nye-leng-ga-raan")
        #expect(hyphenated("KTP-el") == "KTP-el")
        #expect(SVGText.hyphenationPoints("ab").isEmpty)
        #expect(SVGText.hyphenationPoints("2026").isEmpty)
    }

    @Test func longWordsAreHyphenatedNeverCut() {
        let text = "Permohonan penyelenggaraan perizinan"
        for width in [20.0, 30, 40, 55, 70] {
            let lines = SVGText.wrap(text, maxWidth: width, fontSize: 10, hyphenate: true)
            #expect(Self.badBreak(text, lines) == nil, "\(lines)")
            for l in lines { #expect(SVGText.width(l, fontSize: 10) <= max(width, 10) + 1e-9, "\(l) at \(width)") }
        }
        // A syllable boundary is preferred to an arbitrary cut: "penyelenggaraan" at 50 units.
        let lines = SVGText.wrap("penyelenggaraan", maxWidth: 50, fontSize: 10, hyphenate: true)
        #expect(lines.first == "penyeleng-")
        // Codes still break after their slashes, without an added hyphen.
        let code = SVGText.wrap("800/045/SOP/DPMPTSP/2026", maxWidth: 60, fontSize: 10, hyphenate: true)
        #expect(code.dropLast().allSatisfy { $0.hasSuffix("/") })
        // A truncated text drops whole words before the ellipsis.
        let cut = SVGText.wrap("satu dua tiga empat lima enam tujuh delapan", maxWidth: 40, fontSize: 10, maxLines: 2, hyphenate: true)
        #expect(cut.count == 2 && cut[1].hasSuffix("\u{2026}"))
        #expect(Self.badBreak("satu dua tiga empat lima enam tujuh delapan", cut) == nil)
    }

    @Test func decisionQuestionsKeepTheirWordsWhole() throws {
        // Seven actors make 72-unit columns: "Permohonan" is wider than the diamond's text area.
        let examples = try SOPExamples.load()
        let izin = try #require(examples.first { $0.name.contains("izin-usaha") }?.document)
        let renderer = SOPFlowchartRenderer(options: SOPDocumentHTML.defaultFlowchartOptions)
        let layout = renderer.layout(izin)
        let rapat = try #require(layout.pages.flatMap(\.symbols).first { $0.stepID == "rapat" })
        #expect(rapat.lines.contains("Permohonan"), "\(rapat.lines)")
        #expect(rapat.questionFontSize < layout.fontSize * 0.85) // shrunk to fit the word
        #expect(rapat.questionFontSize >= layout.fontSize * 0.6 - 1e-9)
        for line in rapat.lines {
            #expect(SVGText.width(line, fontSize: rapat.questionFontSize) <= rapat.frame.width * 0.72 + 1e-9)
        }
        #expect(Self.wordBreakProblems(layout, izin) == [])
    }

    @Test func noWordIsSplitInAnyCellOrSymbol() throws {
        var docs = try SOPExamples.load().map(\.document)
        docs.append(SOPSample.izinUsaha)
        // Long Indonesian words in narrow columns (many actors).
        var narrow = SOPSample.izinUsaha
        narrow.actors += (1...6).map { SOPActor(id: "x\($0)", name: "Pengadministrasian Kependudukan \($0)") }
        narrow.steps[1].question = "Persyaratan administratif dipertanggungjawabkan?"
        narrow.steps[6].question = "Ketidaksesuaian?"
        narrow.steps[2].standard.requirements = "Surat pertanggungjawaban penyelenggaraan"
        docs.append(narrow)
        for doc in docs {
            for options in [SOPFlowchartRenderer.Options(), .init(width: 700), .init(fontSize: 12)] {
                let layout = SOPFlowchartRenderer(options: options).layout(doc)
                #expect(Self.wordBreakProblems(layout, doc) == [], "\(doc.identity.title) at width \(options.width)")
                // Lines fit their cells.
                for page in layout.pages {
                    for row in page.rows {
                        let cells: [(SOPFlowchartLayout.ColumnRole, [String])] = [
                            (.activity, row.text.activity), (.requirements, row.text.requirements),
                            (.output, row.text.output), (.notes, row.text.notes)]
                        for (role, lines) in cells {
                            let col = try #require(layout.columns.first { $0.role == role })
                            for l in lines { #expect(SVGText.width(l, fontSize: layout.fontSize) <= col.width - 2 * 5 * layout.fontSize / 10 + 1e-6) }
                        }
                    }
                }
            }
        }
    }
}
