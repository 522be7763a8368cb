import Foundation
import Hummingbird
import PantauCore
import PantauStore

/// `/sops/:id/diff?from=1&to=2`: what changed between two versions, each row named by the label
/// the editor shows ("Langkah 3 (Verifikasi berkas) › Waktu"), not by its path in the file.
enum SOPDiffPage {
    struct Model {
        struct Row { let field: String; let kind: String; let kindKey: String; let old: String; let new: String }
        let sopsHref = SiteURL.sops.path
        let sopHref: String
        let action: String
        let title: String
        let from: Int
        let to: Int
        let rows: [Row]
        let versions: [Option]
        let versionsTo: [Option]
    }

    /// The label of a changed field: steps and actors that no longer exist are named from the older version.
    static func label(_ field: String, old: SOPDocument, new: SOPDocument, t: Strings) -> String {
        let p = SOPMessages.parse(field)
        var doc = new
        if let i = p.index, Int(i) == nil {
            if p.head == "langkah", !new.steps.contains(where: { $0.id == i }) { doc = old }
            if p.head == "pelaksana", !new.actors.contains(where: { $0.id == i }) { doc = old }
        }
        return SOPMessages.label(field, document: doc, t: t)
    }

    /// The page model (pure).
    static func model(sopID: Int64, from: Int, to: Int, old: SOPDocument, new: SOPDocument, allVersions: [Int], t: Strings) -> Model {
        let rows = old.changes(to: new).map {
            Model.Row(field: label($0.field, old: old, new: new, t: t), kind: t["diff_\($0.kind.rawValue)"], kindKey: $0.kind.rawValue,
                      old: $0.old, new: $0.new)
        }
        return Model(sopHref: SiteURL.sop(sopID).path, action: SiteURL.sopDiff(sopID).path, title: new.identity.title, from: from, to: to,
                     rows: rows, versions: allVersions.map { Option(value: "\($0)", label: "v\($0)", selected: $0 == from) },
                     versionsTo: allVersions.map { Option(value: "\($0)", label: "v\($0)", selected: $0 == to) })
    }

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.page(.get, .sopDiff(.key), .sopRead, "Differences between two versions") { req, ctx in
            let (rec, _) = try await SOPPages.loadApplying(s, ctx)
            let t = s.views.strings(ctx.language)
            let to = req.uri.queryParameters.get("to").flatMap { Int($0) } ?? rec.latestVersion
            let from = req.uri.queryParameters.get("from").flatMap { Int($0) } ?? max(1, to - 1)
            let a = try await s.store.version(sopID: rec.id, version: from)
            let b = try await s.store.version(sopID: rec.id, version: to)
            let all = try await s.store.versions(sopID: rec.id).map(\.version).sorted()
            let m = model(sopID: rec.id, from: from, to: to, old: a.document, new: b.document, allVersions: all, t: t)
            return .html(s.views.render("sop_diff", title: t["sop_diff_title"], page: m, context: ctx, active: .sops))
        }
    }
}
