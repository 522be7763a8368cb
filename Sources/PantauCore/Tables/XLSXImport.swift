import Foundation

extension XLSXTable.CSV {
    /// The same error with its line given as the spreadsheet row (CSV lines and rows differ
    /// after a cell that holds line breaks).
    public func spreadsheetError(_ e: EventLogError) -> EventLogError {
        guard let at = e.location, at.line > 0 else { return e }
        var l = at
        l.line = row(ofLine: at.line)
        return e.with(location: l)
    }
}

extension CSVReader {
    /// Reads an event log from the first visible sheet (or `sheet`) of an .xlsx workbook: the
    /// sheet becomes CSV (``XLSXTable/csv``) read with these options, so the column mapping, the
    /// time zone and every check are the CSV reader's; errors name the spreadsheet row as their
    /// line. Date cells arrive as `yyyy-MM-dd HH:mm:ss` without offset, read in
    /// ``Options/defaultTimeZone``.
    /// - Throws: ``XLSXReadError`` when the workbook cannot be read, ``EventLogError`` for its rows.
    public func read(xlsx data: Data, sheet: String? = nil) throws -> EventLog {
        let csv = try XLSXReader(options: .init(sheet: sheet)).read(data).csv
        var o = options
        o.delimiter = UInt8(ascii: ",")
        do {
            return try CSVReader(options: o).read(data: csv.data)
        } catch let e as EventLogError {
            throw csv.spreadsheetError(e)
        }
    }
}

extension EventLogError {
    /// The same error naming `fileName` as the file it is in.
    public func with(fileName: String) -> EventLogError { with(file: fileName) }
}
