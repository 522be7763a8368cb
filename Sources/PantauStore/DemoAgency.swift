import Foundation
import PantauCore

/// A realistic city government for `pantau demo`: Dinas Kesehatan (Puskesmas, SOP Pelayanan
/// Imunisasi — the seed's case), DPMPTSP (SOP Penerbitan Izin Usaha, whose step names match the
/// synthetic logs of `shared/tools/gen_log.py`) and Disdukcapil (SOP Penerbitan KTP-el).
public enum DemoAgency {
    public struct UnitSeed: Sendable {
        public var code: String
        public var parent: String?
        public var name: String
        public var level: UnitLevel
        public var head: String
        public var nip: String
    }

    public static let units: [UnitSeed] = [
        .init(code: "PEMKOT", parent: nil, name: "Pemerintah Kota Surabaya", level: .instansi, head: "Wali Kota", nip: ""),
        .init(code: "DINKES", parent: "PEMKOT", name: "Dinas Kesehatan", level: .instansi, head: "dr. Nanik Sukristina, M.Kes", nip: "197008201999032004"),
        .init(code: "DINKES-PKM-KTB", parent: "DINKES", name: "UPTD Puskesmas Ketabang", level: .unitKerja, head: "dr. Ratna Dewi Anggraini", nip: "198103152009022001"),
        .init(code: "DINKES-PKM-KTB-IMN", parent: "DINKES-PKM-KTB", name: "Poli KIA dan Imunisasi", level: .subUnit, head: "Sri Wahyuni, Amd.Keb", nip: "198507122010012015"),
        .init(code: "DPMPTSP", parent: "PEMKOT", name: "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", level: .instansi, head: "Ir. Bambang Sutrisno, M.T.", nip: "196904121995031003"),
        .init(code: "DPMPTSP-PLY", parent: "DPMPTSP", name: "Bidang Pelayanan Perizinan", level: .unitKerja, head: "Dra. Endang Susilowati", nip: "197211051998032006"),
        .init(code: "DISDUKCAPIL", parent: "PEMKOT", name: "Dinas Kependudukan dan Pencatatan Sipil", level: .instansi, head: "Drs. Agus Imam Sonhaji, M.Si", nip: "196808171993031008"),
        .init(code: "DISDUKCAPIL-PIAK", parent: "DISDUKCAPIL", name: "Bidang Pelayanan Pendaftaran Penduduk", level: .unitKerja, head: "Yuli Astuti, S.Sos", nip: "197907242005012009"),
    ]

    /// (unit code, SOP) pairs.
    public static var sops: [(unit: String, sop: SOPDocument)] {
        [("DINKES-PKM-KTB", imunisasi), ("DPMPTSP-PLY", izinUsaha), ("DISDUKCAPIL-PIAK", ktpEl)]
    }

    static func t(_ s: String) -> TimeStandard { TimeStandard(parsing: s)! }

    public static let imunisasi = SOPDocument(
        identity: SOPIdentity(
            unitName: "UPTD Puskesmas Ketabang, Dinas Kesehatan Kota Surabaya",
            number: "445/SOP-IMN/436.7.2.12/2026",
            title: "Pelayanan Imunisasi Dasar dan Lanjutan",
            createdOn: CivilDate(year: 2026, month: 1, day: 12),
            revisedOn: CivilDate(year: 2027, month: 1, day: 12),
            effectiveOn: CivilDate(year: 2026, month: 2, day: 2),
            approvedBy: SOPApprover(position: "Kepala UPTD Puskesmas Ketabang", name: "dr. Ratna Dewi Anggraini", nip: "198103152009022001"),
            legalBasis: [
                "Undang-Undang Nomor 17 Tahun 2023 tentang Kesehatan",
                "Peraturan Menteri Kesehatan Nomor 12 Tahun 2017 tentang Penyelenggaraan Imunisasi",
                "Peraturan Menteri PANRB Nomor 35 Tahun 2012 tentang Pedoman Penyusunan SOP Administrasi Pemerintahan",
            ],
            relatedSOPs: [SOPRelation(number: "445/SOP-PND/436.7.2.12/2026", title: "Pendaftaran Pasien", relation: "prasyarat"),
                          SOPRelation(number: "445/SOP-KIPI/436.7.2.12/2026", title: "Penanganan KIPI", relation: "lanjutan")],
            warning: "Imunisasi yang tidak didahului skrining dapat menimbulkan Kejadian Ikutan Pasca Imunisasi (KIPI) berat; vaksin di luar rantai dingin 2-8°C tidak boleh digunakan.",
            executorQualifications: ["Bidan/perawat dengan STR aktif dan pelatihan imunisasi", "Dokter umum", "Petugas pendaftaran terlatih SIMPUS"],
            equipment: ["Vaccine carrier/lemari es vaksin 2-8°C", "Alat suntik sekali pakai (ADS)", "Timbangan bayi dan alat ukur panjang badan", "Safety box", "Anafilaktik kit"],
            recordKeeping: ["Buku KIA", "Register kohort bayi/balita", "Aplikasi ASIK (disimpan sebagai data elektronik)"],
            type: .administratif, activityClass: .pelayanan),
        actors: [
            SOPActor(id: "pendaftaran", name: "Petugas Pendaftaran"),
            SOPActor(id: "bidan", name: "Bidan/Petugas Imunisasi"),
            SOPActor(id: "dokter", name: "Dokter"),
        ],
        steps: [
            SOPStep(id: "daftar", kind: .start, activity: "Menerima pendaftaran dan memberikan nomor antrean", actor: "pendaftaran",
                    standard: QualityStandard(requirements: "Buku KIA, KK/KTP orang tua", time: t("5 menit"), output: "Nomor antrean, kartu berobat")),
            SOPStep(id: "cek-kia", kind: .decision, activity: "Memeriksa kelengkapan buku KIA dan riwayat imunisasi", actor: "pendaftaran",
                    standard: QualityStandard(requirements: "Buku KIA", time: t("3 menit"), output: "Status kelengkapan"),
                    yes: "timbang", no: "kia-baru", question: "Buku KIA lengkap?"),
            SOPStep(id: "kia-baru", activity: "Menerbitkan buku KIA pengganti dan menelusuri riwayat imunisasi", actor: "pendaftaran",
                    standard: QualityStandard(requirements: "Identitas anak dan orang tua", time: t("10 menit"), output: "Buku KIA pengganti"),
                    notes: "Kembali ke pemeriksaan kelengkapan", next: "cek-kia"),
            SOPStep(id: "timbang", activity: "Menimbang dan mengukur tumbuh kembang anak", actor: "bidan",
                    standard: QualityStandard(requirements: "Timbangan, alat ukur", time: t("5 menit"), output: "Berat dan panjang badan tercatat")),
            SOPStep(id: "skrining", kind: .decision, activity: "Melakukan skrining kelayakan imunisasi", actor: "bidan",
                    standard: QualityStandard(requirements: "Format skrining, termometer", time: t("5 menit"), output: "Hasil skrining"),
                    yes: "siap-vaksin", no: "tunda", question: "Layak diimunisasi?"),
            SOPStep(id: "tunda", kind: .end, activity: "Memeriksa anak, menunda imunisasi dan menjadwalkan ulang", actor: "dokter",
                    standard: QualityStandard(requirements: "Hasil skrining", time: t("10 menit"), output: "Jadwal imunisasi ulang"),
                    notes: "Selesai tanpa imunisasi"),
            SOPStep(id: "siap-vaksin", activity: "Menyiapkan vaksin dan alat suntik sesuai jadwal", actor: "bidan",
                    standard: QualityStandard(requirements: "Vaksin dalam rantai dingin, ADS", time: t("3 menit"), output: "Vaksin siap diberikan")),
            SOPStep(id: "suntik", activity: "Memberikan imunisasi", actor: "bidan",
                    standard: QualityStandard(requirements: "Vaksin, ADS, safety box", time: t("5 menit"), output: "Anak telah diimunisasi")),
            SOPStep(id: "catat", activity: "Mencatat imunisasi di buku KIA, register kohort dan ASIK", actor: "bidan",
                    standard: QualityStandard(requirements: "Buku KIA, register", time: t("3 menit"), output: "Catatan imunisasi")),
            SOPStep(id: "observasi", kind: .end, activity: "Observasi KIPI dan edukasi orang tua", actor: "bidan",
                    standard: QualityStandard(requirements: "Anafilaktik kit", time: t("30 menit"), output: "Anak dipulangkan, jadwal berikutnya"),
                    notes: "Observasi 30 menit di ruang tunggu"),
        ])

    public static let izinUsaha = SOPDocument(
        identity: SOPIdentity(
            unitName: "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kota Surabaya",
            number: "503/SOP-01/436.7.15/2026",
            title: "Penerbitan Izin Usaha",
            createdOn: CivilDate(year: 2026, month: 1, day: 5),
            revisedOn: CivilDate(year: 2027, month: 1, day: 5),
            effectiveOn: CivilDate(year: 2026, month: 1, day: 19),
            approvedBy: SOPApprover(position: "Kepala Dinas Penanaman Modal dan PTSP", name: "Ir. Bambang Sutrisno, M.T.", nip: "196904121995031003"),
            legalBasis: [
                "Peraturan Pemerintah Nomor 28 Tahun 2025 tentang Penyelenggaraan Perizinan Berusaha Berbasis Risiko",
                "Peraturan Daerah tentang Retribusi Daerah",
                "Peraturan Wali Kota tentang Pendelegasian Kewenangan Perizinan kepada DPMPTSP",
            ],
            relatedSOPs: [SOPRelation(number: "503/SOP-02/436.7.15/2026", title: "Pengaduan Layanan Perizinan", relation: "terkait")],
            warning: "Izin yang terbit tanpa verifikasi dan pemeriksaan lapangan dapat dibatalkan dan menimbulkan kerugian bagi pemohon serta daerah.",
            executorQualifications: ["Petugas front office bersertifikat pelayanan prima", "Verifikator memahami regulasi perizinan", "Tim teknis sesuai bidang"],
            equipment: ["Komputer dan akses OSS-RBA", "Printer dan pemindai", "Kendaraan operasional pemeriksaan lapangan"],
            recordKeeping: ["Berkas permohonan (elektronik)", "Berita acara pemeriksaan lapangan", "Bukti setor retribusi", "Register izin"],
            type: .administratif, activityClass: .pelayanan),
        actors: [
            SOPActor(id: "pemohon", name: "Pemohon"),
            SOPActor(id: "fo", name: "Petugas Front Office"),
            SOPActor(id: "verifikator", name: "Verifikator"),
            SOPActor(id: "teknis", name: "Tim Teknis"),
            SOPActor(id: "bendahara", name: "Bendahara Penerimaan"),
            SOPActor(id: "sekretariat", name: "Sekretariat"),
            SOPActor(id: "kadis", name: "Kepala Dinas"),
        ],
        steps: [
            SOPStep(id: "daftar", kind: .start, activity: "Pendaftaran Permohonan", actor: "fo",
                    standard: QualityStandard(requirements: "Formulir permohonan, KTP, NIB, dokumen teknis", time: t("15 menit"), output: "Tanda terima berkas")),
            SOPStep(id: "verifikasi", kind: .decision, activity: "Verifikasi Administrasi", actor: "verifikator",
                    standard: QualityStandard(requirements: "Berkas permohonan", time: t("1 jam"), output: "Hasil verifikasi"),
                    yes: "lapangan", no: "kekurangan", question: "Berkas lengkap dan benar?"),
            SOPStep(id: "kekurangan", activity: "Pemberitahuan Kekurangan Berkas", actor: "verifikator",
                    standard: QualityStandard(requirements: "Hasil verifikasi", time: t("30 menit"), output: "Surat pemberitahuan kekurangan")),
            SOPStep(id: "perbaikan", activity: "Penyerahan Perbaikan Berkas", actor: "pemohon",
                    standard: QualityStandard(requirements: "Berkas perbaikan", time: t("3 hari"), output: "Berkas lengkap"),
                    notes: "Kembali ke verifikasi", next: "verifikasi"),
            SOPStep(id: "lapangan", activity: "Pemeriksaan Lapangan", actor: "teknis",
                    standard: QualityStandard(requirements: "Surat tugas, berkas teknis", time: t("3 hari"), output: "Berita acara pemeriksaan")),
            SOPStep(id: "rapat", kind: .decision, activity: "Rapat Tim Teknis", actor: "teknis",
                    standard: QualityStandard(requirements: "Berita acara pemeriksaan", time: t("2 hari"), output: "Rekomendasi teknis"),
                    yes: "retribusi", no: "tolak", question: "Permohonan disetujui?"),
            SOPStep(id: "retribusi", activity: "Penetapan Retribusi", actor: "bendahara",
                    standard: QualityStandard(requirements: "Rekomendasi teknis", time: t("1 hari"), output: "SKRD")),
            SOPStep(id: "bayar", activity: "Pembayaran Retribusi", actor: "pemohon",
                    standard: QualityStandard(requirements: "SKRD", time: t("3 hari"), output: "Bukti setor")),
            SOPStep(id: "ttd", activity: "Penandatanganan Izin", actor: "kadis",
                    standard: QualityStandard(requirements: "Draf izin, bukti setor", time: t("2 hari"), output: "Izin ditandatangani (TTE)"),
                    next: "serah"),
            SOPStep(id: "tolak", activity: "Penerbitan Surat Penolakan", actor: "sekretariat",
                    standard: QualityStandard(requirements: "Rekomendasi teknis", time: t("1 hari"), output: "Surat penolakan")),
            SOPStep(id: "serah", kind: .end, activity: "Penyerahan Dokumen", actor: "fo",
                    standard: QualityStandard(requirements: "Izin atau surat penolakan", time: t("1 hari"), output: "Dokumen diterima pemohon")),
        ])

    public static let ktpEl = SOPDocument(
        identity: SOPIdentity(
            unitName: "Dinas Kependudukan dan Pencatatan Sipil Kota Surabaya",
            number: "470/SOP-KTP/436.7.11/2026",
            title: "Penerbitan KTP Elektronik",
            createdOn: CivilDate(year: 2026, month: 2, day: 3),
            revisedOn: CivilDate(year: 2027, month: 2, day: 3),
            effectiveOn: CivilDate(year: 2026, month: 2, day: 16),
            approvedBy: SOPApprover(position: "Kepala Dinas Kependudukan dan Pencatatan Sipil", name: "Drs. Agus Imam Sonhaji, M.Si", nip: "196808171993031008"),
            legalBasis: [
                "Undang-Undang Nomor 24 Tahun 2013 tentang Perubahan atas UU Nomor 23 Tahun 2006 tentang Administrasi Kependudukan",
                "Peraturan Presiden Nomor 96 Tahun 2018 tentang Persyaratan dan Tata Cara Pendaftaran Penduduk dan Pencatatan Sipil",
                "Permendagri Nomor 108 Tahun 2019",
            ],
            relatedSOPs: [SOPRelation(number: "470/SOP-KK/436.7.11/2026", title: "Penerbitan Kartu Keluarga", relation: "prasyarat")],
            warning: "KTP-el yang dicetak tanpa verifikasi biometrik berisiko data ganda; pelayanan tidak dipungut biaya.",
            executorQualifications: ["Operator SIAK bersertifikat", "Operator perekaman biometrik"],
            equipment: ["Perangkat perekaman KTP-el (kamera, sidik jari, iris, tanda tangan)", "Printer KTP-el", "Blangko KTP-el", "Akses SIAK terpusat"],
            recordKeeping: ["Data SIAK (elektronik)", "Buku register penerbitan KTP-el", "Berita acara penggunaan blangko"],
            type: .administratif, activityClass: .pelayanan),
        actors: [
            SOPActor(id: "pemohon", name: "Pemohon"),
            SOPActor(id: "pelayanan", name: "Petugas Pelayanan"),
            SOPActor(id: "operator", name: "Operator SIAK/Perekaman"),
            SOPActor(id: "kasi", name: "Kepala Seksi Identitas Penduduk"),
        ],
        steps: [
            SOPStep(id: "terima", kind: .start, activity: "Menerima permohonan dan berkas persyaratan", actor: "pelayanan",
                    standard: QualityStandard(requirements: "Fotokopi KK, surat pengantar (bila pindah datang)", time: t("10 menit"), output: "Nomor antrean")),
            SOPStep(id: "cek-berkas", kind: .decision, activity: "Memeriksa kelengkapan berkas", actor: "pelayanan",
                    standard: QualityStandard(requirements: "Berkas persyaratan", time: t("5 menit"), output: "Status kelengkapan"),
                    yes: "verifikasi-siak", no: "lengkapi", question: "Berkas lengkap?"),
            SOPStep(id: "lengkapi", activity: "Melengkapi berkas persyaratan", actor: "pemohon",
                    standard: QualityStandard(requirements: "Daftar kekurangan", time: t("1 hari"), output: "Berkas lengkap"),
                    notes: "Kembali ke pemeriksaan berkas", next: "cek-berkas"),
            SOPStep(id: "verifikasi-siak", activity: "Memverifikasi data kependudukan di SIAK", actor: "operator",
                    standard: QualityStandard(requirements: "NIK, KK", time: t("10 menit"), output: "Data terverifikasi")),
            SOPStep(id: "rekam", kind: .decision, activity: "Merekam biometrik (foto, sidik jari, iris, tanda tangan)", actor: "operator",
                    standard: QualityStandard(requirements: "Pemohon hadir", time: t("15 menit"), output: "Data biometrik"),
                    yes: "validasi", no: "rekam", question: "Perekaman berhasil?"),
            SOPStep(id: "validasi", activity: "Memvalidasi dan menyetujui pencetakan", actor: "kasi",
                    standard: QualityStandard(requirements: "Status rekam tunggal (single identity)", time: t("1 jam"), output: "Persetujuan cetak")),
            SOPStep(id: "cetak", activity: "Mencetak KTP-el", actor: "operator",
                    standard: QualityStandard(requirements: "Blangko KTP-el", time: t("15 menit"), output: "KTP-el tercetak")),
            SOPStep(id: "serah", kind: .end, activity: "Menyerahkan KTP-el kepada pemohon", actor: "pelayanan",
                    standard: QualityStandard(requirements: "Bukti pengambilan", time: t("5 menit"), output: "KTP-el diterima pemohon")),
        ])

    /// Demo accounts (created only by `pantau demo`), all with the password given at seeding.
    public static let users: [(username: String, name: String, role: Role, unit: String?)] = [
        ("kepala.puskesmas", "dr. Ratna Dewi Anggraini", .unitManager, "DINKES-PKM-KTB"),
        ("bidan.sri", "Sri Wahyuni, Amd.Keb", .officer, "DINKES-PKM-KTB"),
        ("kabid.perizinan", "Dra. Endang Susilowati", .unitManager, "DPMPTSP-PLY"),
        ("evaluator.ortala", "Hendra Gunawan, S.AP", .evaluator, "PEMKOT"),
        ("inspektorat", "Dian Permatasari, S.E., Ak.", .auditor, nil),
    ]

    /// Loads units and SOPs (approved, in force) into an empty register; skips what exists.
    /// - Returns: number of units and SOPs created.
    @discardableResult
    public static func seed(into store: PantauStore, by actor: AuditActor = .cli) async throws -> (units: Int, sops: Int) {
        var byCode: [String: Int64] = [:]
        for u in try await store.units() { byCode[u.code] = u.id }
        var nUnits = 0, nSOPs = 0
        for u in units where byCode[u.code] == nil {
            let created = try await store.createUnit(
                UnitInput(parentID: u.parent.flatMap { byCode[$0] }, code: u.code, name: u.name, level: u.level, headName: u.head, headNIP: u.nip),
                by: actor)
            byCode[u.code] = created.id
            nUnits += 1
        }
        for (code, doc) in sops {
            guard let unitID = byCode[code] else { continue }
            let existing = try await store.sops(SOPQuery(text: doc.identity.number, unitIDs: [unitID]))
            if !existing.items.isEmpty { continue }
            let rec = try await store.createSOP(unitID: unitID, document: doc, changeNote: "Data demo", by: actor)
            try await store.setStatus(sopID: rec.id, version: 1, to: .review, by: actor)
            try await store.approve(sopID: rec.id, version: 1, effectiveFrom: doc.identity.effectiveOn ?? CivilDate(Date()), by: actor)
            nSOPs += 1
        }
        if let pkm = byCode["DINKES-PKM-KTB"] {
            let sop = try await store.sops(SOPQuery(text: imunisasi.identity.number, unitIDs: [pkm])).items.first?.id
            try await seedSurvey(into: store, unitID: pkm, sopID: sop, by: actor)
        }
        return (nUnits, nSOPs)
    }

    // MARK: Demo SKM survey

    /// Service name of the demo survey (Puskesmas, imunisasi).
    public static let surveyName = "Pelayanan Imunisasi"

    /// The demo survey's definition: the nine standard unsur, the education list with diploma
    /// levels, and the three kinds of immunisation the Poli KIA gives.
    public static let surveyDefinition: SurveyDefinition = {
        var profile = RespondentProfileSchema(educationLevels: RespondentProfileSchema.educationWithDiploma)
        profile.serviceTypes = [
            ProfileChoice("DASAR", "Imunisasi dasar bayi", "Basic infant immunisation"),
            ProfileChoice("LANJUTAN", "Imunisasi lanjutan baduta", "Booster immunisation (under two)"),
            ProfileChoice("TD", "Imunisasi Td ibu hamil/WUS", "Td immunisation (pregnant women)"),
        ]
        var d = SurveyDefinition.standard(service: SurveyService(unitID: "", name: surveyName), profile: profile)
        d.title = SurveyText(id: "Survei Kepuasan Masyarakat Pelayanan Imunisasi UPTD Puskesmas Ketabang",
                             en: "Citizen Satisfaction Survey: Immunisation Service, Ketabang Community Health Centre")
        return d
    }()

    /// A small deterministic generator (SplitMix64) so every demo gets the same responses.
    struct DemoRandom {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        /// Uniform in [0, 1).
        mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
        mutating func int(_ r: ClosedRange<Int>) -> Int { r.lowerBound + Int(next() % UInt64(r.count)) }
        /// Index chosen with the given weights.
        mutating func pick(_ weights: [Double]) -> Int {
            let total = weights.reduce(0, +)
            var x = unit() * total
            for (i, w) in weights.enumerated() {
                if x < w { return i }
                x -= w
            }
            return weights.count - 1
        }
    }

    /// Generated responses of 2026 (Q1–Q4 up to 27 November): the waiting time, facilities and
    /// complaint handling start weak and improve after the follow-up plan of Q2.
    static func demoResponses() -> [(SurveyResponse, SurveyChannel, Date)] {
        var rng = DemoRandom(state: 20_260_101)
        // Probability of the top score per unsur at the start of the year, and its rise per quarter.
        let quality: [(UnsurCode, Double, Double, Double)] = [  // code, p(4), rise per quarter, p(unanswered)
            (.persyaratan, 0.45, 0.01, 0), (.prosedur, 0.40, 0.02, 0), (.waktu, 0.12, 0.09, 0), (.biaya, 0.86, 0, 0.02),
            (.produk, 0.42, 0.01, 0.01), (.kompetensi, 0.52, 0.01, 0), (.perilaku, 0.56, 0.02, 0), (.sarana, 0.18, 0.07, 0),
            (.pengaduan, 0.15, 0.08, 0.08),
        ]
        let saran = [
            "Antrean pendaftaran pada hari Senin terlalu lama, mohon ditambah petugas.",
            "Ruang tunggu KIA panas, perlu kipas angin atau AC.",
            "Bidan sangat sabar dan ramah kepada anak saya, terima kasih.",
            "Mohon jadwal imunisasi diumumkan lewat WhatsApp atau Instagram Puskesmas.",
            "Tempat parkir sepeda motor sempit dan panas.",
            "Tolong disediakan pojok laktasi yang lebih nyaman.",
            "Kotak saran tidak pernah dibuka, saya tidak tahu harus mengadu ke mana.",
            "Pelayanan cepat, anak langsung diimunisasi setelah ditimbang.",
            "Kursi di ruang tunggu kurang, banyak ibu berdiri sambil menggendong bayi.",
            "Informasi efek samping imunisasi dijelaskan dengan baik.",
            "Nomor antrean sebaiknya bisa diambil secara daring.",
            "Toilet ruang tunggu perlu lebih sering dibersihkan.",
        ]
        let quarters: [(index: Int, count: Int, lastDay: CivilDate?)] = [
            (1, 120, nil), (2, 150, nil), (3, 215, nil), (4, 110, CivilDate(year: 2026, month: 11, day: 27)),
        ]
        var out: [(SurveyResponse, SurveyChannel, Date)] = []
        var caseNo = 0
        var wibCalendar = Calendar(identifier: .gregorian)
        wibCalendar.timeZone = .wib
        for q in quarters {
            guard let period = SurveyPeriod(kind: .quarter, year: 2026, index: q.index) else { continue }
            let first = period.firstDay.startOfDay()
            let last = (q.lastDay ?? period.lastDay).startOfDay()
            let days = Int(last.timeIntervalSince(first) / 86_400) + 1
            for n in 0..<q.count {
                var day = first.addingTimeInterval(Double(rng.int(0...(days - 1))) * 86_400)
                if wibCalendar.component(.weekday, from: day) == 1 {
                    day = day.addingTimeInterval(86_400)  // closed on Sunday: the Monday after
                }
                let minute = rng.int(450...810)  // 07:30-13:30
                let at = day.addingTimeInterval(Double(minute * 60))
                var answers: [UnsurCode: Int] = [:]
                for (code, p4start, rise, pSkip) in quality {
                    if rng.unit() < pSkip { continue }
                    let p4 = min(0.9, p4start + rise * Double(q.index - 1))
                    let rest = 1 - p4
                    answers[code] = 4 - rng.pick([p4, rest * 0.72, rest * 0.22, rest * 0.06])
                }
                var profile = RespondentProfile()
                profile.gender = [RespondentGender.female, .male, nil][rng.pick([0.78, 0.2, 0.02])]
                profile.age = rng.unit() < 0.1 ? rng.int(45...66) : rng.int(19...42)
                profile.education = ["SD", "SMP", "SMA", "D1-D3", "S1", "S2"][rng.pick([8, 17, 48, 9, 15, 3])]
                let occ = ["LAINNYA", "SWASTA", "WIRAUSAHA", "PNS", "TNI", "POLRI"][rng.pick([45, 25, 18, 7, 2, 3])]
                profile.occupation = occ
                if occ == "LAINNYA" { profile.occupationDetail = rng.unit() < 0.85 ? "Ibu rumah tangga" : "Mahasiswa" }
                profile.serviceType = ["DASAR", "LANJUTAN", "TD"][rng.pick([55, 30, 15])]
                let paper = rng.unit() < 0.35
                var r = SurveyResponse(date: CivilDate(at), time: SurveyTimeOfDay(hour: minute / 60, minute: minute % 60),
                                       profile: profile, answers: answers)
                if rng.unit() < 0.22 { r.saran = saran[rng.int(0...(saran.count - 1))] }
                if rng.unit() < 0.4 {
                    caseNo += 1
                    r.caseReference = String(format: "IMN-2026-%05d", caseNo)
                }
                if paper { r.id = String(format: "F-%d-%03d", q.index, n + 1) }
                // Paper forms are typed in a few days later.
                let entered = paper ? at.addingTimeInterval(Double(rng.int(1...4)) * 86_400) : at
                out.append((r, paper ? .paper : .web, entered))
            }
        }
        return out
    }

    /// Creates the demo survey of the Puskesmas' immunisation service with its responses, the
    /// populations of Q1–Q3, the published results of Q1–Q3 and a follow-up plan; skipped when a
    /// survey of that name exists in the unit.
    static func seedSurvey(into store: PantauStore, unitID: Int64, sopID: Int64?, by actor: AuditActor) async throws {
        if try await store.surveys(unitIDs: [unitID]).contains(where: { $0.name == surveyName }) { return }
        let survey = try await store.createSurvey(
            SurveyInput(unitID: unitID, sopID: sopID, name: surveyName, periodKind: .quarter, definition: surveyDefinition), by: actor)
        let responses = demoResponses()
        try await store.write { w in
            try await store.insertResponsesUnaudited(w, surveyID: survey.id, responses, createdBy: actor.label)
            try await w.audit(actor, "seed", "survey", survey.id, new: ["responses": responses.count])
        }
        let populations = [(1, 380), (2, 400), (3, 410)]
        for (q, pop) in populations {
            guard let period = SurveyPeriod(kind: .quarter, year: 2026, index: q) else { continue }
            try await store.setPopulation(surveyID: survey.id, period: period, population: pop, by: actor)
            let table = try await store.responseTable(surveyID: survey.id, definition: survey.definition, period: period)
            let result = try SKMCalculator(options: .init(population: pop, period: period)).compute(survey.definition, table: table)
            try await store.publish(surveyID: survey.id, period: period, result: result,
                                    links: ["https://puskesmas-ketabang.example/skm/\(period)"], by: actor)
        }
        let q2 = SurveyPeriod(kind: .quarter, year: 2026, index: 2)
        let plan: [SurveyFollowUpInput] = [
            SurveyFollowUpInput(period: q2, unsur: .waktu, problem: "Antrean pendaftaran imunisasi pada hari Senin dan Kamis melebihi 45 menit.",
                          action: "Menambah satu petugas pendaftaran pada hari Senin dan Kamis dan membuka pendaftaran pukul 07.00.",
                          owner: "Kepala Tata Usaha UPTD Puskesmas Ketabang", dueDate: CivilDate(year: 2026, month: 7, day: 31), status: .done,
                          links: ["https://puskesmas-ketabang.example/berita/jadwal-pendaftaran-baru"]),
            SurveyFollowUpInput(period: q2, unsur: .sarana, problem: "Ruang tunggu Poli KIA panas dan kursi kurang.",
                          action: "Memasang dua kipas angin dinding dan menambah 12 kursi tunggu.",
                          owner: "Pengelola Barang UPTD Puskesmas Ketabang", dueDate: CivilDate(year: 2026, month: 9, day: 30), status: .inProgress),
            SurveyFollowUpInput(period: q2, unsur: .pengaduan, problem: "Pengguna layanan tidak mengetahui saluran pengaduan.",
                          action: "Menyediakan nomor WhatsApp pengaduan yang dipantau setiap hari kerja dan memasang papan informasi SP4N-LAPOR!.",
                          owner: "Koordinator Mutu Pelayanan", dueDate: CivilDate(year: 2026, month: 12, day: 15), status: .planned),
        ]
        for f in plan { try await store.createSurveyFollowUp(surveyID: survey.id, f, by: actor) }
    }
}
