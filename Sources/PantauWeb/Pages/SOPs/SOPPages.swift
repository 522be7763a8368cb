import Foundation
import Hummingbird
import PantauCore
import PantauStore

/// The SOP register: list, detail (the official document), editor, import, diff, print and export,
/// lifecycle actions. One type per page in this folder; this file registers them and holds what
/// they share (loading an SOP within the caller's unit scope).
enum SOPPages {
    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        SOPListPage.register(r, s)
        SOPEditorPage.register(r, s)
        SOPImportPage.register(r, s)
        SOPDetailPage.register(r, s)
        SOPDocumentRoutes.register(r, s)
        SOPDiffPage.register(r, s)
    }

    /// Loads the SOP named by `:id` and checks the caller's unit scope (out of scope = not found,
    /// so other units' SOPs are not even confirmed to exist).
    static func loadScoped(_ s: AppServices, _ ctx: some RequestScope) async throws -> (SOPRecord, OrgTree) {
        let rec = try await s.store.sop(id: try ctx.int64("id"))
        let tree = try await s.store.orgTree()
        guard let identity = ctx.base.identity, Scope.covers(identity, unit: rec.unitID, tree: tree) else { throw AppError.notFound }
        return (rec, tree)
    }

    /// Loads the SOP named by `:id` for reading it and how the caller's units carry it out: an SOP
    /// of the caller's subtree, or of a unit above it (``Scope/applies(_:sopUnit:tree:)``). Pages
    /// that change the SOP use ``loadScoped(_:_:)``; figures stay limited to the caller's units.
    static func loadApplying(_ s: AppServices, _ ctx: some RequestScope) async throws -> (SOPRecord, OrgTree) {
        let rec = try await s.store.sop(id: try ctx.int64("id"))
        let tree = try await s.store.orgTree()
        guard let identity = ctx.base.identity, Scope.applies(identity, sopUnit: rec.unitID, tree: tree) else { throw AppError.notFound }
        return (rec, tree)
    }

    /// The unit exists and is within the caller's scope (400 / 403 otherwise).
    static func requireScope(_ s: AppServices, _ ctx: some RequestScope, unit: Int64) async throws {
        let tree = try await s.store.orgTree()
        guard tree.unit(unit) != nil else {
            throw AppError.invalid([FieldError(field: "unit_id", message: s.views.strings(ctx.base.language)["err_invalid"])])
        }
        guard let identity = ctx.base.identity, Scope.covers(identity, unit: unit, tree: tree) else { throw AppError.forbidden }
    }

    /// The units the caller may choose, as indented options.
    static func unitOptions(_ s: AppServices, _ ctx: some RequestScope, selected: Int64?) async throws -> [Option] {
        let tree = try await s.store.orgTree()
        guard let identity = ctx.base.identity else { return [] }
        let scope = Scope.units(identity, tree: tree)
        return Option.units(tree, selected: selected) { scope?.contains($0) ?? true }
    }

    /// The status label of a version or an SOP.
    static func statusLabel(_ st: SOPStatus, _ t: Strings) -> String { t["status_\(st.rawValue)"] }
}
