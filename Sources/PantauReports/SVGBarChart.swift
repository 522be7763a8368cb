/// A small horizontal bar chart as standalone SVG, for report pages (e.g. mean step time per
/// SOP step against its standard, IKM per unsur).
///
/// Each bar has a label (wrapped to at most two lines), a value, an optional target drawn as a
/// vertical tick, and an optional value text. Bars whose value exceeds their target use
/// ``Options/overColor`` (or ``Options/underColor`` when ``Options/higherIsBetter``), so a reader
/// sees at a glance which steps are over standard. Output is deterministic and escaped.
public struct SVGBarChart: Sendable {
    /// One bar.
    public struct Bar: Sendable, Hashable {
        public var label: String
        public var value: Double
        /// A reference value (standard, target); nil for none.
        public var target: Double?
        /// Text after the bar; nil shows the value with up to two decimals.
        public var valueText: String?

        public init(label: String, value: Double, target: Double? = nil, valueText: String? = nil) {
            self.label = label
            self.value = value
            self.target = target
            self.valueText = valueText
        }
    }

    /// Chart options.
    public struct Options: Sendable, Hashable {
        /// Accessible title (also the `<title>` element).
        public var title: String
        public var width: Double
        public var labelWidth: Double
        public var barHeight: Double
        public var gap: Double
        public var fontSize: Double
        /// Scale maximum; nil uses the largest value or target.
        public var maxValue: Double?
        /// When true, a value below its target is the bad case (e.g. IKM); otherwise above is bad (e.g. time).
        public var higherIsBetter: Bool
        public var color: String
        public var overColor: String
        public var underColor: String
        public var fontFamily: String
        public var idPrefix: String

        public init(
            title: String, width: Double = 640, labelWidth: Double = 200, barHeight: Double = 18, gap: Double = 8,
            fontSize: Double = 11, maxValue: Double? = nil, higherIsBetter: Bool = false,
            color: String = "#2f6db5", overColor: String = "#c0392b", underColor: String = "#c0392b",
            fontFamily: String = "Arial, 'Liberation Sans', Arimo, Helvetica, sans-serif", idPrefix: String = "bar-chart"
        ) {
            self.title = title
            self.width = width
            self.labelWidth = labelWidth
            self.barHeight = barHeight
            self.gap = gap
            self.fontSize = fontSize
            self.maxValue = maxValue
            self.higherIsBetter = higherIsBetter
            self.color = color
            self.overColor = overColor
            self.underColor = underColor
            self.fontFamily = fontFamily
            self.idPrefix = idPrefix
        }
    }

    public let options: Options

    public init(options: Options) {
        self.options = options
    }

    /// The chart as an `<svg>` document. Negative and non-finite values are drawn as zero-length bars.
    /// - Complexity: O(n) in the number of bars.
    public func render(_ bars: [Bar]) -> String {
        let o = options
        let n = SVGFormat.number
        let f = max(o.fontSize, 4)
        let lh = f * 1.2
        let valueArea = max(f * 5, 50)
        let plotX = o.labelWidth + 8
        let plotW = max(o.width - plotX - valueArea, 10)
        func clean(_ v: Double?) -> Double { guard let v, v.isFinite, v > 0 else { return 0 } ; return v }
        let dataMax = bars.map { max(clean($0.value), clean($0.target)) }.max() ?? 0
        let scaleMax = clean(o.maxValue) > 0 ? clean(o.maxValue) : (dataMax > 0 ? dataMax : 1)
        let labelLines = bars.map { SVGText.wrap($0.label, maxWidth: o.labelWidth, fontSize: f, maxLines: 2) }
        let rowHeights = labelLines.map { max(o.barHeight, Double(max($0.count, 1)) * lh) + o.gap }
        let height = rowHeights.reduce(0, +) + o.gap
        var s = "<svg" + SVGFormat.attributes([
            ("xmlns", "http://www.w3.org/2000/svg"), ("class", "bar-chart"),
            ("width", n(o.width)), ("height", n(height)), ("viewBox", "0 0 \(n(o.width)) \(n(height))"),
            ("role", "img"), ("aria-labelledby", o.idPrefix + "-title"),
            ("font-family", o.fontFamily), ("font-size", n(f)),
        ]) + ">\n"
        s += "<title" + SVGFormat.attributes([("id", o.idPrefix + "-title")]) + ">\(HTMLEscape.text(o.title))</title>\n"
        var y = o.gap
        for (i, bar) in bars.enumerated() {
            let rowH = rowHeights[i] - o.gap
            let cy = y + rowH / 2
            let v = clean(bar.value)
            let w = min(v / scaleMax, 1) * plotW
            var fill = o.color
            if let t = bar.target, t.isFinite {
                if !o.higherIsBetter && bar.value > t { fill = o.overColor }
                if o.higherIsBetter && bar.value < t { fill = o.underColor }
            }
            let valueText = bar.valueText ?? n(bar.value.isFinite ? bar.value : 0)
            s += "<g class=\"bar\"><title>\(HTMLEscape.text(bar.label + ": " + valueText))</title>"
            let lines = labelLines[i]
            let top = cy - Double(lines.count) * lh / 2
            for (k, line) in lines.enumerated() {
                s += "<text x=\"\(n(o.labelWidth))\" y=\"\(n(top + Double(k) * lh + f * 0.95))\" text-anchor=\"end\">\(HTMLEscape.text(line))</text>"
            }
            s += "<rect class=\"bar-value\" x=\"\(n(plotX))\" y=\"\(n(cy - o.barHeight / 2))\" width=\"\(n(w))\" height=\"\(n(o.barHeight))\" fill=\"\(HTMLEscape.attribute(fill))\"/>"
            if let t = bar.target, t.isFinite, t >= 0 {
                let tx = plotX + min(t / scaleMax, 1) * plotW
                s += "<line class=\"bar-target\" x1=\"\(n(tx))\" y1=\"\(n(cy - o.barHeight / 2 - 3))\" x2=\"\(n(tx))\" y2=\"\(n(cy + o.barHeight / 2 + 3))\" stroke=\"#000000\" stroke-width=\"2\"/>"
            }
            s += "<text class=\"bar-label\" x=\"\(n(plotX + w + 4))\" y=\"\(n(cy + f * 0.35))\">\(HTMLEscape.text(valueText))</text>"
            s += "</g>\n"
            y += rowHeights[i]
        }
        s += "<line x1=\"\(n(plotX))\" y1=\"0\" x2=\"\(n(plotX))\" y2=\"\(n(height))\" stroke=\"#000000\" stroke-width=\"1\"/>\n"
        s += "</svg>\n"
        return s
    }
}
