import Foundation
import HTTPTypes
import Hummingbird
import PantauCore
import PantauStore

/// `/audit`: the tamper-evident audit trail as people read it: dates, who (one form), what in
/// words, the changed fields side by side; filters by actor, object, action and dates; an auditor
/// scoped to a unit subtree sees that subtree's entries only.
enum AuditPage {
    struct Model {
        struct Change { let field: String; let old: String; let new: String }
        struct Row {
            let seq: Int64; let at: String; let actor: String; let action: String; let object: String; let objectHref: String?
            let changes: [Change]; let hasChanges: Bool
        }
        let action = SiteURL.audit.path
        let verifyHref: String
        let rows: [Row]
        let actors: [Option]
        let entities: [Option]
        let actions: [Option]
        let from: String
        let to: String
        let total: Int
        let page: Int
        let pageCount: Int
        let prevHref: String?
        let nextHref: String?
        let verification: String?
        let verificationOK: Bool
        let scoped: Bool
    }

    /// The filters as the query string has them.
    struct Filter: Equatable {
        var actor = "", entity = "", action = "", from = "", to = ""
        var page = 1

        init(query: (String) -> String?) {
            actor = query("actor") ?? ""
            entity = query("entity") ?? ""
            action = query("action") ?? ""
            from = query("from") ?? ""
            to = query("to") ?? ""
            page = max(1, Int(query("page") ?? "1") ?? 1)
        }

        var fromDate: Date? { CivilDate(from)?.startOfDay(in: .wib) }
        /// `to` is inclusive: entries before the next day's start.
        var toDate: Date? { CivilDate(to).map { $0.startOfDay(in: .wib).addingTimeInterval(86_400) } }

        func href(page: Int) -> String {
            SiteURL.audit.path(query: ["actor": actor, "entity": entity, "action": action, "from": from, "to": to, "page": String(page)])
        }
    }

    /// Who did it, in one form: the person's name and user name, a token, the public, the system.
    static func actorLabel(_ actor: String, users: [String: UserRecord], byID: [Int64: UserRecord], t: Strings) -> String {
        if actor.hasPrefix("user:") {
            let name = String(actor.dropFirst(5))
            if let u = users[name.lowercased()] ?? Int64(name).flatMap({ byID[$0] }) { return "\(u.displayName) (\(u.username))" }
            return name
        }
        if actor.hasPrefix("token:") { return t.format("audit_actor_token", String(actor.dropFirst(6))) }
        if ["public", "system", "cli"].contains(actor) { return t["audit_actor_\(actor)"] }
        return actor
    }

    /// The changed fields of an entry: keys whose values differ between old and new (all keys of
    /// the new value when there is no old one), values shortened for the page.
    static func changes(old: String?, new: String?, language: Language = .id) -> [Model.Change] {
        func object(_ s: String?) -> [String: Any]? {
            guard let s, let d = s.data(using: .utf8) else { return nil }
            return (try? JSONSerialization.jsonObject(with: d)) as? [String: Any]
        }
        func text(_ v: Any?, key: String) -> String {
            guard let v, !(v is NSNull) else { return "–" }
            if let s = v as? String { return short(s) }
            // Moments are stored as Swift encodes dates (seconds since 2001): shown as dates.
            if let n = v as? NSNumber, key.hasSuffix("At") || key.hasSuffix("_at") {
                return formatTime(Date(timeIntervalSinceReferenceDate: n.doubleValue), language)
            }
            if let n = v as? NSNumber { return n.stringValue }
            if let d = try? JSONSerialization.data(withJSONObject: v, options: [.sortedKeys, .withoutEscapingSlashes]) {
                return short(String(decoding: d, as: UTF8.self))
            }
            return short("\(v)")
        }
        func short(_ s: String) -> String { s.count > 160 ? String(s.prefix(160)) + "…" : s }
        let o = object(old), n = object(new)
        if o == nil && n == nil {
            if old == nil && new == nil { return [] }
            return [Model.Change(field: "", old: old.map(short) ?? "–", new: new.map(short) ?? "–")]
        }
        let keys = Set((o ?? [:]).keys).union((n ?? [:]).keys).sorted()
        return keys.compactMap { k in
            let a = text(o?[k], key: k), b = text(n?[k], key: k)
            if o != nil && n != nil && a == b { return nil }
            return Model.Change(field: k, old: o == nil ? "" : a, new: n == nil ? "" : b)
        }
    }

    /// A link to the object an entry concerns, where it has a page.
    static func objectHref(entity: String, id: String) -> String? {
        let head = Int64(id.prefix { $0 != "/" })
        switch entity {
        case "sop", "sop_version": return head.map { SiteURL.sop($0).path }
        case "survey", "survey_period": return head.map { SiteURL.survey($0).path }
        default: return nil
        }
    }

    /// Pure: the page from one page of entries and the users (for names).
    static func model(entries: Page<AuditEntry>, facets: (actors: [String], actions: [String], entities: [String]), users: [UserRecord],
                      filter: Filter, verification: AuditVerification?, scoped: Bool, t: Strings) -> Model {
        let byName = Dictionary(users.map { ($0.username.lowercased(), $0) }, uniquingKeysWith: { a, _ in a })
        let byID = Dictionary(users.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        func label(_ prefix: String, _ raw: String) -> String {
            let v = t.table["\(prefix)\(raw)"]
            return v ?? raw
        }
        let rows = entries.items.map { e in
            let ch = changes(old: e.oldValue, new: e.newValue, language: t.language)
            return Model.Row(seq: e.seq, at: formatTime(Date(timeIntervalSince1970: e.at), t.language),
                             actor: actorLabel(e.actor, users: byName, byID: byID, t: t), action: label("audit_action_", e.action),
                             object: label("audit_entity_", e.entity) + " " + e.entityID, objectHref: objectHref(entity: e.entity, id: e.entityID),
                             changes: ch, hasChanges: !ch.isEmpty)
        }
        func options(_ values: [String], _ selected: String, _ name: (String) -> String) -> [Option] {
            [Option(value: "", label: t["all"], selected: selected.isEmpty)]
                + values.map { Option(value: $0, label: name($0), selected: $0 == selected) }.sorted { $0.label < $1.label }
        }
        return Model(
            verifyHref: SiteURL.audit.path(query: ["verify": "1"]), rows: rows,
            actors: options(facets.actors, filter.actor) { actorLabel($0, users: byName, byID: byID, t: t) },
            entities: options(facets.entities, filter.entity) { label("audit_entity_", $0) },
            actions: options(facets.actions, filter.action) { label("audit_action_", $0) },
            from: filter.from, to: filter.to, total: entries.total, page: entries.page, pageCount: entries.pageCount,
            prevHref: entries.hasPrevious ? filter.href(page: entries.page - 1) : nil,
            nextHref: entries.hasNext ? filter.href(page: entries.page + 1) : nil,
            verification: verification?.description, verificationOK: verification?.ok ?? true, scoped: scoped)
    }

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.page(.get, .audit, .auditRead, "Audit trail") { req, ctx in
            let t = s.views.strings(ctx.language)
            let q = req.uri.queryParameters
            let filter = Filter { q.get($0) }
            let scope = Scope.units(ctx.identity, tree: try await s.store.orgTree())
            let entries = try await s.store.auditEntries(AuditQuery(
                unitIDs: scope, actor: filter.actor, entity: filter.entity, action: filter.action,
                from: filter.fromDate, to: filter.toDate, page: filter.page, perPage: 50))
            // The whole chain is checked by whoever may see all of it; a scoped auditor sees their part.
            let verification = q.get("verify") == "1" && scope == nil ? try await s.store.verifyAudit() : nil
            let m = model(entries: entries, facets: try await s.store.auditFacets(), users: try await s.store.users(), filter: filter,
                          verification: verification, scoped: scope != nil, t: t)
            return .html(s.views.render("audit", title: t["nav_audit"], page: m, context: ctx, active: .audit))
        }
    }
}
