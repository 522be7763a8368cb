// pantau-ingest-bench: service events into the store with their per-case analysis, on SQLite and
// PostgreSQL (issue 8's speed and scale goals).
//
// 1. Batch ingestion: every event of a log (default the shared sop_izin_10k.xes.gz; the 200,000-case
//    log is `gen_log.py --cases 200000 --seed 42 --csv sop_izin_200k.csv`) in batches of 5,000, each
//    batch one transaction that stores the events and re-checks the cases they touch; prints
//    events/s overall and per tenth of the log.
// 2. One event at a time while the store grows: at 10 k, 100 k and 1 M stored events (as far as the
//    log reaches) it sends 300 single events, each a new step of an existing case, and prints the mean
//    and p99 time per event: the re-check costs that case, not the log.
// 3. The monitoring figures of the SOP (what the page and API read), warm, 5 times.
//
//   swift build -c release --scratch-path .build-bench --product pantau-ingest-bench
//   .build-bench/release/pantau-ingest-bench [--log PATH] [--sop PATH] [--batch N]
//       [--sqlite PATH] [--postgres URL | env PANTAU_BENCH_DATABASE_URL] [--no-sqlite] [--batch-only]
//       [--senders N]
// --senders N: N senders at once, each sending the next batch of the log in its own transaction
// (as several offices' systems posting at the same time); the single-event probes need one sender.
import Foundation
import PantauCore
import PantauStore

struct Options {
    var log = "../../shared/data/eventlogs/sop_izin_10k.xes.gz"
    var sop = "../docs/examples/sop-penerbitan-izin-usaha.yaml"
    var batch = 5_000
    var sqlitePath: String?
    var postgresURL: String? = ProcessInfo.processInfo.environment["PANTAU_BENCH_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    var sqlite = true
    /// Batch ingestion only (no single-event probes, no monitoring figures): for profiling it.
    var batchOnly = false
    /// Batches sent at once (each by its own task, in its own transaction).
    var senders = 1
}

func parseOptions() -> Options {
    var o = Options()
    var args = CommandLine.arguments.dropFirst()
    while let a = args.popFirst() {
        switch a {
        case "--log": o.log = args.popFirst() ?? o.log
        case "--sop": o.sop = args.popFirst() ?? o.sop
        case "--batch": o.batch = max(1, min(EventLimits.maxBatch, Int(args.popFirst() ?? "") ?? o.batch))
        case "--sqlite": o.sqlitePath = args.popFirst()
        case "--postgres": o.postgresURL = args.popFirst()
        case "--no-sqlite": o.sqlite = false
        case "--batch-only": o.batchOnly = true
        case "--senders": o.senders = max(1, Int(args.popFirst() ?? "") ?? 1)
        case "-h", "--help":
            print("pantau-ingest-bench [--log PATH] [--sop PATH] [--batch N] [--sqlite PATH] [--postgres URL] [--no-sqlite] [--batch-only] [--senders N]")
            exit(0)
        default:
            FileHandle.standardError.write(Data("unknown option \(a)\n".utf8))
            exit(2)
        }
    }
    return o
}

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
func log(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }
func fmt(_ s: Double) -> String { s < 1 ? String(format: "%.2f ms", s * 1000) : String(format: "%.2f s", s) }

let options = parseOptions()
let actor = AuditActor(userID: nil, label: "bench")

let readStart = now()
let url = URL(fileURLWithPath: options.log)
let eventLog: EventLog = try {
    let name = url.lastPathComponent.lowercased()
    if name.hasSuffix(".xes") || name.hasSuffix(".xes.gz") { return try XESReader().read(contentsOf: url) }
    return try CSVReader().read(contentsOf: url)
}()
let sopText = try String(contentsOf: URL(fileURLWithPath: options.sop), encoding: .utf8)
let document = try SOPFile.decode(sopText, format: options.sop.hasSuffix(".json") ? .json : .yaml)
log("log \(url.lastPathComponent): \(eventLog.caseCount) cases, \(eventLog.eventCount) events, read in \(fmt(now() - readStart))")

/// Every event of the log as the API receives it (start and completion in one event).
func inputs(sopID: Int64) -> [EventInput] {
    var out: [EventInput] = []
    out.reserveCapacity(eventLog.eventCount)
    for c in 0..<eventLog.caseCount {
        let caseID = eventLog.caseIDs[c]
        for e in eventLog.events(ofCase: c) {
            out.append(EventInput(clientID: "\(caseID)#\(e)", sopID: sopID, caseReference: caseID,
                                  activity: eventLog.activities[Int(eventLog.eventActivity[e])],
                                  at: Date(timeIntervalSince1970: eventLog.completeTime(ofEvent: e) ?? 0),
                                  startedAt: eventLog.startTime(ofEvent: e).map { Date(timeIntervalSince1970: $0) },
                                  resource: eventLog.resource(ofEvent: e)))
        }
    }
    return out
}

/// A value shared by the senders.
final class Locked<T>: @unchecked Sendable {
    private var value: T
    private let lock = NSLock()
    init(_ value: T) { self.value = value }
    func withLockedValue<R>(_ body: (inout T) -> R) -> R { lock.lock(); defer { lock.unlock() }; return body(&value) }
}

func run(_ location: DatabaseLocation, label: String) async throws {
    let key = try AuditKey(secret: "pantau-ingest-bench-key-0123456789abcdef")
    let store = try await PantauStore.open(location, migrate: true, auditKey: key)
    let unit = try await store.createUnit(UnitInput(parentID: nil, code: "BENCH-\(UUID().uuidString.prefix(8))", name: "Bench", level: .instansi), by: actor)
    var doc = document
    doc.identity.number = "BENCH/\(UUID().uuidString.prefix(8))"
    let sop = try await store.createSOP(unitID: unit.id, document: doc, by: actor)
    let all = inputs(sopID: sop.id)
    let scope = IngestScope(allowedUnits: nil, source: .import, receivedBy: "bench")
    print("\n== \(label): \(all.count) events, \(eventLog.caseCount) cases, batches of \(options.batch)"
          + (options.senders > 1 ? ", \(options.senders) senders at once ==" : " =="))

    // Probes of single-event cost at these store sizes.
    var probes = options.batchOnly || options.senders > 1 ? [] : [10_000, 100_000, 1_000_000].filter { $0 <= all.count }
    var probeRows: [(Int, Double, Double)] = []
    func probe(at size: Int) async throws {
        // 300 single events, each a further step of an existing case (a repeated last step: rework).
        var times: [Double] = []
        var rng = SystemRandomNumberGenerator()
        for k in 0..<300 {
            let base = all[Int.random(in: 0..<size, using: &rng)]
            let e = EventInput(clientID: "probe-\(size)-\(k)", sopID: sop.id, caseReference: base.caseReference, activity: base.activity,
                               at: base.at.addingTimeInterval(60), startedAt: base.at.addingTimeInterval(30), resource: "probe")
            let t = now()
            _ = try await store.ingestEvents([e], scope: scope, by: actor)
            times.append(now() - t)
        }
        times.sort()
        let mean = times.reduce(0, +) / Double(times.count)
        let p99 = times[Int(Double(times.count - 1) * 0.99)]
        probeRows.append((size, mean, p99))
    }

    var stored = 0
    var probeTime = 0.0
    let start = now()
    if options.senders > 1 {
        // Each sender takes the next batch; progress is reported per tenth of the batches sent.
        let next = Locked((batch: 0, done: 0, tenth: start, reported: 0))
        let batches = (all.count + options.batch - 1) / options.batch
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<options.senders {
                group.addTask {
                    while true {
                        let b = next.withLockedValue { n -> Int in defer { n.batch += 1 }; return n.batch }
                        guard b < batches else { return }
                        let lo = b * options.batch, hi = min(lo + options.batch, all.count)
                        let out = try await store.ingestEvents(Array(all[lo..<hi]), scope: scope, by: actor)
                        if out.contains(where: { !$0.isAcknowledged }) { log("rejected events in batch at \(lo)"); exit(1) }
                        next.withLockedValue { n in
                            n.done += 1
                            if n.done % max(1, batches / 10) == 0 || n.done == batches {
                                let t = now()
                                let events = min(n.done * options.batch, all.count) - min(n.reported * options.batch, all.count)
                                log(String(format: "  %9d batches  %8.0f events/s (last tenth)", n.done, Double(events) / (t - n.tenth)))
                                n.tenth = t
                                n.reported = n.done
                            }
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        stored = all.count
    }
    var tenth = start
    var nextTenth = all.count / 10
    while stored < all.count {
        let end = min(stored + options.batch, all.count)
        let out = try await store.ingestEvents(Array(all[stored..<end]), scope: scope, by: actor)
        if out.contains(where: { !$0.isAcknowledged }) { log("rejected events in batch at \(stored)"); exit(1) }
        stored = end
        if stored >= nextTenth || stored == all.count {
            let t = now()
            log(String(format: "  %9d events  %8.0f events/s (last tenth)", stored, Double(all.count / 10) / (t - tenth)))
            tenth = t
            nextTenth += all.count / 10
        }
        if let p = probes.first, stored >= p {
            probes.removeFirst()
            let pause = now()
            try await probe(at: p)
            // Keep the probe's time out of the batch throughput.
            tenth += now() - pause
            probeTime += now() - pause
        }
    }
    let total = now() - start - probeTime
    print(String(format: "batch ingestion: %d events in %.1f s = %.0f events/s (with the per-case analysis)", all.count, total, Double(all.count) / total))
    for (size, mean, p99) in probeRows {
        print(String(format: "one event into a store of %8d events: mean %@, p99 %@", size, fmt(mean), fmt(p99)))
    }
    var times: [Double] = []
    var figures: MonitoringFigures?
    for _ in 0..<(options.batchOnly ? 0 : 5) {
        let t = now()
        figures = try await store.monitoring(sopID: sop.id, filter: MonitoringFilter())
        times.append(now() - t)
    }
    times.sort()
    if let f = figures, !times.isEmpty {
        print("monitoring figures (\(f.cases) cases, \(all.count) events): median \(fmt(times[2])), best \(fmt(times[0]))")
    }
    await store.shutdown()
}

do {
    if options.sqlite {
        let path = options.sqlitePath ?? FileManager.default.temporaryDirectory.appendingPathComponent("pantau-ingest-bench-\(UUID().uuidString).sqlite").path
        try await run(.sqlite(path: path), label: "SQLite (\(path))")
        if options.sqlitePath == nil {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
    }
    if let pg = options.postgresURL {
        try await run(.postgres(url: pg), label: "PostgreSQL")
    }
} catch {
    log("error: \(error)")
    exit(1)
}
