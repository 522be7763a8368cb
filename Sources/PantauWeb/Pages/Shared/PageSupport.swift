import Foundation
import Hummingbird
import PantauCore
import PantauStore

/// One `<option>` of a `<select>`.
struct Option {
    let value: String
    let label: String
    let selected: Bool

    /// The organisation tree as indented `<select>` options ("— " per level), optionally limited
    /// to `visible` units.
    static func units(_ tree: OrgTree, selected: Int64?, visible: (Int64) -> Bool = { _ in true }) -> [Option] {
        tree.flattened().filter { visible($0.unit.id) }.map { u, d in
            Option(value: "\(u.id)", label: String(repeating: "— ", count: d) + u.name, selected: u.id == selected)
        }
    }
}

/// A moment as people in Indonesia read it: `dd-MM-yyyy HH:mm WIB`.
func formatTime(_ d: Date?, _ lang: Language) -> String {
    guard let d else { return "–" }
    // dd-MM-yyyy HH:mm in WIB (UTC+7 all year, no daylight saving), the same in both languages;
    // by arithmetic: a DateFormatter per call was a sizeable share of a page with many times.
    let seconds = Int((d.timeIntervalSince1970 + 7 * 3600).rounded(.down))
    let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
    let minuteOfDay = (seconds - days * 86_400) / 60
    let (year, month, day) = CivilTime.civilFromDays(days)
    func two(_ n: Int) -> String { n < 10 ? "0" + String(n) : String(n) }
    let y = String(year)
    return two(day) + "-" + two(month) + "-" + String(repeating: "0", count: max(0, 4 - y.count)) + y + " "
        + two(minuteOfDay / 60) + ":" + two(minuteOfDay % 60) + " WIB"
}

/// Field errors for a form from a store error, worded from the catalog.
func fieldErrors(_ e: StoreError, _ t: Strings) -> [FieldError] {
    switch e.appError {
    case let .invalid(f), let .conflict(f): return f
    case let .rejected(p): return p.map { $0.fieldError(t) }
    case let .sopIssues(issues): return SOPMessages.fieldErrors(issues, document: nil, t: t)
    default: return [FieldError(field: "", message: e.description)]
    }
}

extension Array where Element == FieldError {
    /// The same errors with each field's label as the form shows it (`labels` maps a field name to
    /// its catalog key), so the summary reads "Nama pengguna: ..." and links to the field.
    func labelled(_ labels: [String: String], _ t: Strings) -> [FieldError] {
        map { e in
            var e = e
            if e.label == nil, let key = labels[e.field] { e.label = t[key] }
            return e
        }
    }
}

extension PantauRequestContext {
    func int64(_ name: String) throws -> Int64 {
        guard let v = parameters.get(name), let n = Int64(v) else { throw AppError.notFound }
        return n
    }
    func int(_ name: String) throws -> Int {
        guard let v = parameters.get(name), let n = Int(v) else { throw AppError.notFound }
        return n
    }
}

/// A secret shown exactly once after a form (a one-time password, a new API token) survives the
/// redirect that follows the POST in a short-lived cookie limited to the page that shows it, so a
/// refresh never sends the form again and the secret never appears in a URL or the database.
enum RevealOnce {
    static let cookie = "pantau_reveal"

    static func redirect(to url: SiteURL, secret: String, flash: String, secure: Bool) -> Response {
        var r = Response.seeOther(url, flash: flash, secure: secure)
        r.setCookie(Cookie(name: cookie, value: secret, maxAge: 120, path: url.path, secure: secure, httpOnly: true, sameSite: .strict))
        return r
    }

    /// The secret for this page, if one was just issued.
    static func take(_ request: Request) -> String? {
        guard let v = request.cookies[cookie]?.value, !v.isEmpty, v.count < 200 else { return nil }
        return v
    }

    /// Clears the cookie once the page has shown the secret.
    static func clear(_ response: inout Response, path url: SiteURL, secure: Bool) {
        response.setCookie(Cookie(name: cookie, value: "", maxAge: 0, path: url.path, secure: secure, httpOnly: true, sameSite: .strict))
    }
}
