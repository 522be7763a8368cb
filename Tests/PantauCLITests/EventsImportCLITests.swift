import Foundation
import PantauCore
import PantauStore
import PantauTestSupport
import Testing

/// `pantau events import`: a log file into the store, all or nothing unless --skip-invalid.
@Suite("CLI: events import", .serialized)
struct EventsImportCLITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The shared permit log (`sop_izin_1k.csv`), found as Tests/PantauCoreTests/SharedData.swift does.
    static let izinLog: URL? = {
        if let d = ProcessInfo.processInfo.environment["PANTAU_SHARED_DIR"] {
            let u = URL(fileURLWithPath: d).appendingPathComponent("data/eventlogs/sop_izin_1k.csv")
            if FileManager.default.fileExists(atPath: u.path) { return u }
        }
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        for _ in 0..<6 {
            dir = dir.deletingLastPathComponent()
            let u = dir.appendingPathComponent("shared/data/eventlogs/sop_izin_1k.csv")
            if FileManager.default.fileExists(atPath: u.path) { return u }
        }
        return nil
    }()

    /// A store with the demo units and the example permit SOP (approved) at DPMPTSP; returns its id.
    static func setUp(_ cli: CLI) throws -> String {
        let demo = try cli.run(["demo", "--password", "demo-password-2026"])
        #expect(demo.code == 0, "\(demo.err)")
        let sop = root.appendingPathComponent("docs/examples/sop-penerbitan-izin-usaha.yaml").path
        let r = try cli.run(["sop", "import", sop, "--unit", "DPMPTSP", "--approve"])
        #expect(r.code == 0, "\(r.err)")
        // "imported SOP 4: …"
        let id = r.out.split(separator: ":").first?.split(separator: " ").last.map(String.init) ?? ""
        #expect(Int(id) != nil, "\(r.out)")
        return id
    }

    /// A number of the summary, e.g. `figure(out, "stored")` from "  disimpan / stored:   8.573".
    static func figure(_ out: String, _ label: String) -> Int? {
        guard let line = out.split(separator: "\n").first(where: { $0.contains(label + ":") }) else { return nil }
        let tail = line.split(separator: ":").last ?? ""
        return Int(tail.trimmingCharacters(in: .whitespaces).split(separator: " ").first?.replacingOccurrences(of: ".", with: "") ?? "")
    }

    /// Cases and events stored for an SOP.
    static func stored(_ cli: CLI, sopID: String) async throws -> (cases: Int, events: Int) {
        let store = try await PantauStore.open(.sqlite(path: cli.database))
        do {
            let page = try await store.serviceCases(sopID: Int64(sopID)!, filter: MonitoringFilter(), perPage: 100_000)
            await store.shutdown()
            return (page.total, page.items.map(\.events).reduce(0, +))
        } catch {
            await store.shutdown()
            throw error
        }
    }

    @Test func importsTheSharedLogOnceAndStoresNothingTwice() async throws {
        guard let log = Self.izinLog else { Issue.record("shared/data/eventlogs missing"); return }
        let cli = try CLI()
        defer { cli.cleanup() }
        let sop = try Self.setUp(cli)
        let expected = try CSVReader().read(contentsOf: log)

        let first = try cli.run(["events", "import", log.path, "--sop", sop, "--batch", "3000"])
        #expect(first.code == 0, "\(first.err)")
        #expect(Self.figure(first.out, "stored") == expected.eventCount, "\(first.out)")
        #expect(Self.figure(first.out, "duplicates") == 0)
        #expect(Self.figure(first.out, "rejected") == 0)
        #expect(Self.figure(first.out, "cases touched") == expected.caseCount)
        #expect(first.out.contains("kejadian/s"))
        #expect(first.err.contains("3.000 / \(grouped(expected.eventCount)) kejadian"), "\(first.err)")
        var counts = try await Self.stored(cli, sopID: sop)
        #expect(counts.cases == expected.caseCount && counts.events == expected.eventCount)

        let again = try cli.run(["events", "import", log.path, "--sop", sop])
        #expect(again.code == 0, "\(again.err)")
        #expect(Self.figure(again.out, "stored") == 0, "\(again.out)")
        #expect(Self.figure(again.out, "duplicates") == expected.eventCount)
        counts = try await Self.stored(cli, sopID: sop)
        #expect(counts.cases == expected.caseCount && counts.events == expected.eventCount)

        let unknown = try cli.run(["events", "import", log.path, "--sop", "999"])
        #expect(unknown.code != 0 && unknown.err.contains("unknown SOP 999"))
    }

    static let badCSV = """
        case_id,activity,timestamp,org:group
        A,Pendaftaran Permohonan,2026-03-02T08:10:00+07:00,DPMPTSP
        B,Pendaftaran Permohonan,2026-03-02T09:00:00+07:00,
        A,Verifikasi Administrasi,2026-03-02T10:00:00+07:00,DPMPTSP
        B,Verifikasi Administrasi,2099-01-01T08:00:00+07:00,
        C,"  ",2026-03-03T08:30:00+07:00,
        C,Verifikasi Administrasi,2026-03-03T09:30:00+07:00,
        D,Pendaftaran Permohonan,2026-03-04T08:30:00+07:00,NOPE

        """

    @Test func aBadRowStopsTheImportBeforeAnythingIsStored() async throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let sop = try Self.setUp(cli)
        let file = try cli.write("bad.csv", Self.badCSV)

        let r = try cli.run(["events", "import", file, "--sop", sop])
        #expect(r.code != 0)
        #expect(r.err.contains("nothing stored"), "\(r.err)")
        #expect(r.err.contains("kasus \"B\", kejadian ke-2 (\"Verifikasi Administrasi\"): timestamp: di masa depan [in_future]"), "\(r.err)")
        #expect(r.err.contains("kasus \"C\", kejadian ke-1") && r.err.contains("activity: wajib diisi [required]"), "\(r.err)")
        #expect(r.err.contains("kasus \"D\", kejadian ke-1") && r.err.contains("unit: kode unit 'NOPE' tidak dikenal [unknown_unit]"), "\(r.err)")
        #expect(try await Self.stored(cli, sopID: sop).events == 0)

        // A row the reader cannot read at all names its line and column; nothing is stored either.
        let unreadable = try cli.write("unreadable.csv", "case_id,activity,timestamp\nA,Pendaftaran Permohonan,2026-03-02T08:10:00+07:00\nA,,2026-03-02T09:10:00+07:00\n")
        let u = try cli.run(["events", "import", unreadable, "--sop", sop, "--skip-invalid"])
        #expect(u.code != 0)
        #expect(u.err.contains("unreadable.csv:3:2") && u.err.contains("activity"), "\(u.err)")
        #expect(try await Self.stored(cli, sopID: sop).events == 0)

        // With --skip-invalid the valid events are stored and the others listed.
        let s = try cli.run(["events", "import", file, "--sop", sop, "--skip-invalid"])
        #expect(s.code == 0, "\(s.err)")
        #expect(Self.figure(s.out, "stored") == 4, "\(s.out)")
        #expect(Self.figure(s.out, "rejected") == 3)
        #expect(Self.figure(s.out, "cases touched") == 3)
        #expect(s.err.contains("kasus \"B\", kejadian ke-2"), "\(s.err)")
        let counts = try await Self.stored(cli, sopID: sop)
        #expect(counts.cases == 3 && counts.events == 4)

        // The fixed file completes the import: only the missing events are stored.
        let fixed = try cli.write("bad.csv", Self.badCSV.replacingOccurrences(of: "2099-01-01", with: "2026-03-02")
            .replacingOccurrences(of: "C,\"  \"", with: "C,Pendaftaran Permohonan").replacingOccurrences(of: "NOPE", with: "DPMPTSP-PLY"))
        let f = try cli.run(["events", "import", fixed, "--sop", sop])
        #expect(f.code == 0, "\(f.err)")
        #expect(Self.figure(f.out, "stored") == 3 && Self.figure(f.out, "duplicates") == 4, "\(f.out)")
        #expect(try await Self.stored(cli, sopID: sop) == (4, 7))
    }
}

/// Indonesian digit grouping, as the command prints it.
private func grouped(_ n: Int) -> String {
    let f = NumberFormatter()
    f.numberStyle = .decimal
    f.groupingSeparator = "."
    f.usesGroupingSeparator = true
    return f.string(from: NSNumber(value: n)) ?? "\(n)"
}
