import Foundation

/// One problem found in an SOP: what (a code) and where (step and field), with the values it names.
public struct SOPValidationIssue: Hashable, Sendable, Codable, CustomStringConvertible {
    public enum Code: String, Sendable, Codable {
        case missingField
        case invalidNIP
        case noSteps
        case duplicateStepID
        case emptyStepID
        case duplicateActorID
        case noStart
        case severalStarts
        case noEnd
        case missingActor
        case unknownActor
        case unknownTarget
        case decisionNeedsBothTargets
        case branchOnNonDecision
        case endHasNext
        case nonPositiveTime
        case unreachable
        case cannotReachEnd
        case lastStepNotEnd
        /// More steps than ``SOPLimits/maxSteps`` (`limit`).
        case tooManySteps
        /// More actors than ``SOPLimits/maxActors`` (`limit`).
        case tooManyActors
        /// A list (e.g. `dasar_hukum`) with more entries than ``SOPLimits/maxListItems`` (`limit`).
        case tooManyItems
        /// A text longer than ``SOPLimits/maxTextLength`` characters (`limit`).
        case textTooLong
    }

    public var code: Code
    /// Field path in SOP-file terms, e.g. `langkah[3].pelaksana` (1-based step number).
    public var field: String
    /// The step concerned, if any.
    public var stepID: String?
    public var stepNumber: Int?
    /// Extra value named in the message (an unknown id, a bad NIP, the count found, ...).
    public var detail: String
    /// The limit exceeded, for the size codes (``Code/tooManySteps``, ``Code/textTooLong``, ...).
    public var limit: Int?

    public init(code: Code, field: String, stepID: String? = nil, stepNumber: Int? = nil, detail: String = "", limit: Int? = nil) {
        self.code = code
        self.field = field
        self.stepID = stepID
        self.stepNumber = stepNumber
        self.detail = detail
        self.limit = limit
    }

    /// The issue in English, for logs and the command line. The web layer words issues from its
    /// catalogs by ``code`` and the arguments (``field``, ``stepNumber``, ``stepID``, ``detail``,
    /// ``limit``); Core carries no other wording.
    public var description: String {
        let at = stepNumber.map { n in "Step \(n)" + (stepID.map { " (\($0))" } ?? "") + ": " } ?? ""
        let d = detail
        let max = limit.map(String.init) ?? "?"
        switch code {
        case .missingField: return "\(at)\(field) is required"
        case .invalidNIP: return "NIP '\(d)' must be 18 digits"
        case .noSteps: return "The SOP has no steps"
        case .duplicateStepID: return "\(at)step id '\(d)' is used more than once"
        case .emptyStepID: return "\(at)step id is empty"
        case .duplicateActorID: return "actor id '\(d)' is used more than once"
        case .noStart: return "No step of kind 'mulai' (start)"
        case .severalStarts: return "\(at)only one step may be the start"
        case .noEnd: return "No step of kind 'selesai' (end)"
        case .missingActor: return "\(at)no actor (pelaksana)"
        case .unknownActor: return "\(at)pelaksana '\(d)' is not in the list of actors"
        case .unknownTarget: return "\(at)\(field) points to step '\(d)', which does not exist"
        case .decisionNeedsBothTargets: return "\(at)a decision needs both a Yes and a No target"
        case .branchOnNonDecision: return "\(at)only decision steps have Yes/No branches"
        case .endHasNext: return "\(at)an end step cannot have a next step"
        case .nonPositiveTime: return "\(at)the time standard must be positive"
        case .unreachable: return "\(at)cannot be reached from the start step"
        case .cannotReachEnd: return "\(at)cannot reach an end step"
        case .lastStepNotEnd: return "\(at)the last row is not an end step and has no next step"
        case .tooManySteps: return "The SOP has \(d) steps; at most \(max) are allowed"
        case .tooManyActors: return "The SOP has \(d) actors; at most \(max) are allowed"
        case .tooManyItems: return "\(field) has \(d) entries; at most \(max) are allowed"
        case .textTooLong: return "\(at)\(field) is too long (\(d) characters); at most \(max) characters"
        }
    }

    /// The English ``description`` (kept for callers not yet moved; the language is ignored).
    @available(*, deprecated, message: "translate `code` in the web layer; use `description` for logs and the CLI")
    public func message(_ lang: Language) -> String { description }
}

/// How large an SOP may be. Generous for real SOPs (the largest in the PermenPANRB 35/2012 examples
/// have a few dozen steps and a handful of actors); they keep a hostile file or form from costing
/// memory and time in validation, storage, flowchart layout and conformance checking.
public enum SOPLimits {
    /// Steps (rows of the flowchart table).
    public static let maxSteps = 300
    /// Actors (pelaksana columns).
    public static let maxActors = 100
    /// Entries of each list: dasar hukum, keterkaitan, kualifikasi, peralatan, pencatatan, nama di log.
    public static let maxListItems = 100
    /// Characters of each text field.
    public static let maxTextLength = 4000
    /// Bytes of an SOP file (YAML or JSON).
    public static let maxFileBytes = 2 * 1024 * 1024
}

extension SOPDocument {
    /// Size limits (``SOPLimits``): counts of steps, actors and list entries, length of every text.
    /// - Returns: the issues, and whether a count limit was exceeded (then nothing else is checked).
    func sizeIssues() -> (issues: [SOPValidationIssue], countExceeded: Bool) {
        var issues: [SOPValidationIssue] = []
        var countExceeded = false
        if steps.count > SOPLimits.maxSteps {
            issues.append(.init(code: .tooManySteps, field: "langkah", detail: String(steps.count), limit: SOPLimits.maxSteps))
            countExceeded = true
        }
        if actors.count > SOPLimits.maxActors {
            issues.append(.init(code: .tooManyActors, field: "pelaksana", detail: String(actors.count), limit: SOPLimits.maxActors))
            countExceeded = true
        }
        func list(_ count: Int, _ field: String) {
            if count > SOPLimits.maxListItems {
                issues.append(.init(code: .tooManyItems, field: field, detail: String(count), limit: SOPLimits.maxListItems))
                countExceeded = true
            }
        }
        list(identity.legalBasis.count, "identitas.dasar_hukum")
        list(identity.relatedSOPs.count, "identitas.keterkaitan")
        list(identity.executorQualifications.count, "identitas.kualifikasi_pelaksana")
        list(identity.equipment.count, "identitas.peralatan")
        list(identity.recordKeeping.count, "identitas.pencatatan")
        for (i, s) in steps.prefix(SOPLimits.maxSteps).enumerated() { list(s.logNames.count, "langkah[\(i + 1)].nama_di_log") }
        if countExceeded { return (issues, true) }

        func text(_ v: String?, _ field: String, step: (id: String, number: Int)? = nil) {
            guard let v, v.utf8.count > SOPLimits.maxTextLength else { return }
            let n = v.count
            guard n > SOPLimits.maxTextLength else { return }
            // A step id that is itself too long is shortened where it names the step.
            let id = step.map { $0.id.count > 40 ? String($0.id.prefix(40)) + "…" : $0.id }
            issues.append(.init(code: .textTooLong, field: field, stepID: id, stepNumber: step?.number,
                                detail: String(n), limit: SOPLimits.maxTextLength))
        }
        let idn = identity
        text(idn.unitName, "identitas.unit")
        text(idn.number, "identitas.nomor")
        text(idn.title, "identitas.judul")
        text(idn.warning, "identitas.peringatan")
        if let a = idn.approvedBy {
            text(a.position, "identitas.disahkan_oleh.jabatan")
            text(a.name, "identitas.disahkan_oleh.nama")
            text(a.nip, "identitas.disahkan_oleh.nip")
        }
        for (i, v) in idn.legalBasis.enumerated() { text(v, "identitas.dasar_hukum[\(i + 1)]") }
        for (i, r) in idn.relatedSOPs.enumerated() {
            text(r.number, "identitas.keterkaitan[\(i + 1)].nomor")
            text(r.title, "identitas.keterkaitan[\(i + 1)].judul")
            text(r.relation, "identitas.keterkaitan[\(i + 1)].hubungan")
        }
        for (i, v) in idn.executorQualifications.enumerated() { text(v, "identitas.kualifikasi_pelaksana[\(i + 1)]") }
        for (i, v) in idn.equipment.enumerated() { text(v, "identitas.peralatan[\(i + 1)]") }
        for (i, v) in idn.recordKeeping.enumerated() { text(v, "identitas.pencatatan[\(i + 1)]") }
        for (i, a) in actors.enumerated() {
            text(a.id, "pelaksana[\(i + 1)].id")
            text(a.name, "pelaksana[\(i + 1)].nama")
        }
        for (i, s) in steps.enumerated() {
            let f = "langkah[\(i + 1)]", at = (id: s.id, number: i + 1)
            text(s.id, "\(f).id", step: at)
            text(s.activity, "\(f).kegiatan", step: at)
            text(s.actor, "\(f).pelaksana", step: at)
            text(s.standard.requirements, "\(f).mutu_baku.kelengkapan", step: at)
            text(s.standard.output, "\(f).mutu_baku.output", step: at)
            text(s.notes, "\(f).keterangan", step: at)
            text(s.next, "\(f).berikutnya", step: at)
            text(s.yes, "\(f).ya", step: at)
            text(s.no, "\(f).tidak", step: at)
            text(s.question, "\(f).pertanyaan", step: at)
            for (j, v) in s.logNames.enumerated() { text(v, "\(f).nama_di_log[\(j + 1)]", step: at) }
        }
        return (issues, false)
    }

    /// Checks the document against the rules of a well-formed SOP.
    ///
    /// Every step reachable from the start and able to reach an end, every step has a known actor,
    /// every decision has both targets, every time standard positive, identity fields filled.
    /// - Returns: all issues found, in table order; empty when the SOP is valid.
    /// - Complexity: O(steps + arrows).
    /// Size limits (``SOPLimits``) are checked first; when a count is over its limit only the size
    /// issues are returned, so a hostile document costs no more than counting.
    public func validate() -> [SOPValidationIssue] {
        let (sizeIssues, countExceeded) = sizeIssues()
        if countExceeded { return sizeIssues }
        var issues: [SOPValidationIssue] = sizeIssues
        func need(_ v: String, _ field: String) {
            if v.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                issues.append(.init(code: .missingField, field: field))
            }
        }
        need(identity.unitName, "identitas.unit")
        need(identity.number, "identitas.nomor")
        need(identity.title, "identitas.judul")
        if let a = identity.approvedBy {
            need(a.position, "identitas.disahkan_oleh.jabatan")
            need(a.name, "identitas.disahkan_oleh.nama")
            let digits = a.nip.filter { $0 != " " }
            if !(digits.count == 18 && digits.allSatisfy(\.isASCII) && digits.allSatisfy(\.isNumber)) {
                issues.append(.init(code: .invalidNIP, field: "identitas.disahkan_oleh.nip", detail: a.nip))
            }
        }
        var actorIDs = Set<String>()
        for (i, a) in actors.enumerated() {
            need(a.id, "pelaksana[\(i + 1)].id")
            need(a.name, "pelaksana[\(i + 1)].nama")
            if !a.id.isEmpty, !actorIDs.insert(a.id).inserted {
                issues.append(.init(code: .duplicateActorID, field: "pelaksana[\(i + 1)].id", detail: a.id))
            }
        }
        guard !steps.isEmpty else {
            issues.append(.init(code: .noSteps, field: "langkah"))
            return issues
        }
        var ids = Set<String>()
        let stepIDs = Set(steps.map(\.id))
        var starts = 0
        for (i, s) in steps.enumerated() {
            let n = i + 1
            let f = "langkah[\(n)]"
            func issue(_ c: SOPValidationIssue.Code, _ field: String, _ detail: String = "") {
                issues.append(.init(code: c, field: "\(f).\(field)", stepID: s.id, stepNumber: n, detail: detail))
            }
            if s.id.trimmingCharacters(in: .whitespaces).isEmpty { issue(.emptyStepID, "id") }
            else if !ids.insert(s.id).inserted { issue(.duplicateStepID, "id", s.id) }
            if s.activity.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                issues.append(.init(code: .missingField, field: "\(f).kegiatan", stepID: s.id, stepNumber: n))
            }
            if s.actor.trimmingCharacters(in: .whitespaces).isEmpty { issue(.missingActor, "pelaksana") }
            else if !actorIDs.contains(s.actor) { issue(.unknownActor, "pelaksana", s.actor) }
            if s.kind == .start {
                starts += 1
                if starts > 1 { issue(.severalStarts, "jenis") }
            }
            if let t = s.standard.time, !(t.seconds > 0) { issue(.nonPositiveTime, "mutu_baku.waktu") }
            switch s.kind {
            case .decision:
                if s.yes == nil || s.no == nil { issue(.decisionNeedsBothTargets, s.yes == nil ? "ya" : "tidak") }
                if let y = s.yes, !stepIDs.contains(y) { issue(.unknownTarget, "ya", y) }
                if let t = s.no, !stepIDs.contains(t) { issue(.unknownTarget, "tidak", t) }
            case .end:
                if s.next != nil { issue(.endHasNext, "berikutnya") }
                if s.yes != nil || s.no != nil { issue(.branchOnNonDecision, "ya") }
            case .start, .process:
                if s.yes != nil || s.no != nil { issue(.branchOnNonDecision, s.yes != nil ? "ya" : "tidak") }
                if let t = s.next, !stepIDs.contains(t) { issue(.unknownTarget, "berikutnya", t) }
                if s.next == nil && i == steps.count - 1 { issue(.lastStepNotEnd, "berikutnya") }
            }
        }
        if starts == 0 { issues.append(.init(code: .noStart, field: "langkah")) }
        if !steps.contains(where: { $0.kind == .end }) { issues.append(.init(code: .noEnd, field: "langkah")) }
        if starts >= 1 {
            let reach = reachableFromStart()
            let toEnd = canReachEnd()
            for (i, s) in steps.enumerated() {
                if !reach.contains(s.id) {
                    issues.append(.init(code: .unreachable, field: "langkah[\(i + 1)]", stepID: s.id, stepNumber: i + 1))
                } else if !toEnd.contains(s.id), steps.contains(where: { $0.kind == .end }) {
                    issues.append(.init(code: .cannotReachEnd, field: "langkah[\(i + 1)]", stepID: s.id, stepNumber: i + 1))
                }
            }
        }
        return issues
    }
}
