import Foundation

/// Starts child processes one at a time in this process. Foundation's `Process.run()` on Linux is
/// not safe to call from several threads at once: a CI run of the test suite, where tests start
/// the CLI, `pg_dump` and Python side by side, crashed inside it (a bad pointer in its memcpy).
/// Starting is quick; the children still run side by side.
public enum ProcessLaunch {
    private static let lock = NSLock()

    public static func run(_ process: Process) throws {
        lock.lock()
        defer { lock.unlock() }
        try process.run()
    }
}
