import Foundation
import PantauCore
import PantauStore

/// Words for alerts, shared by the rules page, the notifications page and the webhook log.
enum AlertText {
    static func kindLabel(_ k: AlertKind, _ t: Strings) -> String { t["alert_kind_\(k.rawValue)"] }

    /// A duration as people read it: `3 hari 4 jam`, `45 menit` (`3 d 4 h`, `45 min`).
    static func duration(_ seconds: Double, _ t: Strings) -> String {
        let s = max(0, Int(seconds.rounded()))
        let d = s / 86_400, h = (s % 86_400) / 3600, m = (s % 3600) / 60
        var parts: [String] = []
        if d > 0 { parts.append(t.format("alert_dur_days", d)) }
        if h > 0 { parts.append(t.format("alert_dur_hours", h)) }
        if d == 0 && (m > 0 || h == 0) { parts.append(t.format("alert_dur_minutes", m)) }
        return parts.joined(separator: " ")
    }

    /// The alert in one sentence, from its arguments.
    static func message(_ a: AlertRecord, _ t: Strings) -> String {
        let g = a.arguments
        func arg(_ i: Int) -> String { i < g.count ? g[i] : "?" }
        func dur(_ i: Int) -> String { Double(arg(i)).map { duration($0, t) } ?? arg(i) }
        switch a.kind {
        case .caseOverdue: return t.format("alert_msg_case_overdue", arg(0), dur(1), dur(2))
        case .stepOverStandard: return t.format("alert_msg_step_over_standard", arg(0), arg(1), dur(2))
        case .complianceBelow: return t.format("alert_msg_compliance_below", arg(0), arg(1), arg(2), arg(3))
        case .actionOverdue: return t.format("alert_msg_action_overdue", arg(0), arg(1))
        }
    }

    /// What a rule watches, in words.
    static func condition(_ r: AlertRuleRecord, _ t: Strings) -> String {
        switch r.kind {
        case .caseOverdue: return t.format("alert_cond_case_overdue", number(r.factor ?? 1))
        case .stepOverStandard: return t["alert_cond_step_over_standard"]
        case .actionOverdue: return t["alert_cond_action_overdue"]
        case .complianceBelow:
            return t.format("alert_cond_compliance_below", number(r.thresholdPercent ?? 0), t["alert_period_\((r.period ?? .month).rawValue)"], r.minCases)
        }
    }

    static func number(_ v: Double) -> String {
        v == v.rounded() ? String(Int(v)) : String(format: "%g", v)
    }
}
