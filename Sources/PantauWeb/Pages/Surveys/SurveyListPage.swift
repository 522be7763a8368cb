import Foundation
import Hummingbird
import PantauCore
import PantauStore

/// `/surveys`: the surveys of the caller's units with the latest period's IKM.
enum SurveyListPage {
    struct Model {
        struct Row {
            let href: String; let name: String; let unit: String; let sop: String; let kind: String; let code: String; let publicURL: String
            let publicPath: String; let period: String; let respondents: Int; let ikm: String; let grade: String; let gradeKey: String
            let active: Bool
        }
        let rows: [Row]
        let newHref: String?
        let transparencyHref = SiteURL.transparency.path
    }

    /// Pure: one row per survey overview (already loaded, three queries for the whole list).
    static func model(overviews: [SurveyOverview], tree: OrgTree, publicBaseURL: String, canCreate: Bool, language: Language, t: Strings) -> Model {
        let rows = overviews.map { o in
            let sv = o.survey, result = o.latestResult
            return Model.Row(
                href: SiteURL.survey(sv.id).path, name: sv.name, unit: tree.unit(sv.unitID)?.name ?? "", sop: o.sopNumber ?? "",
                kind: t["period_kind_\(sv.periodKind.rawValue)"], code: sv.code,
                publicURL: publicBaseURL + SiteURL.publicSurvey(code: sv.code).path, publicPath: SiteURL.publicSurvey(code: sv.code).path,
                period: o.latestPeriod?.label(language.survey) ?? "–", respondents: result?.respondentCount ?? 0,
                ikm: SKMFormat.number(result?.ikm, 2, language), grade: result?.grade?.rawValue ?? "–",
                gradeKey: SurveyDisplay.gradeKey(result?.grade), active: sv.active)
        }
        return Model(rows: rows, newHref: canCreate ? SiteURL.surveyNew.path : nil)
    }

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.page(.get, .surveys, .surveyRead, "Survey (SKM) list with the latest IKM") { _, ctx in
            let t = s.views.strings(ctx.language)
            let tree = try await s.store.orgTree()
            let overviews = try await s.store.surveyOverviews(unitIDs: Scope.units(ctx.identity, tree: tree))
            let m = model(overviews: overviews, tree: tree, publicBaseURL: s.config.publicBaseURL, canCreate: SurveyAccess.canManage(ctx.identity),
                          language: ctx.language, t: t)
            return .html(s.views.render("survey_list", title: t["nav_surveys"], page: m, context: ctx, active: .surveys))
        }
    }
}
