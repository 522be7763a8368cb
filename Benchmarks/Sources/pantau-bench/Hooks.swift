/// Extension points for benchmark cases defined in other files.
///
/// To add cases, add a file (e.g. `Conformance.swift`) with
///
/// ```swift
/// extension BenchmarkHooks {
///     static var conformanceCases: [BenchmarkCase] { [ BenchmarkCase("alignments") { input in ... } ] }
/// }
/// ```
///
/// The type's own member shadows the empty default below, so no other file changes. Each hook is
/// meant for one file; `extraCases` is a spare one.
protocol BenchmarkCaseProvider {
    static var conformanceCases: [BenchmarkCase] { get }
    static var extraCases: [BenchmarkCase] { get }
}

extension BenchmarkCaseProvider {
    static var conformanceCases: [BenchmarkCase] { [] }
    static var extraCases: [BenchmarkCase] { [] }
}

enum BenchmarkHooks: BenchmarkCaseProvider {}

/// Every case, in run order: event-log and performance cases first, then the hooks.
func allBenchmarkCases() -> [BenchmarkCase] {
    EventLogBenchmarks.cases + BenchmarkHooks.conformanceCases + BenchmarkHooks.extraCases
}
