import Foundation

/// Locates `../shared/data/eventlogs` (the public logs with PM4Py's numbers beside them).
///
/// Looks at `PANTAU_SHARED_DIR` first, then walks up from this source file to find a sibling
/// `shared/` folder (the checkout lives in `X/main`, the data in `X/shared`). CI lays `shared/`
/// beside the clone; `.ci/run` fails early when it is missing, so tests gated on it do run in CI.
enum SharedData {
    static let eventLogs: URL? = {
        let fm = FileManager.default
        if let dir = ProcessInfo.processInfo.environment["PANTAU_SHARED_DIR"] {
            let u = URL(fileURLWithPath: dir).appendingPathComponent("data/eventlogs")
            if fm.fileExists(atPath: u.path) { return u }
        }
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        for _ in 0..<6 {
            dir = dir.deletingLastPathComponent()
            let u = dir.appendingPathComponent("shared/data/eventlogs")
            if fm.fileExists(atPath: u.path) { return u }
        }
        return nil
    }()

    static var available: Bool { eventLogs != nil }

    /// URL of a file in the shared event-log folder.
    static func url(_ name: String) -> URL {
        guard let base = eventLogs else { fatalError("shared/data/eventlogs not found; set PANTAU_SHARED_DIR") }
        return base.appendingPathComponent(name)
    }
}
