import Foundation

/// The pure part of the event ingestion API's body decoding (`POST /api/v1/events`): splitting a
/// body into events, decoding each event's fields without failing on one, and reading timestamps.
/// The web layer turns the results into its problems and store inputs; here so that the fuzz
/// targets in `Fuzz/` reach it without the server.
public enum EventBatchBody {
    /// Why a whole body is refused (the code is the field problem's code on the field `events`).
    public enum Problem: String, Error, Sendable {
        case required
        case malformedJSON = "malformed_json"
    }

    /// One element of a batch: the event's fields, or nil when the element is not an event object
    /// (rejected alone, naming its position).
    public typealias Element = EventFields?

    /// The events of a body: one object, an array, or NDJSON lines (blank lines skipped).
    /// - Throws: ``Problem/required`` for a body without events, ``Problem/malformedJSON`` for one
    ///   that is neither an object nor an array of JSON.
    public static func split(_ data: Data, ndjson: Bool) throws(Problem) -> [Element] {
        let decoder = JSONDecoder()
        func one(_ d: Data) -> Element { try? decoder.decode(EventFields.self, from: d) }
        if ndjson {
            var out: [Element] = []
            for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
                let trimmed = line.drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
                if trimmed.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
                out.append(one(Data(line)))
            }
            if out.isEmpty { throw .required }
            return out
        }
        let first = data.first { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D) }
        switch first {
        case UInt8(ascii: "{")?: return [one(data)]
        case UInt8(ascii: "[")?:
            guard let items = try? JSONDecoder().decode([JSONValue].self, from: data) else { throw .malformedJSON }
            if items.isEmpty { throw .required }
            let encoder = JSONEncoder()
            return items.map { v in
                guard case .object = v, let d = try? encoder.encode(v) else { return nil }
                return one(d)
            }
        case nil: throw .required
        default: throw .malformedJSON
        }
    }
}

/// One event's fields as a client sends them (snake_case keys). Decoding never fails on a field:
/// a field of the wrong JSON type is nil and listed in ``typeProblems``.
public struct EventFields: Decodable, Sendable, Equatable {
    /// A field of the wrong JSON type and the type it should have ("string", "integer", ...).
    public struct TypeProblem: Sendable, Equatable {
        public var field: String
        public var expected: String
    }

    public var eventID: String?
    public var sopID: Int64?
    public var caseReference: String?
    public var activity: String?
    public var lifecycle: String?
    public var timestamp: String?
    public var startTimestamp: String?
    public var resource: String?
    public var unit: String?
    public var note: String?
    public var attributes: [String: String]?
    public var caseClosed: Bool?
    public var typeProblems: [TypeProblem] = []

    enum CodingKeys: String, CodingKey {
        case event_id, sop_id, `case`, activity, lifecycle, timestamp, start_timestamp, resource, unit, note, attributes, case_closed
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var problems: [TypeProblem] = []
        func get<T: Decodable>(_ t: T.Type, _ k: CodingKeys, _ expected: String) -> T? {
            do { return try c.decodeIfPresent(T.self, forKey: k) } catch {
                problems.append(TypeProblem(field: k.rawValue, expected: expected))
                return nil
            }
        }
        eventID = get(String.self, .event_id, "string")
        sopID = get(Int64.self, .sop_id, "integer")
        caseReference = get(String.self, .case, "string")
        activity = get(String.self, .activity, "string")
        lifecycle = get(String.self, .lifecycle, "string")
        timestamp = get(String.self, .timestamp, "string")
        startTimestamp = get(String.self, .start_timestamp, "string")
        resource = get(String.self, .resource, "string")
        unit = get(String.self, .unit, "string")
        note = get(String.self, .note, "string")
        attributes = get([String: String].self, .attributes, "object of strings")
        caseClosed = get(Bool.self, .case_closed, "boolean")
        typeProblems = problems
    }
}

/// Timestamps of events: ISO 8601 with a zone (`Z` or an offset); one without a zone is refused,
/// since a wrong zone shifts every time measure by hours.
public enum EventTimestamp {
    public enum Problem: String, Error, Sendable { case invalid = "timestamp_invalid", zoneRequired = "timestamp_zone_required" }

    nonisolated(unsafe) private static let pattern = #/^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/#

    /// The instant and the UTC offset in seconds it was written with.
    public static func parse(_ text: String) -> Result<(Date, Int), Problem> {
        let s = text.trimmingCharacters(in: .whitespaces)
        guard let m = s.wholeMatch(of: pattern) else { return .failure(.invalid) }
        guard let zone = m.8 else { return .failure(.zoneRequired) }
        var offset = 0
        if zone != "Z" && zone != "z" {
            let digits = zone.dropFirst().filter(\.isNumber)
            let h = Int(digits.prefix(2)) ?? 0, mi = digits.count > 2 ? Int(digits.suffix(2)) ?? 0 : 0
            guard h <= 14, mi < 60 else { return .failure(.invalid) }
            offset = (h * 3600 + mi * 60) * (zone.first == "-" ? -1 : 1)
        }
        var dc = DateComponents()
        dc.year = Int(m.1); dc.month = Int(m.2); dc.day = Int(m.3); dc.hour = Int(m.4); dc.minute = Int(m.5)
        dc.second = m.6.flatMap { Int($0) } ?? 0
        guard let mo = dc.month, (1...12).contains(mo), let d = dc.day, (1...31).contains(d), let h = dc.hour, h < 24,
              let mi = dc.minute, mi < 60, let sec = dc.second, sec < 61 else { return .failure(.invalid) }
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(secondsFromGMT: 0)!
        guard let base = cal.date(from: dc), cal.component(.day, from: base) == d else { return .failure(.invalid) }
        var frac = 0.0
        if let f = m.7 { frac = Double("0." + f) ?? 0 }
        return .success((base.addingTimeInterval(frac - Double(offset)), offset))
    }
}

/// A parsed JSON value, with integers kept apart from other numbers.
public enum JSONValue: Codable, Equatable, Sendable {
    case null, bool(Bool), int(Int64), double(Double), string(String), array([JSONValue]), object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int64.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .double(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case let .bool(b): try c.encode(b)
        case let .int(i): try c.encode(i)
        case let .double(d): try c.encode(d)
        case let .string(s): try c.encode(s)
        case let .array(a): try c.encode(a)
        case let .object(o): try c.encode(o)
        }
    }

    public static func parse(_ data: Data) throws -> JSONValue { try JSONDecoder().decode(JSONValue.self, from: data) }
}
