import Foundation
import Hummingbird
import PantauCore
import PantauStore

/// `/sops`: the register of the caller's units, with search, unit and status filters. An SOP is
/// listed under its register status (``SOPRecord/registerStatus``): in force while a version is
/// in force, even when a newer version is being drafted.
enum SOPListPage {
    struct Filter: Equatable {
        var text = ""
        var unitID: Int64?
        var status: SOPStatus?
        var page = 1
    }

    struct Model {
        struct Row {
            let href: String
            let number: String
            let title: String
            let unit: String
            /// Register status.
            let status: String
            let statusKey: String
            /// The version in force ("v2"), or "Belum berlaku".
            let effective: String
            let inForce: Bool
            /// A newer version being worked on while another is in force ("v3 · Draf"), else nil.
            let pending: String?
            let updated: String
        }
        let action = SiteURL.sops.path
        let newHref = SiteURL.sopNew.path
        let importHref = SiteURL.sopImport.path
        let rows: [Row]
        let q: String
        let units: [Option]
        let statuses: [Option]
        let total: Int
        let page: Int
        let pageCount: Int
        let prevHref: String?
        let nextHref: String?
        let canCreate: Bool
    }

    /// The link to a page of the list with the same filters.
    static func href(_ f: Filter, page: Int) -> String {
        SiteURL.sops.path(query: ["q": f.text, "unit": f.unitID.map(String.init), "status": f.status?.rawValue,
                                  "page": page > 1 ? String(page) : nil])
    }

    /// One row (pure).
    static func row(_ rec: SOPRecord, unitName: String, language: Language, t: Strings) -> Model.Row {
        let status = rec.registerStatus
        let pending: String? = (status == .effective && rec.latestVersion != rec.effectiveVersion)
            ? "v\(rec.latestVersion) · " + SOPPages.statusLabel(rec.latestStatus, t) : nil
        return Model.Row(href: SiteURL.sop(rec.id).path, number: rec.number, title: rec.title, unit: unitName,
                         status: SOPPages.statusLabel(status, t), statusKey: status.rawValue,
                         effective: rec.effectiveVersion.map { "v\($0)" } ?? t["sop_not_in_force"], inForce: rec.effectiveVersion != nil,
                         pending: pending, updated: formatTime(rec.updatedAt, language))
    }

    /// The page model from one page of records (pure).
    static func model(_ items: [SOPRecord], total: Int, pageCount: Int, filter: Filter, unitName: (Int64) -> String, unitOptions: [Option],
                      canCreate: Bool, language: Language, t: Strings) -> Model {
        var units = [Option(value: "", label: t["all_units"], selected: filter.unitID == nil)]
        units += unitOptions
        var statuses = [Option(value: "", label: t["all_statuses"], selected: filter.status == nil)]
        statuses += SOPStatus.allCases.map { Option(value: $0.rawValue, label: SOPPages.statusLabel($0, t), selected: $0 == filter.status) }
        return Model(rows: items.map { row($0, unitName: unitName($0.unitID), language: language, t: t) },
                     q: filter.text, units: units, statuses: statuses, total: total, page: filter.page, pageCount: pageCount,
                     prevHref: filter.page > 1 ? href(filter, page: filter.page - 1) : nil,
                     nextHref: filter.page < pageCount ? href(filter, page: filter.page + 1) : nil, canCreate: canCreate)
    }

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.page(.get, .sops, .sopRead, "SOP list") { req, ctx in
            let t = s.views.strings(ctx.language)
            let tree = try await s.store.orgTree()
            // The SOPs of the caller's units and those of the units above, which apply to them.
            let scope = Scope.sopUnits(ctx.identity, tree: tree)
            let qp = req.uri.queryParameters
            let filter = Filter(text: (qp.get("q") ?? "").trimmed, unitID: qp.get("unit").flatMap { Int64($0) },
                                status: qp.get("status").flatMap { SOPStatus(rawValue: $0) },
                                page: max(1, Int(qp.get("page") ?? "1") ?? 1))
            var unitIDs = scope
            if let u = filter.unitID {
                let sub = tree.subtree(of: u)
                unitIDs = scope.map { $0.intersection(sub) } ?? sub
            }
            let result = try await s.store.sops(SOPQuery(text: filter.text, unitIDs: unitIDs, status: filter.status, page: filter.page, perPage: 20))
            let options = Option.units(tree, selected: filter.unitID) { scope?.contains($0) ?? true }
            let m = model(result.items, total: result.total, pageCount: result.pageCount, filter: filter, unitName: { tree.unit($0)?.name ?? "" }, unitOptions: options,
                          canCreate: AccessRule.sopWrite.allows(ctx.identity), language: ctx.language, t: t)
            return .html(s.views.render("sops", title: t["nav_sops"], page: m, context: ctx, active: .sops))
        }
    }
}
