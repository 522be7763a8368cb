import Foundation
import PantauCore

/// Indicators (IKU) of the demo agency (`serve --demo`), one per family for the immunisation SOP
/// of Puskesmas Ketabang and a compliance one for the business permit, with targets for the
/// last four quarters and the current one, so the indicator pages and the leadership dashboard
/// show computed realisations from the demo cases and survey. Loaded after ``DemoCases``; a unit
/// that already has indicators is left alone, so seeding twice adds nothing.
public enum DemoIndicators {
    struct Spec {
        let code: String
        let name: String
        let metric: IndicatorMetric
        let unitOfMeasure: String
        let kind: SurveyPeriod.Kind
        let target: Double
        let description: String
    }

    static let immunisation: [Spec] = [
        Spec(code: "IKU-IMN-1", name: "Persentase layanan imunisasi sesuai SOP", metric: .complianceShare, unitOfMeasure: "%", kind: .quarter,
             target: 85, description: "Kasus layanan imunisasi yang seluruh langkahnya dijalankan sesuai urutan SOP, dibagi seluruh kasus selesai pada triwulan."),
        Spec(code: "IKU-IMN-2", name: "Median waktu tunggu layanan imunisasi", metric: .medianWaitMinutes, unitOfMeasure: "menit", kind: .quarter,
             target: 25, description: "Median total waktu tunggu antarlangkah per kasus (seluruh langkah); sasaran revisi SOP: di bawah 25 menit."),
        Spec(code: "IKU-IMN-3", name: "Persentase layanan selesai dalam standar waktu", metric: .withinStandardShare, unitOfMeasure: "%", kind: .quarter,
             target: 80, description: "Kasus yang selesai dalam jumlah standar waktu seluruh langkah SOP."),
        Spec(code: "IKU-IMN-4", name: "Indeks Kepuasan Masyarakat layanan imunisasi", metric: .ikm, unitOfMeasure: "indeks", kind: .quarter,
             target: 82, description: "IKM hasil SKM (PermenPANRB 14/2017) layanan imunisasi per triwulan."),
        Spec(code: "IKU-IMN-5", name: "Rata-rata nilai kuis pemahaman SOP imunisasi", metric: .quizScore, unitOfMeasure: "%", kind: .quarter,
             target: 75, description: "Nilai rata-rata percobaan terakhir setiap pegawai pada kuis SOP versi berlaku."),
        Spec(code: "IKU-IMN-6", name: "Persentase pegawai yang telah membaca SOP imunisasi versi berlaku", metric: .acknowledgedShare, unitOfMeasure: "%",
             kind: .quarter, target: 100, description: "Pegawai pelaksana yang menyatakan telah membaca dan memahami SOP versi berlaku."),
        Spec(code: "IKU-IMN-7", name: "Cakupan imunisasi dasar lengkap", metric: .manual, unitOfMeasure: "%", kind: .year,
             target: 95, description: "Dampak organisasi: bayi yang mendapat imunisasi dasar lengkap dibagi sasaran bayi (data PWS-KIA, diisi manual)."),
    ]

    static let permit: [Spec] = [
        Spec(code: "IKU-IZN-1", name: "Persentase izin usaha diterbitkan sesuai SOP", metric: .complianceShare, unitOfMeasure: "%", kind: .quarter,
             target: 90, description: "Permohonan selesai yang melalui seluruh langkah SOP, termasuk pemeriksaan lapangan."),
        Spec(code: "IKU-IZN-2", name: "Persentase izin usaha selesai dalam standar waktu", metric: .withinStandardShare, unitOfMeasure: "%", kind: .quarter,
             target: 85, description: "Permohonan selesai dalam jumlah standar waktu SOP."),
    ]

    /// Creates the demo indicators where their SOPs exist and their unit has none yet; returns how many.
    @discardableResult
    public static func seed(into store: PantauStore, by actor: AuditActor = .system, now: Date? = nil) async throws -> Int {
        let today = CivilDate(now ?? store.now())
        var byCode: [String: Int64] = [:]
        for u in try await store.units() { byCode[u.code] = u.id }
        var created = 0
        for (unitCode, doc, specs) in [("DINKES-PKM-KTB", DemoAgency.imunisasi, immunisation), ("DPMPTSP-PLY", DemoAgency.izinUsaha, permit)] {
            guard let unit = byCode[unitCode],
                  let sop = try await store.sops(SOPQuery(text: doc.identity.number, unitIDs: [unit])).items.first,
                  try await store.indicators(unitIDs: [unit], includeInactive: true).isEmpty else { continue }
            for spec in specs {
                let rec = try await store.createIndicator(IndicatorInput(
                    unitID: unit, sopID: spec.metric == .manual ? nil : sop.id, code: spec.code, name: spec.name, metric: spec.metric,
                    unitOfMeasure: spec.unitOfMeasure, direction: spec.metric.defaultDirection, periodKind: spec.kind,
                    description: spec.description), by: actor)
                created += 1
                for p in PantauStore.recentPeriods(kind: spec.kind, count: spec.kind == .year ? 2 : 5, today: today) {
                    var input = IndicatorPeriodInput(period: p, target: spec.target)
                    if spec.metric == .manual, p.year < today.year {
                        input.manualValue = 92.4
                        input.manualNote = "Laporan PWS-KIA Puskesmas Ketabang tahun \(p.year)"
                        input.explanation = "Belum mencapai target karena 14 bayi pindah domisili sebelum dosis lengkap."
                    }
                    try await store.setIndicatorPeriod(indicatorID: rec.id, input, by: actor)
                }
            }
        }
        return created
    }
}
