import Foundation

extension EventLog {
    /// Collects events one by one (from a reader, or from events arriving through the API) and
    /// builds an ``EventLog``.
    ///
    /// Events may arrive in any case order; `build()` groups them by case (cases in order of first
    /// appearance, events of a case in append order, or by completion time with
    /// ``Options/ordering`` `.byCompleteTime`) and applies the lifecycle rule.
    ///
    /// ```swift
    /// var b = EventLog.Builder()
    /// b.append(caseID: "IZN-1", activity: "Pendaftaran", complete: t0, resource: "FO-01")
    /// let log = b.build()
    /// ```
    public struct Builder: Sendable {
        /// How `build()` orders and filters events.
        public struct Options: Hashable, Sendable {
            public var ordering: EventOrdering
            public var lifecycle: LifecycleHandling

            public init(ordering: EventOrdering = .asAppended, lifecycle: LifecycleHandling = .completeOnly) {
                self.ordering = ordering
                self.lifecycle = lifecycle
            }
        }

        /// The order of events inside a case.
        public enum EventOrdering: String, Hashable, Sendable, Codable {
            /// The order the events were appended (XES: file order).
            case asAppended
            /// By completion timestamp, ties and events without timestamp (last) in append order
            /// (CSV, events from the API).
            case byCompleteTime
        }

        public var options: Options

        var activityTable = StringTable()
        var caseTable = StringTable(capacity: 1024)
        var resourceTable = StringTable()
        var unitTable = StringTable()
        var instanceTable = StringTable()

        var rowCase: [Int32] = []
        var rowActivity: [Int32] = []
        var rowComplete: [Double] = []
        var rowStart: [Double] = []
        var rowResource: [Int32] = []
        var rowUnit: [Int32] = []
        var rowLifecycle: [UInt8] = []
        var rowInstance: [Int32] = []

        var eventColumns: [AttributeColumnBuilder] = []
        var eventColumnIndex: [String: Int] = [:]
        var caseColumns: [AttributeColumnBuilder] = []
        var caseColumnIndex: [String: Int] = [:]
        var logAttributes: [String: String] = [:]

        var grouped = true
        var lastCase: Int32 = -1
        var maxCase: Int32 = -1
        var emptyCasesSkipped = 0

        public init(options: Options = Options()) {
            self.options = options
        }

        /// Number of events appended so far.
        public var eventCount: Int { rowActivity.count }

        /// Appends one event.
        ///
        /// - Parameters:
        ///   - caseID: the case it belongs to (created on first use).
        ///   - complete: completion time in seconds since 1970, nil when unknown.
        ///   - start: start time, nil when unknown.
        ///   - lifecycle: the XES lifecycle transition, nil meaning `complete`.
        ///   - attributes: any other event attributes (kept as strings).
        public mutating func append(caseID: String, activity: String, complete: Double?, start: Double? = nil,
                                    resource: String? = nil, unit: String? = nil, lifecycle: String? = nil,
                                    attributes: [String: String] = [:]) {
            let c = caseIndex(caseID)
            let a = activityTable.intern(activity)
            let r = resource.map { resourceTable.intern($0) } ?? -1
            let u = unit.map { unitTable.intern($0) } ?? -1
            var inst: Int32 = -1
            if let i = attributes["concept:instance"] { inst = instanceTable.intern(i) }
            let lc = lifecycle.map { Builder.lifecycleCode($0) } ?? 0
            let row = Int32(truncatingIfNeeded: rowActivity.count)
            appendRaw(case: c, activity: a, complete: complete ?? .nan, start: start ?? .nan, resource: r, unit: u,
                      lifecycle: lc, instance: inst)
            if options.lifecycle == .keepAll, let lifecycle {
                addEventAttribute(row: row, key: "lifecycle:transition", type: .string, value: lifecycle)
            }
            for (k, v) in attributes.sorted(by: { $0.key < $1.key }) {
                addEventAttribute(row: row, key: k, type: .string, value: v)
            }
        }

        /// Appends an ``EventLog/Event``.
        public mutating func append(_ e: EventLog.Event) {
            append(caseID: e.caseID, activity: e.activity, complete: e.complete, start: e.start,
                   resource: e.resource, unit: e.unit, attributes: e.attributes)
        }

        /// Sets a case attribute (the first value set for a key wins). Creates the case when new;
        /// a case that never gets an event is left out of the built log.
        public mutating func setCaseAttribute(_ key: String, value: String, forCase caseID: String,
                                              type: AttributeType = .string) {
            let c = caseIndex(caseID)
            addCaseAttribute(case: c, key: key, type: type, value: value)
        }

        /// Sets a log-level attribute.
        public mutating func setLogAttribute(_ key: String, value: String) {
            logAttributes[key] = value
        }

        // MARK: raw interface for the readers

        static func lifecycleCode(_ s: String) -> UInt8 {
            var s = s
            return s.withUTF8 { lifecycleCode(UnsafeRawBufferPointer($0)) }
        }

        /// 0 = complete (or empty), 1 = start, 2 = anything else. Case-insensitive.
        static func lifecycleCode(_ p: UnsafeRawBufferPointer) -> UInt8 {
            func eq(_ w: StaticString) -> Bool {
                guard p.count == w.utf8CodeUnitCount else { return false }
                let q = w.utf8Start
                for i in 0..<p.count where p[i] | 0x20 != q[i] { return false }
                return true
            }
            if p.count == 0 || eq("complete") { return 0 }
            if eq("start") { return 1 }
            return 2
        }

        mutating func caseIndex(_ id: String) -> Int32 { caseTable.intern(id) }
        mutating func caseIndex(bytes: UnsafeRawBufferPointer) -> Int32 { caseTable.intern(bytes) }

        @inline(__always)
        mutating func appendRaw(case c: Int32, activity: Int32, complete: Double, start: Double, resource: Int32,
                                unit: Int32, lifecycle: UInt8, instance: Int32) {
            let n = rowActivity.count
            if c >= 0 && c != lastCase {
                if c <= maxCase { grouped = false }
                if c > maxCase { maxCase = c }
                lastCase = c
            }
            rowCase.append(c)
            rowActivity.append(activity)
            rowComplete.append(complete)
            if !start.isNaN || !rowStart.isEmpty {
                if rowStart.count < n { rowStart.append(contentsOf: repeatElement(.nan, count: n - rowStart.count)) }
                rowStart.append(start)
            }
            if resource >= 0 || !rowResource.isEmpty {
                if rowResource.count < n { rowResource.append(contentsOf: repeatElement(-1, count: n - rowResource.count)) }
                rowResource.append(resource)
            }
            if unit >= 0 || !rowUnit.isEmpty {
                if rowUnit.count < n { rowUnit.append(contentsOf: repeatElement(-1, count: n - rowUnit.count)) }
                rowUnit.append(unit)
            }
            if lifecycle != 0 || !rowLifecycle.isEmpty {
                if rowLifecycle.count < n { rowLifecycle.append(contentsOf: repeatElement(0, count: n - rowLifecycle.count)) }
                rowLifecycle.append(lifecycle)
            }
            if instance >= 0 || !rowInstance.isEmpty {
                if rowInstance.count < n { rowInstance.append(contentsOf: repeatElement(-1, count: n - rowInstance.count)) }
                rowInstance.append(instance)
            }
        }

        /// Re-assigns the case of rows `range` (XES: a trace's events are appended before the
        /// trace's name may be known).
        mutating func assignCase(_ c: Int32, rows range: Range<Int>) {
            guard !range.isEmpty else { return }
            for i in range { rowCase[i] = c }
            if c != lastCase {
                if c <= maxCase { grouped = false }
                if c > maxCase { maxCase = c }
                lastCase = c
            }
        }

        mutating func eventColumn(_ key: String, type: AttributeType) -> Int {
            if let i = eventColumnIndex[key] { return i }
            eventColumns.append(AttributeColumnBuilder(key: key, type: type))
            eventColumnIndex[key] = eventColumns.count - 1
            return eventColumns.count - 1
        }

        mutating func caseColumn(_ key: String, type: AttributeType) -> Int {
            if let i = caseColumnIndex[key] { return i }
            caseColumns.append(AttributeColumnBuilder(key: key, type: type))
            caseColumnIndex[key] = caseColumns.count - 1
            return caseColumns.count - 1
        }

        mutating func addEventAttribute(row: Int32, key: String, type: AttributeType, value: String) {
            let i = eventColumn(key, type: type)
            eventColumns[i].append(row: row, value: value)
        }

        mutating func addCaseAttribute(case c: Int32, key: String, type: AttributeType, value: String) {
            let i = caseColumn(key, type: type)
            caseColumns[i].append(row: c, value: value)
        }

        // MARK: build

        /// Drops names no id refers to (e.g. activities seen only in dropped lifecycle events),
        /// keeping the order of the rest, and renumbers `ids` (-1 stays -1).
        static func compact(_ ids: inout [Int32], names: [String]) -> [String] {
            var used = [Bool](repeating: false, count: names.count)
            for i in ids where i >= 0 { used[Int(i)] = true }
            if !used.contains(false) { return names }
            var map = [Int32](repeating: -1, count: names.count)
            var out: [String] = []
            for (i, u) in used.enumerated() where u {
                map[i] = Int32(out.count)
                out.append(names[i])
            }
            for i in ids.indices where ids[i] >= 0 { ids[i] = map[Int(ids[i])] }
            return out
        }

        /// The finished log. - Complexity: O(E) when events arrive grouped and ordered; otherwise
        /// O(E log k) for cases of at most k events.
        public func build() -> EventLog {
            let n = rowActivity.count
            let rawCases = caseTable.count
            // 1. group by case (stable counting sort) unless already grouped
            var counts = [Int](repeating: 0, count: rawCases + 1)
            for c in rowCase { counts[Int(c) + 1] += 1 }
            for i in 0..<rawCases { counts[i + 1] += counts[i] }
            let rawStarts = counts  // rawStarts[c] ..< rawStarts[c+1]
            var order: [Int32]? = nil
            if !grouped {
                var next = rawStarts
                var o = [Int32](repeating: 0, count: n)
                for r in 0..<n {
                    let c = Int(rowCase[r])
                    o[next[c]] = Int32(r)
                    next[c] += 1
                }
                order = o
            }
            // 2. order inside cases
            if options.ordering == .byCompleteTime {
                let t = rowComplete
                @inline(__always) func before(_ a: Int32, _ b: Int32) -> Bool {
                    let ta = t[Int(a)], tb = t[Int(b)]
                    if ta.isNaN { return tb.isNaN && a < b }
                    if tb.isNaN { return true }
                    return ta < tb || (ta == tb && a < b)
                }
                for c in 0..<rawCases {
                    let s = rawStarts[c], e = rawStarts[c + 1]
                    guard e - s > 1 else { continue }
                    var sorted = true
                    if let o = order {
                        for i in (s + 1)..<e where !before(o[i - 1], o[i]) { sorted = false; break }
                    } else {
                        for i in (s + 1)..<e where !before(Int32(i - 1), Int32(i)) { sorted = false; break }
                    }
                    if !sorted {
                        if order == nil { order = (0..<n).map { Int32($0) } }
                        order![s..<e].sort(by: before)
                    }
                }
            }
            // 3. lifecycle filter and start pairing
            var info = ReadInfo()
            info.sourceEvents = n
            info.droppedEmptyCases = emptyCasesSkipped
            var kept: [Int32]? = order
            var paired: [Double] = []  // per kept event, when pairing happened
            if options.lifecycle == .completeOnly && !rowLifecycle.isEmpty {
                var k: [Int32] = []
                k.reserveCapacity(n)
                var ps: [Double] = []
                ps.reserveCapacity(n)
                var pending: [(act: Int32, inst: Int32, time: Double)] = []
                let hasInst = !rowInstance.isEmpty
                for c in 0..<rawCases {
                    pending.removeAll(keepingCapacity: true)
                    for i in rawStarts[c] ..< rawStarts[c + 1] {
                        let r = order.map { Int($0[i]) } ?? i
                        let inst = hasInst ? rowInstance[r] : -1
                        switch rowLifecycle[r] {
                        case 1:
                            pending.append((rowActivity[r], inst, rowComplete[r]))
                            info.droppedLifecycleEvents += 1
                        case 2:
                            info.droppedLifecycleEvents += 1
                        default:
                            var st = Double.nan
                            if let j = pending.firstIndex(where: { $0.act == rowActivity[r] && $0.inst == inst }) {
                                st = pending[j].time
                                pending.remove(at: j)
                                info.pairedStarts += 1
                            }
                            k.append(Int32(r))
                            ps.append(st)
                        }
                    }
                    info.unpairedStarts += pending.count
                }
                kept = k
                paired = info.pairedStarts > 0 ? ps : []
            }
            // 4. cases that keep at least one event
            let finalCount = kept?.count ?? n
            var caseMap = [Int32](repeating: -1, count: rawCases)
            var caseIDs: [String] = []
            caseIDs.reserveCapacity(rawCases)
            var caseStarts: [Int] = [0]
            caseStarts.reserveCapacity(rawCases + 1)
            var eventCase: [Int32]
            if let kept {
                eventCase = [Int32](repeating: 0, count: finalCount)
                var c = -1
                for (pos, r) in kept.enumerated() {
                    let rc = Int(rowCase[Int(r)])
                    if rc != c {
                        if c >= 0 { caseStarts.append(pos) }
                        c = rc
                        caseMap[rc] = Int32(caseIDs.count)
                        caseIDs.append(caseTable.strings[rc])
                    }
                    eventCase[pos] = caseMap[rc]
                }
                if finalCount > 0 { caseStarts.append(finalCount) }
            } else {
                eventCase = rowCase
                for c in 0..<rawCases where rawStarts[c + 1] > rawStarts[c] {
                    caseMap[c] = Int32(caseIDs.count)
                    caseIDs.append(caseTable.strings[c])
                    caseStarts.append(rawStarts[c + 1])
                }
                if caseIDs.count != rawCases {
                    for r in 0..<n { eventCase[r] = caseMap[Int(rowCase[r])] }
                }
            }
            info.droppedEmptyCases += rawCases - caseIDs.count
            // 5. gather the columns
            func gather<T>(_ a: [T]) -> [T] {
                guard let kept, !a.isEmpty else { return a }
                return kept.map { a[Int($0)] }
            }
            var activity = gather(rowActivity)
            let activityNames = Builder.compact(&activity, names: activityTable.strings)
            let complete = gather(rowComplete)
            var start = gather(rowStart)
            var source: StartTimestampSource = start.contains { !$0.isNaN } ? .attribute : .none
            if !paired.isEmpty {
                if start.isEmpty { start = paired } else {
                    for i in start.indices where start[i].isNaN { start[i] = paired[i] }
                }
                if source == .none { source = .lifecycle }
            }
            if source == .none { start = [] }
            var resource = gather(rowResource)
            let resourceNames = Builder.compact(&resource, names: resourceTable.strings)
            if !resource.isEmpty && !resource.contains(where: { $0 >= 0 }) { resource = [] }
            var unit = gather(rowUnit)
            let unitNames = Builder.compact(&unit, names: unitTable.strings)
            if !unit.isEmpty && !unit.contains(where: { $0 >= 0 }) { unit = [] }
            // attribute rows: raw row -> final event index
            var rowMap: [Int32]? = nil
            if let kept, !eventColumns.isEmpty {
                var m = [Int32](repeating: -1, count: n)
                for (pos, r) in kept.enumerated() { m[Int(r)] = Int32(pos) }
                rowMap = m
            }
            let eventAttrs = AttributeTable(columns: eventColumns.map { $0.finish(map: rowMap, sorted: rowMap == nil) })
            let caseAttrs = AttributeTable(columns: caseColumns.map { $0.finish(map: caseMap, sorted: false) })
            return EventLog(activities: activityNames, caseIDs: caseIDs, caseStarts: caseStarts,
                            eventCase: eventCase, eventActivity: activity, completeTimes: complete,
                            startTimes: start, startTimestampSource: source, resources: resourceNames,
                            eventResource: resource, units: unitNames, eventUnit: unit,
                            caseAttributes: caseAttrs, eventAttributes: eventAttrs, logAttributes: logAttributes,
                            readInfo: info)
        }
    }
}
