import Foundation
import Mustache
import PantauCore

/// A UI string table for one language. A missing key renders as `⟦key⟧` so it shows up in
/// tests and screenshots instead of silently disappearing.
public struct Strings: Sendable {
    public let language: Language
    public let table: [String: String]

    public subscript(key: String) -> String { table[key] ?? "⟦\(key)⟧" }

    /// `t["sop_count", 3]` style formatting: `{0}` in the text is replaced by the argument.
    public func format(_ key: String, _ args: any CustomStringConvertible...) -> String {
        var s = self[key]
        for (i, a) in args.enumerated() { s = s.replacingOccurrences(of: "{\(i)}", with: a.description) }
        return s
    }
}

/// Loads templates, string tables and static files once; renders pages.
public final class Views: Sendable {
    let library: MustacheLibrary
    let catalogs: [Language: Strings]
    let css: String
    let js: String
    let favicon: String

    /// The folder holding `Templates/`, `i18n/` and `Public/` (the bundled resources by default).
    public static var resourceDirectory: URL {
        if let u = Bundle.module.url(forResource: "Resources", withExtension: nil) { return u }
        let base = Bundle.module.resourceURL ?? Bundle.module.bundleURL
        let nested = base.appendingPathComponent("Resources")
        return FileManager.default.fileExists(atPath: nested.appendingPathComponent("Templates").path) ? nested : base
    }

    public init(resources: URL = Views.resourceDirectory) async throws {
        library = try await MustacheLibrary(directory: resources.appendingPathComponent("Templates").path)
        var catalogs: [Language: Strings] = [:]
        for lang in Language.allCases {
            let data = try Data(contentsOf: resources.appendingPathComponent("i18n/\(lang.rawValue).json"))
            catalogs[lang] = Strings(language: lang, table: try JSONDecoder().decode([String: String].self, from: data))
        }
        self.catalogs = catalogs
        css = try String(contentsOf: resources.appendingPathComponent("Public/pantau.css"), encoding: .utf8)
        js = try String(contentsOf: resources.appendingPathComponent("Public/pantau.js"), encoding: .utf8)
        favicon = try String(contentsOf: resources.appendingPathComponent("Public/favicon.svg"), encoding: .utf8)
    }

    public func strings(_ lang: Language) -> Strings { catalogs[lang]! }

    /// Renders `template` inside the layout with the page's view model under `page`.
    func render(_ template: String, title: String, page: Any, context: some RequestScope, active: NavItem.Section? = nil) -> String {
        let t = strings(context.language)
        let layout = LayoutModel(t: t, title: title, context: context.base, active: active)
        let root = PageRoot(t: t.table, layout: layout, page: page)
        guard let html = library.render(MustacheBox(root), withTemplate: template) else {
            return "template \(template) missing"
        }
        return html
    }

    func errorPage(_ p: Problem, context: PantauRequestContext) -> String {
        render("error", title: p.title, page: ErrorPageModel(status: p.status, title: p.title, detail: p.detail ?? "",
                                                             errors: p.errors ?? []), context: context)
    }
}

struct PageRoot {
    let t: [String: String]
    let layout: LayoutModel
    let page: Any
}

struct ErrorPageModel {
    let status: Int
    let title: String
    let detail: String
    let errors: [FieldError]
}

/// One link of the main navigation.
struct NavItem {
    enum Section: String {
        case home, sops, units, users, tokens, audit, surveys, notifications, webhooks, indicators, leadership
    }
    let label: String
    let href: String
    let active: Bool
    /// A count beside the label (unread notifications), with its spoken form.
    var badge: String? = nil
    var badgeLabel: String? = nil
}

/// The links every page's frame carries.
struct LayoutLinks {
    let home = SiteURL.home.path
    let login = SiteURL.login.path
    let logout = SiteURL.logout.path
    let password = SiteURL.accountPassword.path
    let stylesheet = SiteURL.stylesheet.path
    let script = SiteURL.script.path
    let favicon = SiteURL.favicon.path
    let transparency = SiteURL.transparency.path
    let sopDocumentStylesheet = SiteURL.sopDocumentStylesheet.path
}

/// What the layout needs: language, navigation for the user's role, CSRF token, flash.
struct LayoutModel {
    let links = LayoutLinks()
    let lang: String
    let title: String
    let csrf: String
    let flash: String?
    let userName: String?
    let roleLabel: String?
    let nav: [NavItem]
    let otherLang: String
    let otherLangLabel: String

    init(t: Strings, title: String, context: PantauRequestContext, active: NavItem.Section?) {
        lang = context.language.rawValue
        self.title = title
        csrf = context.csrfToken
        flash = context.flash
        userName = context.user?.displayName
        roleLabel = context.user.map { t["role_\($0.role.rawValue)"] }
        var nav: [NavItem] = []
        if let u = context.user {
            func item(_ s: NavItem.Section, _ key: String, _ url: SiteURL) {
                nav.append(NavItem(label: t[key], href: url.path, active: s == active))
            }
            item(.home, "nav_home", .home)
            item(.sops, "nav_sops", .sops)
            item(.surveys, "nav_surveys", .surveys)
            item(.indicators, "nav_indicators", .indicators)
            item(.leadership, "nav_leadership", .leadership)
            item(.units, "nav_units", .units)
            if u.role == .admin {
                item(.users, "nav_users", .users)
                item(.tokens, "nav_tokens", .tokens)
                item(.webhooks, "nav_webhooks", .webhooks)
            }
            if u.role == .admin || u.role == .auditor { item(.audit, "nav_audit", .audit) }
            item(.notifications, "nav_notifications", .notifications)
            if let n = context.unread, n > 0, let i = nav.indices.last {
                nav[i].badge = n > 99 ? "99+" : String(n)
                nav[i].badgeLabel = t.format("nav_unread", n)
            }
        }
        self.nav = nav
        otherLang = context.language == .id ? "en" : "id"
        otherLangLabel = context.language == .id ? "English" : "Bahasa Indonesia"
    }
}
