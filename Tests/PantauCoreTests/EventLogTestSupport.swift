import Foundation
@testable import PantauCore

/// The parts of `<stem>.expected.json` (PM4Py's numbers) the event-log and performance tests use.
struct ExpectedLog: Decodable {
    struct Log: Decodable {
        let file: String
        let eventsInFile: Int
        let events: Int
        let cases: Int
        let activities: Int
        let variants: Int
        let hasStartTimestamp: Bool
        enum CodingKeys: String, CodingKey {
            case file, events, cases, activities, variants
            case eventsInFile = "events_in_file"
            case hasStartTimestamp = "has_start_timestamp"
        }
    }
    struct Edge: Decodable {
        let from: String, to: String
        let count: Int
        let mean: Double?, median: Double?, min: Double?, max: Double?, sum: Double?, stdev: Double?
    }
    struct Aggregate: Decodable {
        let count: Int?
        let mean: Double, median: Double
        let min: Double?, max: Double?
    }
    struct Rework: Decodable {
        let reworkCases: Int
        let casesWithActivity: Int
        let share: Double
        enum CodingKeys: String, CodingKey {
            case reworkCases = "rework_cases"
            case casesWithActivity = "cases_with_activity"
            case share = "share_of_cases_with_activity"
        }
    }
    struct Performance: Decodable {
        let skipped: String?
        let dfg: [Edge]?
        let startActivities: [String: Int]?
        let endActivities: [String: Int]?
        let caseDuration: Aggregate?
        let rework: [String: Rework]?
        let casesWithAnyRework: Int?
        let sincePrevious: [String: Aggregate?]?
        let serviceTime: [String: Aggregate?]?
        let waitingTime: [String: Aggregate?]?
        enum CodingKeys: String, CodingKey {
            case skipped
            case dfg = "performance_dfg_seconds"
            case startActivities = "start_activities"
            case endActivities = "end_activities"
            case caseDuration = "case_duration_seconds"
            case rework
            case casesWithAnyRework = "cases_with_any_rework"
            case sincePrevious = "time_since_previous_event_by_activity_seconds"
            case serviceTime = "service_time_seconds"
            case waitingTime = "waiting_time_before_activity_seconds"
        }
    }
    let log: Log
    let performance: Performance?

    static func load(_ stem: String) throws -> ExpectedLog {
        let data = try Data(contentsOf: SharedData.url("\(stem).expected.json"))
        return try JSONDecoder().decode(ExpectedLog.self, from: data)
    }
}

/// `<stem>.variants.json`: every variant as activity indices with its count.
struct ExpectedVariants: Decodable {
    struct Variant: Decodable { let seq: [Int]; let count: Int }
    let activities: [String]
    let variants: [Variant]

    static func load(_ stem: String) throws -> ExpectedVariants {
        let data = try Data(contentsOf: SharedData.url("\(stem).variants.json"))
        return try JSONDecoder().decode(ExpectedVariants.self, from: data)
    }
}

/// The shared logs with PM4Py numbers: (log file, expected stem).
enum SharedLogs {
    static let all: [String] = [
        "running-example.xes", "reviewing.xes", "roadtraffic100traces.xes", "a32f0n10.xes.gz",
        "sop_izin_10k.xes.gz", "bpic2012.xes.gz", "interval_event_log.csv", "sop_izin_1k.csv",
        "sop_izin_noisy_10k.csv.gz",
    ]

    static func stem(_ file: String) -> String {
        var s = file
        for ext in [".gz", ".xes", ".csv"] where s.hasSuffix(ext) { s.removeLast(ext.count) }
        return s
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var cache: [String: EventLog] = [:]

    /// Reads a shared log once per test process.
    static func log(_ file: String) throws -> EventLog {
        lock.lock()
        defer { lock.unlock() }
        if let l = cache[file] { return l }
        let url = SharedData.url(file)
        let log = file.contains(".csv") ? try CSVReader().read(contentsOf: url) : try XESReader().read(contentsOf: url)
        cache[file] = log
        return log
    }
}

/// |a − b| ≤ tol.
func close(_ a: Double?, _ b: Double?, _ tol: Double) -> Bool {
    switch (a, b) {
    case (nil, nil): return true
    case let (x?, y?): return abs(x - y) <= tol || (x.isNaN && y.isNaN)
    default: return false
    }
}
