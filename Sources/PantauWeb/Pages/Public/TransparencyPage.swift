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
        }
        let rows: [Row]
    }

    /// Pure: one card per published period.
    static func model(published: [PublishedSurveyResult], tree: OrgTree, language lang: Language, t: Strings) -> Model {
        let rows = published.compactMap { p -> Model.Row? in
            guard let r = p.record.publishedResult else { return nil }
            let unsur = r.unsur.enumerated().map { i, u in
                Model.Unsur(number: "U\(i + 1)", name: u.name.text(lang.survey), nrr: SKMFormat.number(u.nrr, 2, lang),
                            converted: SKMFormat.number(u.convertedNRR, 2, lang), grade: u.grade?.rawValue ?? "–")
            }
            let sample = r.sample.map { t.format("transparency_sample", $0.collected, $0.required, $0.population) } ?? ""
            return Model.Row(
                unit: tree.unit(p.survey.unitID)?.name ?? "", agency: tree.path(to: p.survey.unitID).first?.name ?? "",
                service: p.survey.name, period: p.record.period.label(lang.survey), respondents: r.respondentCount,
                ikm: SKMFormat.number(r.ikm, 2, lang), grade: r.grade?.rawValue ?? "–", gradeLabel: r.grade?.label.text(lang.survey) ?? "",
                gradeKey: SurveyDisplay.gradeKey(r.grade), published: formatTime(p.record.publishedAt, lang),
                links: p.record.publicationLinks.filter { HTMLEscape.safeURL($0) != nil }.map {
                    Model.Link(href: $0, label: URL(string: $0)?.host ?? $0)
                }, unsur: unsur, sample: sample,
                caveat: SurveyDisplay.sampleShort(r).map { t.format("transparency_small_sample", $0.collected, $0.required) })
        }
        return Model(rows: rows)
    }

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.open(.get, .transparency, "Public transparency page: published SKM results (IKM and grade per service and period)") { _, ctx in
            let t = s.views.strings(ctx.language)
            // The same page for everyone until a result is published, withdrawn or renamed.
            let key = "transparency|\(ctx.language.rawValue)|" + (try await s.store.publicationVersion())
            let html = try await s.pageCache.page(key) {
                var marked = ctx
                marked.csrfToken = PageCache.csrfMark
                let m = model(published: try await s.store.publishedResults(), tree: try await s.store.orgTree(), language: ctx.language, t: t)
                return s.views.render("public_transparency", title: t["transparency_title"], page: m, context: marked)
            }
            return .html(html.filled(csrf: ctx.csrfToken))
        }
    }
}
