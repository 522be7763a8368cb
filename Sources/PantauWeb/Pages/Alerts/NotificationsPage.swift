import Foundation
import Hummingbird
import PantauCore
import PantauStore

/// `/notifikasi`: the signed-in person's notifications (alerts of their unit subtree), newest
/// first, unread marked; mark one or all read.
enum NotificationsPage {
    struct Model {
        struct Row {
            let id: Int64; let kind: String; let message: String; let sop: String; let sopLink: String; let unit: String
            let raised: String; let unread: Bool
        }
        let rows: [Row]
        let unread: Int
        let hasUnread: Bool
        let unreadText: String
        let readAction: String
        /// General notices (overdue follow-up actions, docs/findings-actions.md).
        var notices: [NoticeRow] = []
        let myActionsHref = SiteURL.myActions.path
    }

    struct NoticeRow { let id: Int64; let message: String; let link: String; let raised: String; let unread: Bool }

    /// Pure: a notice in words (`notice_<kind>` with its arguments) and the page it points to.
    static func noticeRow(_ n: Notice, t: Strings) -> NoticeRow {
        var message = t["notice_\(n.kind)"]
        for (i, a) in n.arguments.enumerated() { message = message.replacingOccurrences(of: "{\(i)}", with: a) }
        return NoticeRow(id: n.id, message: message, link: n.kind == "action_overdue" ? SiteURL.action(n.refID).path : SiteURL.myActions.path,
                         raised: formatTime(n.createdAt, t.language), unread: n.readAt == nil)
    }

    /// Pure.
    static func model(items: [NotificationItem], unread: Int, t: Strings) -> Model {
        let rows = items.map { n in
            Model.Row(id: n.id, kind: AlertText.kindLabel(n.alert.kind, t), message: AlertText.message(n.alert, t),
                      sop: "\(n.sopNumber) \(n.sopTitle)", sopLink: SiteURL.sop(n.alert.sopID).path, unit: n.unitName,
                      raised: formatTime(n.alert.raisedAt, t.language), unread: n.readAt == nil)
        }
        return Model(rows: rows, unread: unread, hasUnread: unread > 0, unreadText: t.format("notifications_unread", unread), readAction: SiteURL.notificationsRead.path)
    }

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.page(.get, .notifications, .signedIn, "My notifications") { _, ctx in
            let t = s.views.strings(ctx.language)
            var m = model(items: try await s.store.notifications(userID: ctx.user.id, limit: 200),
                          unread: try await s.store.unreadNotificationCount(userID: ctx.user.id) + (try await s.store.unreadNoticeCount(userID: ctx.user.id)), t: t)
            m.notices = try await s.store.notices(userID: ctx.user.id, limit: 200).map { noticeRow($0, t: t) }
            return .html(s.views.render("notifications", title: t["notifications_title"], page: m, context: ctx, active: .notifications))
        }
        r.page(.post, .notificationsRead, .signedIn, "Mark notifications read") { _, ctx in
            let idText = ctx.formData.text("id")
            var id: Int64?
            if !idText.isEmpty {
                guard let v = Int64(idText) else { throw AppError.badRequest("id") }
                id = v
            }
            let noticeText = ctx.formData.text("notice_id")
            if !noticeText.isEmpty {
                guard let v = Int64(noticeText) else { throw AppError.badRequest("notice_id") }
                try await s.store.markNoticesRead(userID: ctx.user.id, ids: [v], at: Date())
            } else {
                try await s.store.markNotificationsRead(userID: ctx.user.id, id: id)
                if id == nil { try await s.store.markNoticesRead(userID: ctx.user.id, at: Date()) }
            }
            return .seeOther(.notifications, flash: s.views.strings(ctx.language)["notifications_marked"], secure: s.config.secureCookies)
        }
    }
}
