import Hummingbird
import PantauCore
import PantauStore

/// `/`: for a signed-in person, the SOPs of their scope by status and where each stage of the
/// evaluation cycle lives in Pantau; for anyone else, what Pantau is, sign-in and the public
/// transparency page.
enum HomePage {
    struct Model {
        struct Tile { let label: String; let value: Int; let href: String }
        struct Stage { let title: String; let text: String; let href: String?; let linkLabel: String? }
        let signedIn: Bool
        let about: String
        let loginHref: String
        let transparencyHref: String
        let tiles: [Tile]
        let stages: [Stage]
        /// SOP versions the person was reminded to read and has not acknowledged (QuizPages).
        var reminders: QuizPages.ReminderBanner? = nil
    }

    /// SOPs per status in the caller's scope. An SOP counts once, under the status that matters
    /// most: in force when a version is in force (even with a newer draft), otherwise its latest
    /// version's status.
    struct Counts: Equatable {
        var byStatus: [SOPStatus: Int]
    }

    /// Pure: the model from the counts (nil when signed out).
    static func model(counts: Counts?, t: Strings) -> Model {
        let tiles = (counts.map { c in
            SOPStatus.allCases.map { st in
                Model.Tile(label: t["status_\(st.rawValue)"], value: c.byStatus[st] ?? 0,
                           href: SiteURL.sops.path(query: ["status": st.rawValue]))
            }
        }) ?? []
        let stages: [Model.Stage] = [
            .init(title: t["stage_indicators"], text: t["stage_indicators_text"], href: nil, linkLabel: nil),
            .init(title: t["stage_data"], text: t["stage_data_text"], href: SiteURL.surveys.path, linkLabel: t["nav_surveys"]),
            .init(title: t["stage_analysis"], text: t["stage_analysis_text"], href: nil, linkLabel: nil),
            .init(title: t["stage_recommendations"], text: t["stage_recommendations_text"], href: nil, linkLabel: nil),
            .init(title: t["stage_followup"], text: t["stage_followup_text"], href: SiteURL.sops.path, linkLabel: t["nav_sops"]),
        ]
        return Model(signedIn: counts != nil, about: t["about"], loginHref: SiteURL.login.path,
                     transparencyHref: SiteURL.transparency.path, tiles: tiles, stages: stages)
    }

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.open(.get, .home, "Home") { _, ctx in
            let t = s.views.strings(ctx.language)
            guard let identity = ctx.identity else {
                return .html(s.views.render("home", title: "Pantau", page: model(counts: nil, t: t), context: ctx, active: .home))
            }
            let scope = Scope.units(identity, tree: try await s.store.orgTree())
            let counts = Counts(byStatus: try await s.store.sopStatusCounts(unitIDs: scope))
            var m = model(counts: counts, t: t)
            if let user = ctx.user { m.reminders = try await QuizPages.reminderBanner(s, user: user, t) }
            return .html(s.views.render("home", title: t["nav_home"], page: m, context: ctx, active: .home))
        }
    }
}
