import Foundation
import PantauCore

/// A year of service cases for the three demo SOPs (`serve --demo`), so the monitoring pages have a
/// story to show: office hours Monday–Friday 08:00–16:00 WIB, a few dozen cases a week per SOP over
/// the units that run them, with the deviations evaluators look for:
/// - immunisation: screening skipped (often before the revision, rarely after), and an SOP
///   revision about four months ago after which the wait before the vaccination step (`suntik`)
///   drops from about 40 to about 15 minutes (the seed's Surabaya case);
/// - business permit: the loop back for incomplete documents, permits issued without the field
///   check, signatures waiting longer than the standard, abandoned applications;
/// - KTP-el: incomplete documents, repeated biometric capture, cards printed without (or before)
///   the head of section's validation, a blank-card shortage that makes printing wait for days;
/// - open cases: the recent ones still in progress, and a few overdue ones.
///
/// Deterministic for a given "now" (SplitMix64 seeded per SOP); events enter through
/// ``PantauStore/ingestEvents(_:scope:by:allOrNothing:)`` with source `.demo` and stable ids, and an
/// SOP that already has cases is left alone, so seeding twice adds nothing.
public enum DemoCases {
    public struct Result: Sendable, Equatable {
        /// Cases and events generated and stored by this call (0 when the data was there).
        public var cases = 0
        public var events = 0
        /// True when this call made the immunisation SOP's revision.
        public var revised = false

        public init() {}
    }

    /// Service points added beside the SOPs' own units (code, parent, name).
    public static let serviceUnits: [(code: String, parent: String, name: String)] = [
        ("DINKES-PKM-KTB-PST", "DINKES-PKM-KTB", "Puskesmas Pembantu Peneleh"),
        ("DPMPTSP-PLY-MPP", "DPMPTSP-PLY", "Gerai Perizinan Mal Pelayanan Publik Siola"),
        ("DISDUKCAPIL-PIAK-MPP", "DISDUKCAPIL-PIAK", "Gerai Adminduk Mal Pelayanan Publik Siola"),
    ]

    /// Change note of the immunisation SOP's revision.
    public static let revisionNote = "Revisi hasil evaluasi: vaksin disiapkan sebelum anak dipanggil, waktu tunggu imunisasi dipangkas"

    /// Days before "now" the revision took effect.
    public static let revisionDaysAgo = 120

    /// Loads the cases (and the revision) for the demo SOPs that exist in the store; call after
    /// ``DemoAgency/seed(into:by:)``.
    @discardableResult
    public static func seed(into store: PantauStore, by actor: AuditActor = .system, now: Date? = nil) async throws -> Result {
        let now = now ?? store.now()
        var result = Result()
        var byCode: [String: Int64] = [:]
        for u in try await store.units() { byCode[u.code] = u.id }
        for u in serviceUnits where byCode[u.code] == nil {
            guard let parent = byCode[u.parent] else { continue }
            let created = try await store.createUnit(UnitInput(parentID: parent, code: u.code, name: u.name, level: .subUnit), by: actor)
            byCode[u.code] = created.id
        }
        func sopID(_ unit: String, _ doc: SOPDocument) async throws -> Int64? {
            guard let u = byCode[unit] else { return nil }
            return try await store.sops(SOPQuery(text: doc.identity.number, unitIDs: [u])).items.first?.id
        }
        let start = now.addingTimeInterval(-365 * 86_400)

        if let id = try await sopID("DINKES-PKM-KTB", DemoAgency.imunisasi), try await !hasCases(store, id) {
            let (revision, made) = try await revise(store, sopID: id, now: now, by: actor)
            result.revised = made
            var g = Generator(seed: 2026_0001, now: now)
            g.immunisation(from: start, revision: revision)
            try await ingest(store, g, sopID: id, by: actor, into: &result)
        }
        if let id = try await sopID("DPMPTSP-PLY", DemoAgency.izinUsaha), try await !hasCases(store, id) {
            var g = Generator(seed: 2026_0002, now: now)
            g.permits(from: start)
            try await ingest(store, g, sopID: id, by: actor, into: &result)
        }
        if let id = try await sopID("DISDUKCAPIL-PIAK", DemoAgency.ktpEl), try await !hasCases(store, id) {
            var g = Generator(seed: 2026_0003, now: now)
            g.identityCards(from: start)
            try await ingest(store, g, sopID: id, by: actor, into: &result)
        }
        return result
    }

    static func hasCases(_ store: PantauStore, _ sopID: Int64) async throws -> Bool {
        try await store.serviceCases(sopID: sopID, filter: MonitoringFilter(), perPage: 1).total > 0
    }

    /// The immunisation SOP's revision (version 2, in force from `revisionDaysAgo` days before
    /// now), made once; returns its effective date.
    static func revise(_ store: PantauStore, sopID: Int64, now: Date, by actor: AuditActor) async throws -> (CivilDate, Bool) {
        let versions = try await store.versions(sopID: sopID)
        if let v = versions.first(where: { $0.changeNote == revisionNote }), let f = v.effectiveFrom { return (f, false) }
        var date = CivilDate(now.addingTimeInterval(Double(-revisionDaysAgo) * 86_400))
        // Only over the demo's own first version, in force and not being edited.
        guard versions.count == 1, let v1 = versions.first, v1.status == .effective else { return (date, false) }
        // After the first version took effect, and not in the future.
        if let f = v1.effectiveFrom, date <= f {
            date = CivilDate(f.startOfDay().addingTimeInterval(86_400 + 3600))
            if date > CivilDate(now) { return (date, false) }
        }
        var doc = v1.document
        doc.identity.revisedOn = date
        doc.identity.effectiveOn = date
        if let i = doc.steps.firstIndex(where: { $0.id == "siap-vaksin" }) {
            doc.steps[i].notes = "Vaksin disiapkan saat anak ditimbang, sebelum dipanggil ke ruang imunisasi"
        }
        if let i = doc.steps.firstIndex(where: { $0.id == "suntik" }) {
            doc.steps[i].notes = "Dua bidan bergantian memanggil dan menyuntik; anak menunggu paling lama 15 menit"
        }
        let v2 = try await store.newVersion(sopID: sopID, changeNote: revisionNote, by: actor)
        try await store.saveSOP(id: sopID, document: doc, changeNote: revisionNote, by: actor)
        try await store.setStatus(sopID: sopID, version: v2.version, to: .review, by: actor)
        try await store.approve(sopID: sopID, version: v2.version, effectiveFrom: date, by: actor)
        return (date, true)
    }

    static func ingest(_ store: PantauStore, _ g: Generator, sopID: Int64, by actor: AuditActor, into result: inout Result) async throws {
        let scope = IngestScope(allowedUnits: nil, source: .demo, receivedBy: actor.label)
        var inputs: [EventInput] = []
        inputs.reserveCapacity(EventLimits.maxBatch)
        var cases = Set<Int64>()
        func flush() async throws {
            guard !inputs.isEmpty else { return }
            for o in try await store.ingestEvents(inputs, scope: scope, by: actor) {
                if case let .stored(_, c) = o { result.events += 1; cases.insert(c) }
            }
            inputs.removeAll(keepingCapacity: true)
        }
        for c in g.cases {
            for (k, e) in c.events.enumerated() {
                inputs.append(EventInput(clientID: "demo:\(c.reference)#\(k + 1)", sopID: sopID, caseReference: c.reference,
                                         activity: e.activity, at: e.complete, utcOffset: 7 * 3600, startedAt: e.start,
                                         resource: e.resource, unitCode: c.unit))
            }
            if inputs.count >= EventLimits.maxBatch - 20 { try await flush() }
        }
        try await flush()
        result.cases += cases.count
    }

    // MARK: Generation

    struct Event {
        var activity: String
        var start: Date
        var complete: Date
        var resource: String
    }

    struct Case {
        var reference: String
        var unit: String
        var events: [Event]
    }

    /// Builds cases step by step in office time; events after "now" are left out (cases in progress).
    struct Generator {
        var rng: DemoAgency.DemoRandom
        let now: Date
        var cases: [Case] = []

        init(seed: UInt64, now: Date) {
            rng = DemoAgency.DemoRandom(state: seed)
            self.now = now
        }

        // Office time in WIB (UTC+7, no daylight saving).
        static let wib = 7.0 * 3600
        static let open = 8.0 * 3600, close = 16.0 * 3600

        static func day(_ t: Double) -> Int { Int(((t + wib) / 86_400).rounded(.down)) }
        /// Monday = 0 … Sunday = 6 (1970-01-01 was a Thursday).
        static func weekday(_ day: Int) -> Int { ((day + 3) % 7 + 7) % 7 }
        static func isWorkday(_ day: Int) -> Bool { weekday(day) < 5 }
        static func at(_ day: Int, _ secondsOfDay: Double) -> Double { Double(day) * 86_400 - wib + secondsOfDay }

        /// The instant itself when the office is open, else the next opening.
        static func nextOpen(_ t: Double) -> Double {
            var d = day(t)
            let s = t - at(d, 0)
            if isWorkday(d) && s >= open && s < close { return t }
            if !(isWorkday(d) && s < open) { d += 1 }
            while !isWorkday(d) { d += 1 }
            return at(d, open)
        }

        /// `t` plus `seconds` of office time.
        static func addWork(_ t: Double, _ seconds: Double) -> Double {
            var t = nextOpen(t)
            var left = seconds
            while true {
                let end = at(day(t), close)
                if left <= end - t { return t + left }
                left -= end - t
                t = nextOpen(end + 1)
            }
        }

        /// A step of `duration` (wall clock, under a working day) starting after `wait` office
        /// seconds from `t`; moved to the next morning when it would run past closing time.
        mutating func step(_ t: Double, wait: Double, duration: Double) -> (start: Double, complete: Double) {
            var s = Self.addWork(t, wait)
            if s + duration > Self.at(Self.day(s), Self.close) { s = Self.nextOpen(Self.at(Self.day(s), Self.close) + 1) + rng.unit() * 1800 }
            return (s, s + duration)
        }

        mutating func minutes(_ lo: Double, _ hi: Double) -> Double { (lo + (hi - lo) * rng.unit()) * 60 }
        /// Triangular around `mode` between lo and hi (minutes).
        mutating func around(_ lo: Double, _ mode: Double, _ hi: Double) -> Double {
            let u = rng.unit(), f = (mode - lo) / (hi - lo)
            let x = u < f ? lo + ((hi - lo) * (mode - lo) * u).squareRoot() : hi - ((hi - lo) * (hi - mode) * (1 - u)).squareRoot()
            return x * 60
        }
        mutating func chance(_ p: Double) -> Bool { rng.unit() < p }
        mutating func pick<T>(_ xs: [T]) -> T { xs[rng.int(0...(xs.count - 1))] }

        /// Working days from `start` to now, with the arrivals of each: (day, first arrival time).
        mutating func arrivals(from start: Date, perDay: ClosedRange<Int>, latest: Double) -> [Double] {
            var out: [Double] = []
            var d = Self.day(start.timeIntervalSince1970) + 1
            let last = Self.day(now.timeIntervalSince1970)
            while d <= last {
                defer { d += 1 }
                guard Self.isWorkday(d) else { continue }
                // Mondays are busier.
                let n = rng.int(perDay) + (Self.weekday(d) == 0 ? 2 : 0)
                var times: [Double] = []
                for _ in 0..<n { times.append(Self.at(d, Self.open + rng.unit() * (latest - Self.open))) }
                out += times.sorted()
            }
            return out.filter { $0 < now.timeIntervalSince1970 }
        }

        mutating func add(_ reference: String, unit: String, _ events: [(String, Double, Double, String)]) {
            let cut = now.timeIntervalSince1970
            let kept = events.filter { $0.2 <= cut }
            guard !kept.isEmpty else { return }
            cases.append(Case(reference: reference, unit: unit, events: kept.map {
                Event(activity: $0.0, start: Date(timeIntervalSince1970: $0.1), complete: Date(timeIntervalSince1970: $0.2), resource: $0.3)
            }))
        }

        static func reference(_ prefix: String, _ t: Double, _ n: inout [Int: Int]) -> String {
            let year = CivilDate(Date(timeIntervalSince1970: t)).year
            n[year, default: 0] += 1
            return String(format: "%@-%d-%05d", prefix, year, n[year]!)
        }

        /// Pelayanan Imunisasi: about 40 cases a week at the Poli KIA and the Pustu.
        mutating func immunisation(from start: Date, revision: CivilDate) {
            let a = DemoAgency.imunisasi
            func name(_ id: String) -> String { a.step(id: id)?.activity ?? id }
            var numbers: [Int: Int] = [:]
            for arrival in arrivals(from: start, perDay: 5...10, latest: 11.5 * 3600) {
                let after = CivilDate(Date(timeIntervalSince1970: arrival)) >= revision
                let pustu = chance(0.3)
                let unit = pustu ? "DINKES-PKM-KTB-PST" : "DINKES-PKM-KTB-IMN"
                let desk = pustu ? "Petugas Pustu Peneleh" : pick(["Rina (pendaftaran)", "Yusuf (pendaftaran)"])
                let bidan = pustu ? "Bidan Lestari" : pick(["Bidan Sri Wahyuni", "Bidan Ayu", "Bidan Nur"])
                var ev: [(String, Double, Double, String)] = []
                var t = arrival
                func put(_ id: String, wait: Double, _ d: Double, _ who: String) {
                    let (s, c) = step(t, wait: wait, duration: d)
                    ev.append((name(id), s, c, who))
                    t = c
                }
                put("daftar", wait: 0, chance(0.1) ? minutes(6, 10) : minutes(3, 5), desk)
                put("cek-kia", wait: minutes(0, 2), minutes(1, 4), desk)
                if chance(0.08) {
                    put("kia-baru", wait: minutes(0, 3), minutes(7, 14), desk)
                    put("cek-kia", wait: minutes(0, 2), minutes(1, 3), desk)
                }
                put("timbang", wait: minutes(1, 6), minutes(3, 7), bidan)
                let skipScreening = chance(after ? 0.03 : 0.14)
                if !skipScreening {
                    put("skrining", wait: minutes(0, 3), minutes(3, 7), bidan)
                    if chance(0.03) {
                        put("tunda", wait: minutes(2, 10), minutes(5, 14), "dr. Hendra (dokter)")
                        add(Self.reference("IMN", arrival, &numbers), unit: unit, ev)
                        continue
                    }
                }
                if chance(0.003) {  // left without the rest being recorded
                    add(Self.reference("IMN", arrival, &numbers), unit: unit, ev)
                    continue
                }
                put("siap-vaksin", wait: minutes(0, 3), minutes(2, 4), bidan)
                put("suntik", wait: after ? around(6, 15, 24) : around(22, 40, 58), chance(0.08) ? minutes(5.5, 8) : minutes(2, 5), bidan)
                put("catat", wait: minutes(0, 2), chance(0.15) ? minutes(3.5, 6) : minutes(2, 3), bidan)
                put("observasi", wait: minutes(0, 1), minutes(24, 32), bidan)
                add(Self.reference("IMN", arrival, &numbers), unit: unit, ev)
            }
        }

        /// Penerbitan Izin Usaha: about 25 applications a week at the DPMPTSP and the MPP.
        mutating func permits(from start: Date) {
            let a = DemoAgency.izinUsaha
            func name(_ id: String) -> String { a.step(id: id)?.activity ?? id }
            let day = 8 * 3600.0  // a working day of office time
            var numbers: [Int: Int] = [:]
            for arrival in arrivals(from: start, perDay: 3...7, latest: 14 * 3600) {
                let mpp = chance(0.35)
                let unit = mpp ? "DPMPTSP-PLY-MPP" : "DPMPTSP-PLY"
                let fo = mpp ? pick(["FO-MPP-01", "FO-MPP-02"]) : pick(["FO-01", "FO-02", "FO-03"])
                var ev: [(String, Double, Double, String)] = []
                var t = arrival
                func put(_ id: String, wait: Double, _ d: Double, _ who: String) {
                    let (s, c) = step(t, wait: wait, duration: d)
                    ev.append((name(id), s, c, who))
                    t = c
                }
                /// A step whose duration is office time that may span days (wall clock counts against the standard).
                func putLong(_ id: String, wait: Double, work: Double, _ who: String) {
                    let s = Self.addWork(t, wait)
                    let c = Self.addWork(s, work)
                    ev.append((name(id), s, c, who))
                    t = c
                }
                let verifier = pick(["VER-01", "VER-02", "VER-03"])
                put("daftar", wait: 0, chance(0.1) ? minutes(16, 30) : minutes(8, 15), fo)
                put("verifikasi", wait: minutes(60, 360), chance(0.15) ? minutes(65, 120) : minutes(20, 55), verifier)
                var rounds = 0
                var abandoned = false
                while rounds < 2 && chance(rounds == 0 ? 0.25 : 0.2) {
                    rounds += 1
                    put("kekurangan", wait: minutes(10, 120), minutes(10, 35), verifier)
                    if chance(0.015) { abandoned = true; break }  // the applicant never comes back
                    put("perbaikan", wait: Double(rng.int(1...5)) * day * rng.unit() + day * 0.5, minutes(10, 30), "Pemohon")
                    put("verifikasi", wait: minutes(60, 240), minutes(15, 45), verifier)
                }
                if abandoned {
                    add(Self.reference("IZN", arrival, &numbers), unit: unit, ev)
                    continue
                }
                let team = pick(["TEK-01", "TEK-02", "TEK-03", "TEK-04"])
                if !chance(0.04) {  // issued without the field check: a deviation the SOP warns about
                    put("lapangan", wait: Double(rng.int(1...3)) * day * rng.unit() + minutes(60, 240), minutes(60, 240), team)
                }
                put("rapat", wait: Double(rng.int(1...2)) * day * rng.unit() + minutes(60, 240), minutes(60, 150), "Tim Teknis")
                if chance(0.08) {
                    put("tolak", wait: Double(rng.int(1...2)) * day, minutes(30, 90), "Sekretariat")
                    put("serah", wait: (chance(0.5) ? day : 0) + minutes(30, 240), minutes(10, 25), fo)
                    add(Self.reference("IZN", arrival, &numbers), unit: unit, ev)
                    continue
                }
                put("retribusi", wait: minutes(30, 6 * 60), minutes(20, 60), "Bendahara")
                put("bayar", wait: Double(rng.int(0...2)) * day * rng.unit() + minutes(30, 300), minutes(5, 15), "Pemohon")
                if chance(0.01) {  // waiting for the signature for good
                    add(Self.reference("IZN", arrival, &numbers), unit: unit, ev)
                    continue
                }
                // The head of office signs within two days, except on weeks of duty travel.
                let sign = chance(0.25) ? Double(rng.int(3...7)) * day : minutes(30, 600) + Double(rng.int(0...1)) * day
                putLong("ttd", wait: minutes(30, 240), work: sign, "Kepala Dinas")
                put("serah", wait: (chance(0.5) ? day : 0) + minutes(30, 240), minutes(5, 20), fo)
                add(Self.reference("IZN", arrival, &numbers), unit: unit, ev)
            }
        }

        /// Penerbitan KTP-el: about 30 applications a week at Disdukcapil and the MPP; a shortage
        /// of blank cards in the fourth to sixth month makes printing wait.
        mutating func identityCards(from start: Date) {
            let a = DemoAgency.ktpEl
            func name(_ id: String) -> String { a.step(id: id)?.activity ?? id }
            let day = 8 * 3600.0
            let shortage = (start.addingTimeInterval(90 * 86_400).timeIntervalSince1970, start.addingTimeInterval(170 * 86_400).timeIntervalSince1970)
            var numbers: [Int: Int] = [:]
            for arrival in arrivals(from: start, perDay: 4...8, latest: 14 * 3600) {
                let mpp = chance(0.45)
                let unit = mpp ? "DISDUKCAPIL-PIAK-MPP" : "DISDUKCAPIL-PIAK"
                let desk = mpp ? pick(["CS-MPP-01", "CS-MPP-02"]) : pick(["CS-01", "CS-02", "CS-03"])
                let operatorName = mpp ? "OPR-MPP-01" : pick(["OPR-01", "OPR-02"])
                var ev: [(String, Double, Double, String)] = []
                var t = arrival
                func put(_ id: String, wait: Double, _ d: Double, _ who: String) {
                    let (s, c) = step(t, wait: wait, duration: d)
                    ev.append((name(id), s, c, who))
                    t = c
                }
                put("terima", wait: 0, chance(0.12) ? minutes(11, 20) : minutes(3, 9), desk)
                put("cek-berkas", wait: minutes(0, 5), minutes(2, 6), desk)
                if chance(0.1) {
                    // The applicant brings the missing papers a day or more later.
                    let s = t + minutes(1, 5)
                    let c = Self.addWork(s, Double(rng.int(1...4)) * day * rng.unit() + day * 0.5)
                    ev.append((name("lengkapi"), s, c, "Pemohon"))
                    t = c
                    put("cek-berkas", wait: minutes(0, 5), minutes(2, 5), desk)
                }
                put("verifikasi-siak", wait: minutes(5, 30), chance(0.1) ? minutes(11, 25) : minutes(5, 10), operatorName)
                put("rekam", wait: minutes(10, 40), minutes(8, 14), operatorName)
                if chance(0.07) { put("rekam", wait: minutes(1, 5), minutes(8, 14), operatorName) }
                let short = t >= shortage.0 && t < shortage.1
                let check = rng.unit()
                if check < 0.03 {
                    // Printed without the head of section's validation.
                    put("cetak", wait: minutes(10, 60), minutes(3, 12), operatorName)
                } else if check < 0.05 {
                    // Printed first, validated afterwards (out of order).
                    put("cetak", wait: minutes(10, 60), minutes(3, 12), operatorName)
                    put("validasi", wait: minutes(30, 120), minutes(10, 40), "Kasi Identitas Penduduk")
                } else {
                    put("validasi", wait: minutes(30, 180), chance(0.12) ? minutes(61, 150) : minutes(10, 50), "Kasi Identitas Penduduk")
                    if chance(short ? 0.03 : 0.005) {  // waiting for a blank card for good
                        add(Self.reference("KTP", arrival, &numbers), unit: unit, ev)
                        continue
                    }
                    put("cetak", wait: short ? Double(rng.int(3...10)) * day : minutes(10, 90), minutes(3, 12), operatorName)
                }
                put("serah", wait: chance(0.75) ? minutes(5, 30) : Double(rng.int(1...2)) * day, minutes(2, 6), desk)
                add(Self.reference("KTP", arrival, &numbers), unit: unit, ev)
            }
        }
    }
}
