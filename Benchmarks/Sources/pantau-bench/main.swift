import Foundation
import PantauCore

// pantau-bench: reads each event log (best of N) and runs every benchmark case on it.
//
//   pantau-bench [--shared DIR] [--log PATH]... [--only TEXT] [--repeat N] [--json] [--no-shared]
//                [--read-only] [--case TEXT]...
//
// Without --log it runs the shared logs (../shared/data/eventlogs). --log adds a log (for example
// the generated 200k-case log); --no-shared skips the shared ones. Times are wall-clock seconds,
// best of up to N runs (default 5; a step slower than 10 s runs once). The last line (or the
// "peak_rss_mib" JSON field) is the process's peak resident memory (getrusage ru_maxrss): run one
// log per process to attribute it.

let sharedLogs = [
    "running-example.xes", "reviewing.xes", "roadtraffic100traces.xes", "a32f0n10.xes.gz",
    "interval_event_log.csv", "sop_izin_1k.csv", "sop_izin_10k.xes.gz", "sop_izin_noisy_10k.csv.gz",
    "bpic2012.xes.gz",
]

var args = Array(CommandLine.arguments.dropFirst())
var sharedDir: URL? = nil
var extra: [String] = []
var only: [String] = []
var repeatCount = 5
var json = false
var useShared = true
var readOnly = false
var caseFilter: [String] = []
while !args.isEmpty {
    let a = args.removeFirst()
    switch a {
    case "--shared": sharedDir = URL(fileURLWithPath: args.isEmpty ? "" : args.removeFirst())
    case "--log": if !args.isEmpty { extra.append(args.removeFirst()) }
    case "--only": if !args.isEmpty { only.append(args.removeFirst()) }
    case "--repeat": repeatCount = max(1, Int(args.isEmpty ? "" : args.removeFirst()) ?? 5)
    case "--json": json = true
    case "--no-shared": useShared = false
    case "--read-only": readOnly = true
    case "--case": if !args.isEmpty { caseFilter.append(args.removeFirst()) }
    case "-h", "--help":
        print("usage: pantau-bench [--shared DIR] [--log PATH]... [--only TEXT] [--repeat N] [--json] [--no-shared] [--read-only] [--case TEXT]...")
        exit(0)
    default:
        FileHandle.standardError.write(Data("unknown argument \(a)\n".utf8))
        exit(2)
    }
}

if sharedDir == nil {
    if let env = ProcessInfo.processInfo.environment["PANTAU_SHARED_DIR"] {
        sharedDir = URL(fileURLWithPath: env).appendingPathComponent("data/eventlogs")
    } else {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        for _ in 0..<7 {
            dir = dir.deletingLastPathComponent()
            let u = dir.appendingPathComponent("shared/data/eventlogs")
            if FileManager.default.fileExists(atPath: u.path) { sharedDir = u; break }
        }
    }
}

var files: [URL] = []
if useShared, let sharedDir {
    files += sharedLogs.map { sharedDir.appendingPathComponent($0) }
}
files += extra.map { URL(fileURLWithPath: $0) }
if !only.isEmpty {
    files = files.filter { f in only.contains { f.lastPathComponent.contains($0) } }
}

struct StageResult: Encodable {
    let name: String
    let timing: Timing
    let note: String?
}

struct LogResult: Encodable {
    let file: String
    let bytes: Int
    let cases: Int
    let events: Int
    let stages: [StageResult]
}

func fmt(_ s: Double) -> String { String(format: s < 0.01 ? "%.5f" : "%.3f", s) }

var results: [LogResult] = []
let cases = readOnly ? [] : allBenchmarkCases().filter { c in
    caseFilter.isEmpty || caseFilter.contains { c.name.contains($0) }
}
for url in files {
    let name = url.lastPathComponent
    let bytes = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
    let read: () throws -> EventLog = {
        name.contains(".csv") ? try CSVReader().read(contentsOf: url) : try XESReader().read(contentsOf: url)
    }
    let log: EventLog
    let readTiming: Timing
    do {
        (log, readTiming) = try measure(repeat: repeatCount, read)
    } catch {
        FileHandle.standardError.write(Data("\(name): \(error)\n".utf8))
        continue
    }
    var stages = [StageResult(name: "read", timing: readTiming, note: nil)]
    let input = BenchmarkInput(fileName: name, url: url, stem: stemOf(name), log: log, sharedDir: sharedDir)
    if !json {
        print("\(name): \(log.caseCount) cases, \(log.eventCount) events, \(bytes) bytes")
        print("  \("read".padding(toLength: 34, withPad: " ", startingAt: 0)) \(fmt(readTiming.best)) s  (runs \(readTiming.runs.count))")
    }
    for c in cases where c.appliesTo(input) {
        do {
            let (note, t) = try measure(repeat: repeatCount) { try c.run(input) }
            stages.append(StageResult(name: c.name, timing: t, note: note))
            if !json {
                print("  \(c.name.padding(toLength: 34, withPad: " ", startingAt: 0)) \(fmt(t.best)) s  (runs \(t.runs.count))\(note.map { "  \($0)" } ?? "")")
            }
        } catch {
            FileHandle.standardError.write(Data("\(name) / \(c.name): \(error)\n".utf8))
        }
    }
    results.append(LogResult(file: name, bytes: bytes, cases: log.caseCount, events: log.eventCount, stages: stages))
}

let peak = peakRSSMiB()
if json {
    struct Output: Encodable {
        let tool = "pantau-bench"
        let logs: [LogResult]
        let peak_rss_mib: Double
    }
    let enc = JSONEncoder()
    enc.outputFormatting = [.prettyPrinted, .sortedKeys]
    let data = try enc.encode(Output(logs: results, peak_rss_mib: (peak * 10).rounded() / 10))
    print(String(decoding: data, as: UTF8.self))
} else {
    print(String(format: "peak resident memory: %.1f MiB", peak))
}
