import Foundation
import Hummingbird
import PantauCore
import PantauReports
import PantauStore

/// `/transparansi`: the published SKM results (IKM and grade per service and period), each with
/// the caveat when its sample was below the Krejcie–Morgan minimum.
enum TransparencyPage {
    struct Model {
        struct Unsur { let number: String; let name: String; let nrr: String; let converted: String; let grade: String }
        struct Link { let href: String; let label: String }
        struct Row {
            let unit: String; let agency: String; let service: String; let period: String; let respondents: Int; let ikm: String
            let grade: String; let gradeLabel: String; let gradeKey: String; let published: String; let links: [Link]; let unsur: [Unsur]
            let sample: String
            /// Set when the published sample is below the minimum (published with "publish anyway").
            let caveat: String?
            /// The SOP's published total time standard against the median lead time measured over
            /// the last 90 days (surveys tied to an SOP in force; nil otherwise).
            let timeStandard: String?
            let measuredLead: String?
        }
        let rows: [Row]
    }

    /// What the transparency page shows of an SOP's times: its published total standard and the
    /// median lead time of its closed cases opened in the last ``leadDays`` days.
    struct LeadTime { let standardSeconds: Double?; let measured: RecentLeadTime? }
    static let leadDays = 90

    /// The times of the SOPs (in force) the published surveys belong to: their documents and one
    /// query for the medians.
    static func leadTimes(_ s: AppServices, published: [PublishedSurveyResult], now: Date) async throws -> [Int64: LeadTime] {
        var standards: [Int64: Double?] = [:]
        for id in Set(published.compactMap(\.survey.sopID)) {
            let rec: SOPRecord
            do { rec = try await s.store.sop(id: id) } catch StoreError.notFound { continue }
            guard let v = rec.effectiveVersion else { continue }
            standards[id] = try await s.store.version(sopID: id, version: v).document.totalTimeStandard
        }
        let measured = try await s.store.recentLeadTimes(sopIDs: Set(standards.keys), since: now.addingTimeInterval(-Double(leadDays) * 86_400))
        var out: [Int64: LeadTime] = [:]
        for (id, std) in standards { out[id] = LeadTime(standardSeconds: std, measured: measured[id]) }
        return out
    }

    /// Pure: one card per published period.
    static func model(published: [PublishedSurveyResult], tree: OrgTree, language lang: Language, t: Strings,
                      leadTimes: [Int64: LeadTime] = [:]) -> Model {
        let rows = published.compactMap { p -> Model.Row? in
            guard let r = p.record.publishedResult else { return nil }
            let unsur = r.unsur.enumerated().map { i, u in
                Model.Unsur(number: "U\(i + 1)", name: u.name.text(lang.survey), nrr: SKMFormat.number(u.nrr, 2, lang),
                            converted: SKMFormat.number(u.convertedNRR, 2, lang), grade: u.grade?.rawValue ?? "–")
            }
            let sample = r.sample.map { t.format("transparency_sample", $0.collected, $0.required, $0.population) } ?? ""
            let lead = p.survey.sopID.flatMap { leadTimes[$0] }
            return Model.Row(
                unit: tree.unit(p.survey.unitID)?.name ?? "", agency: tree.path(to: p.survey.unitID).first?.name ?? "",
                service: p.survey.name, period: p.record.period.label(lang.survey), respondents: r.respondentCount,
                ikm: SKMFormat.number(r.ikm, 2, lang), grade: r.grade?.rawValue ?? "–", gradeLabel: r.grade?.label.text(lang.survey) ?? "",
                gradeKey: SurveyDisplay.gradeKey(r.grade), published: formatTime(p.record.publishedAt, lang),
                links: p.record.publicationLinks.filter { HTMLEscape.safeURL($0) != nil }.map {
                    Model.Link(href: $0, label: URL(string: $0)?.host ?? $0)
                }, unsur: unsur, sample: sample,
                caveat: SurveyDisplay.sampleShort(r).map { t.format("transparency_small_sample", $0.collected, $0.required) },
                timeStandard: lead.map { l in l.standardSeconds.map { MonitoringFormat.duration($0, lang) } ?? t["transparency_no_standard"] },
                measuredLead: lead.map { l in
                    l.measured.map { t.format("transparency_measured", BeforeAfterPage.duration($0.medianLeadSeconds, lang), $0.closedCases, leadDays) }
                        ?? t.format("transparency_no_cases", leadDays)
                })
        }
        return Model(rows: rows)
    }

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.open(.get, .transparency, "Public transparency page: published SKM results (IKM and grade per service and period)") { _, ctx in
            let t = s.views.strings(ctx.language)
            // The same page for everyone until a result is published, withdrawn or renamed (and at
            // most the cache's minute: the measured lead times move with new cases).
            let key = "transparency|\(ctx.language.rawValue)|" + (try await s.store.publicationVersion())
            let html = try await s.pageCache.page(key) {
                var marked = ctx
                marked.csrfToken = PageCache.csrfMark
                let published = try await s.store.publishedResults()
                let m = model(published: published, tree: try await s.store.orgTree(), language: ctx.language, t: t,
                              leadTimes: try await leadTimes(s, published: published, now: Date()))
                return s.views.render("public_transparency", title: t["transparency_title"], page: m, context: marked)
            }
            return .html(html.filled(csrf: ctx.csrfToken))
        }
    }
}
