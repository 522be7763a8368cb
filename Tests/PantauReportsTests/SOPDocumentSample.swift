import Foundation
import PantauCore
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A realistic SOP used by the document, flowchart and BPMN tests: "Penerbitan Izin Usaha" at a
/// DPMPTSP, five actors, a completeness check whose Tidak branch goes back to the applicant, and an
/// approve/reject decision with two end steps.
enum SOPSample {
    static let izinUsaha: SOPDocument = {
        let identity = SOPIdentity(
            unitName: "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
            number: "800/045/SOP/DPMPTSP/2026",
            title: "Penerbitan Izin Usaha",
            createdOn: CivilDate(year: 2026, month: 1, day: 12),
            revisedOn: CivilDate(year: 2027, month: 1, day: 12),
            effectiveOn: CivilDate(year: 2026, month: 8, day: 17),
            approvedBy: SOPApprover(
                position: "Kepala Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
                name: "Dr. Hj. Siti Rahmawati, S.E., M.Si.", nip: "197503122000032004"),
            legalBasis: [
                "Undang-Undang Nomor 25 Tahun 2009 tentang Pelayanan Publik",
                "Peraturan Pemerintah Nomor 5 Tahun 2021 tentang Penyelenggaraan Perizinan Berusaha Berbasis Risiko",
                "Peraturan Menteri PANRB Nomor 35 Tahun 2012 tentang Pedoman Penyusunan SOP Administrasi Pemerintahan",
            ],
            relatedSOPs: [
                SOPRelation(number: "800/044/SOP/DPMPTSP/2026", title: "Pelayanan Informasi Perizinan", relation: "prasyarat"),
                SOPRelation(number: "800/050/SOP/DPMPTSP/2026", title: "Penanganan Pengaduan Perizinan", relation: "terkait"),
            ],
            warning: "Apabila SOP ini tidak dilaksanakan, penerbitan izin usaha dapat terlambat dan menimbulkan pengaduan masyarakat.",
            executorQualifications: [
                "Memahami ketentuan perizinan berusaha berbasis risiko",
                "Mampu mengoperasikan komputer dan sistem OSS",
                "Berkomunikasi dengan baik dan santun",
            ],
            equipment: ["Komputer dan printer", "Jaringan internet", "Aplikasi OSS-RBA", "Buku register permohonan"],
            recordKeeping: ["Register permohonan izin", "Berita acara verifikasi", "Arsip surat izin (elektronik dan manual)"])
        let actors = [
            SOPActor(id: "pemohon", name: "Pemohon"),
            SOPActor(id: "fo", name: "Petugas Front Office"),
            SOPActor(id: "verifikator", name: "Verifikator"),
            SOPActor(id: "kabid", name: "Kepala Bidang Perizinan"),
            SOPActor(id: "kadis", name: "Kepala Dinas"),
        ]
        let steps = [
            SOPStep(id: "ajukan", kind: .start,
                    activity: "Mengajukan permohonan izin usaha dengan mengisi formulir dan melampirkan berkas persyaratan",
                    actor: "pemohon",
                    standard: QualityStandard(requirements: "Formulir permohonan, KTP, NPWP, NIB", time: .minutes(15), output: "Berkas permohonan")),
            SOPStep(id: "periksa", kind: .decision,
                    activity: "Menerima dan memeriksa kelengkapan berkas permohonan",
                    actor: "fo",
                    standard: QualityStandard(requirements: "Berkas permohonan, daftar periksa persyaratan", time: .minutes(15), output: "Daftar periksa terisi"),
                    yes: "register", no: "lengkapi", question: "Berkas lengkap?"),
            SOPStep(id: "lengkapi", activity: "Melengkapi kekurangan berkas sesuai catatan petugas",
                    actor: "pemohon",
                    standard: QualityStandard(requirements: "Catatan kekurangan berkas", time: .days(1), output: "Berkas lengkap"),
                    notes: "Paling lambat 14 hari kerja", next: "periksa"),
            SOPStep(id: "register", activity: "Mencatat permohonan dalam register dan menerbitkan tanda terima",
                    actor: "fo",
                    standard: QualityStandard(requirements: "Berkas lengkap, buku register", time: .minutes(10), output: "Tanda terima permohonan")),
            SOPStep(id: "verifikasi", activity: "Memverifikasi dokumen dan melakukan peninjauan lapangan bila diperlukan",
                    actor: "verifikator",
                    standard: QualityStandard(requirements: "Berkas permohonan, formulir verifikasi", time: .days(1), output: "Hasil verifikasi")),
            SOPStep(id: "berita-acara", activity: "Menyusun berita acara verifikasi dan konsep surat izin atau surat penolakan",
                    actor: "verifikator",
                    standard: QualityStandard(requirements: "Hasil verifikasi", time: .hours(2), output: "Berita acara dan konsep surat")),
            SOPStep(id: "telaah", kind: .decision, activity: "Menelaah berita acara dan konsep surat",
                    actor: "kabid",
                    standard: QualityStandard(requirements: "Berita acara, konsep surat", time: .hours(1), output: "Konsep surat diparaf"),
                    yes: "tandatangani", no: "tolak", question: "Memenuhi syarat?"),
            SOPStep(id: "tandatangani", activity: "Menandatangani surat izin usaha",
                    actor: "kadis",
                    standard: QualityStandard(requirements: "Konsep surat izin yang telah diparaf", time: .days(1), output: "Surat izin usaha")),
            SOPStep(id: "serahkan", kind: .end, activity: "Menyerahkan surat izin usaha kepada pemohon",
                    actor: "fo",
                    standard: QualityStandard(requirements: "Surat izin usaha, tanda terima", time: .minutes(10), output: "Izin usaha diterima pemohon")),
            SOPStep(id: "tolak", kind: .end, activity: "Menyampaikan surat penolakan beserta alasannya kepada pemohon",
                    actor: "fo",
                    standard: QualityStandard(requirements: "Surat penolakan", time: .minutes(10), output: "Surat penolakan diterima pemohon"),
                    notes: "Pemohon dapat mengajukan kembali"),
        ]
        return SOPDocument(identity: identity, actors: actors, steps: steps)
    }()

    /// The sample with `text` put into every free-text field (identity, actors, steps).
    static func hostile(_ text: String) -> SOPDocument {
        var d = izinUsaha
        d.identity.unitName += text
        d.identity.number += text
        d.identity.title += text
        d.identity.approvedBy?.position += text
        d.identity.approvedBy?.name += text
        d.identity.approvedBy?.nip += text
        d.identity.legalBasis.append(text)
        d.identity.relatedSOPs.append(SOPRelation(number: text, title: text, relation: text))
        d.identity.warning += text
        d.identity.executorQualifications.append(text)
        d.identity.equipment.append(text)
        d.identity.recordKeeping.append(text)
        for i in d.actors.indices { d.actors[i].name += text }
        for i in d.steps.indices {
            d.steps[i].activity += text
            d.steps[i].notes += text
            d.steps[i].standard.requirements += text
            d.steps[i].standard.output += text
            if d.steps[i].kind == .decision { d.steps[i].question += text }
        }
        return d
    }
}

/// A parsed XML element (name, attributes, text, children) for structural checks on SVG/BPMN output.
final class SOPTestXML: @unchecked Sendable {
    let name: String
    let attributes: [String: String]
    var children: [SOPTestXML] = []
    var text = ""
    init(name: String, attributes: [String: String]) {
        self.name = name
        self.attributes = attributes
    }

    /// All descendants (and self) matching `predicate`, in document order.
    func all(_ predicate: (SOPTestXML) -> Bool) -> [SOPTestXML] {
        var out: [SOPTestXML] = []
        if predicate(self) { out.append(self) }
        for c in children { out += c.all(predicate) }
        return out
    }

    /// Concatenated text of this element and its descendants.
    var allText: String { text + children.map(\.allText).joined() }

    func hasClass(_ c: String) -> Bool {
        (attributes["class"] ?? "").split(separator: " ").contains { $0 == c }
    }

    /// Parses `xml`; nil if it is not well-formed.
    static func parse(_ xml: String, namespaces: Bool = false) -> SOPTestXML? {
        let delegate = TreeBuilder()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.shouldProcessNamespaces = namespaces
        parser.delegate = delegate
        guard parser.parse(), let root = delegate.root else { return nil }
        return root
    }

    private final class TreeBuilder: NSObject, XMLParserDelegate {
        var root: SOPTestXML?
        var stack: [SOPTestXML] = []
        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            let name = namespaceURI.map { "{\($0)}\(elementName)" } ?? elementName
            let node = SOPTestXML(name: parser.shouldProcessNamespaces ? name : elementName, attributes: attributeDict)
            if let parent = stack.last { parent.children.append(node) } else { root = node }
            stack.append(node)
        }
        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            _ = stack.popLast()
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) {
            stack.last?.text += string
        }
    }
}
