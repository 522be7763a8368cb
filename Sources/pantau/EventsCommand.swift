import ArgumentParser
import Foundation
import PantauCore
import PantauStore

/// `pantau events import FILE --sop ID`: service events from a log file into the store (see
/// docs/monitoring.md, "Impor kejadian dari berkas (CLI)").
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "events", abstract: "Service events (cases of an SOP) in the store.",
                                                    subcommands: [Import.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import the events of a log file (.csv, .csv.gz, .xes, .xes.gz, .xlsx) as cases of an SOP.",
            discussion: """
            Every event is checked first; by default one bad event stops the import before anything is stored \
            (with --skip-invalid the good events are stored and the bad ones listed). Events are then stored in \
            batches, one transaction each. Each event's id is derived from the file name, its case and its position \
            in the case, so importing the same file again stores nothing twice and completes an interrupted import.
            """)

        @OptionGroup var db: DatabaseOptions
        @Argument(help: "The log: .csv, .csv.gz, .xes, .xes.gz or .xlsx (the first visible sheet, or --sheet).") var file: String
        @Option(help: "SOP id (see `pantau sop list`).") var sop: Int64
        @Option(help: "Unit code for new cases whose events name no unit (default: the SOP's unit).") var unit: String?
        @Flag(help: "Store the valid events and list the rejected ones (default: all or nothing).") var skipInvalid = false
        @Option(help: "Events per transaction (1…\(EventLimits.maxBatch)).") var batch = EventLimits.maxBatch
        @Option(help: "CSV: column of the case id (default: detected, e.g. case:concept:name, case_id).") var caseColumn: String?
        @Option(help: "CSV: column of the activity (default: detected, e.g. concept:name, activity).") var activityColumn: String?
        @Option(help: "CSV: column of the completion timestamp (default: detected, e.g. time:timestamp).") var timestampColumn: String?
        @Option(help: "CSV: column of the start timestamp (default: detected, e.g. start_timestamp).") var startColumn: String?
        @Option(help: "CSV: column of the resource (default: detected, e.g. org:resource).") var resourceColumn: String?
        @Option(help: "CSV: column of the unit code (default: detected, e.g. org:group, unit_kerja).") var unitColumn: String?
        @Option(help: "Zone of timestamps written without an offset, e.g. Asia/Jakarta (default UTC); also of Excel date cells.") var timeZone: String?
        @Option(help: "XLSX: the sheet to read (tab name; default the first visible sheet).") var sheet: String?

        func validate() throws {
            guard (1...EventLimits.maxBatch).contains(batch) else { throw ValidationError("--batch must be between 1 and \(EventLimits.maxBatch)") }
        }

        /// How to read the file, once per pass of the import (CSV and XES stream through a bounded
        /// buffer; an .xlsx workbook is read into memory and its sheet handed out in chunks).
        func openLog() throws -> @Sendable () throws -> any EventChunkSource {
            let url = URL(fileURLWithPath: file)
            let name = url.lastPathComponent.lowercased()
            var zoneGiven = TimeZone(identifier: "UTC")!
            if let z = timeZone {
                guard let tz = TimeZone(identifier: z) else { throw ValidationError("--time-zone: unknown zone '\(z)'") }
                zoneGiven = tz
            }
            let zone = zoneGiven
            let mapping = CSVColumnMapping(caseID: caseColumn, activity: activityColumn, timestamp: timestampColumn,
                                           startTimestamp: startColumn, resource: resourceColumn, unit: unitColumn)
            // File order inside each case, so "event k of case X" is the k-th row of X in the file.
            let csvOptions = CSVReader.Options(mapping: mapping, defaultTimeZone: zone, ordering: .asAppended)
            // An Excel workbook whatever its name (told by the ZIP signature): its sheet read as CSV.
            if name.hasSuffix(".xlsx") || Self.startsLikeZip(url) {
                let sheet = sheet
                return { try CSVReader(options: csvOptions).chunks(xlsx: try Data(contentsOf: url), sheet: sheet) }
            }
            if name.hasSuffix(".xes") || name.hasSuffix(".xes.gz") {
                return { try XESReader(options: .init(defaultTimeZone: zone)).chunks(contentsOf: url) }
            }
            if name.hasSuffix(".csv") || name.hasSuffix(".csv.gz") {
                return { try CSVReader(options: csvOptions).chunks(contentsOf: url) }
            }
            throw ValidationError("FILE: use a .csv, .csv.gz, .xes, .xes.gz or .xlsx file")
        }

        /// Whether the file starts with a ZIP signature (an .xlsx under another name).
        static func startsLikeZip(_ url: URL) -> Bool {
            guard let h = try? FileHandle(forReadingFrom: url) else { return false }
            defer { try? h.close() }
            return XLSXReader.looksLikeZip((try? h.read(upToCount: 4)) ?? Data())
        }

        func run() async throws {
            let started = Date()
            let open = try openLog()
            let fileName = URL(fileURLWithPath: file).lastPathComponent
            try await withStore(db) { store in
                let report = try await EventFileImport(open: open, fileName: fileName, sopID: sop, defaultUnit: unit,
                                                       skipInvalid: skipInvalid, batch: batch).run(store)
                let seconds = Date().timeIntervalSince(started)
                say(report.summary(seconds: seconds))
                if report.failed { throw ExitCode(1) }
            }
        }
    }
}

/// The import itself (the shared `EventLogImport`), with the command line's messages and progress.
struct EventFileImport {
    let open: @Sendable () throws -> any EventChunkSource
    let fileName: String
    let sopID: Int64
    let defaultUnit: String?
    let skipInvalid: Bool
    let batch: Int

    typealias Rejection = EventLogImport.Rejection

    struct Report {
        var base: EventLogImport.Report
        var read: Int { base.read }
        var stored: Int { base.stored }
        var duplicates: Int { base.duplicates }
        var rejected: [Rejection] { base.rejected }
        var casesTouched: Set<Int64> { base.casesTouched }
        var failed: Bool { base.failed }
        var fileName: String { base.fileName }

        func summary(seconds: Double) -> String {
            let rate = seconds > 0 ? Double(stored + duplicates) / seconds : 0
            return """
            \(fileName): \(grouped(read)) kejadian dibaca / events read
              disimpan / stored:             \(grouped(stored))
              duplikat / duplicates:         \(grouped(duplicates))
              ditolak / rejected:            \(grouped(rejected.count))
              kasus tersentuh / cases touched: \(grouped(casesTouched.count))
              waktu / time:                  \(String(format: "%.1f", seconds)) s (\(grouped(Int(rate.rounded()))) kejadian/s)
            """
        }
    }

    /// A stable id of event `position` (1-based) of a case: the same file gives the same ids.
    static func clientID(file: String, caseID: String, position: Int) -> String {
        EventLogImport.clientID(file: file, caseID: caseID, position: position)
    }

    func run(_ store: PantauStore) async throws -> Report {
        // The SOP and the units.
        do { _ = try await store.sop(id: sopID) } catch StoreError.notFound {
            throw CLIError("SOP \(sopID) tidak ada / unknown SOP \(sopID) (see `pantau sop list`); nothing stored")
        }
        var defaultUnitID: Int64?
        if let code = defaultUnit {
            let units = try await store.units()
            guard let u = units.first(where: { $0.code.lowercased() == code.lowercased() }) else { throw CLIError("unknown unit code '\(code)'") }
            defaultUnitID = u.id
        }
        let scope = IngestScope(allowedUnits: nil, defaultUnit: defaultUnitID, source: .import, receivedBy: AuditActor.cli.label)
        let shared = EventLogImport(fileName: fileName, sopID: sopID, skipInvalid: skipInvalid, batch: batch, open: open)
        let progress = ImportProgress()
        let r: EventLogImport.Report
        do {
            r = try await shared.run(store, scope: scope, by: .cli) { progress.update($0) }
        } catch let e as EventLogError {
            progress.finishLine()
            throw CLIError("tidak dapat dibaca / cannot read: \(e.with(fileName: fileName)); nothing stored")
        } catch let e as XLSXReadError {
            progress.finishLine()
            throw CLIError("tidak dapat dibaca / cannot read: \(fileName): \(e.description)")
        } catch let e as CocoaError {
            progress.finishLine()
            throw CLIError("tidak dapat dibaca / cannot read: \(fileName): \(e.localizedDescription)")
        }
        progress.finishLine()
        switch r.ending {
        case .invalid:
            printErr("Impor dibatalkan, tidak ada yang disimpan / import stopped, nothing stored: \(grouped(r.rejected.count)) kejadian tidak sah (invalid events)")
            printRejections(r.rejected, limit: 20)
            printErr("Perbaiki berkas, atau ulangi dengan --skip-invalid untuk menyimpan kejadian yang sah.")
        case .stoppedInBatch:
            printErr("Impor berhenti / import stopped: kumpulan ini ditolak, \(grouped(r.stored)) kejadian dari kumpulan sebelumnya sudah tersimpan.")
            printRejections(r.rejected, limit: 20)
            printErr("Setelah diperbaiki, ulangi impor berkas yang sama: kejadian yang sudah tersimpan tidak disimpan dua kali.")
        case .completed:
            if !r.rejected.isEmpty {
                printErr("Kejadian yang ditolak / rejected events: \(grouped(r.rejected.count))")
                printRejections(r.rejected, limit: 200)
            }
        }
        return Report(base: r)
    }

    func printRejections(_ rs: [Rejection], limit: Int) {
        for r in rs.prefix(limit) {
            let what = r.problems.map { "\($0.field): \(Self.reason($0))" }.joined(separator: "; ")
            let line = r.line > 0 ? "baris \(grouped(r.line)), " : ""
            printErr("  \(line)kasus \"\(r.caseID)\", kejadian ke-\(r.position) (\"\(r.activity)\"): \(what)")
        }
        if rs.count > limit { printErr("  … dan \(grouped(rs.count - limit)) lainnya (and more)") }
    }

    /// A problem in words (Bahasa Indonesia, the code in brackets).
    static func reason(_ p: InputProblem) -> String {
        let text: String
        switch p.code {
        case "required": text = "wajib diisi"
        case "too_long": text = "terlalu panjang (maks. \(p.arguments.first ?? "?"))"
        case "invalid": text = "tidak ada atau tidak sah"
        case "in_future": text = "di masa depan"
        case "after_timestamp": text = "mulai setelah waktu selesai"
        case "too_many": text = "terlalu banyak (maks. \(p.arguments.first ?? "?"))"
        case "unknown_unit": text = "kode unit '\(p.arguments.first ?? "")' tidak dikenal"
        case "case_other_unit": text = "kasus ini milik unit lain"
        case "out_of_scope": text = "di luar cakupan unit"
        case "unknown_sop": text = "SOP tidak ada"
        default: text = p.code
        }
        return "\(text) [\(p.code)]"
    }
}

/// The progress line on standard error when it is a terminal: rewritten in place at most four
/// times a second, "memeriksa / checking: 40.000 kejadian dibaca (46%) · 52.000 kejadian/s", then
/// "menyimpan / storing: 20.000 / 86.332 kejadian (23%) · 5.600 kejadian/s". Otherwise one plain
/// line per stored batch ("20.000 / 86.332 kejadian…"). The final summary goes to standard output.
final class ImportProgress {
    private let tty = isatty(STDERR_FILENO) != 0
    private var shown = false
    private var last = Date.distantPast
    private var phaseStarted = Date()
    private var phase: EventLogImport.Progress.Phase?

    func update(_ p: EventLogImport.Progress) {
        guard tty else {
            // Not a terminal (a log file, CI): one plain line per stored batch, as before.
            if p.phase == .storing, let total = p.total, p.stored > 0 {
                FileHandle.standardError.write(Data("\(grouped(p.stored)) / \(grouped(total)) kejadian…\n".utf8))
            }
            return
        }
        let now = Date()
        if p.phase != phase {
            phase = p.phase
            phaseStarted = now
        }
        guard now.timeIntervalSince(last) >= 0.25 else { return }
        last = now
        let elapsed = now.timeIntervalSince(phaseStarted)
        let count = p.phase == .checking ? p.read : p.stored
        let rate = elapsed > 0 ? grouped(Int((Double(count) / elapsed).rounded())) : "–"
        let line: String
        switch p.phase {
        case .checking:
            line = "memeriksa / checking: \(grouped(p.read)) kejadian dibaca (\(Int(p.fraction * 100))%) · \(rate) kejadian/s"
        case .storing:
            let pct = p.total.map { $0 > 0 ? Int(Double(p.stored) / Double($0) * 100) : 100 } ?? Int(p.fraction * 100)
            line = "menyimpan / storing: \(grouped(p.stored)) / \(grouped(p.total ?? 0)) kejadian (\(pct)%) · \(rate) kejadian/s"
        }
        FileHandle.standardError.write(Data(("\r" + line + "\u{1B}[K").utf8))
        shown = true
    }

    func finishLine() {
        if tty && shown { FileHandle.standardError.write(Data("\n".utf8)) }
        shown = false
    }
}

/// 86332 → "86.332" (Indonesian digit grouping).
func grouped(_ n: Int) -> String {
    let s = String(n.magnitude)
    var out = ""
    for (i, ch) in s.enumerated() {
        if i > 0 && (s.count - i) % 3 == 0 { out.append(".") }
        out.append(ch)
    }
    return (n < 0 ? "-" : "") + out
}
