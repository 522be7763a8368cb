import Foundation
import PantauCore
import PantauStore
import PantauTestSupport
import Testing

/// `pantau events import FILE.xlsx`: an Excel workbook (made by openpyxl) as a service log.
@Suite("CLI: events import from XLSX")
struct XLSXEventsImportCLITests {
    static let fixture = EventsImportCLITests.root.appendingPathComponent("Tests/PantauCoreTests/Fixtures/xlsx/events-openpyxl.xlsx")

    @Test func aWorkbookImportsByItsSignatureAndBadOnesAreNamed() async throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let sop = try EventsImportCLITests.setUp(cli)
        let data = try Data(contentsOf: Self.fixture)
        // Told by its ZIP signature, whatever the name.
        let renamed = cli.workdir.appendingPathComponent("rekap-layanan.dat")
        try data.write(to: renamed)
        let r = try cli.run(["events", "import", renamed.path, "--sop", sop, "--time-zone", "Asia/Jakarta", "--unit", "DPMPTSP"])
        #expect(r.code == 0, "\(r.err)")
        #expect(EventsImportCLITests.figure(r.out, "stored") == 4, "\(r.out)")
        #expect(EventsImportCLITests.figure(r.out, "cases touched") == 2)
        let counts = try await EventsImportCLITests.stored(cli, sopID: sop)
        #expect(counts.events >= 4)

        let wrongSheet = try cli.run(["events", "import", renamed.path, "--sop", sop, "--sheet", "Februari"])
        #expect(wrongSheet.code != 0)
        #expect(wrongSheet.err.contains("lembar 'Februari' tidak ada") && wrongSheet.err.contains("Log layanan"), "\(wrongSheet.err)")

        let cut = cli.workdir.appendingPathComponent("rusak.xlsx")
        try data.prefix(data.count - 30).write(to: cut)
        let broken = try cli.run(["events", "import", cut.path, "--sop", sop])
        #expect(broken.code != 0)
        #expect(broken.err.contains("rusak.xlsx") && broken.err.contains("arsip .xlsx rusak"), "\(broken.err)")
        #expect(try await EventsImportCLITests.stored(cli, sopID: sop).events == counts.events, "nothing more stored")
    }
}
