import Foundation
import Hummingbird
import PantauCore
import PantauReports
import PantauStore

/// `/surveys/{id}/poster`: the A4 counter poster with the QR code of the survey's public link.
enum SurveyPosterPage {
    struct Model {
        let unit: String
        let agency: String
        let service: String
        let url: String
        let qrSVG: String
        let backHref: String
        /// Shown (in the UI language) while `PANTAU_PUBLIC_URL` is not set.
        let urlWarning: String?
        let uiLang: String
        /// Poster texts in both languages: `title_id`, `title_en`, `sub_…`, `step1_…`–`step3_…`, `foot_…`.
        let text: [String: String]
    }

    /// Pure: the poster. It is bilingual whatever the UI language (Bahasa Indonesia first, English
    /// below); `t` is the UI language, `id`/`en` the catalogs of both.
    static func model(survey: SurveyRecord, tree: OrgTree, url: String, qrSVG: String, publicURLConfigured: Bool, language: Language,
                      t: Strings, id: Strings, en: Strings) -> Model {
        var text: [String: String] = [:]
        for (suffix, st) in [("id", id), ("en", en)] {
            for key in ["title", "sub", "step1", "step2", "step3", "foot"] { text["\(key)_\(suffix)"] = st["poster_\(key)"] }
        }
        return Model(unit: tree.unit(survey.unitID)?.name ?? "", agency: tree.path(to: survey.unitID).first?.name ?? "", service: survey.name,
                     url: url, qrSVG: qrSVG, backHref: SiteURL.survey(survey.id).path,
                     urlWarning: publicURLWarning(configured: publicURLConfigured, url: url, t), uiLang: language.rawValue, text: text)
    }

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.page(.get, .surveyPoster(.key), .surveyRead, "Printable A4 poster with the QR code for the service counter") { _, ctx in
            let (survey, tree) = try await SurveyAccess.load(s, ctx)
            let t = s.views.strings(ctx.language)
            let url = surveyPublicURL(s, survey.code)
            let qr = try QRCode(text: url, options: .init(errorCorrection: .quartile))
            let m = model(survey: survey, tree: tree, url: url, qrSVG: qr.svg(moduleSize: 10, quietZone: 4, title: t["poster_qr_title"] + " " + url),
                          publicURLConfigured: s.config.publicURLConfigured, language: ctx.language, t: t,
                          id: s.views.strings(.id), en: s.views.strings(.en))
            return .html(s.views.render("survey_poster", title: t["poster_title"], page: m, context: ctx))
        }
    }
}
