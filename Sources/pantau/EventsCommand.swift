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
            abstract: "Import the events of a log file (.csv, .csv.gz, .xes, .xes.gz) as cases of an SOP.",
            discussion: """
            Every event is checked first; by default one bad event stops the import before anything is stored \
            (with --skip-invalid the good events are stored and the bad ones listed). Events are then stored in \
            batches, one transaction each. Each event's id is derived from the file name, its case and its position \
            in the case, so importing the same file again stores nothing twice and completes an interrupted import.
            """)

        @OptionGroup var db: DatabaseOptions
        @Argument(help: "The log: .csv, .csv.gz, .xes or .xes.gz.") var file: String
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
        @Option(help: "Zone of timestamps written without an offset, e.g. Asia/Jakarta (default UTC).") var timeZone: String?

        func validate() throws {
            guard (1...EventLimits.maxBatch).contains(batch) else { throw ValidationError("--batch must be between 1 and \(EventLimits.maxBatch)") }
        }

        func readLog() throws -> EventLog {
            let url = URL(fileURLWithPath: file)
            let name = url.lastPathComponent.lowercased()
            var zone = TimeZone(identifier: "UTC")!
            if let z = timeZone {
                guard let tz = TimeZone(identifier: z) else { throw ValidationError("--time-zone: unknown zone '\(z)'") }
                zone = tz
            }
            do {
                if name.hasSuffix(".xes") || name.hasSuffix(".xes.gz") {
                    return try XESReader(options: .init(defaultTimeZone: zone)).read(contentsOf: url)
                }
                if name.hasSuffix(".csv") || name.hasSuffix(".csv.gz") {
                    let mapping = CSVColumnMapping(caseID: caseColumn, activity: activityColumn, timestamp: timestampColumn,
                                                   startTimestamp: startColumn, resource: resourceColumn, unit: unitColumn)
                    // File order inside each case, so "event k of case X" is the k-th row of X in the file.
                    return try CSVReader(options: .init(mapping: mapping, defaultTimeZone: zone, ordering: .asAppended)).read(contentsOf: url)
                }
            } catch let e as EventLogError {
                throw CLIError("tidak dapat dibaca / cannot read: \(e.description)")
            }
            throw ValidationError("FILE: use a .csv, .csv.gz, .xes or .xes.gz file")
        }

        func run() async throws {
            let started = Date()
            let log = try readLog()
            let fileName = URL(fileURLWithPath: file).lastPathComponent
            try await withStore(db) { store in
                let report = try await EventFileImport(log: log, fileName: fileName, sopID: sop, defaultUnit: unit,
                                                       skipInvalid: skipInvalid, batch: batch).run(store)
                let seconds = Date().timeIntervalSince(started)
                say(report.summary(seconds: seconds))
                if report.failed { throw ExitCode(1) }
            }
        }
    }
}

/// The import itself: validate every event, then store them in batches.
struct EventFileImport {
    let log: EventLog
    let fileName: String
    let sopID: Int64
    let defaultUnit: String?
    let skipInvalid: Bool
    let batch: Int

    /// One event that was refused, with where it is in the file.
    struct Rejection {
        var caseID: String
        var position: Int
        var activity: String
        var problems: [InputProblem]
    }

    struct Report {
        var read = 0
        var stored = 0
        var duplicates = 0
        var rejected: [Rejection] = []
        var casesTouched = Set<Int64>()
        var failed = false
        var fileName = ""

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
        let plain = "\(file)#\(caseID)#\(position)"
        if plain.count <= EventLimits.maxIDLength { return plain }
        return "\(file.prefix(60))#~\(fnv(caseID))#\(position)"
    }

    /// 128-bit FNV-1a (two 64-bit lanes) as hex: a compact stand-in for a long case id.
    static func fnv(_ s: String) -> String {
        var a: UInt64 = 0xcbf2_9ce4_8422_2325, b: UInt64 = 0x8422_2325_cbf2_9ce4
        for byte in s.utf8 {
            a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            b = (b ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 &+ 0x9E37
        }
        return String(format: "%016llx%016llx", a, b)
    }

    /// The event `e` of case `c` (its `position`-th, 1-based) as the store receives it.
    func input(case c: Int, event e: Int, position: Int) -> EventInput {
        let caseID = log.caseIDs[c]
        var attributes = log.eventAttributes.attributes(ofRow: e)
        if position == 1 {
            for (k, v) in log.caseAttributes.attributes(ofRow: c) where attributes["case:" + k] == nil { attributes["case:" + k] = v }
        }
        let unit = log.unit(ofEvent: e).map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        return EventInput(clientID: Self.clientID(file: fileName, caseID: caseID, position: position), sopID: sopID,
                          caseReference: caseID, activity: log.activities[Int(log.eventActivity[e])],
                          at: Date(timeIntervalSince1970: log.completeTime(ofEvent: e) ?? .nan),
                          startedAt: log.startTime(ofEvent: e).map { Date(timeIntervalSince1970: $0) },
                          resource: log.resource(ofEvent: e), unitCode: unit, attributes: attributes)
    }

    /// Every event of the log, in file order per case: (case, event index, 1-based position).
    func forEachEvent(_ body: (Int, Int, Int) throws -> Void) rethrows {
        for c in 0..<log.caseCount {
            for (k, e) in log.events(ofCase: c).enumerated() { try body(c, e, k + 1) }
        }
    }

    func run(_ store: PantauStore) async throws -> Report {
        var report = Report()
        report.fileName = fileName
        report.read = log.eventCount
        // The SOP and the units.
        do { _ = try await store.sop(id: sopID) } catch StoreError.notFound {
            throw CLIError("SOP \(sopID) tidak ada / unknown SOP \(sopID) (see `pantau sop list`); nothing stored")
        }
        let units = try await store.units()
        let known = Set(units.map { $0.code.lowercased() })
        var defaultUnitID: Int64?
        if let code = defaultUnit {
            guard let u = units.first(where: { $0.code.lowercased() == code.lowercased() }) else { throw CLIError("unknown unit code '\(code)'") }
            defaultUnitID = u.id
        }

        // 1. Validate everything before storing anything.
        let now = Date()
        var invalid = [Bool](repeating: false, count: log.eventCount)
        var caseUnit: [Int: String] = [:]
        forEachEvent { c, e, k in
            let input = input(case: c, event: e, position: k)
            var p = input.problems(now: now)
            if let code = input.unitCode {
                if !known.contains(code.lowercased()) { p.append(InputProblem("unit", "unknown_unit", [code])) }
                else if let first = caseUnit[c], first.lowercased() != code.lowercased() { p.append(InputProblem("unit", "case_other_unit", [input.caseReference])) }
                else { caseUnit[c] = code }
            }
            if !p.isEmpty {
                invalid[e] = true
                report.rejected.append(Rejection(caseID: input.caseReference, position: k, activity: input.activity, problems: p))
            }
        }
        if !report.rejected.isEmpty && !skipInvalid {
            printErr("Impor dibatalkan, tidak ada yang disimpan / import stopped, nothing stored: \(grouped(report.rejected.count)) kejadian tidak sah (invalid events)")
            printRejections(report.rejected, limit: 20)
            printErr("Perbaiki berkas, atau ulangi dengan --skip-invalid untuk menyimpan kejadian yang sah.")
            report.failed = true
            return report
        }

        // 2. Store in batches (one transaction each).
        let scope = IngestScope(allowedUnits: nil, defaultUnit: defaultUnitID, source: .import, receivedBy: AuditActor.cli.label)
        let total = log.eventCount - report.rejected.count
        var done = 0
        let progress = ImportProgress(total: total)
        var pending: [EventInput] = []
        var where_: [(String, Int)] = []
        pending.reserveCapacity(batch)
        func flush() async throws {
            guard !pending.isEmpty else { return }
            let outcomes: [EventOutcome]
            do {
                outcomes = try await store.ingestEvents(pending, scope: scope, by: .cli, allOrNothing: !skipInvalid)
            } catch let StoreError.rejected(problems) {
                // All or nothing: a check only the store can make failed (e.g. a case of another unit).
                var rs: [Rejection] = []
                for p in problems {
                    let parts = p.field.split(separator: ".", maxSplits: 1)
                    if parts.count == 2, let i = Int(parts[0]), i >= 1, i <= pending.count {
                        rs.append(Rejection(caseID: where_[i - 1].0, position: where_[i - 1].1, activity: pending[i - 1].activity,
                                            problems: [InputProblem(String(parts[1]), p.code, p.arguments)]))
                    } else {
                        rs.append(Rejection(caseID: "-", position: 0, activity: "", problems: [p]))
                    }
                }
                progress.finishLine()
                printErr("Impor berhenti / import stopped: kumpulan ini ditolak, \(grouped(report.stored)) kejadian dari kumpulan sebelumnya sudah tersimpan.")
                printRejections(rs, limit: 20)
                printErr("Setelah diperbaiki, ulangi impor berkas yang sama: kejadian yang sudah tersimpan tidak disimpan dua kali.")
                report.rejected += rs
                report.failed = true
                throw ImportStopped()
            }
            for (i, o) in outcomes.enumerated() {
                switch o {
                case let .stored(_, caseID):
                    report.stored += 1
                    report.casesTouched.insert(caseID)
                case .duplicate:
                    report.duplicates += 1
                case let .rejected(ps):
                    report.rejected.append(Rejection(caseID: where_[i].0, position: where_[i].1, activity: pending[i].activity, problems: ps))
                }
            }
            done += pending.count
            progress.update(done)
            pending.removeAll(keepingCapacity: true)
            where_.removeAll(keepingCapacity: true)
        }
        do {
            for c in 0..<log.caseCount {
                for (k, e) in log.events(ofCase: c).enumerated() where !invalid[e] {
                    pending.append(input(case: c, event: e, position: k + 1))
                    where_.append((log.caseIDs[c], k + 1))
                    if pending.count >= batch { try await flush() }
                }
            }
            try await flush()
        } catch is ImportStopped {
            return report
        }
        progress.finishLine()
        if !report.rejected.isEmpty {
            printErr("Kejadian yang ditolak / rejected events: \(grouped(report.rejected.count))")
            printRejections(report.rejected, limit: 200)
        }
        return report
    }

    struct ImportStopped: Error {}

    func printRejections(_ rs: [Rejection], limit: Int) {
        for r in rs.prefix(limit) {
            let what = r.problems.map { "\($0.field): \(Self.reason($0))" }.joined(separator: "; ")
            printErr("  kasus \"\(r.caseID)\", kejadian ke-\(r.position) (\"\(r.activity)\"): \(what)")
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

/// "12.000 / 86.332 kejadian…" on standard error: rewritten in place on a terminal, one line per
/// batch otherwise.
final class ImportProgress {
    let total: Int
    private let tty = isatty(STDERR_FILENO) != 0
    private var shown = false

    init(total: Int) { self.total = total }

    func update(_ done: Int) {
        let line = "\(grouped(done)) / \(grouped(total)) kejadian…"
        FileHandle.standardError.write(Data((tty ? "\r" + line : line + "\n").utf8))
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
