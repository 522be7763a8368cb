import Foundation
import PantauCore

/// The analysis of a service log against its SOP, as an evaluator reads it: how many cases
/// followed the flow, where they deviated (per step, actor and unit), how long each step took
/// against its time standard, rework and bottlenecks. Rendered as plain text (terminal), HTML
/// (printable) or JSON (the value itself is `Codable`).
public struct SOPAnalysisReport: Sendable, Codable {
    public var sopNumber: String
    public var sopTitle: String
    /// Name of the log (file name or source).
    public var logName: String
    public var conformance: SOPConformanceReport
    public var performance: SOPPerformanceReport
    /// Actor names by id, for readable tables.
    public var actorNames: [String: String]
    /// Steps treated as not recorded in this analysis (``SOPStep/recorded`` false): a case
    /// without them does not skip them. Listed so the reader knows why they are not counted.
    public var notRecordedSteps: [NotRecordedStep]
    /// Steps the SOP says are recorded that appear in no event of the log at all: likely steps
    /// the log does not record (a decision, the end step), which every case then "skips".
    public var stepsInNoEvent: [StepRef]

    /// A step of the SOP named in the report: its number in the SOP's table, id and activity.
    public struct StepRef: Sendable, Codable, Hashable {
        public var number: Int
        public var stepID: String
        public var activity: String
        public init(number: Int, stepID: String, activity: String) {
            self.number = number
            self.stepID = stepID
            self.activity = activity
        }
    }

    /// A step treated as not recorded, and who said so.
    public struct NotRecordedStep: Sendable, Codable, Hashable {
        public enum Source: String, Sendable, Codable, Hashable {
            /// `tercatat: false` in the SOP.
            case sop
            /// Marked for this analysis only (`pantau analyze --not-recorded`).
            case run
        }
        public var step: StepRef
        public var source: Source
        public init(step: StepRef, source: Source) {
            self.step = step
            self.source = source
        }
    }

    /// - Parameters:
    ///   - document: the SOP as analysed (with any step marked not recorded for this run).
    ///   - notRecordedForRun: ids of the steps marked not recorded for this run only (not in the
    ///     SOP's file), so the report can say where the mark comes from.
    public init(document: SOPDocument, logName: String, conformance: SOPConformanceReport, performance: SOPPerformanceReport,
                notRecordedForRun: Set<String> = []) {
        sopNumber = document.identity.number
        sopTitle = document.identity.title
        self.logName = logName
        self.conformance = conformance
        self.performance = performance
        actorNames = Dictionary(document.actors.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        let refs = document.steps.enumerated().map { StepRef(number: $0 + 1, stepID: $1.id, activity: $1.activity) }
        notRecordedSteps = zip(document.steps, refs).filter { !$0.0.recorded }.map {
            NotRecordedStep(step: $0.1, source: notRecordedForRun.contains($0.0.id) ? .run : .sop)
        }
        let occurrences = Dictionary(performance.steps.map { ($0.stepID, $0.occurrences) }, uniquingKeysWith: { a, b in a + b })
        stepsInNoEvent = zip(document.steps, refs).filter { $0.0.recorded && (occurrences[$0.0.id] ?? 0) == 0 }.map(\.1)
    }

    enum CodingKeys: String, CodingKey {
        case sopNumber, sopTitle, logName, conformance, performance, actorNames, notRecordedSteps, stepsInNoEvent
    }

    /// Reads a report; one written before steps could be marked not recorded has neither list.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        sopNumber = try c.decode(String.self, forKey: .sopNumber)
        sopTitle = try c.decode(String.self, forKey: .sopTitle)
        logName = try c.decode(String.self, forKey: .logName)
        conformance = try c.decode(SOPConformanceReport.self, forKey: .conformance)
        performance = try c.decode(SOPPerformanceReport.self, forKey: .performance)
        actorNames = try c.decode([String: String].self, forKey: .actorNames)
        notRecordedSteps = try c.decodeIfPresent([NotRecordedStep].self, forKey: .notRecordedSteps) ?? []
        stepsInNoEvent = try c.decodeIfPresent([StepRef].self, forKey: .stepsInNoEvent) ?? []
    }

    /// The lines about recording: the steps in no event ("not recorded?", with the fix) and the
    /// steps treated as not recorded. `plain` renders words (escaping for HTML), `code` a file key
    /// or an option (backticks in text, `<code>` in HTML).
    func recordingLines(_ language: Language, plain p: (String) -> String, code: (String) -> String)
        -> (inNoEvent: [String], notRecorded: [String]) {
        let en = language == .en
        var missing = stepsInNoEvent.map { r in
            en ? p("Step \(r.number) \(r.activity) appears in no event at all: perhaps not recorded? Mark it ") + code("tercatat: false")
                + p(" in the SOP or run with ") + code("--not-recorded \(r.stepID)")
               : p("Langkah \(r.number) \(r.activity) tidak muncul di satu kejadian pun: mungkin tidak tercatat? Tandai ") + code("tercatat: false")
                + p(" di SOP atau jalankan dengan ") + code("--not-recorded \(r.stepID)")
        }
        if stepsInNoEvent.count > 1 {
            let all = code("--not-recorded " + stepsInNoEvent.map(\.stepID).joined(separator: ","))
            missing.append(p(en ? "All of them at once: " : "Semuanya sekaligus: ") + all)
        }
        let marked = notRecordedSteps.map { n in
            let why = switch (n.source, en) {
            case (.sop, false): code("tercatat: false") + p(" di SOP")
            case (.sop, true): code("tercatat: false") + p(" in the SOP")
            case (.run, false): code("--not-recorded") + p(" pada analisis ini")
            case (.run, true): code("--not-recorded") + p(" for this analysis")
            }
            return p((en ? "Step" : "Langkah") + " \(n.step.number) \(n.step.activity) (") + why + p(")")
        }
        return (missing, marked)
    }

    struct Labels {
        let title, sop, log, cases, events, measure, compliance, fitness, deviationsPerStep, no, step, actor, skipped, unexpected,
            repeated, outOfOrder, compliant, outside, timesPerStep, standard, mean, within, rework, reworkLine, bottlenecks,
            perActor, perUnit, none, serviceTime, sinceePrevious, waiting, unaligned, unmapped, totalExcess, totalWaiting, meanTime, casesWord,
            inNoEvent, inNoEventNote, notRecorded, notRecordedNote: String
        init(_ l: Language) {
            switch l {
            case .id:
                title = "LAPORAN ANALISIS PELAKSANAAN SOP"; sop = "SOP"; log = "Data kejadian"; cases = "kasus"; events = "kejadian"
                measure = "ukuran waktu"; compliance = "Kepatuhan"; fitness = "fitness alignment"
                deviationsPerStep = "Penyimpangan per langkah"; no = "No"; step = "Langkah"; actor = "Pelaksana"
                skipped = "Dilewati"; unexpected = "Tak sesuai"; repeated = "Diulang"; outOfOrder = "Urutan"; compliant = "Patuh"
                outside = "Aktivitas di luar SOP"; timesPerStep = "Waktu per langkah dibandingkan mutu baku"; standard = "Baku"
                mean = "Rata-rata"; within = "Dalam baku"; rework = "Pengulangan (rework)"
                reworkLine = "{0} kasus ({1}) mengulang sedikitnya satu langkah; {2} dari seluruh waktu kasus habis untuk pengulangan."
                bottlenecks = "Hambatan (bottleneck)"; perActor = "Per pelaksana"; perUnit = "Per unit"; none = "tidak ada"
                serviceTime = "waktu layanan (mulai–selesai)"; sinceePrevious = "waktu sejak kejadian sebelumnya"; waiting = "Tunggu"
                unaligned = "kasus terlalu rumit untuk diselaraskan (tidak dinilai)"; unmapped = "tidak ada langkah SOP yang cocok"
                totalExcess = "total kelebihan di atas baku"; totalWaiting = "total waktu tunggu"; meanTime = "rata-rata waktu"; casesWord = "kasus"
                inNoEvent = "Langkah yang tidak muncul di log (tidak tercatat?)"
                inNoEventNote = "Selama langkah ini dianggap tercatat, setiap kasus dihitung melewatinya."
                notRecorded = "Langkah yang tidak tercatat di log"
                notRecordedNote = "Kasus tanpa kejadian langkah ini tidak dihitung melewatinya; kejadiannya, bila ada, tetap dihitung."
            case .en:
                title = "SOP EXECUTION ANALYSIS"; sop = "SOP"; log = "Event data"; cases = "cases"; events = "events"
                measure = "time measure"; compliance = "Compliance"; fitness = "alignment fitness"
                deviationsPerStep = "Deviations per step"; no = "No"; step = "Step"; actor = "Actor"
                skipped = "Skipped"; unexpected = "Unexpected"; repeated = "Repeated"; outOfOrder = "Order"; compliant = "Compliant"
                outside = "Activities outside the SOP"; timesPerStep = "Step times against the time standard"; standard = "Standard"
                mean = "Mean"; within = "Within"; rework = "Rework"
                reworkLine = "{0} cases ({1}) repeat at least one step; {2} of all case time is spent on repetitions."
                bottlenecks = "Bottlenecks"; perActor = "Per actor"; perUnit = "Per unit"; none = "none"
                serviceTime = "service time (start–complete)"; sinceePrevious = "time since the previous event"; waiting = "Waiting"
                unaligned = "cases too complex to align (not judged)"; unmapped = "no SOP step matches"
                totalExcess = "total excess over the standard"; totalWaiting = "total waiting time"; meanTime = "mean time"; casesWord = "cases"
                inNoEvent = "Steps that appear in no event (not recorded?)"
                inNoEventNote = "As long as these steps count as recorded, every case counts as skipping them."
                notRecorded = "Steps not recorded in the event log"
                notRecordedNote = "A case without an event of these steps does not count as skipping them; their events, when logged, still count."
            }
        }
    }

    static func pct(_ v: Double?, _ l: Language) -> String {
        guard let v else { return "–" }
        let s = String(format: "%.1f%%", v * 100)
        return l == .id ? s.replacingOccurrences(of: ".", with: ",") : s
    }

    static func num(_ n: Int, _ l: Language) -> String {
        let f = NumberFormatter()
        f.numberStyle = .decimal
        f.locale = Locale(identifier: l == .id ? "id_ID" : "en_US")
        return f.string(from: NSNumber(value: n)) ?? "\(n)"
    }

    static func dur(_ s: Double?, _ l: Language) -> String {
        guard let s else { return "–" }
        if s < 60 && s > 0 { return l == .id ? "\(Int(s.rounded())) dtk" : "\(Int(s.rounded())) s" }
        return TimeStandard.format(seconds: s, language: l)
    }

    func measureLabel(_ l: Labels) -> String {
        performance.measure == .serviceTime ? l.serviceTime : l.sinceePrevious
    }

    // MARK: Text

    /// A report for the terminal, in fixed-width columns.
    public func text(language: Language = .id) -> String {
        let l = Labels(language)
        let c = conformance, p = performance
        var out = "\(l.title)\n\(String(repeating: "=", count: l.title.count))\n"
        out += "\(l.sop.padding(toLength: 14, withPad: " ", startingAt: 0)): \(sopNumber) — \(sopTitle)\n"
        out += "\(l.log.padding(toLength: 14, withPad: " ", startingAt: 0)): \(logName) — \(Self.num(p.cases, language)) \(l.cases), \(Self.num(p.events, language)) \(l.events) (\(l.measure): \(measureLabel(l)))\n"
        out += "\(l.compliance.padding(toLength: 14, withPad: " ", startingAt: 0)): \(Self.num(c.compliantCases, language)) / \(Self.num(c.cases, language)) \(l.cases) (\(Self.pct(c.caseComplianceRate, language))); \(l.fitness) \(String(format: "%.4f", c.alignmentLogFitness))\n"
        if c.unalignedCases > 0 { out += "  ! \(c.unalignedCases) \(l.unaligned)\n" }
        let recording = recordingLines(language, plain: { $0 }, code: { "`\($0)`" })
        if !recording.inNoEvent.isEmpty {
            out += "\n\(l.inNoEvent)\n" + recording.inNoEvent.map { "  ! \($0)\n" }.joined() + "  \(l.inNoEventNote)\n"
        }
        if !recording.notRecorded.isEmpty {
            out += "\n\(l.notRecorded)\n" + recording.notRecorded.map { "  - \($0)\n" }.joined() + "  \(l.notRecordedNote)\n"
        }

        func table(_ header: [String], _ rows: [[String]], right: Set<Int> = []) -> String {
            var w = header.map(\.count)
            for r in rows { for (i, v) in r.enumerated() { w[i] = max(w[i], v.count) } }
            func line(_ r: [String]) -> String {
                r.enumerated().map { i, v in right.contains(i) ? String(repeating: " ", count: w[i] - v.count) + v : v.padding(toLength: w[i], withPad: " ", startingAt: 0) }
                    .joined(separator: "  ").trimmingCharacters(in: .whitespaces) + "\n"
            }
            return line(header) + line(w.map { String(repeating: "-", count: $0) }) + rows.map(line).joined()
        }
        func short(_ s: String, _ n: Int = 38) -> String { s.count > n ? String(s.prefix(n - 1)) + "…" : s }

        out += "\n\(l.deviationsPerStep)\n"
        out += table([l.no, l.step, l.actor, l.skipped, l.unexpected, l.repeated, l.outOfOrder, l.compliant],
                     c.steps.enumerated().map { i, s in
                         ["\(i + 1)", short(s.activity), short(actorNames[s.actor] ?? s.actor, 20), "\(s.deviations.skipped)", "\(s.deviations.unexpected)",
                          "\(s.deviations.repeated)", "\(s.deviations.outOfOrder)", Self.pct(s.complianceRate, language)]
                     }, right: [0, 3, 4, 5, 6, 7])
        if !c.activitiesOutsideSOP.isEmpty {
            out += "\(l.outside): " + c.activitiesOutsideSOP.sorted { $0.value > $1.value }.map { "\($0.key) (\($0.value))" }.joined(separator: ", ") + "\n"
        }

        out += "\n\(l.timesPerStep) (\(measureLabel(l)))\n"
        out += table([l.no, l.step, l.standard, l.mean, "p50", "p90", "p95", l.within, l.waiting],
                     p.steps.enumerated().map { i, s in
                         ["\(i + 1)", short(s.activity), Self.dur(s.standardSeconds, language), Self.dur(s.time?.mean, language),
                          Self.dur(s.time?.median, language), Self.dur(s.time?.p90, language), Self.dur(s.time?.p95, language),
                          Self.pct(s.withinStandardShare, language), Self.dur(s.waitingTime?.mean, language)]
                     }, right: [0, 2, 3, 4, 5, 6, 7, 8])

        out += "\n\(l.rework)\n"
        out += Self.fill(l.reworkLine, [Self.num(p.casesWithRework, language), Self.pct(p.casesWithReworkShare, language),
                                        Self.pct(p.reworkShareOfCaseTime, language)]) + "\n"
        for s in p.steps where s.rework.casesRepeating > 0 {
            out += "  - \(s.activity): \(s.rework.casesRepeating) \(l.casesWord) (\(Self.pct(s.rework.shareOfCasesWithStep, language))), \(Self.dur(s.rework.reworkSeconds, language))\n"
        }

        out += "\n\(l.bottlenecks) (\(criterionLabel(l)))\n"
        if p.bottlenecks.isEmpty { out += "  \(l.none)\n" }
        for b in p.bottlenecks { out += "  \(b.rank). \(b.activity): \(Self.dur(b.value, language))\n" }

        if !c.actors.isEmpty {
            out += "\n\(l.perActor)\n"
            out += table([l.actor, l.skipped, l.unexpected, l.repeated, l.outOfOrder],
                         c.actors.map { [actorNames[$0.key] ?? $0.key, "\($0.deviations.skipped)", "\($0.deviations.unexpected)", "\($0.deviations.repeated)", "\($0.deviations.outOfOrder)"] },
                         right: [1, 2, 3, 4])
        }
        if !c.units.isEmpty {
            out += "\n\(l.perUnit)\n"
            out += table(["Unit", l.cases, l.compliant, l.skipped, l.unexpected, l.repeated, l.outOfOrder],
                         c.units.map { u in
                             [u.key, "\(u.cases ?? 0)", Self.pct(u.cases.flatMap { $0 > 0 ? Double(u.compliantCases ?? 0) / Double($0) : nil }, language),
                              "\(u.deviations.skipped)", "\(u.deviations.unexpected)", "\(u.deviations.repeated)", "\(u.deviations.outOfOrder)"]
                         }, right: [1, 2, 3, 4, 5, 6])
        }
        if !p.unmappedActivities.isEmpty {
            out += "\n\(l.outside) (\(l.unmapped)): " + p.unmappedActivities.map { "\($0.name) (\($0.events))" }.joined(separator: ", ") + "\n"
        }
        return out
    }

    func criterionLabel(_ l: Labels) -> String {
        switch performance.bottleneckCriterion {
        case .excessOverStandard: return l.totalExcess
        case .waitingTime: return l.totalWaiting
        case .meanTime: return l.meanTime
        }
    }

    static func fill(_ s: String, _ args: [String]) -> String {
        var r = s
        for (i, a) in args.enumerated() { r = r.replacingOccurrences(of: "{\(i)}", with: a) }
        return r
    }

    // MARK: HTML

    /// A complete, printable HTML page (everything escaped).
    public func html(language: Language = .id) -> String {
        let l = Labels(language)
        let e = HTMLEscape.text
        let c = conformance, p = performance
        var h = "<!DOCTYPE html>\n<html lang=\"\(language.rawValue)\"><head><meta charset=\"utf-8\"><title>\(e(l.title)) — \(e(sopTitle))</title>\n"
        h += "<style>body{font-family:system-ui,Arial,sans-serif;margin:2rem;color:#1b2430}table{border-collapse:collapse;margin:.5rem 0 1.5rem}"
        h += "th,td{border:1px solid #c5ccd6;padding:.3rem .5rem;text-align:left}td.n{text-align:right}th{background:#eef2f6}"
        h += ".bad{color:#a1261f;font-weight:600}.summary{font-size:1.1rem}@page{size:A4 landscape;margin:12mm}</style></head><body>\n"
        h += "<h1>\(e(l.title))</h1>\n<p class=\"summary\"><strong>\(e(sopNumber))</strong> — \(e(sopTitle))<br>"
        h += "\(e(l.log)): \(e(logName)) — \(Self.num(p.cases, language)) \(e(l.cases)), \(Self.num(p.events, language)) \(e(l.events)) (\(e(l.measure)): \(e(measureLabel(l))))<br>"
        h += "\(e(l.compliance)): <strong>\(Self.num(c.compliantCases, language)) / \(Self.num(c.cases, language))</strong> (\(Self.pct(c.caseComplianceRate, language))); \(e(l.fitness)) \(String(format: "%.4f", c.alignmentLogFitness))</p>\n"
        let recording = recordingLines(language, plain: e, code: { "<code>" + e($0) + "</code>" })
        if !recording.inNoEvent.isEmpty {
            h += "<section class=\"not-recorded-suspects\"><h2>\(e(l.inNoEvent))</h2>\n<ul>"
            h += recording.inNoEvent.map { "<li class=\"bad\">\($0)</li>" }.joined() + "</ul>\n<p>\(e(l.inNoEventNote))</p></section>\n"
        }
        if !recording.notRecorded.isEmpty {
            h += "<section class=\"not-recorded\"><h2>\(e(l.notRecorded))</h2>\n<ul>"
            h += recording.notRecorded.map { "<li>\($0)</li>" }.joined() + "</ul>\n<p>\(e(l.notRecordedNote))</p></section>\n"
        }
        h += "<h2>\(e(l.deviationsPerStep))</h2>\n<table><thead><tr><th>\(e(l.no))</th><th>\(e(l.step))</th><th>\(e(l.actor))</th><th>\(e(l.skipped))</th><th>\(e(l.unexpected))</th><th>\(e(l.repeated))</th><th>\(e(l.outOfOrder))</th><th>\(e(l.compliant))</th></tr></thead><tbody>\n"
        for (i, s) in c.steps.enumerated() {
            let low = (s.complianceRate ?? 1) < 0.9
            h += "<tr><td class=\"n\">\(i + 1)</td><td>\(e(s.activity))</td><td>\(e(actorNames[s.actor] ?? s.actor))</td><td class=\"n\">\(s.deviations.skipped)</td><td class=\"n\">\(s.deviations.unexpected)</td><td class=\"n\">\(s.deviations.repeated)</td><td class=\"n\">\(s.deviations.outOfOrder)</td><td class=\"n\(low ? " bad" : "")\">\(Self.pct(s.complianceRate, language))</td></tr>\n"
        }
        h += "</tbody></table>\n"
        if !c.activitiesOutsideSOP.isEmpty {
            h += "<p>\(e(l.outside)): " + c.activitiesOutsideSOP.sorted { $0.value > $1.value }.map { "\(e($0.key)) (\($0.value))" }.joined(separator: ", ") + "</p>\n"
        }
        h += "<h2>\(e(l.timesPerStep))</h2>\n<table><thead><tr><th>\(e(l.no))</th><th>\(e(l.step))</th><th>\(e(l.standard))</th><th>\(e(l.mean))</th><th>p50</th><th>p90</th><th>p95</th><th>\(e(l.within))</th><th>\(e(l.waiting))</th></tr></thead><tbody>\n"
        for (i, s) in p.steps.enumerated() {
            let low = (s.withinStandardShare ?? 1) < 0.8
            h += "<tr><td class=\"n\">\(i + 1)</td><td>\(e(s.activity))</td><td class=\"n\">\(e(Self.dur(s.standardSeconds, language)))</td><td class=\"n\">\(e(Self.dur(s.time?.mean, language)))</td><td class=\"n\">\(e(Self.dur(s.time?.median, language)))</td><td class=\"n\">\(e(Self.dur(s.time?.p90, language)))</td><td class=\"n\">\(e(Self.dur(s.time?.p95, language)))</td><td class=\"n\(low ? " bad" : "")\">\(Self.pct(s.withinStandardShare, language))</td><td class=\"n\">\(e(Self.dur(s.waitingTime?.mean, language)))</td></tr>\n"
        }
        h += "</tbody></table>\n<h2>\(e(l.rework))</h2>\n<p>" + e(Self.fill(l.reworkLine, [Self.num(p.casesWithRework, language), Self.pct(p.casesWithReworkShare, language), Self.pct(p.reworkShareOfCaseTime, language)])) + "</p>\n<ul>"
        for s in p.steps where s.rework.casesRepeating > 0 {
            h += "<li>\(e(s.activity)): \(s.rework.casesRepeating) \(e(l.casesWord)) (\(Self.pct(s.rework.shareOfCasesWithStep, language))), \(e(Self.dur(s.rework.reworkSeconds, language)))</li>"
        }
        h += "</ul>\n<h2>\(e(l.bottlenecks)) (\(e(criterionLabel(l))))</h2>\n<ol>"
        for b in p.bottlenecks { h += "<li>\(e(b.activity)): \(e(Self.dur(b.value, language)))</li>" }
        h += "</ol>\n"
        if !c.units.isEmpty {
            h += "<h2>\(e(l.perUnit))</h2>\n<table><thead><tr><th>Unit</th><th>\(e(l.cases))</th><th>\(e(l.compliant))</th><th>\(e(l.skipped))</th><th>\(e(l.unexpected))</th><th>\(e(l.repeated))</th><th>\(e(l.outOfOrder))</th></tr></thead><tbody>"
            for u in c.units {
                let rate = u.cases.flatMap { $0 > 0 ? Double(u.compliantCases ?? 0) / Double($0) : nil }
                h += "<tr><td>\(e(u.key))</td><td class=\"n\">\(u.cases ?? 0)</td><td class=\"n\">\(Self.pct(rate, language))</td><td class=\"n\">\(u.deviations.skipped)</td><td class=\"n\">\(u.deviations.unexpected)</td><td class=\"n\">\(u.deviations.repeated)</td><td class=\"n\">\(u.deviations.outOfOrder)</td></tr>"
            }
            h += "</tbody></table>\n"
        }
        h += "</body></html>\n"
        return h
    }
}
