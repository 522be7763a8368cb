import Foundation
import PantauCore
import PantauStore
import PantauTestSupport
import Testing

/// Service events imported from an Excel workbook (made by openpyxl) are stored exactly as the
/// same rows from CSV: same cases, activities, times, resources and event ids (so a workbook and
/// its CSV export under one name are stored once).
@Suite("Event import from XLSX")
struct XLSXEventImportStoreTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let zone = TimeZone(identifier: "Asia/Jakarta")!

    /// The rows of Tests/PantauCoreTests/Fixtures/xlsx/events-openpyxl.xlsx as CSV (the workbook's
    /// date-time cells written as text).
    static let csv = """
        case_id,activity,time:timestamp,start_timestamp,org:resource,catatan,jumlah
        IZN-1,Terima Berkas,2026-03-02 08:15:30,2026-03-02 08:00:00,Rina,lengkap,1
        IZN-1,Verifikasi Administrasi,2026-03-02 13:00:00,,Budi,"cek, ulang
        baris dua",2.5
        IZN-2,Terima Berkas,2026-03-03 09:05:00,,Rina,,0.1
        IZN-1,Penerbitan Izin,2026-03-04 16:45:00,2026-03-04 16:00:00,,\"""kutip"" & ✓\",3

        """

    static func logs() throws -> (xlsx: EventLog, csv: EventLog) {
        let data = try Data(contentsOf: root.appendingPathComponent("Tests/PantauCoreTests/Fixtures/xlsx/events-openpyxl.xlsx"))
        let options = CSVReader.Options(defaultTimeZone: zone, ordering: .asAppended)
        return (try CSVReader(options: options).read(xlsx: data), try CSVReader(options: options).read(string: csv))
    }

    struct Row: Hashable { var clientID: String; var caseRef: String; var activity: String; var at: Date; var start: Date?; var resource: String? }

    /// Imports `log` as `layanan.xlsx` into a fresh SOP of `store`; returns the report and the stored events.
    static func importAndList(_ store: PantauStore, _ log: EventLog, sop: Int64, unit: Int64) async throws -> (EventLogImport.Report, [Row]) {
        let scope = IngestScope(allowedUnits: nil, defaultUnit: unit, source: .import, receivedBy: "test")
        let report = try await EventLogImport(log: log, fileName: "layanan.xlsx", sopID: sop, skipInvalid: false).run(store, scope: scope, by: .cli)
        var rows: [Row] = []
        for c in try await store.serviceCases(sopID: sop, filter: MonitoringFilter(), perPage: 100).items.sorted(by: { $0.reference < $1.reference }) {
            for e in try await store.serviceCase(id: c.id).events {
                rows.append(Row(clientID: e.clientID, caseRef: c.reference, activity: e.activity, at: e.at, start: e.startedAt, resource: e.resource))
            }
        }
        return (report, rows)
    }

    static func seed(_ store: PantauStore) async throws -> (sop: Int64, unit: Int64) {
        let text = try String(contentsOf: root.appendingPathComponent("docs/examples/sop-penerbitan-izin-usaha.yaml"), encoding: .utf8)
        let doc = try SOPFile.decode(text, format: .yaml)
        let unit = try await store.createUnit(UnitInput(parentID: nil, code: "DPMPTSP", name: "Dinas Penanaman Modal dan PTSP", level: .instansi), by: .cli)
        let sop = try await store.createSOP(unitID: unit.id, document: doc, by: .cli)
        return (sop.id, unit.id)
    }

    @Test(arguments: TestEngine.all)
    func aWorkbookStoresTheSameEventsAsItsCSV(_ engine: TestEngine) async throws {
        let (xlsx, csv) = try Self.logs()
        #expect(xlsx.eventCount == 4)
        let fromXLSX = try await withTestStore(engine) { store in
            let (sop, unit) = try await Self.seed(store)
            let (report, rows) = try await Self.importAndList(store, xlsx, sop: sop, unit: unit)
            #expect(report.ending == .completed && report.stored == 4 && report.rejected.isEmpty, "\(report.rejected)")
            return rows
        }
        let fromCSV = try await withTestStore(engine) { store in
            let (sop, unit) = try await Self.seed(store)
            let (report, rows) = try await Self.importAndList(store, csv, sop: sop, unit: unit)
            #expect(report.stored == 4)
            // The workbook under the same name adds nothing: the same ids.
            let (again, after) = try await Self.importAndList(store, xlsx, sop: sop, unit: unit)
            #expect(again.stored == 0 && again.duplicates == 4)
            #expect(after == rows)
            return rows
        }
        #expect(fromXLSX == fromCSV)
        #expect(fromXLSX.count == 4)
        let first = try #require(fromXLSX.first { $0.activity == "Terima Berkas" && $0.caseRef == "IZN-1" })
        #expect(first.at == Date(timeIntervalSince1970: 1_772_414_130))  // 2026-03-02 08:15:30 WIB
        #expect(first.start == Date(timeIntervalSince1970: 1_772_413_200) && first.resource == "Rina")
        #expect(first.clientID == "layanan.xlsx#IZN-1#1")
    }
}
