import Foundation
import PantauCore

/// An event log (CSV, XES or an XLSX sheet, read by PantauCore) imported as service cases of one SOP: shared by
/// `pantau events import` and the web upload (`/sops/{id}/impor-kejadian`).
///
/// The log is streamed (``EventChunkSource``), never held whole: pass 1 reads it and checks every
/// event; unless `skipInvalid`, one bad event stops the import before anything is stored. Pass 2
/// reads it again and stores the events in batches (one transaction each). Each event's id is
/// derived from the file name, its case and its position in the case, so importing the same file
/// again stores nothing twice and completes an interrupted import. Memory: one chunk of events and
/// one batch, plus per distinct case its id and counters (and the unit of cases that name one),
/// plus one entry per rejected event.
public struct EventLogImport: Sendable {
    public let fileName: String
    public let sopID: Int64
    public let skipInvalid: Bool
    public let batch: Int
    /// Opens the log from its start (called once per pass).
    let open: @Sendable () throws -> any EventChunkSource

    /// Imports a log read with a chunk reader that `open` makes (called once for each of the two
    /// passes; both must give the same events in the same order).
    public init(fileName: String, sopID: Int64, skipInvalid: Bool, batch: Int = EventLimits.maxBatch,
                open: @escaping @Sendable () throws -> any EventChunkSource) {
        self.fileName = fileName
        self.sopID = sopID
        self.skipInvalid = skipInvalid
        self.batch = max(1, min(batch, EventLimits.maxBatch))
        self.open = open
    }

    /// Imports a log already in memory.
    public init(log: EventLog, fileName: String, sopID: Int64, skipInvalid: Bool, batch: Int = EventLimits.maxBatch) {
        self.init(fileName: fileName, sopID: sopID, skipInvalid: skipInvalid, batch: batch, open: { EventLogChunks(log) })
    }

    /// One event that was refused, with where it is in the file.
    public struct Rejection: Sendable {
        public var caseID: String
        /// 1-based position of the event in its case (file order); 0 when the whole batch is meant.
        public var position: Int
        public var activity: String
        public var problems: [InputProblem]
        /// 1-based line of the file the event starts on (row of a CSV, line of an XES `<event>`,
        /// spreadsheet row of an .xlsx); 0 when not known.
        public var line: Int

        public init(caseID: String, position: Int, activity: String, problems: [InputProblem], line: Int = 0) {
            self.caseID = caseID
            self.position = position
            self.activity = activity
            self.problems = problems
            self.line = line
        }
    }

    /// How an import ended.
    public enum Ending: Sendable, Equatable {
        /// Every valid event was handed to the store (some may be rejected when skipping).
        case completed
        /// Invalid events were found first, nothing stored (all or nothing).
        case invalid
        /// The store refused a batch (a check only it can make); earlier batches are stored.
        case stoppedInBatch
    }

    public struct Report: Sendable {
        public var fileName = ""
        public var read = 0
        public var stored = 0
        public var duplicates = 0
        public var rejected: [Rejection] = []
        /// Rows the reader could not read, left out because skipping was asked for.
        public var unreadable: [EventLogError] = []
        /// Cases that got at least one new event.
        public var casesTouched = Set<Int64>()
        public var ending = Ending.completed

        public var failed: Bool { ending != .completed }
        public init() {}
    }

    /// A stable id of event `position` (1-based) of a case: the same file gives the same ids.
    public static func clientID(file: String, caseID: String, position: Int) -> String {
        let plain = "\(file)#\(caseID)#\(position)"
        if plain.count <= EventLimits.maxIDLength { return plain }
        return "\(file.prefix(60))#~\(fnv(caseID))#\(position)"
    }

    /// 128-bit FNV-1a (two 64-bit lanes) as hex: a compact stand-in for a long case id.
    public static func fnv(_ s: String) -> String {
        var a: UInt64 = 0xcbf2_9ce4_8422_2325, b: UInt64 = 0x8422_2325_cbf2_9ce4
        for byte in s.utf8 {
            a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            b = (b ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 &+ 0x9E37
        }
        return String(format: "%016llx%016llx", a, b)
    }

    /// How far an import is: pass 1 checks, pass 2 stores.
    public struct Progress: Sendable, Equatable {
        public enum Phase: String, Sendable { case checking, storing }
        public var phase: Phase
        /// Events read in this pass.
        public var read: Int
        /// Events handed to the store so far (pass 2).
        public var stored: Int
        /// Events to store (known in pass 2).
        public var total: Int?
        /// Share of the file's bytes read in this pass, 0 … 1.
        public var fraction: Double

        public init(phase: Phase, read: Int, stored: Int, total: Int?, fraction: Double) {
            self.phase = phase
            self.read = read
            self.stored = stored
            self.total = total
            self.fraction = fraction
        }
    }

    /// An event of the log as the store receives it.
    public func input(_ e: StreamedEvent) -> EventInput {
        var attributes = e.attributes
        if e.position == 1 {
            for (k, v) in e.caseAttributes where attributes["case:" + k] == nil { attributes["case:" + k] = v }
        }
        let unit = e.unit.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        return EventInput(clientID: Self.clientID(file: fileName, caseID: e.caseID, position: e.position), sopID: sopID,
                          caseReference: e.caseID, activity: e.activity,
                          at: Date(timeIntervalSince1970: e.complete ?? .nan),
                          startedAt: e.start.map { Date(timeIntervalSince1970: $0) },
                          resource: e.resource, unitCode: unit, attributes: attributes)
    }

    /// Checks one event (its fields; a known unit, and one unit per case): the problems, empty when valid.
    /// `known` are the lower-cased unit codes; `caseUnit` remembers each case's first unit.
    static func problems(of input: EventInput, known: Set<String>, caseUnit: inout [String: String], now: Date) -> [InputProblem] {
        var p = input.problems(now: now)
        if let code = input.unitCode {
            if !known.contains(code.lowercased()) { p.append(InputProblem("unit", "unknown_unit", [code])) }
            else if let first = caseUnit[input.caseReference], first.lowercased() != code.lowercased() {
                p.append(InputProblem("unit", "case_other_unit", [input.caseReference]))
            } else { caseUnit[input.caseReference] = code }
        }
        return p
    }

    /// Checks every event, then (when allowed) stores in batches; both passes stream the log.
    /// `progress` is called after every chunk read or batch stored.
    /// - Throws: ``EventLogError`` when the log cannot be read (a row the reader cannot read
    ///   stops pass 1 unless the source skips such rows), before anything is stored.
    public func run(_ store: PantauStore, scope: IngestScope, by actor: AuditActor, now: Date = Date(),
                    progress: (Progress) -> Void = { _ in }) async throws -> Report {
        var report = Report()
        report.fileName = fileName
        let units = try await store.units()
        let known = Set(units.map { $0.code.lowercased() })
        // 1. Read and check everything before storing anything.
        var invalid = Set<Int>()
        do {
            let source = try open()
            var ordinal = 0
            var caseUnit: [String: String] = [:]
            while let chunk = try source.next(maxEvents: batch) {
                for e in chunk {
                    let input = input(e)
                    let p = Self.problems(of: input, known: known, caseUnit: &caseUnit, now: now)
                    if !p.isEmpty {
                        invalid.insert(ordinal)
                        report.rejected.append(Rejection(caseID: e.caseID, position: e.position, activity: e.activity, problems: p, line: e.line))
                    }
                    ordinal += 1
                }
                progress(Progress(phase: .checking, read: ordinal, stored: 0, total: nil, fraction: source.fractionRead))
            }
            report.read = ordinal
            report.unreadable = source.unreadableRows
        }
        if !report.rejected.isEmpty && !skipInvalid {
            report.ending = .invalid
            return report
        }
        // 2. Read again and store in batches (one transaction each).
        let total = report.read - invalid.count
        var done = 0
        var pending: [EventInput] = []
        var where_: [(caseID: String, position: Int, line: Int)] = []
        pending.reserveCapacity(min(batch, total))
        func flush() async throws -> Bool {
            guard !pending.isEmpty else { return true }
            let outcomes: [EventOutcome]
            do {
                outcomes = try await store.ingestEvents(pending, scope: scope, by: actor, allOrNothing: !skipInvalid)
            } catch let StoreError.rejected(problems) {
                // All or nothing: a check only the store can make failed (e.g. a case of another unit).
                for p in problems {
                    let parts = p.field.split(separator: ".", maxSplits: 1)
                    if parts.count == 2, let i = Int(parts[0]), i >= 1, i <= pending.count {
                        let w = where_[i - 1]
                        report.rejected.append(Rejection(caseID: w.caseID, position: w.position, activity: pending[i - 1].activity,
                                                         problems: [InputProblem(String(parts[1]), p.code, p.arguments)], line: w.line))
                    } else {
                        report.rejected.append(Rejection(caseID: "-", position: 0, activity: "", problems: [p]))
                    }
                }
                report.ending = .stoppedInBatch
                return false
            }
            for (i, o) in outcomes.enumerated() {
                switch o {
                case let .stored(_, caseID):
                    report.stored += 1
                    report.casesTouched.insert(caseID)
                case .duplicate:
                    report.duplicates += 1
                case let .rejected(ps):
                    let w = where_[i]
                    report.rejected.append(Rejection(caseID: w.caseID, position: w.position, activity: pending[i].activity, problems: ps, line: w.line))
                }
            }
            done += pending.count
            pending.removeAll(keepingCapacity: true)
            where_.removeAll(keepingCapacity: true)
            return true
        }
        let source = try open()
        var ordinal = 0
        while let chunk = try source.next(maxEvents: batch) {
            for e in chunk {
                defer { ordinal += 1 }
                if invalid.contains(ordinal) { continue }
                pending.append(input(e))
                where_.append((e.caseID, e.position, e.line))
                if pending.count >= batch {
                    guard try await flush() else { return report }
                    progress(Progress(phase: .storing, read: ordinal + 1, stored: done, total: total, fraction: source.fractionRead))
                }
            }
        }
        let before = done
        guard try await flush() else { return report }
        if done > before || total == 0 {
            progress(Progress(phase: .storing, read: ordinal, stored: done, total: total, fraction: 1))
        }
        return report
    }
}
