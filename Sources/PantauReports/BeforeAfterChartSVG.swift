import Foundation

/// What a before/after chart shows: for each measure (lead time, a step's wait or time) the
/// median before and after, as two bars on one scale. Labels and value texts come worded by the
/// caller (the web layer's catalogs).
public struct BeforeAfterChart: Sendable, Hashable {
    public struct Row: Sendable, Hashable {
        public var label: String
        /// A second line under the label (e.g. "tunggu" or "pelaksanaan"), never shortened.
        public var sublabel: String?
        public var before: Double?
        public var after: Double?
        /// Value texts (e.g. "40 menit"); nil draws no bar for that side.
        public var beforeText: String?
        public var afterText: String?
        /// Marks the row whose change is significant (drawn bold, with `changedText`).
        public var significant: Bool

        public init(label: String, sublabel: String? = nil, before: Double?, after: Double?, beforeText: String? = nil, afterText: String? = nil,
                    significant: Bool = false) {
            self.label = label; self.sublabel = sublabel; self.before = before; self.after = after
            self.beforeText = beforeText; self.afterText = afterText; self.significant = significant
        }
    }
    public var title: String
    /// Legend words of the two sides, e.g. "Sebelum" and "Sesudah".
    public var beforeLabel: String
    public var afterLabel: String
    /// Word after a significant row's label, e.g. "berubah bermakna".
    public var changedText: String
    public var rows: [Row]

    public init(title: String, beforeLabel: String, afterLabel: String, changedText: String, rows: [Row]) {
        self.title = title; self.beforeLabel = beforeLabel; self.afterLabel = afterLabel; self.changedText = changedText; self.rows = rows
    }
}

/// Draws a ``BeforeAfterChart`` as one standalone, accessible SVG (`role="img"`, `<title>`,
/// `<desc>` listing every row in words), `width="100%"` with a `viewBox`. The before bar is grey
/// and hatched, the after bar solid blue, and every bar carries its side's word and value as text,
/// so nothing depends on colour. Same input, same bytes; every text is escaped.
public struct BeforeAfterChartSVG: Sendable {
    public struct Options: Sendable, Hashable {
        public var width: Double
        public var labelWidth: Double
        public var barHeight: Double
        public var fontSize: Double
        public var idPrefix: String
        public init(width: Double = 960, labelWidth: Double = 300, barHeight: Double = 16, fontSize: Double = 12, idPrefix: String = "ba-chart") {
            self.width = width; self.labelWidth = labelWidth; self.barHeight = barHeight; self.fontSize = fontSize; self.idPrefix = idPrefix
        }
    }

    public var options: Options
    public init(options: Options = Options()) { self.options = options }

    public func render(_ chart: BeforeAfterChart) -> String {
        let o = options
        let id = HTMLEscape.attribute(o.idPrefix)
        let textWidth = 190.0
        let barSpace = max(50, o.width - o.labelWidth - textWidth - 20)
        let maxValue = chart.rows.flatMap { [$0.before, $0.after] }.compactMap { $0 }.filter(\.isFinite).max() ?? 0
        let scale = maxValue > 0 ? barSpace / maxValue : 0
        let rowHeight = o.barHeight * 2 + 14
        let top = 34.0
        let height = top + Double(chart.rows.count) * rowHeight + 8
        func n(_ v: Double) -> String { SVGFormat.number(v) }
        var desc: [String] = []
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"ba-chart\" role=\"img\" width=\"100%\" viewBox=\"0 0 \(n(o.width)) \(n(height))\""
        out += " aria-labelledby=\"\(id)-title \(id)-desc\" font-family=\"Arial, 'Liberation Sans', Arimo, Helvetica, sans-serif\" font-size=\"\(n(o.fontSize))\">"
        out += "<title id=\"\(id)-title\">\(HTMLEscape.text(chart.title))</title>"
        for r in chart.rows {
            desc.append("\(r.label)\(r.sublabel.map { " (\($0))" } ?? ""): \(chart.beforeLabel) \(r.beforeText ?? "–"), \(chart.afterLabel) \(r.afterText ?? "–")"
                        + (r.significant ? " (\(chart.changedText))" : ""))
        }
        out += "<desc id=\"\(id)-desc\">\(HTMLEscape.text(desc.joined(separator: "; ")))</desc>"
        out += "<defs><pattern id=\"\(id)-hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
        out += "<rect width=\"6\" height=\"6\" fill=\"#c5ccd3\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#6b7785\" stroke-width=\"2\"/></pattern></defs>"
        // Legend.
        out += "<rect x=\"0\" y=\"6\" width=\"18\" height=\"12\" fill=\"url(#\(id)-hatch)\" stroke=\"#4a5563\"/>"
        out += "<text x=\"24\" y=\"16\">\(HTMLEscape.text(chart.beforeLabel))</text>"
        out += "<rect x=\"140\" y=\"6\" width=\"18\" height=\"12\" fill=\"#2f6db5\"/>"
        out += "<text x=\"164\" y=\"16\">\(HTMLEscape.text(chart.afterLabel))</text>"
        for (i, r) in chart.rows.enumerated() {
            let y = top + Double(i) * rowHeight
            out += "<g class=\"ba-row\" data-row=\"\(i)\" data-significant=\"\(r.significant)\">"
            let weight = r.significant ? " font-weight=\"bold\"" : ""
            // Long labels are shortened to their column (the full text stays in the description).
            let fit = max(8, Int(o.labelWidth / (o.fontSize * 0.56)))
            let label = r.label.count > fit ? String(r.label.prefix(fit - 1)) + "…" : r.label
            out += "<text x=\"0\" y=\"\(n(y + o.barHeight))\"\(weight)><title>\(HTMLEscape.text(r.label))</title>\(HTMLEscape.text(label))</text>"
            let second = [r.sublabel, r.significant ? chart.changedText : nil].compactMap { $0 }.joined(separator: " · ")
            if !second.isEmpty {
                out += "<text x=\"0\" y=\"\(n(y + o.barHeight + o.fontSize + 3))\" class=\"ba-sublabel\"\(weight)>\(HTMLEscape.text(second))</text>"
            }
            for (k, side) in [(r.before, r.beforeText, chart.beforeLabel), (r.after, r.afterText, chart.afterLabel)].enumerated() {
                let by = y + Double(k) * (o.barHeight + 2)
                guard let v = side.0, v.isFinite, let text = side.1 else { continue }
                let w = max(1, v * scale)
                let fill = k == 0 ? "url(#\(id)-hatch)" : "#2f6db5"
                let cls = k == 0 ? "ba-before" : "ba-after"
                out += "<rect class=\"\(cls)\" x=\"\(n(o.labelWidth))\" y=\"\(n(by))\" width=\"\(n(w))\" height=\"\(n(o.barHeight))\" fill=\"\(fill)\""
                out += (k == 0 ? " stroke=\"#4a5563\"" : "") + " data-value=\"\(n(v))\"><title>\(HTMLEscape.text(side.2 + ": " + text))</title></rect>"
                out += "<text x=\"\(n(o.labelWidth + w + 6))\" y=\"\(n(by + o.barHeight - 4))\">\(HTMLEscape.text(side.2 + ": " + text))</text>"
            }
            out += "</g>"
        }
        out += "</svg>"
        return out
    }
}
