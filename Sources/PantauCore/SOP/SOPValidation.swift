import Foundation

/// One problem found in an SOP: what, where (step and field), in words for both languages.
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
    }

    public var code: Code
    /// Field path in SOP-file terms, e.g. `langkah[3].pelaksana` (1-based step number).
    public var field: String
    /// The step concerned, if any.
    public var stepID: String?
    public var stepNumber: Int?
    /// Extra value named in the message (an unknown id, a bad NIP, ...).
    public var detail: String

    public init(code: Code, field: String, stepID: String? = nil, stepNumber: Int? = nil, detail: String = "") {
        self.code = code
        self.field = field
        self.stepID = stepID
        self.stepNumber = stepNumber
        self.detail = detail
    }

    public var description: String { message(.id) }

    /// A sentence naming the step and the field.
    public func message(_ lang: Language) -> String {
        let at: String
        if let n = stepNumber, let id = stepID {
            at = lang == .id ? "Langkah \(n) (\(id)): " : "Step \(n) (\(id)): "
        } else {
            at = ""
        }
        let d = detail
        switch (code, lang) {
        case (.missingField, .id): return "\(at)\(field) wajib diisi"
        case (.missingField, .en): return "\(at)\(field) is required"
        case (.invalidNIP, .id): return "NIP '\(d)' harus 18 digit angka"
        case (.invalidNIP, .en): return "NIP '\(d)' must be 18 digits"
        case (.noSteps, .id): return "SOP belum memiliki langkah"
        case (.noSteps, .en): return "The SOP has no steps"
        case (.duplicateStepID, .id): return "\(at)id langkah '\(d)' dipakai lebih dari sekali"
        case (.duplicateStepID, .en): return "\(at)step id '\(d)' is used more than once"
        case (.emptyStepID, .id): return "\(at)id langkah kosong"
        case (.emptyStepID, .en): return "\(at)step id is empty"
        case (.duplicateActorID, .id): return "id pelaksana '\(d)' dipakai lebih dari sekali"
        case (.duplicateActorID, .en): return "actor id '\(d)' is used more than once"
        case (.noStart, .id): return "Tidak ada langkah berjenis 'mulai'"
        case (.noStart, .en): return "No step of kind 'mulai' (start)"
        case (.severalStarts, .id): return "\(at)hanya boleh ada satu langkah 'mulai'"
        case (.severalStarts, .en): return "\(at)only one step may be the start"
        case (.noEnd, .id): return "Tidak ada langkah berjenis 'selesai'"
        case (.noEnd, .en): return "No step of kind 'selesai' (end)"
        case (.missingActor, .id): return "\(at)pelaksana belum diisi"
        case (.missingActor, .en): return "\(at)no actor (pelaksana)"
        case (.unknownActor, .id): return "\(at)pelaksana '\(d)' tidak ada dalam daftar pelaksana"
        case (.unknownActor, .en): return "\(at)actor '\(d)' is not in the list of actors"
        case (.unknownTarget, .id): return "\(at)\(field) menunjuk langkah '\(d)' yang tidak ada"
        case (.unknownTarget, .en): return "\(at)\(field) points to step '\(d)', which does not exist"
        case (.decisionNeedsBothTargets, .id): return "\(at)keputusan harus punya tujuan Ya dan Tidak"
        case (.decisionNeedsBothTargets, .en): return "\(at)a decision needs both a Yes and a No target"
        case (.branchOnNonDecision, .id): return "\(at)hanya langkah keputusan yang memiliki cabang Ya/Tidak"
        case (.branchOnNonDecision, .en): return "\(at)only decision steps have Yes/No branches"
        case (.endHasNext, .id): return "\(at)langkah 'selesai' tidak boleh punya langkah berikutnya"
        case (.endHasNext, .en): return "\(at)an end step cannot have a next step"
        case (.nonPositiveTime, .id): return "\(at)waktu mutu baku harus lebih dari nol"
        case (.nonPositiveTime, .en): return "\(at)the time standard must be positive"
        case (.unreachable, .id): return "\(at)tidak dapat dicapai dari langkah mulai"
        case (.unreachable, .en): return "\(at)cannot be reached from the start step"
        case (.cannotReachEnd, .id): return "\(at)tidak dapat mencapai langkah selesai"
        case (.cannotReachEnd, .en): return "\(at)cannot reach an end step"
        case (.lastStepNotEnd, .id): return "\(at)langkah terakhir bukan 'selesai' dan tidak punya langkah berikutnya"
        case (.lastStepNotEnd, .en): return "\(at)the last row is not an end step and has no next step"
        }
    }
}

extension SOPDocument {
    /// Checks the document against the rules of a well-formed SOP.
    ///
    /// Every step reachable from the start and able to reach an end, every step has a known actor,
    /// every decision has both targets, every time standard positive, identity fields filled.
    /// - Returns: all issues found, in table order; empty when the SOP is valid.
    /// - Complexity: O(steps + arrows).
    public func validate() -> [SOPValidationIssue] {
        var issues: [SOPValidationIssue] = []
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
