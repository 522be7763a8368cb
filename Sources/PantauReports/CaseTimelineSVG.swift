import Foundation
import PantauCore

/// One case (one execution of an SOP) as drawn by ``CaseTimelineSVG``: the SOP's steps, what was
/// logged, which steps the conformance check found skipped, and the moment an open case is seen.
public struct CaseTimeline: Sendable, Hashable {
    /// One SOP step, a row of the drawing.
    public struct Step: Sendable, Hashable {
        /// The SOP step id (what ``Occurrence/stepID`` refers to).
        public var id: String
        /// The step's "No".
        public var number: Int
        /// The step's activity.
        public var label: String
        /// The time standard (mutu baku waktu), in seconds.
        public var standardSeconds: Double?
        /// False for a step marked as not recorded (tercatat: false).
        public var recorded: Bool

        public init(id: String, number: Int, label: String, standardSeconds: Double? = nil, recorded: Bool = true) {
            self.id = id
            self.number = number
            self.label = label
            self.standardSeconds = standardSeconds
            self.recorded = recorded
        }
    }

    /// One carrying-out of a step (or of an activity outside the SOP).
    public struct Occurrence: Sendable, Hashable {
        /// The SOP step; nil (or an id not among the steps) for an activity outside the SOP.
        public var stepID: String?
        /// The logged activity name (the row of an activity outside the SOP).
        public var activity: String
        /// When it started; nil when only its completion was logged (drawn as a diamond).
        public var start: Date?
        public var complete: Date
        /// Who carried it out (petugas), shown in the tooltip.
        public var resource: String?

        public init(stepID: String?, activity: String, start: Date? = nil, complete: Date, resource: String? = nil) {
            self.stepID = stepID
            self.activity = activity
            self.start = start
            self.complete = complete
            self.resource = resource
        }
    }

    /// Shown in the title ("Garis waktu kasus REG-0012"), e.g. the receipt or queue number.
    public var caseLabel: String?
    /// SOP steps in SOP order.
    public var steps: [Step]
    public var occurrences: [Occurrence]
    /// Steps the conformance check found skipped in this case.
    public var skippedStepIDs: Set<String>
    /// For an open case: the time axis runs to this moment (when later than the last event) and
    /// a "sekarang" line marks it.
    public var now: Date?

    public init(
        caseLabel: String? = nil, steps: [Step], occurrences: [Occurrence], skippedStepIDs: Set<String> = [], now: Date? = nil
    ) {
        self.caseLabel = caseLabel
        self.steps = steps
        self.occurrences = occurrences
        self.skippedStepIDs = skippedStepIDs
        self.now = now
    }
}

/// Draws one case's events against its SOP as a standalone, accessible SVG (a Gantt-style chart).
///
/// One row per SOP step in SOP order ("N. activity"), then one row per activity outside the SOP
/// (marked "di luar SOP"). The x axis runs from the case's first timestamp to its last, or to
/// ``CaseTimeline/now`` for an open case, with tick labels in the chosen zone (default WIB,
/// `d MMM HH:mm`, Indonesian month abbreviations). Each occurrence is a bar from start to
/// completion, or a diamond at its completion when no start was logged; under a bar a thin black
/// line shows the step's standard measured from the occurrence's start (cut at the axis end). An
/// occurrence longer than its standard is hatched, outlined dark red and labelled "melebihi baku"
/// ("over standard"); repeated occurrences of a row are numbered "×1", "×2", …; a skipped step's
/// row says "dilewati" ("skipped"); a step not recorded and absent says "tidak tercatat" in grey.
/// Each bar's `<title>` gives its times, duration, standard and officer.
///
/// Classes and `data-*` for styling and tests: `tl-row` (`data-step`, `data-no`, `data-outside`),
/// `tl-bar` and `tl-point` (`data-start`, `data-complete` as Unix seconds, `data-over`),
/// `tl-standard`, `tl-over-marker`, `tl-skipped-marker`, `tl-not-recorded`, `tl-tick` (`data-time`),
/// `tl-now`. Output is deterministic; every text is escaped with ``HTMLEscape``.
public struct CaseTimelineSVG: Sendable {
    public struct Options: Sendable, Hashable {
        public var language: Language
        /// Accessible title; nil gives "Garis waktu kasus <caseLabel>" / "Case timeline <caseLabel>".
        public var title: String?
        /// Width in user units (CSS pixels at full size; it scales down with the page).
        public var width: Double
        /// Text size (at least 12).
        public var fontSize: Double
        /// Width of the step label column.
        public var labelWidth: Double
        /// Zone of the tick labels and tooltips.
        public var timeZone: TimeZone
        /// Name of that zone in the texts.
        public var zoneLabel: String
        public var fontFamily: String
        /// Prefix for element ids (title, desc, hatch pattern); unique per HTML page.
        public var idPrefix: String

        public init(
            language: Language = .id, title: String? = nil, width: Double = 960, fontSize: Double = 13,
            labelWidth: Double = 250, timeZone: TimeZone = .wib, zoneLabel: String = "WIB",
            fontFamily: String = "Arial, 'Liberation Sans', Arimo, Helvetica, sans-serif",
            idPrefix: String = "case-timeline"
        ) {
            self.language = language
            self.title = title
            self.width = width
            self.fontSize = fontSize
            self.labelWidth = labelWidth
            self.timeZone = timeZone
            self.zoneLabel = zoneLabel
            self.fontFamily = fontFamily
            self.idPrefix = idPrefix
        }
    }

    public let options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    struct Labels {
        let title, outside, skipped, notRecorded, over, standard, officer, events, now, step, open, caption, empty, from, to,
            overSteps, skippedSteps, outsideSteps: String
        let months: [String]
        init(_ l: Language, zone: String) {
            switch l {
            case .id:
                title = "Garis waktu kasus"; outside = "di luar SOP"; skipped = "dilewati"; notRecorded = "tidak tercatat"
                over = "melebihi baku"; standard = "baku"; officer = "petugas"; events = "kejadian"; now = "sekarang"
                step = "Langkah SOP"; open = "masih terbuka"; from = "dari"; to = "sampai"
                caption = "Waktu dalam \(zone). Batang: mulai sampai selesai; belah ketupat: hanya waktu selesai tercatat; garis hitam tipis di bawah batang: mutu baku waktu dihitung dari mulainya; batang berarsir: melebihi baku."
                empty = "Belum ada kejadian."; overSteps = "Melebihi baku"; skippedSteps = "Dilewati"; outsideSteps = "Di luar SOP"
                months = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]
            case .en:
                title = "Case timeline"; outside = "outside the SOP"; skipped = "skipped"; notRecorded = "not recorded"
                over = "over standard"; standard = "standard"; officer = "officer"; events = "events"; now = "now"
                step = "SOP step"; open = "still open"; from = "from"; to = "to"
                caption = "Times in \(zone). Bar: start to completion; diamond: only the completion was recorded; thin black line under a bar: the time standard counted from its start; hatched bar: over the standard."
                empty = "No events yet."; overSteps = "Over standard"; skippedSteps = "Skipped"; outsideSteps = "Outside the SOP"
                months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
            }
        }
    }

    private struct Row {
        var stepID: String?
        var number: Int?
        var label: String
        var standard: Double?
        var recorded: Bool
        var outside: Bool
        var occurrences: [(CaseTimeline.Occurrence, Int)] = []
        var lines: [String] = []
        var y = 0.0, h = 0.0
    }

    /// Tick spacings tried, in seconds.
    static let tickSteps: [Double] = [60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86_400, 172_800, 604_800, 1_209_600]

    /// The timeline as an `<svg>` document.
    /// - Complexity: O(s + e log e) for s steps and e occurrences.
    public func render(_ timeline: CaseTimeline) -> String {
        let o = options
        let lang = o.language
        let L = Labels(lang, zone: o.zoneLabel)
        let n = SVGFormat.number
        let W = max(o.width.isFinite ? o.width : 960, 480)
        let f = max(o.fontSize.isFinite ? o.fontSize : 13, 12)
        let sf = max(f - 1, 12)
        let lh = f * 1.25
        let labelW = min(max(o.labelWidth.isFinite ? o.labelWidth : 250, 80), W * 0.45)
        let plotX = labelW + 16
        let plotRight = W - 24
        let plotW = plotRight - plotX

        // Occurrences in time order (start, else completion; then completion; then input order).
        let occs = timeline.occurrences.enumerated().map { ($0.element, $0.offset) }.sorted { a, b in
            let ka = (a.0.start ?? a.0.complete), kb = (b.0.start ?? b.0.complete)
            if ka != kb { return ka < kb }
            if a.0.complete != b.0.complete { return a.0.complete < b.0.complete }
            return a.1 < b.1
        }

        // Rows: the SOP's steps, then activities outside it in order of first appearance.
        var rows: [Row] = []
        var rowOfStep: [String: Int] = [:]
        for st in timeline.steps where rowOfStep[st.id] == nil {
            rowOfStep[st.id] = rows.count
            rows.append(Row(stepID: st.id, number: st.number, label: st.label, standard: st.standardSeconds, recorded: st.recorded, outside: false))
        }
        var rowOfActivity: [String: Int] = [:]
        for (occ, i) in occs {
            if let id = occ.stepID, let r = rowOfStep[id] {
                rows[r].occurrences.append((occ, i))
            } else if let r = rowOfActivity[occ.activity] {
                rows[r].occurrences.append((occ, i))
            } else {
                rowOfActivity[occ.activity] = rows.count
                rows.append(Row(stepID: nil, number: nil, label: occ.activity, standard: nil, recorded: true, outside: true, occurrences: [(occ, i)]))
            }
        }

        // Time axis.
        let first = occs.map { ($0.0.start ?? $0.0.complete).timeIntervalSince1970 }.min()
        let last = occs.map { $0.0.complete.timeIntervalSince1970 }.max()
        let nowT = timeline.now?.timeIntervalSince1970
        let t0 = first ?? nowT ?? 0
        var t1 = max(last ?? t0, nowT ?? -Double.infinity)
        if t1 - t0 < 60 { t1 = t0 + 60 }
        let span = t1 - t0
        func x(_ t: Double) -> Double { plotX + (t - t0) / span * plotW }

        // Geometry.
        let axisH = 30.0
        var y = axisH + 4
        for i in rows.indices {
            let title = rows[i].number.map { "\($0). \(rows[i].label)" } ?? rows[i].label
            var lines = SVGText.wrap(title, maxWidth: labelW - 8, fontSize: f, maxLines: 2)
            if lines.isEmpty { lines = [""] }
            rows[i].lines = lines
            rows[i].y = y
            rows[i].h = max(42, Double(lines.count + (rows[i].outside ? 1 : 0)) * lh + 10)
            y += rows[i].h
        }
        let rowsBottom = y
        let captionLines = SVGText.wrap(L.caption, maxWidth: W - 16, fontSize: sf)
        let captionTop = rowsBottom + 14
        let H = (captionTop + Double(captionLines.count) * sf * 1.25 + 8).rounded(.up)

        let titleID = o.idPrefix + "-title", descID = o.idPrefix + "-desc", hatchID = o.idPrefix + "-hatch"
        let title = o.title ?? (L.title + (timeline.caseLabel.map { " " + $0 } ?? ""))
        var s = "<svg" + SVGFormat.attributes([
            ("xmlns", "http://www.w3.org/2000/svg"), ("class", "case-timeline"),
            ("width", "100%"), ("viewBox", "0 0 \(n(W)) \(n(H))"), ("preserveAspectRatio", "xMidYMin meet"),
            ("style", "max-width:\(n(W))px;height:auto"),
            ("role", "img"), ("aria-labelledby", "\(titleID) \(descID)"),
            ("font-family", o.fontFamily), ("font-size", n(f)),
            ("data-start", n(t0)), ("data-end", n(t1)), ("data-plot-x", n(plotX)), ("data-plot-width", n(plotW)),
        ]) + ">\n"
        s += "<title" + SVGFormat.attributes([("id", titleID)]) + ">\(HTMLEscape.text(title))</title>\n"
        s += "<desc" + SVGFormat.attributes([("id", descID)]) + ">\(HTMLEscape.text(description(rows: rows, title: title, t0: t0, t1: t1, events: occs.count, now: nowT, skipped: timeline.skippedStepIDs, labels: L)))</desc>\n"
        s += "<defs><pattern" + SVGFormat.attributes([
            ("id", hatchID), ("patternUnits", "userSpaceOnUse"), ("width", "6"), ("height", "6"), ("patternTransform", "rotate(45)"),
        ]) + "><rect width=\"6\" height=\"6\" fill=\"#f6d5d0\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#8b1a1a\" stroke-width=\"3\"/></pattern></defs>\n"
        s += "<rect class=\"tl-background\" x=\"0\" y=\"0\" width=\"\(n(W))\" height=\"\(n(H))\" fill=\"#ffffff\"/>\n"

        // Row backgrounds and labels.
        s += "<g class=\"tl-rows\">\n"
        for (i, r) in rows.enumerated() {
            var attrs: [(String, String)] = [("class", "tl-row" + (r.outside ? " tl-outside" : "") + (r.recorded ? "" : " tl-unrecorded"))]
            if let id = r.stepID { attrs.append(("data-step", id)) }
            if let no = r.number { attrs.append(("data-no", String(no))) }
            attrs.append(("data-outside", r.outside ? "true" : "false"))
            attrs.append(("data-activity", r.label))
            s += "<g" + SVGFormat.attributes(attrs) + ">"
            s += "<rect x=\"0\" y=\"\(n(r.y))\" width=\"\(n(W))\" height=\"\(n(r.h))\" fill=\"\(r.outside ? "#fbf7ea" : (i % 2 == 0 ? "#f5f7fa" : "#ffffff"))\"/>"
            let grey = !r.recorded
            let nLines = r.lines.count + (r.outside ? 1 : 0)
            let top = r.y + (r.h - Double(nLines) * lh) / 2
            for (k, line) in r.lines.enumerated() {
                s += "<text class=\"tl-label\" x=\"8\" y=\"\(n(top + Double(k) * lh + (lh - f) / 2 + f * 0.82))\" fill=\"\(grey ? "#6b6b6b" : "#1a1a1a")\">\(HTMLEscape.text(line))</text>"
            }
            if r.outside {
                s += "<text class=\"tl-outside-marker\" x=\"8\" y=\"\(n(top + Double(r.lines.count) * lh + (lh - f) / 2 + f * 0.82))\" font-style=\"italic\" fill=\"#6b4e00\">\(HTMLEscape.text(L.outside))</text>"
            }
            let midText = r.y + r.h / 2 + sf * 0.35
            if let id = r.stepID, timeline.skippedStepIDs.contains(id) {
                s += "<rect class=\"tl-skipped\" x=\"\(n(plotX))\" y=\"\(n(r.y + 6))\" width=\"\(n(plotW))\" height=\"\(n(r.h - 12))\" fill=\"none\" stroke=\"#8b1a1a\" stroke-dasharray=\"5 4\"/>"
                s += "<text class=\"tl-skipped-marker\" x=\"\(n(plotX + 8))\" y=\"\(n(midText))\" font-size=\"\(n(sf))\" font-weight=\"bold\" font-style=\"italic\" fill=\"#8b1a1a\">\(HTMLEscape.text(L.skipped))</text>"
            } else if grey && r.occurrences.isEmpty {
                s += "<text class=\"tl-not-recorded\" x=\"\(n(plotX + 8))\" y=\"\(n(midText))\" font-size=\"\(n(sf))\" font-style=\"italic\" fill=\"#6b6b6b\">\(HTMLEscape.text(L.notRecorded))</text>"
            }
            s += "</g>\n"
        }
        s += "</g>\n"

        // Axis: ticks and their labels.
        let maxTicks = max(Int(plotW / 105), 2)
        let step = Self.tickSteps.first { span / $0 <= Double(maxTicks) } ?? (span / Double(maxTicks) / 86_400).rounded(.up) * 86_400
        let offset = Double(o.timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: t0)))
        var tick = ((t0 + offset) / step).rounded(.up) * step - offset
        s += "<g class=\"tl-axis\" font-size=\"\(n(sf))\">\n"
        s += "<text class=\"tl-axis-title\" x=\"8\" y=\"\(n(axisH - 10))\" font-weight=\"bold\">\(HTMLEscape.text(L.step))</text>"
        s += "<line x1=\"\(n(plotX))\" y1=\"\(n(axisH))\" x2=\"\(n(plotRight))\" y2=\"\(n(axisH))\" stroke=\"#333333\"/>\n"
        var lastLabelEnd = -Double.infinity
        while tick <= t1 + 0.5 {
            let tx = x(tick)
            let label = dateLabel(tick, L)
            let lw = SVGText.width(label, fontSize: sf)
            var anchor = "middle"
            var lx = tx
            if tx + lw / 2 > W - 2 { anchor = "end"; lx = W - 2 }
            let left = anchor == "end" ? lx - lw : lx - lw / 2
            s += "<g class=\"tl-tick\" data-time=\"\(n(tick))\">"
            s += "<line x1=\"\(n(tx))\" y1=\"\(n(axisH - 4))\" x2=\"\(n(tx))\" y2=\"\(n(rowsBottom))\" stroke=\"#c8c8c8\" stroke-width=\"1\"/>"
            if left > lastLabelEnd + 4 {
                s += "<text x=\"\(n(lx))\" y=\"\(n(axisH - 10))\" text-anchor=\"\(anchor)\" fill=\"#333333\">\(HTMLEscape.text(label))</text>"
                lastLabelEnd = left + lw
            }
            s += "</g>\n"
            tick += step
        }
        s += "</g>\n"

        // Occurrences.
        s += "<g class=\"tl-occurrences\">\n"
        for r in rows {
            let repeated = r.occurrences.count > 1
            var labelEnd = -Double.infinity
            let barH = 12.0
            let barY = r.y + r.h - 12 - barH
            for (k, item) in r.occurrences.enumerated() {
                let occ = item.0
                let c = occ.complete.timeIntervalSince1970
                let st = occ.start?.timeIntervalSince1970
                let dur = st.map { c - $0 }
                let over = dur != nil && r.standard != nil && r.standard!.isFinite && dur! > r.standard!
                var tip = (r.number.map { "\($0). \(r.label)" } ?? r.label)
                if r.outside, occ.activity != r.label { tip += " (\(occ.activity))" }
                if repeated { tip += " ×\(k + 1)" }
                tip += ": " + (st.map { dateLabel($0, L) + " – " } ?? "") + dateLabel(c, L) + " " + o.zoneLabel
                var facts: [String] = []
                if let dur { facts.append(MonitoringFormat.duration(max(dur, 0), lang)) }
                if let sd = r.standard, sd.isFinite { facts.append("\(L.standard) \(MonitoringFormat.duration(sd, lang))") }
                if over { facts.append(L.over) }
                if !facts.isEmpty { tip += " (" + facts.joined(separator: "; ") + ")" }
                if let who = occ.resource, !who.isEmpty { tip += " · \(L.officer): \(who)" }
                var attrs: [(String, String)] = [
                    ("class", (st != nil ? "tl-bar" : "tl-point") + (over ? " tl-over" : "")),
                    ("data-complete", n(c)), ("data-over", over ? "true" : "false"),
                ]
                if let st { attrs.insert(("data-start", n(st)), at: 1) }
                if let id = r.stepID { attrs.append(("data-step", id)) }
                s += "<g" + SVGFormat.attributes(attrs) + ">"
                s += "<title>\(HTMLEscape.text(tip))</title>"
                let xc = x(c)
                let xs: Double
                if let st {
                    xs = x(st)
                    let w = max(xc - xs, 2)
                    s += "<rect x=\"\(n(xs))\" y=\"\(n(barY))\" width=\"\(n(w))\" height=\"\(n(barH))\""
                    s += over ? " fill=\"url(#\(HTMLEscape.attribute(hatchID)))\" stroke=\"#8b1a1a\" stroke-width=\"1.5\"/>"
                        : " fill=\"\(r.outside ? "#8a7a3a" : "#2a5788")\"/>"
                    if let sd = r.standard, sd.isFinite, sd >= 0 {
                        let xe = min(xs + sd / span * plotW, plotRight)
                        let my = barY + barH + 4
                        s += "<path class=\"tl-standard\" d=\"M\(n(xs)) \(n(my)) H\(n(xe))" + (xs + sd / span * plotW <= plotRight ? " M\(n(xe)) \(n(my - 3)) V\(n(my + 3))" : "") + "\" stroke=\"#000000\" stroke-width=\"2\" fill=\"none\" data-seconds=\"\(n(sd))\"/>"
                    }
                } else {
                    xs = xc
                    let cy = barY + barH / 2, rr = 7.0
                    s += "<path d=\"\(SVGFormat.polygonPath([(xc, cy - rr), (xc + rr, cy), (xc, cy + rr), (xc - rr, cy)]))\" fill=\"\(r.outside ? "#8a7a3a" : "#2a5788")\" stroke=\"#ffffff\" stroke-width=\"1\"/>"
                }
                var words: [String] = []
                if repeated { words.append("×\(k + 1)") }
                if over { words.append(L.over) }
                if !words.isEmpty {
                    let text = words.joined(separator: " · ")
                    let tw = SVGText.width(text, fontSize: sf, bold: over)
                    var lx = max(st == nil ? xs - 7 : xs, labelEnd + 6)
                    if lx + tw > W - 4 { lx = W - 4 - tw }
                    labelEnd = lx + tw
                    s += "<text class=\"tl-occurrence-label" + (over ? " tl-over-marker" : "") + "\" x=\"\(n(lx))\" y=\"\(n(barY - 4))\" font-size=\"\(n(sf))\"" + (over ? " font-weight=\"bold\" fill=\"#8b1a1a\"" : " fill=\"#1a1a1a\"") + ">\(HTMLEscape.text(text))</text>"
                }
                s += "</g>\n"
            }
        }
        s += "</g>\n"

        if let nowT, nowT >= t0, nowT <= t1 {
            let nx = x(nowT)
            s += "<g class=\"tl-now\" data-time=\"\(n(nowT))\"><title>\(HTMLEscape.text(L.now + ": " + dateLabel(nowT, L) + " " + o.zoneLabel))</title>"
            s += "<line x1=\"\(n(nx))\" y1=\"\(n(axisH))\" x2=\"\(n(nx))\" y2=\"\(n(rowsBottom))\" stroke=\"#8b1a1a\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/>"
            s += "<text x=\"\(n(nx - 3))\" y=\"\(n(rowsBottom - 4))\" text-anchor=\"end\" font-size=\"\(n(sf))\" font-style=\"italic\" fill=\"#8b1a1a\">\(HTMLEscape.text(L.now))</text></g>\n"
        }
        if occs.isEmpty {
            s += "<text class=\"tl-empty\" x=\"\(n(plotX + 8))\" y=\"\(n(axisH + 22))\" font-style=\"italic\" fill=\"#555555\">\(HTMLEscape.text(L.empty))</text>\n"
        }

        s += "<g class=\"tl-caption\" font-size=\"\(n(sf))\" fill=\"#333333\">"
        for (k, line) in captionLines.enumerated() {
            s += "<text x=\"8\" y=\"\(n(captionTop + Double(k) * sf * 1.25 + sf * 0.9))\">\(HTMLEscape.text(line))</text>"
        }
        s += "</g>\n</svg>\n"
        return s
    }

    /// `d MMM HH:mm` in the options' zone, month names in the options' language.
    func dateLabel(_ t: Double, _ L: Labels) -> String {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = options.timeZone
        let c = cal.dateComponents([.day, .month, .hour, .minute], from: Date(timeIntervalSince1970: t))
        let hh = c.hour ?? 0, mm = c.minute ?? 0
        return "\(c.day ?? 1) \(L.months[max(0, min(11, (c.month ?? 1) - 1))]) " + (hh < 10 ? "0" : "") + "\(hh):" + (mm < 10 ? "0" : "") + "\(mm)"
    }

    private func description(
        rows: [Row], title: String, t0: Double, t1: Double, events: Int, now: Double?, skipped: Set<String>, labels L: Labels
    ) -> String {
        let lang = options.language
        guard events > 0 else { return title + ". " + L.empty }
        var parts = ["\(title). \(MonitoringFormat.count(events, lang)) \(L.events), \(L.from) \(dateLabel(t0, L)) \(L.to) \(dateLabel(t1, L)) \(options.zoneLabel) (\(MonitoringFormat.duration(t1 - t0, lang)))" + (now != nil && now! >= t1 ? ", \(L.open)" : "") + "."]
        let name: (Row) -> String = { r in r.number.map { "\($0). \(r.label)" } ?? r.label }
        let skippedRows = rows.filter { $0.stepID.map(skipped.contains) ?? false }.map(name)
        if !skippedRows.isEmpty { parts.append("\(L.skippedSteps): " + skippedRows.joined(separator: "; ") + ".") }
        var over: [String] = []
        for r in rows {
            guard let sd = r.standard, sd.isFinite else { continue }
            for (k, item) in r.occurrences.enumerated() {
                guard let st = item.0.start, item.0.complete.timeIntervalSince(st) > sd else { continue }
                over.append(name(r) + (r.occurrences.count > 1 ? " ×\(k + 1)" : "")
                    + " (\(MonitoringFormat.duration(item.0.complete.timeIntervalSince(st), lang)), \(L.standard) \(MonitoringFormat.duration(sd, lang)))")
            }
        }
        if !over.isEmpty { parts.append("\(L.overSteps): " + over.joined(separator: "; ") + ".") }
        let outside = rows.filter(\.outside).map(\.label)
        if !outside.isEmpty { parts.append("\(L.outsideSteps): " + outside.joined(separator: "; ") + ".") }
        return parts.joined(separator: " ")
    }
}
