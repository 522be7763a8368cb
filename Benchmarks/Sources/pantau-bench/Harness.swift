import Foundation
import PantauCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a benchmark case gets: the log it runs on (already read), where it came from, and the
/// shared data folder (models such as `sop_izin.pnml` live there).
struct BenchmarkInput {
    /// File name, e.g. `bpic2012.xes.gz`.
    let fileName: String
    let url: URL
    /// File name without `.xes`, `.csv`, `.gz` (the stem of `<stem>.expected.json`).
    let stem: String
    let log: EventLog
    /// `shared/data/eventlogs`, when found.
    let sharedDir: URL?
}

/// One timed step run on each log it applies to.
///
/// `run` is timed as a whole (best of N); it may return a short note printed beside the time
/// (e.g. a fitness value, to see the work was real).
struct BenchmarkCase {
    let name: String
    let appliesTo: @Sendable (BenchmarkInput) -> Bool
    let run: (BenchmarkInput) throws -> String?

    init(_ name: String, appliesTo: @escaping @Sendable (BenchmarkInput) -> Bool = { _ in true },
         run: @escaping (BenchmarkInput) throws -> String?) {
        self.name = name
        self.appliesTo = appliesTo
        self.run = run
    }
}

/// Wall-clock times of repeated runs.
struct Timing: Encodable {
    var runs: [Double]
    var best: Double { runs.min() ?? .nan }
    var median: Double {
        let s = runs.sorted()
        guard !s.isEmpty else { return .nan }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
    enum CodingKeys: String, CodingKey { case runs, best_s, median_s }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(runs.map { ($0 * 1e6).rounded() / 1e6 }, forKey: .runs)
        try c.encode((best * 1e6).rounded() / 1e6, forKey: .best_s)
        try c.encode((median * 1e6).rounded() / 1e6, forKey: .median_s)
    }
}

/// Runs `body` up to `repeat` times (once more only while the total stays under `budget` seconds
/// and a single run is shorter than `quick` seconds); returns the last result and the times.
func measure<T>(repeat n: Int, quick: Double = 10, budget: Double = 30, _ body: () throws -> T) rethrows -> (T, Timing) {
    var times: [Double] = []
    var result: T
    var t0 = DispatchTime.now().uptimeNanoseconds
    result = try body()
    times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
    while times.count < n && times[0] < quick && times.reduce(0, +) + times[0] < budget {
        t0 = DispatchTime.now().uptimeNanoseconds
        result = try body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
    }
    return (result, Timing(runs: times))
}

/// Peak resident set size of this process so far, in MiB (getrusage `ru_maxrss`).
func peakRSSMiB() -> Double {
    var u = rusage()
    #if os(Linux)
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_maxrss) / 1024  // KiB
    #else
    getrusage(RUSAGE_SELF, &u)
    return Double(u.ru_maxrss) / 1_048_576  // bytes
    #endif
}

func stemOf(_ file: String) -> String {
    var s = file
    for ext in [".gz", ".xes", ".csv"] where s.hasSuffix(ext) { s.removeLast(ext.count) }
    return s
}
