import Foundation

/// One difference between two versions of an SOP, in the document's own terms.
public struct SOPChange: Hashable, Sendable, Codable {
    public enum Kind: String, Sendable, Codable {
        case added, removed, changed
    }
    public var kind: Kind
    /// Field path in file terms, e.g. `identitas.judul`, `langkah[terima-berkas].mutu_baku.waktu`.
    public var field: String
    public var old: String
    public var new: String

    public init(kind: Kind, field: String, old: String, new: String) {
        self.kind = kind
        self.field = field
        self.old = old
        self.new = new
    }
}

extension SOPDocument {
    /// The changes that turn `self` (the older version) into `newer`.
    ///
    /// Steps and actors are matched by id, so reordering shows as a change of position rather
    /// than a removal and an addition.
    /// - Complexity: O(fields + steps).
    public func changes(to newer: SOPDocument) -> [SOPChange] {
        var out: [SOPChange] = []
        func cmp(_ field: String, _ a: String, _ b: String) {
            if a != b {
                out.append(.init(kind: a.isEmpty ? .added : (b.isEmpty ? .removed : .changed), field: field, old: a, new: b))
            }
        }
        let a = identity, b = newer.identity
        cmp("identitas.unit", a.unitName, b.unitName)
        cmp("identitas.nomor", a.number, b.number)
        cmp("identitas.judul", a.title, b.title)
        cmp("identitas.tanggal_pembuatan", a.createdOn?.description ?? "", b.createdOn?.description ?? "")
        cmp("identitas.tanggal_revisi", a.revisedOn?.description ?? "", b.revisedOn?.description ?? "")
        cmp("identitas.tanggal_efektif", a.effectiveOn?.description ?? "", b.effectiveOn?.description ?? "")
        cmp("identitas.disahkan_oleh.jabatan", a.approvedBy?.position ?? "", b.approvedBy?.position ?? "")
        cmp("identitas.disahkan_oleh.nama", a.approvedBy?.name ?? "", b.approvedBy?.name ?? "")
        cmp("identitas.disahkan_oleh.nip", a.approvedBy?.nip ?? "", b.approvedBy?.nip ?? "")
        cmp("identitas.dasar_hukum", a.legalBasis.joined(separator: "\n"), b.legalBasis.joined(separator: "\n"))
        cmp("identitas.keterkaitan", a.relatedSOPs.map { "\($0.number) \($0.title)" }.joined(separator: "\n"),
            b.relatedSOPs.map { "\($0.number) \($0.title)" }.joined(separator: "\n"))
        cmp("identitas.peringatan", a.warning, b.warning)
        cmp("identitas.kualifikasi_pelaksana", a.executorQualifications.joined(separator: "\n"), b.executorQualifications.joined(separator: "\n"))
        cmp("identitas.peralatan", a.equipment.joined(separator: "\n"), b.equipment.joined(separator: "\n"))
        cmp("identitas.pencatatan", a.recordKeeping.joined(separator: "\n"), b.recordKeeping.joined(separator: "\n"))
        cmp("identitas.jenis", a.type.rawValue, b.type.rawValue)
        cmp("identitas.kelas_kegiatan", a.activityClass.rawValue, b.activityClass.rawValue)

        let oldActors = Dictionary(actors.map { ($0.id, $0) }, uniquingKeysWith: { x, _ in x })
        let newActors = Dictionary(newer.actors.map { ($0.id, $0) }, uniquingKeysWith: { x, _ in x })
        for x in actors where newActors[x.id] == nil { out.append(.init(kind: .removed, field: "pelaksana[\(x.id)]", old: x.name, new: "")) }
        for x in newer.actors {
            if let o = oldActors[x.id] { cmp("pelaksana[\(x.id)].nama", o.name, x.name) }
            else { out.append(.init(kind: .added, field: "pelaksana[\(x.id)]", old: "", new: x.name)) }
        }

        let oldSteps = Dictionary(steps.enumerated().map { ($1.id, ($0, $1)) }, uniquingKeysWith: { x, _ in x })
        let newIDs = Set(newer.steps.map(\.id))
        for s in steps where !newIDs.contains(s.id) {
            out.append(.init(kind: .removed, field: "langkah[\(s.id)]", old: s.activity, new: ""))
        }
        for (j, s) in newer.steps.enumerated() {
            guard let (i, o) = oldSteps[s.id] else {
                out.append(.init(kind: .added, field: "langkah[\(s.id)]", old: "", new: s.activity))
                continue
            }
            let f = "langkah[\(s.id)]"
            if i != j { out.append(.init(kind: .changed, field: "\(f).no", old: "\(i + 1)", new: "\(j + 1)")) }
            cmp("\(f).jenis", o.kind.rawValue, s.kind.rawValue)
            cmp("\(f).kegiatan", o.activity, s.activity)
            cmp("\(f).pelaksana", o.actor, s.actor)
            cmp("\(f).mutu_baku.kelengkapan", o.standard.requirements, s.standard.requirements)
            cmp("\(f).mutu_baku.waktu", o.standard.time?.description ?? "", s.standard.time?.description ?? "")
            cmp("\(f).mutu_baku.output", o.standard.output, s.standard.output)
            cmp("\(f).keterangan", o.notes, s.notes)
            cmp("\(f).berikutnya", o.next ?? "", s.next ?? "")
            cmp("\(f).ya", o.yes ?? "", s.yes ?? "")
            cmp("\(f).tidak", o.no ?? "", s.no ?? "")
            cmp("\(f).pertanyaan", o.question, s.question)
            cmp("\(f).nama_di_log", o.logNames.joined(separator: ", "), s.logNames.joined(separator: ", "))
            if o.recorded != s.recorded {
                out.append(.init(kind: .changed, field: "\(f).tercatat", old: o.recorded ? "ya" : "tidak", new: s.recorded ? "ya" : "tidak"))
            }
        }
        return out
    }
}
