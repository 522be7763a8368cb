import PantauCore

/// The official SOP document (PermenPANRB 35/2012, "unsur prosedur") as an HTML fragment: the
/// identity block ("Bagian Identitas", all 13 fields in the Permen's layout) followed by the
/// flowchart table ("Bagian Flowchart") drawn by ``SOPFlowchartRenderer``, one printed A4
/// landscape page per flowchart page.
///
/// The fragment needs ``printCSS`` (include it once in the page's `<style>` or a stylesheet);
/// ``renderPage(_:)`` wraps both into a complete printable HTML document. All text from the SOP
/// is escaped; the logo URL is accepted only as http(s), `data:image/` or relative.
///
/// Class names (all prefixed `sop-`):
/// - `sop-document`: the root `<article>`; `lang` is set to the output language.
/// - `sop-identity`: the identity `<table>`; `sop-unit` (logo and unit cell), `sop-logo`,
///   `sop-agency`, `sop-unit-name`, `sop-label` (field-name cells), `sop-value`, `sop-number`,
///   `sop-title`, `sop-approval`, `sop-approver-position`, `sop-signature-space`,
///   `sop-approver-name`, `sop-approver-nip`, `sop-section-label` (lower headings:
///   Dasar Hukum …), `sop-section` (their contents), `sop-list` (numbered lists), `sop-empty` ("-").
/// - `sop-flow-page`: one `<section>` per flowchart page (starts a new printed page);
///   `sop-flow-caption` with `sop-flow-title`, `sop-flow-number`, `sop-flow-pageno`;
///   `sop-flow-svg` holds the `<svg class="sop-flowchart">`.
/// - `sop-flow-list`: the flowchart as a list of step cards for narrow screens (shown instead
///   of the table below 760 CSS px, never printed): `sop-flow-list-title`, `sop-steps` (the
///   `<ol>`), `sop-step` (one `<li>` per step, `id` = prefix + `-step-` + number, `data-no`,
///   `data-kind`), `sop-step-no`, `sop-step-kind`, `sop-step-activity`, `sop-step-fields` (a
///   `<dl>` of `<div class="sop-step-…">` groups: `-actor`, `-question`, `-target` with
///   `-branch-yes|no|next` linking to the target's card, `-requirements`, `-time`, `-output`,
///   `-notes`).
/// - The lower identity rows carry `sop-pair-1` … `sop-pair-3`, their cells `sop-left` /
///   `sop-right`, so a narrow screen can stack each heading over its contents.
public struct SOPDocumentHTML: Sendable {
    /// Document options.
    public struct Options: Sendable, Hashable {
        /// Labels, dates and flowchart language (Bahasa Indonesia by default).
        public var language: Language
        /// The agency logo shown in the unit cell; nil leaves an empty logo area.
        public var logoURL: String?
        /// The line above the unit name, e.g. "PEMERINTAH KABUPATEN SLEMAN"; nil for none.
        public var agencyName: String?
        /// Options for the flowchart table. Its `language` and `idPrefix` are overridden by this
        /// value's `language` and `idPrefix`. The default splits pages to fit A4 landscape.
        public var flowchart: SOPFlowchartRenderer.Options
        /// Whether to include the flowchart section.
        public var includeFlowchart: Bool
        /// Prefix for element ids; make it unique when several documents share a page.
        public var idPrefix: String

        public init(
            language: Language = .id, logoURL: String? = nil, agencyName: String? = nil,
            flowchart: SOPFlowchartRenderer.Options = SOPDocumentHTML.defaultFlowchartOptions,
            includeFlowchart: Bool = true, idPrefix: String = "sop"
        ) {
            self.language = language
            self.logoURL = logoURL
            self.agencyName = agencyName
            self.flowchart = flowchart
            self.includeFlowchart = includeFlowchart
            self.idPrefix = idPrefix
        }
    }

    /// Flowchart options sized for A4 landscape with 10 mm margins: 1047 × 718 CSS px of
    /// printable area, less the page caption.
    public static let defaultFlowchartOptions = SOPFlowchartRenderer.Options(width: 1047, maxPageHeight: 670)

    public let options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    /// Field labels in the document language.
    struct Labels {
        let number, created, revised, effective, approvedBy, title, legalBasis, qualifications, related,
            equipment, warning, recordKeeping, page, of, nip: String
        init(_ lang: Language) {
            switch lang {
            case .id:
                number = "Nomor SOP"; created = "Tanggal Pembuatan"; revised = "Tanggal Revisi"
                effective = "Tanggal Efektif"; approvedBy = "Disahkan oleh"; title = "Nama SOP"
                legalBasis = "Dasar Hukum"; qualifications = "Kualifikasi Pelaksana"; related = "Keterkaitan"
                equipment = "Peralatan/Perlengkapan"; warning = "Peringatan"; recordKeeping = "Pencatatan dan Pendataan"
                page = "Halaman"; of = "dari"; nip = "NIP."
            case .en:
                number = "SOP Number"; created = "Date Drafted"; revised = "Revision Date"
                effective = "Effective Date"; approvedBy = "Approved by"; title = "SOP Title"
                legalBasis = "Legal Basis"; qualifications = "Executor Qualifications"; related = "Related SOPs"
                equipment = "Equipment/Supplies"; warning = "Warning"; recordKeeping = "Records and Data Keeping"
                page = "Page"; of = "of"; nip = "NIP"
            }
        }
    }

    /// The document as an HTML fragment (`<article class="sop-document">…</article>`).
    /// - Complexity: dominated by the flowchart layout, O(n · (n + e)) for n steps and e arrows.
    public func render(_ document: SOPDocument) -> String {
        let lang = options.language
        let l = Labels(lang)
        let id = document.identity
        let e = HTMLEscape.text
        var h = ""
        h += "<article class=\"sop-document\" lang=\"\(lang == .id ? "id" : "en")\">\n"
        h += "<section class=\"sop-identity-page\">\n"
        h += "<table class=\"sop-identity\">\n"
        h += "<colgroup><col class=\"sop-col-unit\"/><col class=\"sop-col-label\"/><col class=\"sop-col-value\"/></colgroup>\n"
        // Upper part: unit cell on the left, six fields on the right.
        h += "<tr>"
        h += "<td class=\"sop-unit\" rowspan=\"6\">"
        h += "<div class=\"sop-logo\">"
        if let raw = options.logoURL, let url = HTMLEscape.safeURL(raw) {
            let alt = lang == .id ? "Logo \(id.unitName)" : "\(id.unitName) logo"
            h += "<img src=\"\(url)\" alt=\"\(HTMLEscape.attribute(alt))\"/>"
        }
        h += "</div>"
        if let agency = options.agencyName, !agency.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            h += "<div class=\"sop-agency\">\(e(agency))</div>"
        }
        h += "<div class=\"sop-unit-name\">\(e(id.unitName))</div>"
        h += "</td>"
        h += "<th class=\"sop-label\" scope=\"row\">\(e(l.number))</th><td class=\"sop-value sop-number\">\(Self.breakAfterSlashes(valueOrDash(id.number)))</td></tr>\n"
        h += "<tr><th class=\"sop-label\" scope=\"row\">\(e(l.created))</th><td class=\"sop-value\">\(e(Self.formatDate(id.createdOn, language: lang)))</td></tr>\n"
        h += "<tr><th class=\"sop-label\" scope=\"row\">\(e(l.revised))</th><td class=\"sop-value\">\(e(Self.formatDate(id.revisedOn, language: lang)))</td></tr>\n"
        h += "<tr><th class=\"sop-label\" scope=\"row\">\(e(l.effective))</th><td class=\"sop-value\">\(e(Self.formatDate(id.effectiveOn, language: lang)))</td></tr>\n"
        h += "<tr><th class=\"sop-label\" scope=\"row\">\(e(l.approvedBy))</th><td class=\"sop-value sop-approval\">"
        if let a = id.approvedBy {
            h += "<div class=\"sop-approver-position\">\(e(a.position))</div>"
            h += "<div class=\"sop-signature-space\" aria-hidden=\"true\"></div>"
            h += "<div class=\"sop-approver-name\">\(e(a.name))</div>"
            h += "<div class=\"sop-approver-nip\">\(e(l.nip)) \(e(Self.formatNIP(a.nip)))</div>"
        } else {
            h += "<div class=\"sop-signature-space\" aria-hidden=\"true\"></div><span class=\"sop-empty\">-</span>"
        }
        h += "</td></tr>\n"
        h += "<tr><th class=\"sop-label\" scope=\"row\">\(e(l.title))</th><td class=\"sop-value sop-title\">\(valueOrDash(id.title))</td></tr>\n"
        // Lower part: three pairs of headed sections.
        let related = id.relatedSOPs.map { r -> String in
            var s = r.number
            if !r.title.isEmpty { s += " \u{2013} " + r.title }
            if !r.relation.isEmpty { s += " (" + r.relation + ")" }
            return s
        }
        let warning = id.warning.trimmingCharacters(in: .whitespacesAndNewlines)
        let pairs: [((String, [String], Bool), (String, [String], Bool))] = [
            ((l.legalBasis, id.legalBasis, true), (l.qualifications, id.executorQualifications, true)),
            ((l.related, related, true), (l.equipment, id.equipment, true)),
            ((l.warning, warning.isEmpty ? [] : [warning], false), (l.recordKeeping, id.recordKeeping, true)),
        ]
        // `sop-pair-N`, `sop-left`, `sop-right` let a narrow screen stack each heading over its contents.
        for (k, (left, right)) in pairs.enumerated() {
            h += "<tr class=\"sop-pair-\(k + 1)\"><th class=\"sop-section-label sop-left\" scope=\"col\">\(e(left.0)):</th>"
            h += "<th class=\"sop-section-label sop-right\" scope=\"col\" colspan=\"2\">\(e(right.0)):</th></tr>\n"
            h += "<tr class=\"sop-pair-\(k + 1)\"><td class=\"sop-section sop-left\">\(Self.breakAfterSlashes(list(left.1, numbered: left.2)))</td>"
            h += "<td class=\"sop-section sop-right\" colspan=\"2\">\(list(right.1, numbered: right.2))</td></tr>\n"
        }
        h += "</table>\n"
        h += "</section>\n"

        if options.includeFlowchart {
            h += stepList(document)
            var fo = options.flowchart
            fo.language = lang
            fo.idPrefix = options.idPrefix + "-flow"
            let renderer = SOPFlowchartRenderer(options: fo)
            let layout = renderer.layout(document)
            let svgs = renderer.renderSVG(layout, document: document)
            for (i, svg) in svgs.enumerated() {
                h += "<section class=\"sop-flow-page\">\n"
                h += "<div class=\"sop-flow-caption\">"
                h += "<span class=\"sop-flow-title\">\(e(id.title))</span>"
                h += "<span class=\"sop-flow-number\">\(e(id.number))</span>"
                h += "<span class=\"sop-flow-pageno\">\(e(l.page)) \(i + 1) \(e(l.of)) \(svgs.count)</span>"
                h += "</div>\n"
                h += "<div class=\"sop-flow-svg\">\n\(svg)</div>\n"
                h += "</section>\n"
            }
        }
        h += "</article>\n"
        return h
    }

    /// A complete HTML document (with ``printCSS``) for printing or saving one SOP.
    public func renderPage(_ document: SOPDocument) -> String {
        let lang = options.language == .id ? "id" : "en"
        let title = document.identity.number.isEmpty
            ? document.identity.title
            : "\(document.identity.number) \u{2013} \(document.identity.title)"
        return """
        <!DOCTYPE html>
        <html lang="\(lang)">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(HTMLEscape.text(title))</title>
        <style>
        \(Self.printCSS)
        </style>
        </head>
        <body class="sop-print">
        \(render(document))</body>
        </html>

        """
    }

    /// The flowchart as a list of step cards, for phones (see ``printCSS``): number, kind,
    /// activity, pelaksana, question, where each answer leads (linked), mutu baku, keterangan.
    func stepList(_ document: SOPDocument) -> String {
        let lang = options.language
        let e = HTMLEscape.text
        let id = { (n: Int) in HTMLEscape.attribute("\(self.options.idPrefix)-step-\(n)") }
        let en = lang == .en
        let names = Dictionary(document.actors.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        let titleID = HTMLEscape.attribute(options.idPrefix + "-flow-list-title")
        var h = "<section class=\"sop-flow-list\" aria-labelledby=\"\(titleID)\">\n"
        h += "<h2 class=\"sop-flow-list-title\" id=\"\(titleID)\">\(en ? "Flowchart, step by step" : "Diagram alir, langkah demi langkah")</h2>\n"
        h += "<ol class=\"sop-steps\">\n"
        for (i, step) in document.steps.enumerated() {
            let n = i + 1
            let kind: (String, String)
            switch step.kind {
            case .start: kind = ("start", en ? "Start" : "Mulai")
            case .process: kind = ("process", en ? "Process" : "Proses")
            case .decision: kind = ("decision", en ? "Decision" : "Keputusan")
            case .end: kind = ("end", en ? "End" : "Selesai")
            }
            h += "<li class=\"sop-step sop-step-\(kind.0)\" id=\"\(id(n))\" data-no=\"\(n)\" data-kind=\"\(kind.0)\">"
            h += "<div class=\"sop-step-head\"><span class=\"sop-step-no\">\(n)</span> <span class=\"sop-step-kind\">\(e(kind.1))</span></div>"
            h += "<p class=\"sop-step-activity\">\(valueOrDash(step.activity))</p>"
            var fields: [(String, String, String)] = [] // class, label, HTML value
            let actor = names[step.actor] ?? (en ? "(Unknown actor)" : "(Pelaksana tidak dikenal)")
            fields.append(("actor", en ? "Actor" : "Pelaksana", e(actor)))
            if step.kind == .decision, !step.question.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                fields.append(("question", en ? "Question" : "Pertanyaan", e(step.question)))
            }
            for (target, branch) in document.successors(of: step) {
                guard let t = document.number(ofStep: target) else { continue }
                let label: (String, String)
                switch branch {
                case .yes: label = ("yes", en ? "Yes" : "Ya")
                case .no: label = ("no", en ? "No" : "Tidak")
                case .plain: label = ("next", en ? "Next" : "Berikutnya")
                }
                let activity = document.steps[t - 1].activity
                let link = "<a href=\"#\(id(t))\">\(en ? "step" : "langkah") \(t)</a>" + (activity.isEmpty ? "" : ": " + e(activity))
                fields.append(("target sop-step-branch-\(label.0)", label.1, link))
            }
            let time = step.standard.time.map { TimeStandard.format(seconds: $0.seconds, language: lang) } ?? ""
            fields.append(("requirements", en ? "Requirements" : "Kelengkapan", valueOrDash(step.standard.requirements)))
            fields.append(("time", en ? "Time" : "Waktu", valueOrDash(time)))
            fields.append(("output", "Output", valueOrDash(step.standard.output)))
            if !step.notes.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                fields.append(("notes", en ? "Notes" : "Keterangan", e(step.notes)))
            }
            h += "<dl class=\"sop-step-fields\">"
            for (cls, label, value) in fields {
                h += "<div class=\"sop-step-\(cls)\"><dt>\(e(label))</dt><dd>\(value)</dd></div>"
            }
            h += "</dl></li>\n"
        }
        h += "</ol>\n</section>\n"
        return h
    }

    /// Escaped HTML with a line-break opportunity (`<wbr/>`) after each "/" of its text, so
    /// codes such as "800/045/SOP/DPMPTSP/2026" wrap at their slashes on a narrow screen
    /// instead of being cut anywhere.
    static func breakAfterSlashes(_ html: String) -> String {
        var out = ""
        var inTag = false
        for c in html {
            out.append(c)
            if c == "<" { inTag = true } else if c == ">" { inTag = false } else if c == "/" && !inTag { out += "<wbr/>" }
        }
        return out
    }

    private func valueOrDash(_ s: String) -> String {
        s.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? "<span class=\"sop-empty\">-</span>" : HTMLEscape.text(s)
    }

    private func list(_ items: [String], numbered: Bool) -> String {
        let kept = items.filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        guard !kept.isEmpty else { return "<span class=\"sop-empty\">-</span>" }
        if !numbered {
            return kept.map { "<p>\(HTMLEscape.text($0))</p>" }.joined()
        }
        return "<ol class=\"sop-list\">" + kept.map { "<li>\(HTMLEscape.text($0))</li>" }.joined() + "</ol>"
    }

    /// Month names for dates.
    static let monthsID = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
                           "September", "Oktober", "November", "Desember"]
    static let monthsEN = ["January", "February", "March", "April", "May", "June", "July", "August",
                           "September", "October", "November", "December"]

    /// A date as written in Indonesian official documents: "17 Agustus 2026" ("17 August 2026" in
    /// English); "-" when there is no date.
    public static func formatDate(_ date: CivilDate?, language: Language) -> String {
        guard let d = date, (1...12).contains(d.month) else { return "-" }
        let month = (language == .id ? monthsID : monthsEN)[d.month - 1]
        return "\(d.day) \(month) \(d.year)"
    }

    /// An 18-digit NIP grouped as printed on official documents ("19750312 200003 2 004");
    /// anything else is returned unchanged.
    public static func formatNIP(_ nip: String) -> String {
        let digits = nip.filter { $0 != " " }
        guard digits.count == 18, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nip }
        let c = Array(digits)
        return String(c[0..<8]) + " " + String(c[8..<14]) + " " + String(c[14..<15]) + " " + String(c[15..<18])
    }
}
