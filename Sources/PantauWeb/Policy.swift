import PantauCore
import PantauStore

/// The authorisation rule of a route (ARCHITECTURE.md, Roles). Every route has exactly one.
public enum AccessRule: String, Sendable, CaseIterable {
    /// Anyone, signed in or not (login page, health, public survey and transparency pages).
    case anyone
    /// Any signed-in user.
    case signedIn
    /// Units are visible to every signed-in user and to integration tokens.
    case unitRead
    /// Admin only: users, units, tokens, settings.
    case admin
    /// The audit trail: admins and auditors (APIP).
    case auditRead
    /// Reading SOPs: every role, limited to the user's unit subtree (auditors: their scope);
    /// integration tokens through the API.
    case sopRead
    /// Writing SOPs (create, edit, submit, new version): admin, and unit managers in their subtree.
    case sopWrite
    /// Approving and archiving SOPs: admin, and unit managers in their subtree.
    case sopApprove
    /// Reading survey (SKM) results and reports: every role in its unit subtree; integration
    /// tokens through the API.
    case surveyRead
    /// Setting up surveys, importing paper responses, the follow-up plan (RTL), population and
    /// publishing: admin, and unit managers in their subtree.
    case surveyManage
    /// Raw survey responses and their exports: the unit's own staff and auditors. The role part
    /// admits every signed-in role; the handler admits an evaluator only when the survey's unit is
    /// their own unit (a cross-unit evaluator sees results, not raw answers).
    case surveyRaw
    /// Submitting a survey response through the API (kiosks, other apps): integration tokens,
    /// admins and unit managers, in their subtree. Not officers: they are the staff being rated.
    case surveySubmit
    /// Reading how SOPs are carried out (monitoring figures, cases, timelines): every role in its
    /// unit subtree; integration tokens through the API.
    case monitoringRead
    /// Recording service events (API, observation): integration tokens, admins, unit managers,
    /// evaluators and officers, for cases of units in their subtree. Not auditors: they change nothing.
    case eventWrite
    /// An SOP's monitoring settings (activity aliases, steps not recorded) and the upload of event
    /// log files (`/sops/{id}/impor-kejadian`): admin, and unit managers in their subtree (the SOP's
    /// unit; events of units outside it are refused per event). Not officers, evaluators or auditors.
    case monitoringManage
    /// Reading the evaluation cycle (indicators, Tabel 7 and 8 records, findings,
    /// recommendations, follow-up actions, before/after, reports): every role in its unit subtree;
    /// integration tokens through the API.
    case evaluationRead
    /// Evaluation work (Tabel 7 monitoring records, Tabel 8 evaluations, interview and observation
    /// notes, findings, recommendations, verifying follow-up actions): admin, evaluators and unit
    /// managers in their subtree. Who may *sign* is checked by the handler (the evaluator's
    /// sign-off needs an evaluator or admin) and refused with a field error.
    case evaluationWrite
    /// Indicators (IKU) and their targets, manual realisations with evidence: admin, and unit
    /// managers in their subtree.
    case indicatorManage
    /// Creating and assigning follow-up actions (CAPA): admin, unit managers and evaluators in
    /// their subtree.
    case actionManage
    /// Reporting progress on a follow-up action (status, evidence): any signed-in role but
    /// auditors; the handler admits only the action's owner or someone who may manage it.
    case actionUpdate
    /// Editing the quiz of an SOP version: admin, and unit managers in their subtree.
    case quizManage
    /// Taking a quiz and acknowledging an SOP version: the staff (every signed-in role but
    /// auditors), for SOPs in their unit subtree.
    case quizTake

    /// Whether an identity of this kind passes the role part of the rule.
    /// (Unit scope is checked by the handler once the resource is loaded.)
    public func allows(_ identity: Identity?) -> Bool {
        switch self {
        case .anyone: return true
        default: break
        }
        guard let identity else { return false }
        switch identity {
        case .token:
            return self == .sopRead || self == .unitRead || self == .surveyRead || self == .surveySubmit
                || self == .monitoringRead || self == .eventWrite || self == .evaluationRead
        case let .user(u):
            switch self {
            case .anyone, .signedIn, .unitRead, .sopRead: return true
            case .admin: return u.role == .admin
            case .auditRead: return u.role == .admin || u.role == .auditor
            case .sopWrite, .sopApprove: return u.role == .admin || u.role == .unitManager
            case .surveyRead, .surveyRaw: return true
            case .surveyManage: return u.role == .admin || u.role == .unitManager
            case .surveySubmit: return u.role == .admin || u.role == .unitManager
            case .monitoringRead: return true
            case .eventWrite: return u.role != .auditor
            case .monitoringManage: return u.role == .admin || u.role == .unitManager
            case .evaluationRead: return true
            case .evaluationWrite: return u.role == .admin || u.role == .evaluator || u.role == .unitManager
            case .indicatorManage: return u.role == .admin || u.role == .unitManager
            case .actionManage: return u.role == .admin || u.role == .unitManager || u.role == .evaluator
            case .actionUpdate: return u.role != .auditor
            case .quizManage: return u.role == .admin || u.role == .unitManager
            case .quizTake: return u.role != .auditor
            }
        }
    }
}

/// Unit-scope checks.
enum Scope {
    /// Whether `identity` may see things of `unit`.
    static func covers(_ identity: Identity, unit: Int64, tree: OrgTree) -> Bool {
        guard let root = identity.scopeUnit else { return true }
        return tree.contains(unit, inSubtreeOf: root)
    }

    /// The units `identity` may see (nil: all).
    static func units(_ identity: Identity, tree: OrgTree) -> Set<Int64>? {
        guard let root = identity.scopeUnit else { return nil }
        return tree.subtree(of: root)
    }

    /// Whether an SOP owned by `sopUnit` applies to `identity`: it is in their subtree, or it is
    /// owned by a unit above theirs (a Dinas SOP that each Puskesmas carries out). Such an SOP may
    /// be read, and how the caller's own units carry it out may be seen; changing it still needs
    /// ``covers(_:unit:tree:)``.
    static func applies(_ identity: Identity, sopUnit: Int64, tree: OrgTree) -> Bool {
        guard let root = identity.scopeUnit else { return true }
        return tree.contains(sopUnit, inSubtreeOf: root) || tree.contains(root, inSubtreeOf: sopUnit)
    }

    /// The units whose SOPs apply to `identity` (nil: all): their subtree and the units above it.
    static func sopUnits(_ identity: Identity, tree: OrgTree) -> Set<Int64>? {
        guard let root = identity.scopeUnit else { return nil }
        return tree.subtree(of: root).union(tree.path(to: root).map(\.id))
    }
}
