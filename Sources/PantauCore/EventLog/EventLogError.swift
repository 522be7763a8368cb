import Foundation

/// Where in an input a problem was found: file (when read from one), 1-based line and column.
///
/// For CSV the column is the 1-based *field* number; for XML it is the 1-based byte offset in the
/// line. For gzip errors line and column are 0 (the position is in compressed data).
public struct InputLocation: Hashable, Sendable, Codable, CustomStringConvertible {
    public var file: String?
    public var line: Int
    public var column: Int

    public init(file: String? = nil, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String {
        let f = file.map { "\($0):" } ?? ""
        return line > 0 ? "\(f)\(line):\(column)" : (file ?? "<input>")
    }
}

/// Everything that can go wrong reading or writing an event log. Each case says what and where.
///
/// Readers never crash on bad input: malformed bytes, dates, quotes or compressed data all end in
/// one of these errors.
public enum EventLogError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A timestamp could not be parsed (`field` is the column or XES key).
    case invalidTimestamp(value: String, field: String, at: InputLocation)
    /// A required column is not in the CSV header (`available` lists the header).
    case missingColumn(name: String, available: [String], at: InputLocation)
    /// A required value is empty or absent (e.g. an event without activity, a row without case id).
    case missingValue(field: String, at: InputLocation)
    /// A CSV record has a different number of fields than the header.
    case wrongFieldCount(expected: Int, found: Int, at: InputLocation)
    /// A quoted CSV field is not closed before the end of the input.
    case unterminatedQuote(at: InputLocation)
    /// A CSV record is malformed (e.g. text after a closing quote).
    case malformedCSV(message: String, at: InputLocation)
    /// The XML is not well formed enough to be read as XES.
    case malformedXML(message: String, at: InputLocation)
    /// The input is not an XES log (e.g. no `<log>` element).
    case notXES(message: String, at: InputLocation)
    /// A gzip stream ends before its end marker.
    case truncatedGzip(at: InputLocation)
    /// A gzip stream is corrupt.
    case corruptGzip(message: String, at: InputLocation)
    /// A gzip stream expands to more than `limit` bytes (the reader's `maxDecompressedBytes`).
    case decompressedTooLarge(limit: Int, at: InputLocation)
    /// Reading or writing a file failed.
    case io(path: String, message: String)
    /// The input holds no bytes at all.
    case emptyInput(at: InputLocation)
    /// The log exceeds a structural limit (e.g. more than 2^31-1 events or distinct values).
    case tooLarge(message: String)

    public var description: String {
        switch self {
        case let .invalidTimestamp(value, field, at):
            return "\(at): invalid timestamp '\(value)' in \(field)"
        case let .missingColumn(name, available, at):
            return "\(at): missing column '\(name)' (header: \(available.joined(separator: ", ")))"
        case let .missingValue(field, at):
            return "\(at): missing value for \(field)"
        case let .wrongFieldCount(expected, found, at):
            return "\(at): expected \(expected) fields, found \(found)"
        case let .unterminatedQuote(at):
            return "\(at): quoted field is not closed"
        case let .malformedCSV(message, at):
            return "\(at): malformed CSV: \(message)"
        case let .malformedXML(message, at):
            return "\(at): malformed XML: \(message)"
        case let .notXES(message, at):
            return "\(at): not an XES log: \(message)"
        case let .truncatedGzip(at):
            return "\(at): gzip data ends early (truncated file)"
        case let .corruptGzip(message, at):
            return "\(at): corrupt gzip data: \(message)"
        case let .decompressedTooLarge(limit, at):
            return "\(at): gzip data expands to more than \(Self.byteCount(limit)), the limit for decompressed input (maxDecompressedBytes); refused"
        case let .io(path, message):
            return "\(path): \(message)"
        case let .emptyInput(at):
            return "\(at): empty input"
        case let .tooLarge(message):
            return "log too large: \(message)"
        }
    }

    /// `4 GiB (4294967296 bytes)`, `1.5 MiB (1572864 bytes)`, `512 bytes`.
    static func byteCount(_ n: Int) -> String {
        let units: [(Int, String)] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")]
        for (size, name) in units where n >= size {
            let v = Double(n) / Double(size)
            let text = v == v.rounded() ? String(Int(v)) : String(format: "%.1f", v)
            return "\(text) \(name) (\(n) bytes)"
        }
        return "\(n) bytes"
    }

    /// The location of the problem, when it has one.
    public var location: InputLocation? {
        switch self {
        case let .invalidTimestamp(_, _, at), let .missingColumn(_, _, at), let .missingValue(_, at),
             let .wrongFieldCount(_, _, at), let .unterminatedQuote(at), let .malformedXML(_, at), let .malformedCSV(_, at),
             let .notXES(_, at), let .truncatedGzip(at), let .corruptGzip(_, at), let .emptyInput(at),
             let .decompressedTooLarge(_, at):
            return at
        case .io, .tooLarge:
            return nil
        }
    }

    /// The same error with the file name filled in.
    func with(file: String?) -> EventLogError {
        guard let file else { return self }
        return mapLocation { var l = $0; l.file = file; return l }
    }

    /// The same error at `location` (the file name is kept when `location` has none).
    func with(location: InputLocation) -> EventLogError {
        mapLocation { old in var l = location; if l.file == nil { l.file = old.file }; return l }
    }

    private func mapLocation(_ f: (InputLocation) -> InputLocation) -> EventLogError {
        switch self {
        case let .invalidTimestamp(v, fl, at): return .invalidTimestamp(value: v, field: fl, at: f(at))
        case let .missingColumn(n, a, at): return .missingColumn(name: n, available: a, at: f(at))
        case let .missingValue(fl, at): return .missingValue(field: fl, at: f(at))
        case let .wrongFieldCount(e, fo, at): return .wrongFieldCount(expected: e, found: fo, at: f(at))
        case let .unterminatedQuote(at): return .unterminatedQuote(at: f(at))
        case let .malformedXML(m, at): return .malformedXML(message: m, at: f(at))
        case let .malformedCSV(m, at): return .malformedCSV(message: m, at: f(at))
        case let .notXES(m, at): return .notXES(message: m, at: f(at))
        case let .truncatedGzip(at): return .truncatedGzip(at: f(at))
        case let .corruptGzip(m, at): return .corruptGzip(message: m, at: f(at))
        case let .decompressedTooLarge(l, at): return .decompressedTooLarge(limit: l, at: f(at))
        case let .emptyInput(at): return .emptyInput(at: f(at))
        case .io, .tooLarge: return self
        }
    }
}
