import Foundation
import PantauCore
import SQLKit

// MARK: - Monitoring (Tabel 7) and evaluation (Tabel 8) records: shapes
//
// PermenPANRB 35/2012: the monitoring form "Monitoring Pelaksanaan SOP AP" (Tabel 7) and the
// evaluation "Evaluasi Penerapan SOP AP" (Tabel 8), per SOP and period (docs/sop-monev.md).

/// Which form a record is.
public enum MonevKind: String, Sendable, Codable, CaseIterable {
    /// Tabel 7: monitoring of how the SOP is carried out (default every semester).
    case monitoring
    /// Tabel 8: evaluation of the SOP against the 7 criteria (default every year).
    case evaluation

    /// The default period length: the Permen asks for a monitoring every 6 months; the evaluation
    /// at least once a year (apps and the BPS derivative; UNVERIFIED in the Permen text).
    public var defaultPeriodKind: SurveyPeriod.Kind { self == .monitoring ? .semester : .year }
}

/// How the monitoring was done (Permen, Tabel 7 methods a–e).
public enum MonitoringMethod: String, Sendable, Codable, CaseIterable, Hashable, Comparable {
    case observation
    case executorInterview = "executor_interview"
    case citizenInterview = "citizen_interview"
    case discussion
    case guidance

    public static func < (a: Self, b: Self) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// "Penilaian terhadap penerapan": the Permen's two states only (openSOP's third state "berjalan
/// kurang baik" is not in the Permen and is not offered).
public enum MonitoringAssessment: String, Sendable, Codable, CaseIterable, Hashable {
    /// Berjalan dengan baik.
    case good
    /// Tidak berjalan dengan baik.
    case notGood = "not_good"
}

/// When the pre-fill proposes "tidak berjalan dengan baik". Shares are fractions (0.1 = 10%).
public struct MonitoringThresholds: Sendable, Codable, Hashable {
    /// A step skipped in more than this share of the period's cases.
    public var skippedShare: Double
    /// A step over its time standard in more than this share of its measured occurrences.
    public var overStandardShare: Double
    /// Fewer cases than this: no proposal from the case data (the evaluator decides).
    public var minimumCases: Int
    /// Row 0 (the SOP as a whole): fewer cases conforming to the SOP than this share.
    public var complianceShare: Double
    /// Row 0: an IKM below this (76.61 = the lowest "B, Baik" of PermenPANRB 14/2017).
    public var minimumIKM: Double

    public init(skippedShare: Double = 0.10, overStandardShare: Double = 0.20, minimumCases: Int = 5,
                complianceShare: Double = 0.80, minimumIKM: Double = 76.61) {
        self.skippedShare = skippedShare
        self.overStandardShare = overStandardShare
        self.minimumCases = minimumCases
        self.complianceShare = complianceShare
        self.minimumIKM = minimumIKM
    }

    /// Problems with the form's field names (`threshold_*`; shares in percent on the form).
    public func inputProblems() -> [InputProblem] {
        var p: [InputProblem] = []
        func share(_ field: String, _ v: Double) {
            if !v.isFinite || v < 0 || v > 1 { p.append(InputProblem(field, "monev_percent_range", ["0", "100"])) }
        }
        share("threshold_skipped", skippedShare)
        share("threshold_over_standard", overStandardShare)
        share("threshold_compliance", complianceShare)
        if minimumCases < 1 || minimumCases > 100_000 { p.append(InputProblem("threshold_min_cases", "monev_number_range", ["1", "100000"])) }
        if !minimumIKM.isFinite || minimumIKM < 25 || minimumIKM > 100 { p.append(InputProblem("threshold_ikm", "monev_number_range", ["25", "100"])) }
        return p
    }
}

/// What the case data said about one step in the period (kept with the proposal).
public struct MonitoringStepFigures: Sendable, Codable, Hashable {
    /// Cases of the period.
    public var cases: Int
    public var casesSkipping: Int
    /// Occurrences with a measured time, and those over the step's time standard.
    public var measured: Int
    public var overStandard: Int
    public var standardSeconds: Double?
    public var meanWaitingSeconds: Double?
}

/// What the case data and the SKM said about the SOP as a whole in the period.
public struct MonitoringSOPFigures: Sendable, Codable, Hashable {
    public var cases: Int
    public var compliantCases: Int
    public var closedCases: Int
    public var closedWithinStandard: Int
    public var closedWithStandard: Int
    public var medianLeadSeconds: Double?
    /// The SKM survey used (of the SOP, else of its unit), its IKM and respondents in the period.
    public var surveyID: Int64?
    public var ikm: Double?
    public var respondents: Int?
}

/// One row of Tabel 7: a step of the SOP (`number` as in the SOP), or row 0, the SOP as a whole.
/// Keeps what the pre-fill proposed beside what the evaluator decided.
public struct MonitoringRow: Sendable, Codable, Hashable {
    public var number: Int
    /// The SOP step (nil for row 0).
    public var stepID: String?
    /// Column 2, "Prosedur".
    public var procedure: String
    public var proposedAssessment: MonitoringAssessment?
    public var proposedNote: String
    public var proposedAction: String
    /// Column 3 (nil: not decided yet).
    public var assessment: MonitoringAssessment?
    /// Column 4, "Catatan hasil penilaian".
    public var note: String
    /// Column 5, "Tindakan yang harus diambil".
    public var action: String
    public var figures: MonitoringStepFigures?

    /// The evaluator changed the proposed assessment.
    public var assessmentCorrected: Bool { proposedAssessment != nil && assessment != nil && assessment != proposedAssessment }
    /// The evaluator changed anything the pre-fill proposed.
    public var corrected: Bool { assessmentCorrected || note != proposedNote || action != proposedAction }
}

/// The content of a Tabel 7 record.
public struct MonitoringContent: Sendable, Codable, Hashable {
    public var methods: [MonitoringMethod]
    public var thresholds: MonitoringThresholds
    /// The SOP version whose steps are the rows.
    public var sopVersion: Int
    public var figures: MonitoringSOPFigures
    public var rows: [MonitoringRow]
    public var generalNote: String
}

/// What the evaluator sets on one row.
public struct MonitoringRowDecision: Sendable, Hashable {
    public var number: Int
    public var assessment: MonitoringAssessment?
    public var note: String
    public var action: String

    public init(number: Int, assessment: MonitoringAssessment?, note: String, action: String) {
        self.number = number
        self.assessment = assessment
        self.note = note
        self.action = action
    }
}

/// A change to a Tabel 7 record. `reason` is required once the evaluator has signed.
public struct MonitoringEdit: Sendable, Hashable {
    public var methods: Set<MonitoringMethod>
    public var rows: [MonitoringRowDecision]
    public var generalNote: String
    public var reason: String

    public init(methods: Set<MonitoringMethod>, rows: [MonitoringRowDecision], generalNote: String = "", reason: String = "") {
        self.methods = methods
        self.rows = rows
        self.generalNote = generalNote
        self.reason = reason
    }
}

/// The 7 criteria of Tabel 8 (REFERENCE.md §1e; the list is PARTLY verified). Their text lives
/// in the web catalogs as `monev_criterion_<n>`; the store keeps only the numbers.
public enum EvaluationCriteria {
    public static let numbers = Array(1...7)
}

/// The answer to one criterion: Ya / Tidak (nil: not answered) and a note. The Ya/Tidak scale is
/// what implementations use; that the Permen's Tabel 8 uses exactly it is UNVERIFIED.
public struct EvaluationAnswer: Sendable, Codable, Hashable {
    public var number: Int
    public var yes: Bool?
    public var note: String

    public init(number: Int, yes: Bool?, note: String = "") {
        self.number = number
        self.yes = yes
        self.note = note
    }
}

/// The content of a Tabel 8 record.
public struct EvaluationContent: Sendable, Codable, Hashable {
    /// One per criterion 1–7, in order.
    public var answers: [EvaluationAnswer]
    /// "Apakah masih ada kegiatan yang belum memiliki SOP?" (nil: not answered) and which.
    public var activitiesWithoutSOP: Bool?
    public var activitiesWithoutSOPList: String
    public var generalNote: String

    public init(answers: [EvaluationAnswer], activitiesWithoutSOP: Bool? = nil, activitiesWithoutSOPList: String = "", generalNote: String = "") {
        self.answers = answers
        self.activitiesWithoutSOP = activitiesWithoutSOP
        self.activitiesWithoutSOPList = activitiesWithoutSOPList
        self.generalNote = generalNote
    }

    /// Every criterion unanswered.
    public static var empty: EvaluationContent { EvaluationContent(answers: EvaluationCriteria.numbers.map { EvaluationAnswer(number: $0, yes: nil) }) }

    public var yesCount: Int { answers.filter { $0.yes == true }.count }
    /// Ya / 7 × 100 (unanswered criteria count as not Ya).
    public var yesShare: Double { Double(yesCount) / Double(EvaluationCriteria.numbers.count) * 100 }
}

/// A change to a Tabel 8 record. `reason` is required once the evaluator has signed.
public struct EvaluationEdit: Sendable, Hashable {
    public var content: EvaluationContent
    public var reason: String

    public init(content: EvaluationContent, reason: String = "") {
        self.content = content
        self.reason = reason
    }
}

/// Who signs (paraf / tanda tangan).
public enum MonevSigner: String, Sendable, Codable, CaseIterable {
    /// Pelaksana SOP (Tabel 8): an officer or unit manager of the SOP's unit.
    case executor
    /// Penilai / evaluator (Tabel 7 and 8): an evaluator or admin. Freezes the revision.
    case evaluator

    /// The form field a refusal names.
    public var field: String { self == .executor ? "executor_sign" : "evaluator_sign" }
}

/// A sign-off: who and when (name and role as they were at signing).
public struct MonevSignature: Sendable, Codable, Hashable {
    public var userID: Int64
    public var name: String
    public var role: Role
    public var at: Date
}

/// One revision of a Tabel 7 or Tabel 8 record.
public struct MonevRecord<Content: Sendable & Codable & Hashable>: Sendable, Codable, Hashable {
    public var id: Int64
    public var sopID: Int64
    public var kind: MonevKind
    public var period: SurveyPeriod
    public var revision: Int
    public var latestRevision: Int
    public var content: Content
    /// Why this revision was made (empty for revision 1).
    public var reason: String
    public var createdBy: String
    public var createdAt: Date
    public var updatedAt: Date
    public var executor: MonevSignature?
    public var evaluator: MonevSignature?

    /// Signed by the evaluator: never changed again (a change makes a new revision).
    public var isFrozen: Bool { evaluator != nil }
    public var isLatest: Bool { revision == latestRevision }
}

public typealias MonitoringRecord = MonevRecord<MonitoringContent>
public typealias EvaluationRecord = MonevRecord<EvaluationContent>

/// A Tabel 7 row marked "tidak berjalan dengan baik" (a finding source).
public struct MonitoringRowFinding: Sendable, Codable, Hashable {
    public var recordID: Int64
    public var sopID: Int64
    public var period: SurveyPeriod
    public var revision: Int
    /// Whether the evaluator has signed that revision.
    public var signed: Bool
    public var row: MonitoringRow
}

// MARK: - Pre-fill (pure)

/// Words and numbers of the pre-fill (Bahasa Indonesia: Tabel 7 is an Indonesian document; the
/// evaluator edits the text).
public enum MonitoringPrefill {
    /// "12%", "12,5%" (one decimal at most, Indonesian comma).
    public static func percent(_ part: Int, _ whole: Int) -> String {
        guard whole > 0 else { return "–" }
        return percent(Double(part) / Double(whole))
    }

    public static func percent(_ share: Double) -> String {
        let v = (share * 1000).rounded() / 10
        if v == v.rounded() { return "\(Int(v))%" }
        return String(format: "%.1f", v).replacingOccurrences(of: ".", with: ",") + "%"
    }

    static func number(_ v: Double) -> String {
        String(format: "%.2f", v).replacingOccurrences(of: ".", with: ",")
    }

    /// The rows of Tabel 7 proposed from the figures: row 0 for the SOP as a whole, then one per
    /// step in SOP order. Pure: same input, same rows.
    public static func rows(document: SOPDocument, figures: MonitoringFigures, ikm: Double?, respondents: Int?,
                            unrecorded: Set<String> = [], thresholds t: MonitoringThresholds) -> [MonitoringRow] {
        let n = figures.cases
        let enough = n >= t.minimumCases
        var stepRows: [MonitoringRow] = []
        for (i, step) in document.steps.enumerated() {
            let tot = figures.steps.first { $0.key == step.id }
            let std = step.standard.time?.seconds
            let measured = tot?.measured ?? 0
            let over = max(0, measured - (tot?.withinStandard ?? 0))
            let skipping = tot?.casesSkipping ?? 0
            let f = MonitoringStepFigures(cases: n, casesSkipping: skipping, measured: measured, overStandard: std == nil ? 0 : over,
                                          standardSeconds: std,
                                          meanWaitingSeconds: (tot?.waited ?? 0) > 0 ? (tot!.waitingSeconds / Double(tot!.waited)) : nil)
            var parts: [String] = []
            var assessment: MonitoringAssessment?
            var action = ""
            if n == 0 {
                parts.append("Belum ada kasus tercatat pada periode ini")
            } else {
                parts.append("Dilewati pada \(percent(skipping, n)) kasus (\(skipping) dari \(n))")
                if let std {
                    if measured > 0 {
                        parts.append("\(percent(over, measured)) melebihi standar waktu \(TimeStandard.format(seconds: std, language: .id)) (\(over) dari \(measured) pelaksanaan)")
                    } else {
                        parts.append("waktu pelaksanaan tidak terukur")
                    }
                } else {
                    parts.append("tanpa mutu baku waktu")
                }
                if let w = f.meanWaitingSeconds, w >= 60 { parts.append("rata-rata menunggu \(TimeStandard.format(seconds: w, language: .id))") }
                if !step.recorded || unrecorded.contains(step.id) { parts.append("langkah ini biasanya tidak tercatat sebagai kejadian") }
            }
            if enough {
                let skipBad = Double(skipping) / Double(n) > t.skippedShare
                let overBad = std != nil && measured > 0 && Double(over) / Double(measured) > t.overStandardShare
                assessment = skipBad || overBad ? .notGood : .good
                var acts: [String] = []
                if skipBad {
                    acts.append("Sosialisasi ulang atau pelatihan pelaksana tentang langkah ini, dan periksa apakah sistem atau formulir memastikan langkah ini dijalankan")
                }
                if overBad {
                    acts.append("Tinjau sumber daya dan alur kerja langkah ini (beban kerja, antrean, pembagian tugas) agar sesuai standar waktu; bila standar tidak realistis, usulkan revisi SOP")
                }
                action = acts.isEmpty ? "Pertahankan pelaksanaan sesuai SOP dan lanjutkan pemantauan melekat." : acts.joined(separator: "; ") + "."
            } else if n > 0 {
                parts.append("data belum cukup untuk diusulkan (minimal \(t.minimumCases) kasus)")
            }
            let note = parts.joined(separator: "; ") + "."
            stepRows.append(MonitoringRow(number: i + 1, stepID: step.id, procedure: "\(i + 1). \(step.activity)",
                                          proposedAssessment: assessment, proposedNote: note, proposedAction: action,
                                          assessment: assessment, note: note, action: action, figures: f))
        }

        // Row 0: the SOP as a whole.
        var parts: [String] = []
        var whole: MonitoringAssessment?
        var action = ""
        if n > 0 {
            parts.append("\(n) kasus; \(percent(figures.compliantCases, n)) sesuai SOP (\(figures.compliantCases) dari \(n))")
            if figures.closedWithStandard > 0 {
                parts.append("\(percent(figures.closedWithinStandard, figures.closedWithStandard)) kasus selesai dalam standar waktu total (\(figures.closedWithinStandard) dari \(figures.closedWithStandard))")
            }
            if let m = figures.medianLeadSeconds { parts.append("median waktu penyelesaian \(TimeStandard.format(seconds: m, language: .id))") }
        } else {
            parts.append("Belum ada kasus tercatat pada periode ini")
        }
        if let ikm {
            parts.append("IKM \(number(ikm)) (mutu \(SKMGrade(ikm: ikm).rawValue)) dari \(respondents ?? 0) responden")
        }
        let badSteps = stepRows.filter { $0.proposedAssessment == .notGood }.map { String($0.number) }
        let ikmBad = ikm.map { $0 < t.minimumIKM }
        if enough || ikm != nil {
            let complianceBad = enough && Double(figures.compliantCases) / Double(n) < t.complianceShare
            let bad = complianceBad || !badSteps.isEmpty || ikmBad == true
            whole = bad ? .notGood : .good
            var acts: [String] = []
            if !badSteps.isEmpty { acts.append("Tindak lanjuti langkah \(badSteps.joined(separator: ", ")) yang tidak berjalan dengan baik") }
            if complianceBad { acts.append("bahas penyimpangan dari SOP dalam rapat evaluasi bersama pelaksana") }
            if ikmBad == true { acts.append("tindak lanjuti unsur SKM dengan nilai terendah") }
            if bad { acts.append("pertimbangkan revisi SOP bila penyebabnya ada pada prosedur") }
            action = acts.isEmpty ? "Pertahankan penerapan SOP dan lanjutkan pemantauan berkala." : acts.joined(separator: "; ").capitalizedFirst + "."
        } else if n > 0 {
            parts.append("data belum cukup untuk diusulkan (minimal \(t.minimumCases) kasus)")
        }
        let note = parts.joined(separator: "; ") + "."
        let row0 = MonitoringRow(number: 0, stepID: nil, procedure: "SOP secara keseluruhan: \(document.identity.number) \(document.identity.title)"
                                    .trimmingCharacters(in: .whitespaces),
                                 proposedAssessment: whole, proposedNote: note, proposedAction: action,
                                 assessment: whole, note: note, action: action, figures: nil)
        return [row0] + stepRows
    }
}

private extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}

// MARK: - Store

extension PantauStore {
    static let monevEntity = "sop_monev_record"
    static let monevTextMax = 2000

    static func monevSignature(_ r: any SQLRow, _ who: String) throws -> MonevSignature? {
        guard let id = try r.optInt64("\(who)_user_id"), let at = try r.optDouble("\(who)_signed_at") else { return nil }
        guard let role = Role(rawValue: try r.optString("\(who)_role") ?? "") else {
            throw StoreError.corrupt("sop_monev_revisions.\(who)_role of record \(try r.int64("record_id"))")
        }
        return MonevSignature(userID: id, name: try r.optString("\(who)_name") ?? "", role: role, at: Date(timeIntervalSince1970: at))
    }

    static func monevRecord<C>(_ r: any SQLRow, _ type: C.Type) throws -> MonevRecord<C> {
        let id = try r.int64("id")
        let content = try decodeJSON(C.self, r, column: "content", table: "sop_monev_revisions", row: "\(id)/\(try r.int("revision"))")
        guard let kind = MonevKind(rawValue: try r.string("kind")), let period = SurveyPeriod(try r.string("period")) else {
            throw StoreError.corrupt("sop_monev_records.kind/period of row \(id)")
        }
        return MonevRecord(id: id, sopID: try r.int64("sop_id"), kind: kind, period: period, revision: try r.int("revision"),
                           latestRevision: try r.int("latest_revision"), content: content, reason: try r.string("reason"),
                           createdBy: try r.string("created_by"), createdAt: Date(timeIntervalSince1970: try r.double("created_at")),
                           updatedAt: Date(timeIntervalSince1970: try r.double("updated_at")),
                           executor: try monevSignature(r, "executor"), evaluator: try monevSignature(r, "evaluator"))
    }

    static let monevSelect = """
        SELECT m.id, m.sop_id, m.kind, m.period, m.latest_revision, r.revision, r.content, r.reason, r.created_by, r.created_at, r.updated_at,
            r.record_id, r.executor_user_id, r.executor_name, r.executor_role, r.executor_signed_at,
            r.evaluator_user_id, r.evaluator_name, r.evaluator_role, r.evaluator_signed_at
        FROM sop_monev_records m JOIN sop_monev_revisions r ON r.record_id = m.id
        """

    func monevRecords<C>(_ kind: MonevKind, sopID: Int64, _ type: C.Type) async throws -> [MonevRecord<C>] {
        try await read { sql in
            try await sql.raw(SQLQueryString(Self.monevSelect) + " WHERE m.sop_id = \(bind: sopID) AND m.kind = \(bind: kind.rawValue) AND r.revision = m.latest_revision ORDER BY m.first_day DESC, m.last_day, m.id")
                .all().map { try Self.monevRecord($0, C.self) }
        }
    }

    func monevRevisions<C>(_ kind: MonevKind, id: Int64, _ type: C.Type) async throws -> [MonevRecord<C>] {
        let all = try await read { sql in
            try await sql.raw(SQLQueryString(Self.monevSelect) + " WHERE m.id = \(bind: id) AND m.kind = \(bind: kind.rawValue) ORDER BY r.revision DESC")
                .all().map { try Self.monevRecord($0, C.self) }
        }
        if all.isEmpty { throw StoreError.notFound(entity: Self.monevEntity, id: "\(id)") }
        return all
    }

    // MARK: Reads

    /// Tabel 7 records of an SOP, the latest revision of each, newest period first.
    public func monitoringRecords(sopID: Int64) async throws -> [MonitoringRecord] {
        try await monevRecords(.monitoring, sopID: sopID, MonitoringContent.self)
    }

    /// One Tabel 7 record: its latest revision, or the one asked for.
    public func monitoringRecord(id: Int64, revision: Int? = nil) async throws -> MonitoringRecord {
        let all = try await monitoringRecordRevisions(id: id)
        guard let r = revision.map({ n in all.first { $0.revision == n } }) ?? all.first else {
            throw StoreError.notFound(entity: Self.monevEntity, id: "\(id)/\(revision ?? 0)")
        }
        return r
    }

    /// Every revision of a Tabel 7 record, newest first.
    public func monitoringRecordRevisions(id: Int64) async throws -> [MonitoringRecord] {
        try await monevRevisions(.monitoring, id: id, MonitoringContent.self)
    }

    /// Tabel 8 records of an SOP, the latest revision of each, newest period first.
    public func evaluationRecords(sopID: Int64) async throws -> [EvaluationRecord] {
        try await monevRecords(.evaluation, sopID: sopID, EvaluationContent.self)
    }

    public func evaluationRecord(id: Int64, revision: Int? = nil) async throws -> EvaluationRecord {
        let all = try await evaluationRecordRevisions(id: id)
        guard let r = revision.map({ n in all.first { $0.revision == n } }) ?? all.first else {
            throw StoreError.notFound(entity: Self.monevEntity, id: "\(id)/\(revision ?? 0)")
        }
        return r
    }

    /// Every revision of a Tabel 8 record, newest first.
    public func evaluationRecordRevisions(id: Int64) async throws -> [EvaluationRecord] {
        try await monevRevisions(.evaluation, id: id, EvaluationContent.self)
    }

    /// Rows marked "tidak berjalan dengan baik" in the latest revision of the Tabel 7 records whose
    /// period overlaps `period`, of one SOP or of the SOPs of these units (nil: all).
    public func monitoringRowsNotGood(period: SurveyPeriod, sopID: Int64? = nil, unitIDs: Set<Int64>? = nil) async throws -> [MonitoringRowFinding] {
        let records = try await read { sql in
            var q = SQLQueryString(Self.monevSelect) + " JOIN sops s ON s.id = m.sop_id WHERE m.kind = 'monitoring' AND r.revision = m.latest_revision"
                + " AND m.first_day <= \(bind: period.lastDay.description) AND m.last_day >= \(bind: period.firstDay.description)"
            if let sopID { q = q + " AND m.sop_id = \(bind: sopID)" }
            if let unitIDs { q = q + " AND s.unit_id IN (\(unsafeRaw: unitIDs.isEmpty ? "-1" : unitIDs.sorted().map(String.init).joined(separator: ",")))" }
            return try await sql.raw(q + " ORDER BY m.sop_id, m.first_day, m.id").all().map { try Self.monevRecord($0, MonitoringContent.self) }
        }
        return records.flatMap { rec in
            rec.content.rows.filter { $0.assessment == .notGood }.map {
                MonitoringRowFinding(recordID: rec.id, sopID: rec.sopID, period: rec.period, revision: rec.revision, signed: rec.isFrozen, row: $0)
            }
        }
    }

    // MARK: Pre-fill

    /// The SOP version whose steps a record of `period` lists: the one in force at the period's
    /// end, else the one in force now, else the latest.
    public func monevVersion(sopID: Int64, period: SurveyPeriod) async throws -> SOPVersionRecord {
        let sop = try await sop(id: sopID)
        if let v = try await versionInForce(sopID: sopID, at: period.interval().upperBound.addingTimeInterval(-1)) { return v }
        return try await version(sopID: sopID, version: sop.effectiveVersion ?? sop.latestVersion)
    }

    /// Tabel 7 content proposed for a period from the stored case results and the SKM: nothing is
    /// written. Methods start empty (the evaluator ticks them).
    public func proposeMonitoring(sopID: Int64, period: SurveyPeriod, thresholds: MonitoringThresholds = MonitoringThresholds()) async throws -> MonitoringContent {
        let sop = try await sop(id: sopID)
        let v = try await monevVersion(sopID: sopID, period: period)
        let range = period.interval()
        let figures = try await monitoring(sopID: sopID, filter: MonitoringFilter(from: range.lowerBound, to: range.upperBound))
        let settings = try await monitoringSettings(sopID: sopID)
        // The SKM of the SOP, else of the SOP's unit (the first active one).
        let surveys = try await surveys(unitIDs: [sop.unitID]).filter(\.active)
        var ikm: Double?, respondents: Int?, surveyID: Int64?
        if let survey = surveys.first(where: { $0.sopID == sopID }) ?? surveys.first(where: { $0.sopID == nil }) ?? surveys.first {
            do {
                let result = try await skmResult(surveyID: survey.id, definition: survey.definition, period: period)
                if result.respondentCount > 0 {
                    ikm = result.ikm
                    respondents = result.respondentCount
                    surveyID = survey.id
                }
            } catch is SurveyError {
                // A survey definition that cannot be scored gives no IKM; the rows still come.
            }
        }
        let rows = MonitoringPrefill.rows(document: v.document, figures: figures, ikm: ikm, respondents: respondents,
                                          unrecorded: settings.notRecorded, thresholds: thresholds)
        let sopFigures = MonitoringSOPFigures(cases: figures.cases, compliantCases: figures.compliantCases, closedCases: figures.closedCases,
                                              closedWithinStandard: figures.closedWithinStandard, closedWithStandard: figures.closedWithStandard,
                                              medianLeadSeconds: figures.medianLeadSeconds, surveyID: surveyID, ikm: ikm, respondents: respondents)
        return MonitoringContent(methods: [], thresholds: thresholds, sopVersion: v.version, figures: sopFigures, rows: rows, generalNote: "")
    }

    // MARK: Writes

    /// Locks the SOP (PostgreSQL) so that period checks of concurrent writers are serialised.
    static func lockedSOPUnit(_ w: WriteContext, sopID: Int64) async throws -> Int64 {
        let lock = w.kind == .postgres ? " FOR UPDATE" : ""
        guard let r = try await w.sql.raw("SELECT unit_id FROM sops WHERE id = \(bind: sopID)\(unsafeRaw: lock)").first() else {
            throw StoreError.notFound(entity: "sop", id: "\(sopID)")
        }
        return try r.int64("unit_id")
    }

    func createMonevRecord<C>(_ kind: MonevKind, sopID: Int64, period: SurveyPeriod, content: C, extraProblems: [InputProblem],
                              by actor: AuditActor) async throws -> MonevRecord<C> {
        try await write { w in
            _ = try await Self.lockedSOPUnit(w, sopID: sopID)
            var problems = extraProblems
            if let other = try await w.sql.raw("""
                SELECT period FROM sop_monev_records WHERE sop_id = \(bind: sopID) AND kind = \(bind: kind.rawValue)
                AND first_day <= \(bind: period.lastDay.description) AND last_day >= \(bind: period.firstDay.description) ORDER BY first_day LIMIT 1
                """).first() {
                problems.insert(InputProblem("period", "monev_period_overlap", [try other.string("period")]), at: 0)
            }
            if !problems.isEmpty { throw StoreError.rejected(problems) }
            guard let r = try await w.sql.raw("""
                INSERT INTO sop_monev_records (sop_id, kind, period, first_day, last_day, latest_revision, created_at, updated_at)
                VALUES (\(bind: sopID), \(bind: kind.rawValue), \(bind: period.description), \(bind: period.firstDay.description),
                        \(bind: period.lastDay.description), 1, \(bind: w.t), \(bind: w.t))
                RETURNING id
                """).first() else { throw StoreError.corrupt("insert returned no id") }
            let id = try r.int64("id")
            try await w.sql.raw("""
                INSERT INTO sop_monev_revisions (record_id, revision, content, reason, created_by, created_at, updated_at)
                VALUES (\(bind: id), 1, \(bind: jsonText(content)), '', \(bind: actor.label), \(bind: w.t), \(bind: w.t))
                """).run()
            let rec = MonevRecord(id: id, sopID: sopID, kind: kind, period: period, revision: 1, latestRevision: 1, content: content,
                                  reason: "", createdBy: actor.label, createdAt: w.at, updatedAt: w.at, executor: nil, evaluator: nil)
            try await w.audit(actor, "create", Self.monevEntity, "\(sopID)/\(id)", new: rec)
            return rec
        }
    }

    static func lockedMonevLatest<C>(_ w: WriteContext, _ kind: MonevKind, id: Int64, _ type: C.Type) async throws -> MonevRecord<C> {
        let lock = w.kind == .postgres ? " FOR UPDATE OF m" : ""
        guard let r = try await w.sql.raw(SQLQueryString(monevSelect)
                                          + " WHERE m.id = \(bind: id) AND m.kind = \(bind: kind.rawValue) AND r.revision = m.latest_revision\(unsafeRaw: lock)").first() else {
            throw StoreError.notFound(entity: monevEntity, id: "\(id)")
        }
        return try monevRecord(r, C.self)
    }

    /// Saves content: in place while the evaluator has not signed; otherwise as a new revision
    /// (revision + 1, `reason` required, sign-offs empty), the signed one kept as it was.
    func saveMonevContent<C>(_ kind: MonevKind, id: Int64, reason rawReason: String, by actor: AuditActor, _ type: C.Type,
                             change: @Sendable @escaping (C) throws -> (C, [InputProblem])) async throws -> MonevRecord<C> {
        let reason = rawReason.trimmingCharacters(in: .whitespacesAndNewlines)
        return try await write { w in
            let old = try await Self.lockedMonevLatest(w, kind, id: id, C.self)
            let (content, changeProblems) = try change(old.content)
            var problems = changeProblems
            if old.isFrozen && reason.isEmpty { problems.append(InputProblem("reason", "monev_reason_required")) }
            if reason.count > 1000 { problems.append(InputProblem("reason", "too_long", ["1000"])) }
            if !problems.isEmpty { throw StoreError.rejected(problems) }
            var rec = old
            rec.updatedAt = w.at
            if old.isFrozen {
                rec.revision = old.revision + 1
                rec.latestRevision = rec.revision
                rec.reason = reason
                rec.createdBy = actor.label
                rec.createdAt = w.at
                rec.executor = nil
                rec.evaluator = nil
                rec.content = content
                try await w.sql.raw("""
                    INSERT INTO sop_monev_revisions (record_id, revision, content, reason, created_by, created_at, updated_at)
                    VALUES (\(bind: id), \(bind: rec.revision), \(bind: jsonText(content)), \(bind: reason), \(bind: actor.label), \(bind: w.t), \(bind: w.t))
                    """).run()
                try await w.sql.raw("UPDATE sop_monev_records SET latest_revision = \(bind: rec.revision), updated_at = \(bind: w.t) WHERE id = \(bind: id)").run()
                try await w.audit(actor, "revise", Self.monevEntity, "\(old.sopID)/\(id)", old: old, new: rec)
            } else {
                // A change to what the executor signed voids that sign-off.
                if content != old.content { rec.executor = nil }
                rec.content = content
                try await w.sql.raw("""
                    UPDATE sop_monev_revisions SET content = \(bind: jsonText(content)), updated_at = \(bind: w.t),
                      executor_user_id = \(bind: rec.executor?.userID), executor_name = \(bind: rec.executor?.name),
                      executor_role = \(bind: rec.executor?.role.rawValue), executor_signed_at = \(bind: rec.executor?.at.timeIntervalSince1970)
                    WHERE record_id = \(bind: id) AND revision = \(bind: old.revision)
                    """).run()
                try await w.sql.raw("UPDATE sop_monev_records SET updated_at = \(bind: w.t) WHERE id = \(bind: id)").run()
                try await w.audit(actor, "update", Self.monevEntity, "\(old.sopID)/\(id)", old: old, new: rec)
            }
            return rec
        }
    }

    /// Whether `unit` lies in the subtree of `root` (inside a write transaction).
    static func unit(_ unit: Int64, isIn root: Int64, _ sql: any SQLDatabase) async throws -> Bool {
        var current: Int64? = unit
        var seen = Set<Int64>()
        while let c = current, seen.insert(c).inserted {
            if c == root { return true }
            current = try await sql.raw("SELECT parent_id FROM units WHERE id = \(bind: c)").first()?.optInt64("parent_id")
        }
        return false
    }

    func signMonev<C>(_ kind: MonevKind, id: Int64, as signer: MonevSigner, userID: Int64, by actor: AuditActor, _ type: C.Type,
                      ready: @Sendable @escaping (MonevRecord<C>) -> [InputProblem]) async throws -> MonevRecord<C> {
        try await write { w in
            let old = try await Self.lockedMonevLatest(w, kind, id: id, C.self)
            let sopUnit = try await Self.lockedSOPUnit(w, sopID: old.sopID)
            guard let u = try await w.sql.raw("SELECT id, display_name, role, unit_id, active FROM users WHERE id = \(bind: userID)").first() else {
                throw StoreError.notFound(entity: "user", id: "\(userID)")
            }
            let field = signer.field
            guard let role = Role(rawValue: try u.string("role")) else { throw StoreError.corrupt("users.role of user \(userID)") }
            let userUnit = try u.optInt64("unit_id")
            var problems: [InputProblem] = []
            let inUnit: Bool
            if let userUnit { inUnit = try await Self.unit(sopUnit, isIn: userUnit, w.sql) } else { inUnit = true }
            switch signer {
            case .evaluator:
                if role != .evaluator && role != .admin { problems.append(InputProblem(field, "monev_sign_role_evaluator")) }
                else if !inUnit { problems.append(InputProblem(field, "monev_sign_scope")) }
            case .executor:
                if kind != .evaluation { problems.append(InputProblem(field, "monev_sign_executor_tabel8")) }
                else if role != .officer && role != .unitManager { problems.append(InputProblem(field, "monev_sign_role_executor")) }
                else if userUnit == nil || !inUnit { problems.append(InputProblem(field, "monev_sign_unit")) }
            }
            if !(try u.bool("active")) { problems.append(InputProblem(field, "monev_sign_inactive")) }
            if problems.isEmpty {
                if old.isFrozen { problems.append(InputProblem(field, "monev_already_signed")) }
                else if signer == .executor && old.executor != nil { problems.append(InputProblem(field, "monev_already_signed")) }
                else if signer == .evaluator && kind == .evaluation && old.executor == nil { problems.append(InputProblem(field, "monev_executor_first")) }
            }
            if problems.isEmpty && signer == .evaluator { problems = ready(old) }
            if !problems.isEmpty { throw StoreError.rejected(problems) }
            let sig = MonevSignature(userID: userID, name: try u.string("display_name"), role: role, at: w.at)
            var rec = old
            rec.updatedAt = w.at
            if signer == .executor { rec.executor = sig } else { rec.evaluator = sig }
            let who = signer.rawValue
            try await w.sql.raw("""
                UPDATE sop_monev_revisions SET \(unsafeRaw: who)_user_id = \(bind: sig.userID), \(unsafeRaw: who)_name = \(bind: sig.name),
                  \(unsafeRaw: who)_role = \(bind: role.rawValue), \(unsafeRaw: who)_signed_at = \(bind: w.t), updated_at = \(bind: w.t)
                WHERE record_id = \(bind: id) AND revision = \(bind: old.revision)
                """).run()
            try await w.sql.raw("UPDATE sop_monev_records SET updated_at = \(bind: w.t) WHERE id = \(bind: id)").run()
            try await w.audit(actor, "sign_" + who, Self.monevEntity, "\(old.sopID)/\(id)", old: old, new: rec)
            return rec
        }
    }

    // MARK: Tabel 7

    /// Creates a Tabel 7 record for a period, pre-filled from the analysis (``proposeMonitoring(sopID:period:thresholds:)``).
    /// Refused with a field error when the thresholds are out of range or the period overlaps
    /// another Tabel 7 record of the SOP.
    @discardableResult
    public func createMonitoringRecord(sopID: Int64, period: SurveyPeriod, methods: Set<MonitoringMethod> = [],
                                       thresholds: MonitoringThresholds = MonitoringThresholds(), by actor: AuditActor) async throws -> MonitoringRecord {
        let tp = thresholds.inputProblems()
        if !tp.isEmpty { throw StoreError.rejected(tp) }
        var content = try await proposeMonitoring(sopID: sopID, period: period, thresholds: thresholds)
        content.methods = methods.sorted()
        return try await createMonevRecord(.monitoring, sopID: sopID, period: period, content: content, extraProblems: [], by: actor)
    }

    /// Problems of a Tabel 7 edit against the record's rows (fields as the form names them).
    static func monitoringProblems(_ edit: MonitoringEdit, rows: [MonitoringRow]) -> [InputProblem] {
        var p: [InputProblem] = []
        let numbers = Set(rows.map(\.number))
        for d in edit.rows {
            if !numbers.contains(d.number) { p.append(InputProblem("rows[\(d.number)]", "monev_row_unknown", ["\(d.number)"])); continue }
            if d.note.count > monevTextMax { p.append(InputProblem("rows[\(d.number)][note]", "too_long", ["\(monevTextMax)"])) }
            if d.action.count > monevTextMax { p.append(InputProblem("rows[\(d.number)][action]", "too_long", ["\(monevTextMax)"])) }
        }
        if edit.generalNote.count > 4000 { p.append(InputProblem("general_note", "too_long", ["4000"])) }
        return p
    }

    /// Saves the evaluator's decisions (methods, each row's assessment, catatan, tindakan). Rows
    /// not in `edit.rows` keep their values. After the evaluator's sign-off: a new revision, with
    /// `edit.reason` required.
    @discardableResult
    public func updateMonitoringRecord(id: Int64, _ edit: MonitoringEdit, by actor: AuditActor) async throws -> MonitoringRecord {
        try await saveMonevContent(.monitoring, id: id, reason: edit.reason, by: actor, MonitoringContent.self) { old in
            let problems = Self.monitoringProblems(edit, rows: old.rows)
            var c = old
            c.methods = edit.methods.sorted()
            c.generalNote = edit.generalNote.trimmingCharacters(in: .whitespacesAndNewlines)
            for d in edit.rows {
                guard let i = c.rows.firstIndex(where: { $0.number == d.number }) else { continue }
                c.rows[i].assessment = d.assessment
                c.rows[i].note = d.note.trimmingCharacters(in: .whitespacesAndNewlines)
                c.rows[i].action = d.action.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            return (c, problems)
        }
    }

    /// The evaluator's sign-off (paraf penilai) on the latest revision: by an evaluator or admin
    /// whose scope covers the SOP's unit, with at least one method and every row assessed. Freezes it.
    @discardableResult
    public func signMonitoringRecord(id: Int64, userID: Int64, by actor: AuditActor) async throws -> MonitoringRecord {
        try await signMonev(.monitoring, id: id, as: .evaluator, userID: userID, by: actor, MonitoringContent.self) { rec in
            var p: [InputProblem] = []
            if rec.content.methods.isEmpty { p.append(InputProblem("methods", "monev_methods_required")) }
            for row in rec.content.rows where row.assessment == nil {
                p.append(InputProblem("rows[\(row.number)][assessment]", "monev_assessment_required", ["\(row.number)"]))
            }
            return p
        }
    }

    // MARK: Tabel 8

    static func evaluationProblems(_ c: EvaluationContent) -> [InputProblem] {
        var p: [InputProblem] = []
        if c.answers.map(\.number) != EvaluationCriteria.numbers { p.append(InputProblem("answers", "monev_criteria_all")) }
        for a in c.answers where a.note.count > monevTextMax { p.append(InputProblem("answers[\(a.number)][note]", "too_long", ["\(monevTextMax)"])) }
        if c.activitiesWithoutSOPList.count > 4000 { p.append(InputProblem("activities_without_sop_list", "too_long", ["4000"])) }
        if c.activitiesWithoutSOP == false && !c.activitiesWithoutSOPList.isEmpty {
            p.append(InputProblem("activities_without_sop_list", "monev_list_only_if_yes"))
        }
        if c.generalNote.count > 4000 { p.append(InputProblem("general_note", "too_long", ["4000"])) }
        return p
    }

    static func normalized(_ c: EvaluationContent) -> EvaluationContent {
        var x = c
        x.answers = c.answers.map { EvaluationAnswer(number: $0.number, yes: $0.yes, note: $0.note.trimmingCharacters(in: .whitespacesAndNewlines)) }
        x.activitiesWithoutSOPList = c.activitiesWithoutSOPList.trimmingCharacters(in: .whitespacesAndNewlines)
        x.generalNote = c.generalNote.trimmingCharacters(in: .whitespacesAndNewlines)
        return x
    }

    /// Creates a Tabel 8 record for a period (every criterion unanswered unless `content` is given).
    @discardableResult
    public func createEvaluationRecord(sopID: Int64, period: SurveyPeriod, content: EvaluationContent = .empty,
                                       by actor: AuditActor) async throws -> EvaluationRecord {
        let c = Self.normalized(content)
        return try await createMonevRecord(.evaluation, sopID: sopID, period: period, content: c, extraProblems: Self.evaluationProblems(c), by: actor)
    }

    /// Saves the answers. Changing what the executor signed voids that sign-off; after the
    /// evaluator's sign-off: a new revision, with `edit.reason` required.
    @discardableResult
    public func updateEvaluationRecord(id: Int64, _ edit: EvaluationEdit, by actor: AuditActor) async throws -> EvaluationRecord {
        let c = Self.normalized(edit.content)
        return try await saveMonevContent(.evaluation, id: id, reason: edit.reason, by: actor, EvaluationContent.self) { _ in
            (c, Self.evaluationProblems(c))
        }
    }

    /// A sign-off on the latest revision of a Tabel 8 record. The executor (an officer or unit
    /// manager of the SOP's unit) signs first; then the evaluator (an evaluator or admin), when
    /// every criterion and the "kegiatan tanpa SOP" question are answered. The evaluator's
    /// sign-off freezes the revision.
    @discardableResult
    public func signEvaluationRecord(id: Int64, as signer: MonevSigner, userID: Int64, by actor: AuditActor) async throws -> EvaluationRecord {
        try await signMonev(.evaluation, id: id, as: signer, userID: userID, by: actor, EvaluationContent.self) { rec in
            var p: [InputProblem] = []
            for a in rec.content.answers where a.yes == nil {
                p.append(InputProblem("answers[\(a.number)][answer]", "monev_answer_required", ["\(a.number)"]))
            }
            if rec.content.activitiesWithoutSOP == nil { p.append(InputProblem("activities_without_sop", "monev_answer_required_plain")) }
            if rec.content.activitiesWithoutSOP == true && rec.content.activitiesWithoutSOPList.isEmpty {
                p.append(InputProblem("activities_without_sop_list", "monev_list_required"))
            }
            return p
        }
    }
}
