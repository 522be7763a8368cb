import Foundation
import PantauCore

/// One follow-up action (rencana tindak lanjut, RTL) listed in the SKM report.
public struct SKMFollowUp: Hashable, Sendable, Codable {
    /// The unsur it addresses, if any.
    public var unsur: UnsurCode?
    /// The problem found (permasalahan).
    public var problem: String
    /// The action planned (rencana tindak lanjut).
    public var action: String
    /// Who is responsible (penanggung jawab).
    public var responsible: String
    /// When, as the unit writes it ("Triwulan IV 2026", a date).
    public var schedule: String
    /// Status, e.g. "direncanakan", "berjalan", "selesai".
    public var status: String

    public init(unsur: UnsurCode? = nil, problem: String, action: String, responsible: String = "",
                schedule: String = "", status: String = "") {
        self.unsur = unsur
        self.problem = problem
        self.action = action
        self.responsible = responsible
        self.schedule = schedule
        self.status = status
    }
}

/// The printable body of an SKM report (HTML fragment) in the outline official unit reports use:
/// 1 Pendahuluan (latar belakang, dasar hukum, tujuan), 2 Metodologi (populasi dan sampel with the
/// Krejcie–Morgan check, unsur, skala jawaban, pengolahan data with the formula), 3 Hasil (profil
/// responden, NRR per unsur with a bar chart, IKM and mutu, optional trend and saran),
/// 4 Kesimpulan, 5 Rencana Tindak Lanjut.
///
/// The fragment is a `<section class="skm-report">` with `h2`/`h3` headings and tables with
/// `th` header cells; page layout (A4 print CSS) is the web layer's. Every text from the
/// definition, the context or the result is HTML-escaped. Numbers use a decimal comma in Bahasa
/// Indonesia and a decimal point in English.
///
/// - Complexity: O(U + G + F) for U unsur, G profile groups and F follow-ups.
public struct SKMReport: Sendable {
    /// Facts about the survey that are not in the result.
    public struct Context: Hashable, Sendable {
        /// Instansi, e.g. "Pemerintah Kabupaten Contoh".
        public var agencyName: String
        /// Unit penyelenggara pelayanan, e.g. "Dinas Kependudukan dan Pencatatan Sipil".
        public var unitName: String
        /// Overrides the period label derived from the result.
        public var periodLabel: String?
        /// Survey method, e.g. "kuesioner tertulis dan daring".
        public var method: String?
        /// Sampling technique, e.g. "accidental sampling".
        public var samplingTechnique: String?
        /// Legal basis lines; defaults to UU 25/2009, PP 96/2012, PermenPANRB 14/2017.
        public var legalBasis: [String]
        /// Replaces the standard latar belakang paragraph.
        public var background: String?
        /// Follow-up actions for chapter 5.
        public var followUps: [SKMFollowUp]
        /// Selected respondent suggestions (saran) to quote.
        public var suggestions: [String]
        /// Earlier periods, shown as a trend table when it has two or more points.
        public var trend: SKMTrend?

        public init(agencyName: String, unitName: String, periodLabel: String? = nil, method: String? = nil,
                    samplingTechnique: String? = nil, legalBasis: [String] = SKMReport.defaultLegalBasis,
                    background: String? = nil, followUps: [SKMFollowUp] = [], suggestions: [String] = [],
                    trend: SKMTrend? = nil) {
            self.agencyName = agencyName
            self.unitName = unitName
            self.periodLabel = periodLabel
            self.method = method
            self.samplingTechnique = samplingTechnique
            self.legalBasis = legalBasis
            self.background = background
            self.followUps = followUps
            self.suggestions = suggestions
            self.trend = trend
        }
    }

    /// UU 25/2009, PP 96/2012 and PermenPANRB 14/2017.
    public static let defaultLegalBasis = [
        "Undang-Undang Nomor 25 Tahun 2009 tentang Pelayanan Publik",
        "Peraturan Pemerintah Nomor 96 Tahun 2012 tentang Pelaksanaan Undang-Undang Nomor 25 Tahun 2009 tentang Pelayanan Publik",
        "Peraturan Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi Nomor 14 Tahun 2017 tentang Pedoman Penyusunan Survei Kepuasan Masyarakat Unit Penyelenggara Pelayanan Publik",
    ]

    public var language: SurveyLanguage

    public init(language: SurveyLanguage = .indonesian) {
        self.language = language
    }

    private var id: Bool { language == .indonesian }
    private func t(_ idText: String, _ en: String) -> String { id ? idText : en }
    private func e(_ s: String) -> String { HTMLEscape.text(s) }

    /// A number with `decimals` places, decimal comma in Indonesian.
    func num(_ v: Double, _ decimals: Int) -> String {
        guard v.isFinite else { return "–" }
        let s = String(format: "%.\(decimals)f", v)
        return id ? s.replacingOccurrences(of: ".", with: ",") : s
    }

    private func pct(_ share: Double) -> String { num(share * 100, 1) + "%" }

    /// The report body.
    public func html(result: SKMResult, definition: SurveyDefinition, context: Context) -> String {
        let lang = language
        let period = context.periodLabel ?? result.period?.label(lang) ?? ""
        let service = result.service.name ?? context.unitName
        var h = "<section class=\"skm-report\" lang=\"\(lang.rawValue)\">\n"
        h += "<h1>\(e(t("Laporan Survei Kepuasan Masyarakat", "Citizen Satisfaction Survey Report")))</h1>\n"
        h += "<p class=\"skm-subtitle\">\(e(context.unitName)) — \(e(context.agencyName))"
        if !period.isEmpty { h += "<br>\(e(period))" }
        h += "</p>\n"

        // 1. Pendahuluan
        h += "<h2>1. \(t("Pendahuluan", "Introduction"))</h2>\n"
        h += "<h3>1.1 \(t("Latar Belakang", "Background"))</h3>\n"
        let bg = context.background ?? t(
            "Penyelenggara pelayanan publik wajib melakukan Survei Kepuasan Masyarakat (SKM) secara berkala, sekurang-kurangnya satu kali setahun, sebagai bahan penilaian terhadap unsur pelayanan yang masih perlu perbaikan dan sebagai pendorong peningkatan kualitas pelayanan. Survei ini mengukur kepuasan pengguna layanan \(service) pada \(context.unitName).",
            "Public service providers must run a Citizen Satisfaction Survey (SKM) regularly, at least once a year, to find the elements of service that need improvement and to drive better service quality. This survey measures the satisfaction of users of \(service) at \(context.unitName).")
        h += "<p>\(e(bg))</p>\n"
        h += "<h3>1.2 \(t("Dasar Hukum", "Legal Basis"))</h3>\n<ol>\n"
        for line in context.legalBasis { h += "<li>\(e(line))</li>\n" }
        h += "</ol>\n"
        h += "<h3>1.3 \(t("Tujuan", "Objectives"))</h3>\n<ol>\n"
        h += "<li>\(e(t("Mengetahui tingkat kepuasan masyarakat terhadap pelayanan yang diberikan.", "Measure how satisfied citizens are with the service provided.")))</li>\n"
        h += "<li>\(e(t("Mengetahui unsur pelayanan yang masih perlu diperbaiki.", "Identify the service elements that still need improvement.")))</li>\n"
        h += "<li>\(e(t("Menjadi dasar penyusunan rencana tindak lanjut perbaikan pelayanan.", "Provide the basis for the follow-up plan to improve the service.")))</li>\n"
        h += "</ol>\n"

        // 2. Metodologi
        h += "<h2>2. \(t("Metodologi", "Methodology"))</h2>\n"
        h += "<h3>2.1 \(t("Populasi dan Sampel", "Population and Sample"))</h3>\n"
        h += samplePart(result, context)
        h += "<h3>2.2 \(t("Unsur Pelayanan yang Diukur", "Service Elements Measured"))</h3>\n"
        h += "<table class=\"skm-unsur\">\n<thead><tr><th>No</th><th>\(t("Unsur", "Element"))</th><th>\(t("Pertanyaan", "Question"))</th><th>\(t("Bobot", "Weight"))</th></tr></thead>\n<tbody>\n"
        for (i, item) in definition.items.enumerated() {
            h += "<tr><td>U\(i + 1)</td><td>\(e(item.unsur.name.text(lang)))</td><td>\(e(item.unsur.question.text(lang)))</td><td>\(e(weightText(item.weight)))</td></tr>\n"
        }
        h += "</tbody>\n</table>\n"
        h += "<h3>2.3 \(t("Skala Jawaban", "Answer Scale"))</h3>\n"
        h += "<p>\(e(t("Setiap pertanyaan dijawab dengan skala 1 sampai 4 (1 = tidak baik, 4 = sangat baik).", "Each question is answered on a scale of 1 to 4 (1 = very poor, 4 = very good).")))</p>\n"
        h += "<table class=\"skm-scale\">\n<thead><tr><th>\(t("Unsur", "Element"))</th><th>1</th><th>2</th><th>3</th><th>4</th></tr></thead>\n<tbody>\n"
        for item in definition.items {
            h += "<tr><td>\(e(item.unsur.name.text(lang)))</td>"
            for s in 1...4 { h += "<td>\(e(item.unsur.label(forScore: s)?.text(lang) ?? ""))</td>" }
            h += "</tr>\n"
        }
        h += "</tbody>\n</table>\n"
        h += "<h3>2.4 \(t("Pengolahan Data", "Data Processing"))</h3>\n"
        h += processingPart()

        // 3. Hasil
        h += "<h2>3. \(t("Hasil", "Results"))</h2>\n"
        h += "<h3>3.1 \(t("Profil Responden", "Respondent Profile"))</h3>\n"
        h += "<p>\(e(t("Jumlah responden", "Number of respondents"))): \(result.respondentCount).</p>\n"
        for b in result.profile where b.groups.contains(where: { $0.respondents > 0 }) {
            h += "<table class=\"skm-profile\">\n<caption>\(e(b.label.text(lang)))</caption>\n"
            h += "<thead><tr><th>\(t("Kategori", "Category"))</th><th>\(t("Jumlah", "Count"))</th><th>\(t("Persentase", "Share"))</th><th>IKM</th><th>\(t("Mutu", "Grade"))</th></tr></thead>\n<tbody>\n"
            for g in b.groups {
                h += "<tr><td>\(e(g.label.text(lang)))</td><td>\(g.respondents)</td><td>\(pct(g.share))</td>"
                h += "<td>\(g.ikm.map { num($0, 2) } ?? "–")</td><td>\(g.grade?.rawValue ?? "–")</td></tr>\n"
            }
            h += "</tbody>\n</table>\n"
        }
        h += "<h3>3.2 \(t("Nilai Rata-rata per Unsur", "Average Score per Element"))</h3>\n"
        h += "<table class=\"skm-nrr\">\n<thead><tr><th>No</th><th>\(t("Unsur", "Element"))</th><th>\(t("Jumlah nilai", "Score total"))</th>"
        h += "<th>\(t("Responden menjawab", "Respondents answering"))</th><th>NRR</th><th>\(t("NRR tertimbang", "Weighted NRR"))</th>"
        h += "<th>\(t("NRR × 25", "NRR × 25"))</th><th>\(t("Mutu", "Grade"))</th></tr></thead>\n<tbody>\n"
        for (i, u) in result.unsur.enumerated() {
            h += "<tr><td>U\(i + 1)</td><td>\(e(u.name.text(lang)))</td><td>\(u.scoreSum)</td><td>\(u.answered)</td>"
            h += "<td>\(u.nrr.map { num($0, 3) } ?? "–")</td><td>\(u.weightedNRR.map { num($0, 3) } ?? "–")</td>"
            h += "<td>\(u.convertedNRR.map { num($0, 2) } ?? "–")</td><td>\(u.grade?.rawValue ?? "–")</td></tr>\n"
        }
        h += "</tbody>\n"
        if let index = result.index {
            h += "<tfoot><tr><th colspan=\"5\">\(t("Nilai indeks (Σ NRR tertimbang)", "Index (Σ weighted NRR)"))</th><td>\(num(index, 3))</td><td>\(result.ikm.map { num($0, 2) } ?? "–")</td><td>\(result.grade?.rawValue ?? "–")</td></tr></tfoot>\n"
        }
        h += "</table>\n"
        h += "<figure class=\"skm-chart\">\n\(nrrChartSVG(result))\n<figcaption>\(e(t("NRR per unsur (skala 1–4); garis putus-putus: batas mutu C, B, A", "NRR per element (scale 1–4); dashed lines: grade limits C, B, A")))</figcaption>\n</figure>\n"
        h += "<h3>3.3 \(t("Indeks Kepuasan Masyarakat dan Mutu Pelayanan", "Satisfaction Index and Service Grade"))</h3>\n"
        if let ikm = result.ikm, let g = result.grade {
            h += "<table class=\"skm-ikm\">\n<tbody>\n"
            h += "<tr><th>IKM</th><td>\(num(ikm, 2))</td></tr>\n"
            h += "<tr><th>\(t("Mutu pelayanan", "Service grade"))</th><td>\(g.rawValue)</td></tr>\n"
            h += "<tr><th>\(t("Kinerja unit pelayanan", "Unit performance"))</th><td>\(e(g.label.text(lang)))</td></tr>\n"
            h += "</tbody>\n</table>\n"
        } else {
            h += "<p>\(e(t("IKM belum dapat dihitung karena belum ada jawaban.", "The IKM cannot be computed: there are no answers yet.")))</p>\n"
        }
        if !result.unsurWithoutAnswers.isEmpty {
            let names = result.unsur.filter { result.unsurWithoutAnswers.contains($0.code) }.map { $0.name.text(lang) }
            h += "<p class=\"skm-note\">\(e(t("Unsur tanpa jawaban (tidak dihitung; bobot unsur lain disesuaikan): ", "Elements without answers (left out; the other weights were rescaled): ") + names.joined(separator: ", ")))</p>\n"
        }
        var section = 4
        if let trend = context.trend, trend.points.count >= 2 {
            h += "<h3>3.\(section) \(t("Perkembangan IKM", "IKM Trend"))</h3>\n"
            h += "<table class=\"skm-trend\">\n<thead><tr><th>\(t("Periode", "Period"))</th><th>\(t("Responden", "Respondents"))</th><th>IKM</th><th>\(t("Mutu", "Grade"))</th><th>\(t("Perubahan", "Change"))</th></tr></thead>\n<tbody>\n"
            for p in trend.points {
                let change = p.change.map { ($0 > 0 ? "+" : "") + num($0, 2) } ?? "–"
                h += "<tr><td>\(e(p.period.label(lang)))</td><td>\(p.respondentCount)</td><td>\(p.ikm.map { num($0, 2) } ?? "–")</td><td>\(p.grade?.rawValue ?? "–")</td><td>\(change)</td></tr>\n"
            }
            h += "</tbody>\n</table>\n"
            section += 1
        }
        if !context.suggestions.isEmpty {
            h += "<h3>3.\(section) \(t("Saran dan Masukan Responden", "Respondents' Suggestions"))</h3>\n<ul>\n"
            for s in context.suggestions { h += "<li>\(e(s))</li>\n" }
            h += "</ul>\n"
        }

        // 4. Kesimpulan
        h += "<h2>4. \(t("Kesimpulan", "Conclusions"))</h2>\n<ol>\n"
        for line in conclusions(result) { h += "<li>\(e(line))</li>\n" }
        h += "</ol>\n"

        // 5. Rencana tindak lanjut
        h += "<h2>5. \(t("Rencana Tindak Lanjut", "Follow-up Plan"))</h2>\n"
        if context.followUps.isEmpty {
            h += "<p>\(e(t("Belum ada rencana tindak lanjut yang dicatat.", "No follow-up actions have been recorded yet.")))</p>\n"
        } else {
            h += "<table class=\"skm-rtl\">\n<thead><tr><th>No</th><th>\(t("Unsur", "Element"))</th><th>\(t("Permasalahan", "Problem"))</th><th>\(t("Rencana tindak lanjut", "Planned action"))</th><th>\(t("Penanggung jawab", "Responsible"))</th><th>\(t("Waktu", "When"))</th><th>Status</th></tr></thead>\n<tbody>\n"
            for (i, f) in context.followUps.enumerated() {
                let unsurName = f.unsur.flatMap { c in result.unsur(c)?.name.text(lang) ?? c.rawValue } ?? ""
                h += "<tr><td>\(i + 1)</td><td>\(e(unsurName))</td><td>\(e(f.problem))</td><td>\(e(f.action))</td><td>\(e(f.responsible))</td><td>\(e(f.schedule))</td><td>\(e(f.status))</td></tr>\n"
            }
            h += "</tbody>\n</table>\n"
        }
        h += "</section>\n"
        return h
    }

    private func weightText(_ w: SurveyWeight) -> String {
        if let dec = SurveyWeight(w.doubleValue), dec == w, w.denominator <= 1000 {
            return num(w.doubleValue, 3)
        }
        return w.description
    }

    private func samplePart(_ r: SKMResult, _ c: Context) -> String {
        var h = ""
        if let m = c.method { h += "<p>\(e(t("Metode survei: ", "Survey method: ") + m)).</p>\n" }
        if let s = c.samplingTechnique { h += "<p>\(e(t("Teknik sampling: ", "Sampling technique: ") + s)).</p>\n" }
        if let s = r.sample {
            h += "<p>\(e(t("Penentuan jumlah sampel menggunakan tabel Krejcie dan Morgan.", "The sample size follows the Krejcie and Morgan table.")))</p>\n"
            h += "<table class=\"skm-sample\">\n<tbody>\n"
            h += "<tr><th>\(t("Populasi (pengguna layanan)", "Population (service users)"))</th><td>\(s.population)</td></tr>\n"
            h += "<tr><th>\(t("Sampel minimal (Krejcie–Morgan)", "Minimum sample (Krejcie–Morgan)"))</th><td>\(s.required)</td></tr>\n"
            h += "<tr><th>\(t("Responden terkumpul", "Responses collected"))</th><td>\(s.collected)</td></tr>\n"
            let verdict = s.isAdequate ? t("Memenuhi", "Adequate") : t("Belum memenuhi (kurang \(s.shortfall))", "Not adequate (\(s.shortfall) short)")
            h += "<tr><th>\(t("Kecukupan sampel", "Sample adequacy"))</th><td>\(e(verdict))</td></tr>\n"
            h += "</tbody>\n</table>\n"
        } else {
            h += "<p>\(e(t("Jumlah responden terkumpul: \(r.respondentCount). Populasi tidak dicatat, sehingga kecukupan sampel tidak dinilai.", "Responses collected: \(r.respondentCount). The population was not recorded, so sample adequacy was not assessed.")))</p>\n"
        }
        return h
    }

    private func processingPart() -> String {
        var h = "<ol>\n"
        h += "<li>\(e(t("Nilai rata-rata (NRR) per unsur = jumlah nilai unsur ÷ jumlah responden yang mengisi unsur tersebut.", "Average score (NRR) per element = sum of the element's scores ÷ number of respondents who answered it.")))</li>\n"
        h += "<li>\(e(t("NRR tertimbang = NRR × bobot; bobot setiap unsur = 1 ÷ jumlah unsur (1/9 untuk sembilan unsur), kecuali ditetapkan lain dengan jumlah bobot 1.", "Weighted NRR = NRR × weight; each weight = 1 ÷ number of elements (1/9 for nine), unless set otherwise with weights summing to 1.")))</li>\n"
        h += "<li>\(e(t("IKM = Σ NRR tertimbang × 25, dibulatkan dua desimal (setengah ke atas, dihitung dengan pecahan eksak).", "IKM = Σ weighted NRR × 25, rounded to two decimals (half up, computed with exact fractions).")))</li>\n"
        h += "</ol>\n"
        h += "<table class=\"skm-conversion\">\n<thead><tr><th>\(t("Nilai persepsi", "Perception"))</th><th>\(t("Nilai interval (NI)", "Interval (NI)"))</th><th>\(t("Nilai interval konversi (NIK)", "Converted interval (NIK)"))</th><th>\(t("Mutu pelayanan", "Grade"))</th><th>\(t("Kinerja unit", "Unit performance"))</th></tr></thead>\n<tbody>\n"
        let rows: [(Int, String, String, SKMGrade)] = [
            (1, "1,00 – 2,5996", "25,00 – 64,99", .d), (2, "2,60 – 3,064", "65,00 – 76,60", .c),
            (3, "3,0644 – 3,532", "76,61 – 88,30", .b), (4, "3,5324 – 4,00", "88,31 – 100,00", .a),
        ]
        for (p, ni, nik, g) in rows {
            let fix: (String) -> String = { self.id ? $0 : $0.replacingOccurrences(of: ",", with: ".") }
            h += "<tr><td>\(p)</td><td>\(fix(ni))</td><td>\(fix(nik))</td><td>\(g.rawValue)</td><td>\(e(g.label.text(language)))</td></tr>\n"
        }
        h += "</tbody>\n</table>\n"
        return h
    }

    /// Generated conclusion sentences.
    func conclusions(_ r: SKMResult) -> [String] {
        let lang = language
        var out: [String] = []
        if let ikm = r.ikm, let g = r.grade {
            out.append(t("Nilai IKM \(num(ikm, 2)) dengan mutu pelayanan \(g.rawValue) (\(g.label.id)).",
                         "The IKM is \(num(ikm, 2)), service grade \(g.rawValue) (\(g.label.en))."))
        } else {
            out.append(t("IKM belum dapat dihitung.", "The IKM could not be computed."))
        }
        if let best = r.priorities.last, r.priorities.count >= 2 {
            out.append(t("Unsur dengan nilai tertinggi: \(best.name.id) (NRR \(num(best.nrr, 3))).",
                         "Highest-scoring element: \(best.name.en) (NRR \(num(best.nrr, 3)))."))
            let weak = r.priorities.prefix(3).filter { $0.nrr < best.nrr }
            if !weak.isEmpty {
                let list = weak.map { "\($0.name.text(lang)) (\(num($0.nrr, 3)))" }.joined(separator: ", ")
                out.append(t("Unsur prioritas perbaikan (NRR terendah): \(list).", "Priority elements for improvement (lowest NRR): \(list)."))
            }
        }
        if let s = r.sample {
            out.append(s.isAdequate
                ? t("Jumlah responden (\(s.collected)) memenuhi sampel minimal \(s.required).", "The \(s.collected) responses meet the minimum sample of \(s.required).")
                : t("Jumlah responden (\(s.collected)) belum memenuhi sampel minimal \(s.required); hasil perlu dibaca dengan hati-hati.",
                    "The \(s.collected) responses fall short of the minimum sample of \(s.required); read the results with care."))
        }
        return out
    }

    /// An inline SVG bar chart of NRR per unsur (scale 0–4) with dashed lines at the C, B and A
    /// limits (NRR 2.60, 3.0644, 3.5324).
    public func nrrChartSVG(_ r: SKMResult) -> String {
        let lang = language
        let labelWidth = 230.0, barArea = 360.0, valueWidth = 60.0, rowH = 24.0, top = 10.0
        let width = labelWidth + barArea + valueWidth
        let height = top * 2 + rowH * Double(r.unsur.count) + 18
        func x(_ nrr: Double) -> Double { labelWidth + barArea * min(max(nrr, 0), 4) / 4 }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(SVGFormat.number(width)) \(SVGFormat.number(height))\" width=\"\(SVGFormat.number(width))\" height=\"\(SVGFormat.number(height))\" role=\"img\" font-family=\"sans-serif\" font-size=\"12\">"
        s += "<title>\(e(t("NRR per unsur", "NRR per element")))</title>"
        for (i, u) in r.unsur.enumerated() {
            let y = top + rowH * Double(i)
            let name = u.name.text(lang)
            // Shorten by measured width (not character count) so the label never runs off the left edge.
            var label = "U\(i + 1) \(name)"
            if SVGText.width(label, fontSize: 12) > labelWidth - 10 {
                while label.count > 4 && SVGText.width(label + "…", fontSize: 12) > labelWidth - 10 { label.removeLast() }
                label = label.trimmingCharacters(in: .whitespaces) + "…"
            }
            s += "<text x=\"\(SVGFormat.number(labelWidth - 6))\" y=\"\(SVGFormat.number(y + rowH * 0.65))\" text-anchor=\"end\"><title>U\(i + 1) \(e(name))</title>\(e(label))</text>"
            if let nrr = u.nrr {
                let fill: String
                switch u.grade {
                case .a: fill = "#2e7d32"
                case .b: fill = "#558b2f"
                case .c: fill = "#f9a825"
                default: fill = "#c62828"
                }
                s += "<rect x=\"\(SVGFormat.number(labelWidth))\" y=\"\(SVGFormat.number(y + 4))\" width=\"\(SVGFormat.number(x(nrr) - labelWidth))\" height=\"\(SVGFormat.number(rowH - 8))\" fill=\"\(fill)\"/>"
                s += "<text x=\"\(SVGFormat.number(x(nrr) + 4))\" y=\"\(SVGFormat.number(y + rowH * 0.65))\">\(num(nrr, 2))</text>"
            } else {
                s += "<text x=\"\(SVGFormat.number(labelWidth + 4))\" y=\"\(SVGFormat.number(y + rowH * 0.65))\">–</text>"
            }
        }
        let axisY = top + rowH * Double(r.unsur.count)
        s += "<line x1=\"\(SVGFormat.number(labelWidth))\" y1=\"\(SVGFormat.number(top))\" x2=\"\(SVGFormat.number(labelWidth))\" y2=\"\(SVGFormat.number(axisY))\" stroke=\"#333\"/>"
        for (limit, g) in [(2.60, "C"), (3.0644, "B"), (3.5324, "A")] {
            s += "<line x1=\"\(SVGFormat.number(x(limit)))\" y1=\"\(SVGFormat.number(top))\" x2=\"\(SVGFormat.number(x(limit)))\" y2=\"\(SVGFormat.number(axisY))\" stroke=\"#666\" stroke-dasharray=\"4 3\"/>"
            s += "<text x=\"\(SVGFormat.number(x(limit)))\" y=\"\(SVGFormat.number(axisY + 14))\" text-anchor=\"middle\" font-size=\"10\">\(g)</text>"
        }
        for tick in 0...4 {
            s += "<text x=\"\(SVGFormat.number(x(Double(tick))))\" y=\"\(SVGFormat.number(axisY + 14))\" text-anchor=\"middle\" font-size=\"10\" fill=\"#666\">\(tick)</text>"
        }
        s += "</svg>"
        return s
    }
}
