import Foundation

/// The XES type an attribute was written with (CSV columns are `string`).
public enum AttributeType: String, Hashable, Sendable, Codable, CaseIterable {
    case string, date, int, float, boolean, id
}

/// Extra attributes of cases or events, stored sparsely by column.
///
/// Each key is one ``Column``: the rows (case or event indices) that have a value, in ascending
/// order, and for each an index into the column's distinct values. A value is kept as the text it
/// was written with (dates as in the file, numbers unparsed).
public struct AttributeTable: Hashable, Sendable {
    /// One attribute key.
    public struct Column: Hashable, Sendable {
        public let key: String
        public let type: AttributeType
        /// The distinct values.
        public let values: [String]
        /// Rows that have a value, ascending, each at most once.
        public let rows: [Int32]
        /// `values[valueIDs[i]]` is the value of row `rows[i]`.
        public let valueIDs: [Int32]

        /// The value of `row`, or nil. - Complexity: O(log n) in the number of rows with a value.
        public func value(atRow row: Int) -> String? {
            var lo = 0, hi = rows.count
            let r = Int32(truncatingIfNeeded: row)
            while lo < hi {
                let mid = (lo + hi) / 2
                if rows[mid] < r { lo = mid + 1 } else { hi = mid }
            }
            return lo < rows.count && rows[lo] == r ? values[Int(valueIDs[lo])] : nil
        }
    }

    public let columns: [Column]

    public init(columns: [Column] = []) { self.columns = columns }

    /// All keys, in the order they were first seen.
    public var keys: [String] { columns.map(\.key) }

    public func column(_ key: String) -> Column? { columns.first { $0.key == key } }

    /// The value of `key` for `row`, or nil.
    public func value(_ key: String, row: Int) -> String? { column(key)?.value(atRow: row) }

    /// Every attribute of `row` as key -> value.
    public func attributes(ofRow row: Int) -> [String: String] {
        var out: [String: String] = [:]
        for c in columns { if let v = c.value(atRow: row) { out[c.key] = v } }
        return out
    }
}

/// Collects one attribute key's values while a log is built.
struct AttributeColumnBuilder: Sendable {
    let key: String
    var type: AttributeType
    var table = StringTable()
    var rows: [Int32] = []
    var valueIDs: [Int32] = []

    init(key: String, type: AttributeType) {
        self.key = key
        self.type = type
    }

    mutating func append(row: Int32, value: UnsafeRawBufferPointer) {
        rows.append(row)
        valueIDs.append(table.intern(value))
    }

    mutating func append(row: Int32, value: String) {
        rows.append(row)
        valueIDs.append(table.intern(value))
    }

    /// The finished column with rows mapped through `map` (-1 = dropped) and sorted; when a row
    /// has several values the first one appended wins.
    func finish(map: [Int32]?, sorted alreadySorted: Bool) -> AttributeTable.Column {
        var pairs: [(Int32, Int32)] = []
        pairs.reserveCapacity(rows.count)
        for i in rows.indices {
            let r = map.map { $0[Int(rows[i])] } ?? rows[i]
            if r >= 0 { pairs.append((r, valueIDs[i])) }
        }
        var isSorted = alreadySorted
        if isSorted {
            for i in pairs.indices.dropFirst() where pairs[i - 1].0 >= pairs[i].0 { isSorted = false; break }
        }
        if !isSorted {
            // stable: first appended value of a row wins
            let order = pairs.indices.sorted { (pairs[$0].0, $0) < (pairs[$1].0, $1) }
            var out: [(Int32, Int32)] = []
            out.reserveCapacity(order.count)
            for i in order where out.last?.0 != pairs[i].0 { out.append(pairs[i]) }
            pairs = out
        }
        return AttributeTable.Column(key: key, type: type, values: table.strings,
                                     rows: pairs.map(\.0), valueIDs: pairs.map(\.1))
    }
}
