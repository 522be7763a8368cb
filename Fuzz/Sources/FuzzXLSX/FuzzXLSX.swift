import Foundation
import FuzzSupport
import PantauCore
import PantauReports

let surveyDefinition = SurveyDefinition.standard(service: SurveyService(unitID: "DPMPTSP"))

/// XLSX workbooks (event logs and paper survey answers kept in Excel): XLSXReader.read (ZIP
/// directory, stored and deflated parts, workbook, shared strings, sheet XML) with bounded part
/// size and cell count; then what the app does next: the sheet as CSV read by the event-log
/// reader (FuzzSupport.exerciseEventLog) and by the survey importer, and the round trip: the
/// table written by XLSXWriter (as the exports do) reads back with the same cell texts.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = bytes(data, size)
    let reader = XLSXReader(options: .init(maxPartBytes: 4 << 20, maxCells: 200_000))
    let table: XLSXTable
    do { table = try reader.read(input) } catch {
        _ = error.description
        return 0
    }
    check(table.rows.reduce(0) { $0 + $1.count } <= 200_000, "more cells than maxCells")
    let csv = table.csv
    check(csv.rowOfLine.count >= table.rows.count, "fewer CSV lines than rows")
    var options = CSVReader.Options()
    options.delimiter = UInt8(ascii: ",")
    if let log = try? CSVReader(options: options).read(data: csv.data) { exerciseEventLog(log, roundTrip: true) }
    _ = try? SurveyCSVImporter(definition: surveyDefinition, options: .init(delimiter: .comma, skipInvalidRows: true)).parse(csv.data)

    // Round trip through the writer (compressed or stored, by the input's size).
    let sheet = XLSXSheet(name: "Data", rows: table.rows.map { $0.map { XLSXCell.text($0) } }, headerRows: 0, freezeHeader: false)
    let written: Data
    do { written = try XLSXWriter(options: .init(created: Date(timeIntervalSince1970: 0), compress: size % 2 == 0)).write(XLSXWorkbook(sheets: [sheet])) } catch {
        return 0  // the writer refuses what it cannot write (e.g. too many rows); not the reader's concern
    }
    do {
        let back = try XLSXReader().read(written)
        check(trimmed(back.rows) == trimmed(table.rows), "XLSX round trip changes the cells")
    } catch {
        check(false, "an XLSX written by XLSXWriter does not read back: \(error)")
    }
    return 0
}

/// Rows without trailing empty cells and without trailing empty rows (a writer need not keep them).
func trimmed(_ rows: [[String]]) -> [[String]] {
    var out = rows.map { row -> [String] in
        var r = row
        while r.last == "" { r.removeLast() }
        return r
    }
    while out.last?.isEmpty == true { out.removeLast() }
    return out
}

/// Entry point: SwiftPM links `main` as `FuzzXLSX_main` (see FuzzSupport.runFuzzer).
@_cdecl("FuzzXLSX_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { fuzz($0, $1) }
}
