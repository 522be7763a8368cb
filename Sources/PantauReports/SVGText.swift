/// Text measurement and line wrapping for SVG output, where the renderer (not the browser) must
/// decide where lines break.
///
/// Widths come from the advance widths of Arial-metric fonts (Arial, Liberation Sans, Arimo,
/// Helvetica), regular and bold, for Basic Latin, Latin-1 and common typographic punctuation.
/// Characters outside the table count as 0.6 em (1 em for East Asian wide characters, 0 for
/// combining marks). Renderers that place text with these widths should name an Arial-metric
/// font first and may set `textLength` so that other fonts are fitted to the same width.
public enum SVGText {
    /// Advance width of `text` in user units at `fontSize`.
    /// - Complexity: O(n) in the number of Unicode scalars.
    public static func width(_ text: String, fontSize: Double, bold: Bool = false) -> Double {
        var units = 0.0
        for s in text.unicodeScalars { units += advance(s, bold: bold) }
        return units * fontSize / 1000
    }

    /// Breaks `text` into lines no wider than `maxWidth` (greedy, word by word).
    ///
    /// Line breaks in the input are kept; runs of spaces and tabs collapse to one space. Lines
    /// break between words only. A word wider than a line is split after a `/`, `-` or `_` when
    /// possible; otherwise, with `hyphenate`, at a syllable boundary (Indonesian rules, see
    /// ``hyphenationPoints(_:)``) with a hyphen added at the end of the line, and only when no
    /// syllable boundary fits, between characters, again with a hyphen; without `hyphenate`,
    /// between characters. When `maxLines` is given and the text needs more, the last line ends
    /// in "…". Empty or blank text gives no lines.
    /// - Complexity: O(n · w) for n characters and words of at most w characters.
    public static func wrap(
        _ text: String, maxWidth: Double, fontSize: Double, bold: Bool = false, maxLines: Int? = nil,
        hyphenate: Bool = false
    ) -> [String] {
        let limit = max(maxWidth, fontSize) // at least one character per line
        var lines: [String] = []
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        let paragraphs = normalized.split(separator: "\n", omittingEmptySubsequences: false)
        // Trailing blank paragraphs add nothing.
        var lastNonBlank = -1
        for (i, p) in paragraphs.enumerated() where !p.allSatisfy({ $0 == " " || $0 == "\t" }) { lastNonBlank = i }
        guard lastNonBlank >= 0 else { return [] }
        var firstNonBlank = 0
        while paragraphs[firstNonBlank].allSatisfy({ $0 == " " || $0 == "\t" }) { firstNonBlank += 1 }
        for p in paragraphs[firstNonBlank...lastNonBlank] {
            let words = p.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            if words.isEmpty {
                lines.append("")
                continue
            }
            var current = ""
            var currentWidth = 0.0
            let spaceWidth = width(" ", fontSize: fontSize, bold: bold)
            for word in words {
                let w = width(word, fontSize: fontSize, bold: bold)
                if current.isEmpty {
                    if w <= limit {
                        current = word
                        currentWidth = w
                    } else {
                        var pieces = hyphenate
                            ? hyphenateLongWord(word, limit: limit, fontSize: fontSize, bold: bold)
                            : splitLongWord(word, limit: limit, fontSize: fontSize, bold: bold)
                        let last = pieces.removeLast()
                        lines.append(contentsOf: pieces)
                        current = last
                        currentWidth = width(last, fontSize: fontSize, bold: bold)
                    }
                } else if currentWidth + spaceWidth + w <= limit {
                    current += " " + word
                    currentWidth += spaceWidth + w
                } else {
                    lines.append(current)
                    if w <= limit {
                        current = word
                        currentWidth = w
                    } else {
                        var pieces = hyphenate
                            ? hyphenateLongWord(word, limit: limit, fontSize: fontSize, bold: bold)
                            : splitLongWord(word, limit: limit, fontSize: fontSize, bold: bold)
                        let last = pieces.removeLast()
                        lines.append(contentsOf: pieces)
                        current = last
                        currentWidth = width(last, fontSize: fontSize, bold: bold)
                    }
                }
            }
            lines.append(current)
        }
        if let maxLines, maxLines >= 1, lines.count > maxLines {
            lines = Array(lines.prefix(maxLines))
            var last = lines[maxLines - 1]
            let ellipsis = "\u{2026}"
            while !last.isEmpty && width(last + ellipsis, fontSize: fontSize, bold: bold) > limit {
                // With hyphenation, drop whole words while the line has more than one.
                if hyphenate, let space = last.lastIndex(of: " ") {
                    last = String(last[..<space])
                } else {
                    last.removeLast()
                }
            }
            lines[maxLines - 1] = last + ellipsis
        }
        return lines
    }

    /// Splits a word wider than `limit` into pieces that fit, preferring breaks after / - _.
    static func splitLongWord(_ word: String, limit: Double, fontSize: Double, bold: Bool) -> [String] {
        var pieces: [String] = []
        var rest = Substring(word)
        while !rest.isEmpty {
            var w = 0.0
            var end = rest.startIndex
            var lastBreak: String.Index?
            while end < rest.endIndex {
                let cw = width(String(rest[end]), fontSize: fontSize, bold: bold)
                if w + cw > limit && end > rest.startIndex { break }
                w += cw
                let ch = rest[end]
                end = rest.index(after: end)
                if ch == "/" || ch == "-" || ch == "_" { lastBreak = end }
            }
            if end < rest.endIndex, let b = lastBreak, b > rest.startIndex { end = b }
            pieces.append(String(rest[rest.startIndex..<end]))
            rest = rest[end...]
        }
        return pieces.isEmpty ? [""] : pieces
    }

    /// The width of the widest word of `text` (words are separated by spaces, tabs and line breaks).
    public static func widestWord(_ text: String, fontSize: Double, bold: Bool = false) -> Double {
        text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
            .map { width(String($0), fontSize: fontSize, bold: bold) }.max() ?? 0
    }

    /// Character offsets inside `word` where it may be hyphenated: syllable boundaries by the
    /// Indonesian rules (KBBI): before a single consonant between vowels (*pe-mo-hon*), between
    /// two consonants between vowels (*ber-kas*), after a digraph followed by a consonant
    /// (*leng-ga*), never inside the digraphs *ng*, *ny*, *kh*, *sy* (*pe-nga-juan*, *ke-nya-taan*). Only between letters, leaving at least two letters on
    /// each side. The rules also give acceptable breaks in most English words.
    public static func hyphenationPoints(_ word: String) -> [Int] {
        let chars = Array(word.lowercased())
        let n = chars.count
        guard n >= 4 else { return [] }
        func isLetter(_ i: Int) -> Bool { i >= 0 && i < n && chars[i].isLetter }
        func isVowel(_ i: Int) -> Bool {
            guard i >= 0 && i < n else { return false }
            return "aeiouéèêëáàâäíìîïóòôöúùûü".contains(chars[i])
        }
        func isConsonant(_ i: Int) -> Bool { isLetter(i) && !isVowel(i) }
        func digraph(_ i: Int) -> Bool {
            guard i >= 0 && i + 1 < n else { return false }
            return ["ng", "ny", "kh", "sy"].contains(String(chars[i...i + 1]))
        }
        var points: [Int] = []
        for i in 2...(n - 2) {
            // Letters only, two on each side.
            guard (i - 2..<i + 2).allSatisfy(isLetter) else { continue }
            var ok = false
            if isVowel(i - 1) && isConsonant(i) && isVowel(i + 1) {
                ok = true // V-CV
            } else if isVowel(i - 1) && digraph(i) && isVowel(i + 2) {
                ok = true // V-ngV
            } else if isVowel(i - 2) && isConsonant(i - 1) && isConsonant(i) && isVowel(i + 1) && !digraph(i - 1) {
                ok = true // VC-CV
            } else if isVowel(i - 2) && isConsonant(i - 1) && digraph(i) && isVowel(i + 2) && !digraph(i - 1) {
                ok = true // VC-ngV
            } else if isVowel(i - 3) && digraph(i - 2) && isConsonant(i) && isVowel(i + 1) {
                ok = true // Vng-CV (*leng-ga*)
            }
            if ok { points.append(i) }
        }
        return points
    }

    /// Splits a word wider than `limit` into lines that fit: after / - _ where possible, else at
    /// the last syllable boundary that fits (the line ends in "-"), else between characters
    /// (the line ends in "-").
    static func hyphenateLongWord(_ word: String, limit: Double, fontSize: Double, bold: Bool) -> [String] {
        let chars = Array(word)
        let hyphen = width("-", fontSize: fontSize, bold: bold)
        let syllables = Set(hyphenationPoints(word))
        var pieces: [String] = []
        var start = 0
        while start < chars.count {
            let rest = chars[start...]
            if width(String(rest), fontSize: fontSize, bold: bold) <= limit {
                pieces.append(String(rest))
                break
            }
            // Widths of the prefixes chars[start..<end].
            var w = 0.0
            var bestNatural: Int?
            var bestSyllable: Int?
            var bestAny: Int?
            var end = start
            while end < chars.count {
                w += width(String(chars[end]), fontSize: fontSize, bold: bold)
                end += 1
                if end >= chars.count { break }
                let c = chars[end - 1]
                if c == "/" || c == "-" || c == "_" {
                    if w <= limit { bestNatural = end }
                } else {
                    if w + hyphen <= limit {
                        bestAny = end
                        if syllables.contains(end) { bestSyllable = end }
                    }
                }
                if w > limit { break }
            }
            if let e = bestNatural, e > start, e >= (bestSyllable ?? 0) {
                pieces.append(String(chars[start..<e]))
                start = e
            } else if let e = bestSyllable ?? bestAny, e > start {
                pieces.append(String(chars[start..<e]) + "-")
                start = e
            } else {
                // Not even one character and a hyphen fit: one character per line.
                pieces.append(String(chars[start]) + (start + 1 < chars.count ? "-" : ""))
                start += 1
            }
        }
        return pieces.isEmpty ? [""] : pieces
    }

    /// Advance width of one scalar in 1/1000 em.
    static func advance(_ s: Unicode.Scalar, bold: Bool) -> Double {
        let v = s.value
        let table = bold ? boldWidths : regularWidths
        switch v {
        case 32...126: return Double(table[Int(v) - 32])
        case 160...255: return Double(table[Int(v) - 160 + 95])
        default: break
        }
        if let i = extraScalars.firstIndex(of: v) { return Double(table[191 + i]) }
        switch v {
        case 0..<32, 0x7F..<0xA0: return 0
        case 0x0300...0x036F, 0x200B...0x200F, 0xFE00...0xFE0F: return 0 // combining marks, zero-width
        case 0x1100...0x115F, 0x2E80...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F,
             0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1FAFF, 0x20000...0x3FFFD:
            return 1000
        default: return 600
        }
    }

    static let extraScalars: [UInt32] = [0x2013, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2026, 0x20AC]

    // Advance widths (1/1000 em) of Liberation Sans (metric-compatible with Arial): scalars
    // 32–126, then 160–255, then `extraScalars`.
    static let regularWidths: [UInt16] = [
        278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
        556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
        1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
        667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
        333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
        556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, 278,
        333, 556, 556, 556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737, 552, 400,
        549, 333, 333, 333, 576, 537, 278, 333, 333, 365, 556, 834, 834, 834, 611, 667,
        667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278, 722,
        722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611, 556,
        556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278, 556,
        556, 556, 556, 556, 556, 556, 549, 611, 556, 556, 556, 556, 500, 556, 500, 556,
        1000, 222, 222, 333, 333, 350, 1000, 556,
    ]
    static let boldWidths: [UInt16] = [
        278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
        556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
        975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
        667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
        333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
        611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584, 278,
        333, 556, 556, 556, 556, 280, 556, 333, 737, 370, 556, 584, 333, 737, 552, 400,
        549, 333, 333, 333, 576, 556, 278, 333, 333, 365, 556, 834, 834, 834, 611, 722,
        722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278, 722,
        722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611, 556,
        556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278, 278, 611,
        611, 611, 611, 611, 611, 611, 549, 611, 611, 611, 611, 611, 556, 611, 556, 556,
        1000, 278, 278, 500, 500, 350, 1000, 556,
    ]
}
