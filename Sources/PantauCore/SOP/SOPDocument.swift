import Foundation

/// An SOP as PermenPANRB 35/2012 defines it: the identity block ("Bagian Identitas") and the
/// flowchart ("Bagian Flowchart") of ordered steps with actor and mutu baku.
///
/// This is the content of one SOP version; lifecycle (status, version number, approver) lives in
/// ``SOPVersion``.
public struct SOPDocument: Hashable, Sendable, Codable {
    public var identity: SOPIdentity
    /// The pelaksana columns of the flowchart table, in column order.
    public var actors: [SOPActor]
    /// The steps in table order ("No"). The first step of kind ``StepKind/start`` is where a case begins.
    public var steps: [SOPStep]

    public init(identity: SOPIdentity, actors: [SOPActor], steps: [SOPStep]) {
        self.identity = identity
        self.actors = actors
        self.steps = steps
    }

    enum CodingKeys: String, CodingKey {
        case identity = "identitas"
        case actors = "pelaksana"
        case steps = "langkah"
    }

    public func step(id: String) -> SOPStep? { steps.first { $0.id == id } }
    public func actor(id: String) -> SOPActor? { actors.first { $0.id == id } }

    /// The 1-based table number of a step ("No" column).
    public func number(ofStep id: String) -> Int? { steps.firstIndex { $0.id == id }.map { $0 + 1 } }

    /// The step whose kind is start (the first one if a file has several; validation rejects that).
    public var startStep: SOPStep? { steps.first { $0.kind == .start } }
}

/// SOP type (PermenPANRB 35/2012): technical (one actor, how-to) or administrative (several actors).
public enum SOPType: String, Hashable, Sendable, Codable, CaseIterable {
    case teknis
    case administratif
}

/// The class of activity an SOP covers (KemenPANRB 2013).
public enum ActivityClass: String, Hashable, Sendable, Codable, CaseIterable {
    case pelayanan
    case rutin
    case penugasan
}

/// The official who signs the SOP ("Disahkan oleh").
public struct SOPApprover: Hashable, Sendable, Codable {
    /// Jabatan, e.g. "Kepala Dinas Kesehatan".
    public var position: String
    public var name: String
    /// NIP: 18 digits for a civil servant; kept as text (leading zeros, spaces as written).
    public var nip: String

    public init(position: String, name: String, nip: String) {
        self.position = position
        self.name = name
        self.nip = nip
    }

    enum CodingKeys: String, CodingKey {
        case position = "jabatan"
        case name = "nama"
        case nip
    }
}

/// A related SOP ("Keterkaitan").
public struct SOPRelation: Hashable, Sendable, Codable {
    /// The related SOP's number.
    public var number: String
    public var title: String
    /// How it relates, in the agency's words (e.g. "prasyarat", "lanjutan").
    public var relation: String

    public init(number: String, title: String = "", relation: String = "") {
        self.number = number
        self.title = title
        self.relation = relation
    }

    enum CodingKeys: String, CodingKey {
        case number = "nomor"
        case title = "judul"
        case relation = "hubungan"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        number = try c.decode(String.self, forKey: .number)
        title = try c.decodeIfPresent(String.self, forKey: .title) ?? ""
        relation = try c.decodeIfPresent(String.self, forKey: .relation) ?? ""
    }
}

/// The 13 fields of the identity block, in the Permen's order.
public struct SOPIdentity: Hashable, Sendable, Codable {
    /// 1. Name of the SKPD / unit kerja (the logo is the agency's, configured once).
    public var unitName: String
    /// 2. Nomor SOP.
    public var number: String
    /// 3. Tanggal pembuatan: the date drafting finished.
    public var createdOn: CivilDate?
    /// 4. Tanggal revisi: the date revised, or the planned review date.
    public var revisedOn: CivilDate?
    /// 5. Tanggal efektif: the date it takes effect (the signing date).
    public var effectiveOn: CivilDate?
    /// 6. Disahkan oleh.
    public var approvedBy: SOPApprover?
    /// 7. Judul / Nama SOP.
    public var title: String
    /// 8. Dasar hukum.
    public var legalBasis: [String]
    /// 9. Keterkaitan.
    public var relatedSOPs: [SOPRelation]
    /// 10. Peringatan: what happens if the SOP is not followed.
    public var warning: String
    /// 11. Kualifikasi pelaksana.
    public var executorQualifications: [String]
    /// 12. Peralatan / perlengkapan.
    public var equipment: [String]
    /// 13. Pencatatan dan pendataan.
    public var recordKeeping: [String]
    /// SOP teknis or administratif.
    public var type: SOPType
    /// Pelayanan, rutin or penugasan.
    public var activityClass: ActivityClass

    public init(
        unitName: String, number: String, title: String,
        createdOn: CivilDate? = nil, revisedOn: CivilDate? = nil, effectiveOn: CivilDate? = nil,
        approvedBy: SOPApprover? = nil, legalBasis: [String] = [], relatedSOPs: [SOPRelation] = [],
        warning: String = "", executorQualifications: [String] = [], equipment: [String] = [],
        recordKeeping: [String] = [], type: SOPType = .administratif, activityClass: ActivityClass = .pelayanan
    ) {
        self.unitName = unitName
        self.number = number
        self.title = title
        self.createdOn = createdOn
        self.revisedOn = revisedOn
        self.effectiveOn = effectiveOn
        self.approvedBy = approvedBy
        self.legalBasis = legalBasis
        self.relatedSOPs = relatedSOPs
        self.warning = warning
        self.executorQualifications = executorQualifications
        self.equipment = equipment
        self.recordKeeping = recordKeeping
        self.type = type
        self.activityClass = activityClass
    }

    enum CodingKeys: String, CodingKey {
        case unitName = "unit"
        case number = "nomor"
        case createdOn = "tanggal_pembuatan"
        case revisedOn = "tanggal_revisi"
        case effectiveOn = "tanggal_efektif"
        case approvedBy = "disahkan_oleh"
        case title = "judul"
        case legalBasis = "dasar_hukum"
        case relatedSOPs = "keterkaitan"
        case warning = "peringatan"
        case executorQualifications = "kualifikasi_pelaksana"
        case equipment = "peralatan"
        case recordKeeping = "pencatatan"
        case type = "jenis"
        case activityClass = "kelas_kegiatan"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        unitName = try c.decode(String.self, forKey: .unitName)
        number = try c.decode(String.self, forKey: .number)
        title = try c.decode(String.self, forKey: .title)
        createdOn = try c.decodeIfPresent(CivilDate.self, forKey: .createdOn)
        revisedOn = try c.decodeIfPresent(CivilDate.self, forKey: .revisedOn)
        effectiveOn = try c.decodeIfPresent(CivilDate.self, forKey: .effectiveOn)
        approvedBy = try c.decodeIfPresent(SOPApprover.self, forKey: .approvedBy)
        legalBasis = try c.decodeIfPresent([String].self, forKey: .legalBasis) ?? []
        relatedSOPs = try c.decodeIfPresent([SOPRelation].self, forKey: .relatedSOPs) ?? []
        warning = try c.decodeIfPresent(String.self, forKey: .warning) ?? ""
        executorQualifications = try c.decodeIfPresent([String].self, forKey: .executorQualifications) ?? []
        equipment = try c.decodeIfPresent([String].self, forKey: .equipment) ?? []
        recordKeeping = try c.decodeIfPresent([String].self, forKey: .recordKeeping) ?? []
        type = try c.decodeIfPresent(SOPType.self, forKey: .type) ?? .administratif
        activityClass = try c.decodeIfPresent(ActivityClass.self, forKey: .activityClass) ?? .pelayanan
    }
}

/// A pelaksana column: a role that carries out steps (e.g. "Petugas Loket").
public struct SOPActor: Hashable, Sendable, Codable {
    /// Short stable key used by steps (e.g. "loket").
    public var id: String
    public var name: String

    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }

    enum CodingKeys: String, CodingKey {
        case id
        case name = "nama"
    }
}

/// How a step is drawn and how control leaves it.
public enum StepKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// First activity, drawn as a terminator (kapsul).
    case start = "mulai"
    /// An activity (kotak).
    case process = "proses"
    /// An activity ending in a Ya/Tidak question (belah ketupat).
    case decision = "keputusan"
    /// A last activity, drawn as a terminator (kapsul). A flow may have several (e.g. rejected).
    case end = "selesai"
}

/// The mutu baku of a step: requirements (kelengkapan), time (waktu) and output.
public struct QualityStandard: Hashable, Sendable, Codable {
    public var requirements: String
    public var time: TimeStandard?
    public var output: String

    public init(requirements: String = "", time: TimeStandard? = nil, output: String = "") {
        self.requirements = requirements
        self.time = time
        self.output = output
    }

    enum CodingKeys: String, CodingKey {
        case requirements = "kelengkapan"
        case time = "waktu"
        case output
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        requirements = try c.decodeIfPresent(String.self, forKey: .requirements) ?? ""
        time = try c.decodeIfPresent(TimeStandard.self, forKey: .time)
        output = try c.decodeIfPresent(String.self, forKey: .output) ?? ""
    }
}

/// One row of the flowchart table.
public struct SOPStep: Hashable, Sendable, Codable {
    /// Short stable key, unique in the SOP (e.g. "terima-berkas"); survives reordering and revisions.
    public var id: String
    public var kind: StepKind
    /// Kegiatan: what is done.
    public var activity: String
    /// The actor id (pelaksana column).
    public var actor: String
    public var standard: QualityStandard
    /// Keterangan.
    public var notes: String
    /// For start and process steps: the step that follows. Nil means the next row in the table.
    public var next: String?
    /// For decision steps: the target when the answer is Ya.
    public var yes: String?
    /// For decision steps: the target when the answer is Tidak (may loop back).
    public var no: String?
    /// The decision's question (e.g. "Berkas lengkap?"); empty for other kinds.
    public var question: String
    /// Names this step has in event logs, when they differ from ``activity``.
    public var logNames: [String]
    /// False when the step usually leaves no event (a decision taken in the head, the hand-over at
    /// the end): the analysis then treats it as optional, so its absence is not a skip, and an
    /// event of it, when one is logged, still counts as the step (YAML `tercatat: false`).
    public var recorded: Bool

    public init(
        id: String, kind: StepKind = .process, activity: String, actor: String,
        standard: QualityStandard = QualityStandard(), notes: String = "",
        next: String? = nil, yes: String? = nil, no: String? = nil, question: String = "",
        logNames: [String] = [], recorded: Bool = true
    ) {
        self.id = id
        self.kind = kind
        self.activity = activity
        self.actor = actor
        self.standard = standard
        self.notes = notes
        self.next = next
        self.yes = yes
        self.no = no
        self.question = question
        self.logNames = logNames
        self.recorded = recorded
    }

    enum CodingKeys: String, CodingKey {
        case id
        case kind = "jenis"
        case activity = "kegiatan"
        case actor = "pelaksana"
        case standard = "mutu_baku"
        case notes = "keterangan"
        case next = "berikutnya"
        case yes = "ya"
        case no = "tidak"
        case question = "pertanyaan"
        case logNames = "nama_di_log"
        case recorded = "tercatat"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        kind = try c.decodeIfPresent(StepKind.self, forKey: .kind) ?? .process
        activity = try c.decode(String.self, forKey: .activity)
        actor = try c.decodeIfPresent(String.self, forKey: .actor) ?? ""
        standard = try c.decodeIfPresent(QualityStandard.self, forKey: .standard) ?? QualityStandard()
        notes = try c.decodeIfPresent(String.self, forKey: .notes) ?? ""
        next = try c.decodeIfPresent(String.self, forKey: .next)
        yes = try c.decodeIfPresent(String.self, forKey: .yes)
        no = try c.decodeIfPresent(String.self, forKey: .no)
        question = try c.decodeIfPresent(String.self, forKey: .question) ?? ""
        logNames = try c.decodeIfPresent([String].self, forKey: .logNames) ?? []
        recorded = try c.decodeIfPresent(Bool.self, forKey: .recorded) ?? true
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(kind, forKey: .kind)
        try c.encode(activity, forKey: .activity)
        try c.encode(actor, forKey: .actor)
        try c.encode(standard, forKey: .standard)
        if !notes.isEmpty { try c.encode(notes, forKey: .notes) }
        try c.encodeIfPresent(next, forKey: .next)
        try c.encodeIfPresent(yes, forKey: .yes)
        try c.encodeIfPresent(no, forKey: .no)
        if !question.isEmpty { try c.encode(question, forKey: .question) }
        if !logNames.isEmpty { try c.encode(logNames, forKey: .logNames) }
        if !recorded { try c.encode(false, forKey: .recorded) }
    }

    /// All names under which this step may appear in an event log (activity first).
    public var allLogNames: [String] { [activity] + logNames }
}
