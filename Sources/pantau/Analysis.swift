import ArgumentParser
import Foundation
import PantauCore
import PantauReports

/// Reads an event log by its file name: `.xes`/`.xes.gz` or `.csv`/`.csv.gz`.
struct LogOptions: ParsableArguments {
    @Option(help: "Event log: .xes, .xes.gz, .csv or .csv.gz.") var log: String
    @Option(help: "CSV: column of the case id (default: detected, e.g. case:concept:name, case_id).") var caseColumn: String?
    @Option(help: "CSV: column of the activity (default: detected, e.g. concept:name, activity).") var activityColumn: String?
    @Option(help: "CSV: column of the completion timestamp (default: detected, e.g. time:timestamp).") var timestampColumn: String?
    @Option(help: "CSV: column of the start timestamp (optional).") var startColumn: String?
    @Option(help: "CSV: column of the resource (optional).") var resourceColumn: String?
    @Option(help: "Zone of timestamps written without an offset, e.g. Asia/Jakarta (default UTC).") var timeZone: String?

    func read() throws -> EventLog {
        let url = URL(fileURLWithPath: log)
        let name = url.lastPathComponent.lowercased()
        var zone = TimeZone(identifier: "UTC")!
        if let z = timeZone {
            guard let tz = TimeZone(identifier: z) else { throw ValidationError("--time-zone: unknown zone '\(z)'") }
            zone = tz
        }
        if name.hasSuffix(".xes") || name.hasSuffix(".xes.gz") {
            return try XESReader(options: .init(defaultTimeZone: zone)).read(contentsOf: url)
        }
        if name.hasSuffix(".csv") || name.hasSuffix(".csv.gz") {
            let mapping = CSVColumnMapping(caseID: caseColumn, activity: activityColumn, timestamp: timestampColumn,
                                           startTimestamp: startColumn, resource: resourceColumn)
            return try CSVReader(options: .init(mapping: mapping, defaultTimeZone: zone)).read(contentsOf: url)
        }
        throw ValidationError("--log: use a .xes, .xes.gz, .csv or .csv.gz file")
    }
}

/// Shows "done/total" on a terminal (standard error), at most a few times a second.
final class Progress: @unchecked Sendable {
    private let label: String
    private let enabled = isatty(STDERR_FILENO) != 0
    private var last = Date.distantPast
    private let lock = NSLock()

    init(_ label: String) { self.label = label }

    var callback: @Sendable (Int, Int) -> Void {
        { [self] done, total in self.update(done, total) }
    }

    func update(_ done: Int, _ total: Int) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        guard done == total || now.timeIntervalSince(last) > 0.2 else { return }
        last = now
        let pct = total > 0 ? Int(Double(done) / Double(total) * 100) : 100
        FileHandle.standardError.write(Data("\r\(label): \(done)/\(total) (\(pct)%)\(done == total ? "\n" : "")".utf8))
    }
}

struct Analyze: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a service log against an SOP: deviations per step, actor and unit; step times against the time standard; rework; bottlenecks.",
        discussion: "Log activities are matched to SOP steps by their activity name or `nama_di_log` (case-insensitive).")

    @Option(help: "The SOP file (.yaml/.yml/.json, see docs/sop-format.md).") var sop: String
    @OptionGroup var logOptions: LogOptions
    @Option(help: "text, json or html.") var format = "text"
    @Option(help: "Language of the text and HTML report: id or en.") var language = "id"
    @Option(name: .shortAndLong, help: "Write the report to this file instead of standard output.") var output: String?
    @Option(help: ArgumentHelp("Step ids that leave no event in the log (a decision, the end step), for this run: as `tercatat: false` in the SOP, their absence is no skip.",
                               valueName: "id[,id...]"))
    var notRecorded: [String] = []

    /// Marks the steps named by `--not-recorded` as not recorded; an id the SOP does not have is an error.
    static func markNotRecorded(_ ids: [String], in doc: inout SOPDocument) throws -> Set<String> {
        let wanted = ids.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let known = Set(doc.steps.map(\.id))
        if let bad = wanted.first(where: { !known.contains($0) }) {
            throw ValidationError("--not-recorded: the SOP has no step '\(bad)' (its steps: \(doc.steps.map(\.id).joined(separator: ", ")))")
        }
        let set = Set(wanted)
        for i in doc.steps.indices where set.contains(doc.steps[i].id) { doc.steps[i].recorded = false }
        return set
    }

    func run() async throws {
        guard ["text", "json", "html"].contains(format) else { throw ValidationError("--format must be text, json or html") }
        guard let lang = Language(rawValue: language) else { throw ValidationError("--language must be id or en") }
        var doc = try readSOP(sop)
        // Only steps the file still calls recorded are marked "for this run".
        let already = Set(doc.steps.filter { !$0.recorded }.map(\.id))
        let marked = try Self.markNotRecorded(notRecorded, in: &doc).subtracting(already)
        let log = try logOptions.read()
        let conformance = try SOPConformance(options: .init(includeCases: format == "json"))
            .check(log, against: doc, progress: Progress("alignments").callback)
        let performance = SOPPerformance().analyze(log, against: doc)
        let report = SOPAnalysisReport(document: doc, logName: URL(fileURLWithPath: logOptions.log).lastPathComponent,
                                       conformance: conformance, performance: performance, notRecordedForRun: marked)
        let text: String
        switch format {
        case "json":
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            text = String(decoding: try enc.encode(report), as: UTF8.self) + "\n"
        case "html": text = report.html(language: lang)
        default: text = report.text(language: lang)
        }
        try emit(text, to: output)
    }
}

struct Conformance: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Conformance of a log to a process model (.pnml or .bpmn), with the numbers PM4Py reports.")

    @Option(help: "The model: .pnml (with final marking) or .bpmn.") var model: String
    @OptionGroup var logOptions: LogOptions
    @Option(help: "alignments or token-replay.") var method = "alignments"
    @Flag(help: "Print JSON instead of text.") var json = false
    @Option(help: "Alignments: bound on expanded states per trace variant.") var maxStates = 1_000_000

    func run() async throws {
        guard let m = ConformanceCheck.Method(rawValue: method) else { throw ValidationError("--method must be alignments or token-replay") }
        let log = try logOptions.read()
        let check = ConformanceCheck(options: .init(method: m, alignment: Alignments.Options(maxExpandedStates: maxStates, keepMoves: false)))
        let started = Date()
        let s = try check.run(log, modelURL: URL(fileURLWithPath: model), progress: Progress(method).callback)
        let seconds = Date().timeIntervalSince(started)
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try emit(String(decoding: try enc.encode(s), as: UTF8.self) + "\n", to: nil)
            return
        }
        var out = """
        model                       \(s.model) (\(s.net.places) places, \(s.net.transitions) transitions, \(s.net.silentTransitions) silent)
        log                         \(URL(fileURLWithPath: logOptions.log).lastPathComponent): \(s.traces) traces, \(s.variants) variants
        method                      \(s.method.rawValue)
        log_fitness                 \(s.logFitness)
        average_trace_fitness       \(s.averageTraceFitness)
        percentage_of_fitting_traces \(s.percentageOfFittingTraces)

        """
        if let a = s.alignments {
            out += "total cost / bwc            \(a.totalCost) / \(a.totalBWC)\n"
            out += "moves (sync/log/model/tau)  \(a.moves.sync)/\(a.moves.log)/\(a.moves.model)/\(a.moves.silent)\n"
            if a.unalignedTraces > 0 { out += "unaligned traces            \(a.unalignedTraces) (state bound \(maxStates) reached; excluded)\n" }
        }
        if let t = s.tokenReplay {
            out += "missing/consumed            \(t.missing)/\(t.consumed)\nremaining/produced          \(t.remaining)/\(t.produced)\n"
        }
        out += "time                        \(String(format: "%.3f", seconds)) s\n"
        try emit(out, to: nil)
    }
}

func readSOP(_ path: String) throws -> SOPDocument {
    guard let format = SOPFileFormat(fileName: path) else { throw ValidationError("--sop: use a .yaml, .yml or .json file") }
    let text: String
    do { text = try String(contentsOfFile: path, encoding: .utf8) } catch { throw CLIError("cannot read \(path): \(error.localizedDescription)") }
    do { return try SOPFile.decode(text, format: format) } catch {
        throw CLIError("\(path):\(error.line.map { "\($0):" } ?? "") \(error.description)")
    }
}

func emit(_ text: String, to output: String?) throws {
    if let output {
        try text.write(toFile: output, atomically: true, encoding: .utf8)
    } else {
        say(text, terminator: "")
    }
}
