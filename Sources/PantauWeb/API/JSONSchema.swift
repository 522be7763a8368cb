import Foundation
import PantauCore

/// A type whose JSON form is described by a schema. Each API body type (the DTOs, `Problem`, the
/// SOP document) conforms next to its Codable type; the OpenAPI document is built from these
/// descriptions and the tests check every description against an encoded sample of its type.
protocol JSONSchemaDescribed {
    /// The name under `#/components/schemas/` (unique in the document).
    static var schemaName: String { get }
    static var jsonSchema: JSONSchema { get }
    /// Stored properties the API never sends or reads (e.g. a form-only field that is nil in API
    /// bodies); they are left out of the schema on purpose.
    static var propertiesNotInTheAPI: Set<String> { get }
}

extension JSONSchemaDescribed {
    static var propertiesNotInTheAPI: Set<String> { [] }
}

/// A JSON Schema (the 2020-12 dialect of OpenAPI 3.1), as a value: the subset the API needs. A
/// `$ref` keeps the Swift type it points at, so the document collects its components by walking
/// the references and the validator can follow them.
struct JSONSchema {
    enum Kind: String, CaseIterable {
        case string, integer, number, boolean, object, array, null
    }

    /// What may follow the listed properties of an object.
    indirect enum Additional {
        /// No other property.
        case forbidden
        /// Any other property must match this schema (a map).
        case matching(JSONSchema)
    }

    var types: [Kind] = []
    var ref: (any JSONSchemaDescribed.Type)?
    var description: String?
    var format: String?
    var enumValues: [String]?
    var pattern: String?
    var minimum: Double?
    var maximum: Double?
    var minLength: Int?
    var maxLength: Int?
    var properties: [String: JSONSchema]?
    var required: [String]?
    var minProperties: Int?
    var minItems: Int?
    /// nil: other properties are allowed and ignored (request bodies, the open core documents).
    var additional: Additional?
    private var itemStorage: [JSONSchema] = []
    var items: JSONSchema? {
        get { itemStorage.first }
        set { itemStorage = newValue.map { [$0] } ?? [] }
    }

    // MARK: Building

    static func string(_ description: String? = nil, format: String? = nil, pattern: String? = nil, minLength: Int? = nil, maxLength: Int? = nil) -> JSONSchema {
        var s = JSONSchema(types: [.string])
        s.description = description; s.format = format; s.pattern = pattern; s.minLength = minLength; s.maxLength = maxLength
        return s
    }
    static var string: JSONSchema { .string() }
    /// An RFC 3339 timestamp (`Date` through the API's ISO 8601 encoder).
    static var dateTime: JSONSchema { .string(format: "date-time") }
    /// A calendar date, YYYY-MM-DD.
    static func date(_ description: String? = nil) -> JSONSchema { .string(description, format: "date") }
    static func integer(_ description: String? = nil, minimum: Int64? = nil, maximum: Int64? = nil, int64: Bool = true) -> JSONSchema {
        var s = JSONSchema(types: [.integer])
        s.description = description; s.format = int64 ? "int64" : "int32"
        s.minimum = minimum.map(Double.init); s.maximum = maximum.map(Double.init)
        return s
    }
    /// A database id (positive 64-bit integer).
    static var id: JSONSchema { .integer(minimum: 1) }
    static var count: JSONSchema { .integer(minimum: 0, int64: false) }
    static func number(_ description: String? = nil) -> JSONSchema {
        var s = JSONSchema(types: [.number])
        s.description = description
        return s
    }
    static var boolean: JSONSchema { JSONSchema(types: [.boolean]) }
    static func oneOf(_ values: [String], _ description: String? = nil) -> JSONSchema {
        var s = JSONSchema(types: [.string])
        s.enumValues = values; s.description = description
        return s
    }
    static func array(_ items: JSONSchema, _ description: String? = nil, minItems: Int? = nil) -> JSONSchema {
        var s = JSONSchema(types: [.array])
        s.items = items; s.description = description; s.minItems = minItems
        return s
    }
    /// An object whose keys are free (e.g. unsur codes) and whose values match `values`.
    static func map(_ values: JSONSchema, _ description: String? = nil, minProperties: Int? = nil) -> JSONSchema {
        var s = JSONSchema(types: [.object])
        s.additional = .matching(values); s.description = description; s.minProperties = minProperties
        return s
    }
    static func ref(_ type: any JSONSchemaDescribed.Type, _ description: String? = nil) -> JSONSchema {
        var s = JSONSchema()
        s.ref = type; s.description = description
        return s
    }
    /// An object with these required and optional properties. `closed`: no other property
    /// (what the server sends; an optional property is left out, never null); open objects (what
    /// it reads) ignore unknown properties and, as Swift's decoder does, take null for an
    /// optional property.
    static func object(required: KeyValuePairs<String, JSONSchema>, optional: KeyValuePairs<String, JSONSchema> = [:],
                       closed: Bool, _ description: String? = nil) -> JSONSchema {
        var s = JSONSchema(types: [.object])
        var p: [String: JSONSchema] = [:]
        for (k, v) in required { p[k] = v }
        for (k, v) in optional { p[k] = closed || v.ref != nil || v.types.isEmpty ? v : v.or(.null) }
        s.properties = p
        s.required = required.map(\.key)
        s.additional = closed ? JSONSchema.Additional.forbidden : nil
        s.description = description
        return s
    }
    func described(_ d: String) -> JSONSchema {
        var s = self
        s.description = d
        return s
    }
    /// The same schema that also admits another JSON type (e.g. a time standard as text or minutes).
    func or(_ kind: Kind) -> JSONSchema {
        var s = self
        if !s.types.contains(kind) { s.types.append(kind) }
        return s
    }

    /// The types this schema points at directly or through its sub-schemas.
    var referencedTypes: [any JSONSchemaDescribed.Type] {
        var out: [any JSONSchemaDescribed.Type] = []
        if let ref { out.append(ref) }
        for (_, p) in (properties ?? [:]).sorted(by: { $0.key < $1.key }) { out += p.referencedTypes }
        if let items { out += items.referencedTypes }
        if case let .matching(v)? = additional { out += v.referencedTypes }
        return out
    }

    /// The schemas of `roots` and of every type they reference, by component name. Two types
    /// with one name are a programming error, reported in `conflicts`.
    static func components(_ roots: [any JSONSchemaDescribed.Type]) -> (schemas: [String: JSONSchema], conflicts: [String]) {
        var schemas: [String: JSONSchema] = [:]
        var owners: [String: ObjectIdentifier] = [:]
        var conflicts: [String] = []
        var queue = roots
        while let t = queue.popLast() {
            let name = t.schemaName
            if let owner = owners[name] {
                if owner != ObjectIdentifier(t) { conflicts.append(name) }
                continue
            }
            owners[name] = ObjectIdentifier(t)
            let s = t.jsonSchema
            schemas[name] = s
            queue += s.referencedTypes
        }
        return (schemas, conflicts)
    }
}

extension JSONSchema: Encodable {
    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        if let ref { try c.encode("#/components/schemas/\(ref.schemaName)", forKey: Key("$ref")) }
        if types.count == 1 { try c.encode(types[0].rawValue, forKey: Key("type")) }
        if types.count > 1 { try c.encode(types.map(\.rawValue), forKey: Key("type")) }
        try c.encodeIfPresent(description, forKey: Key("description"))
        try c.encodeIfPresent(format, forKey: Key("format"))
        try c.encodeIfPresent(enumValues, forKey: Key("enum"))
        try c.encodeIfPresent(pattern, forKey: Key("pattern"))
        try c.encodeIfPresent(minimum.map(Self.number), forKey: Key("minimum"))
        try c.encodeIfPresent(maximum.map(Self.number), forKey: Key("maximum"))
        try c.encodeIfPresent(minLength, forKey: Key("minLength"))
        try c.encodeIfPresent(maxLength, forKey: Key("maxLength"))
        try c.encodeIfPresent(properties, forKey: Key("properties"))
        if let required, !required.isEmpty { try c.encode(required.sorted(), forKey: Key("required")) }
        try c.encodeIfPresent(minProperties, forKey: Key("minProperties"))
        switch additional {
        case .forbidden?: try c.encode(false, forKey: Key("additionalProperties"))
        case let .matching(s)?: try c.encode(s, forKey: Key("additionalProperties"))
        case nil: break
        }
        try c.encodeIfPresent(items, forKey: Key("items"))
        try c.encodeIfPresent(minItems, forKey: Key("minItems"))
    }

    /// Whole numbers as JSON integers (`1`, not `1.0`).
    private enum Number: Encodable {
        case int(Int64), double(Double)
        func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case let .int(i): try c.encode(i)
            case let .double(d): try c.encode(d)
            }
        }
    }
    private static func number(_ d: Double) -> Number {
        d == d.rounded() && abs(d) < 9e15 ? .int(Int64(d)) : .double(d)
    }
}

// JSONValue (a parsed JSON value, integers kept apart) is PantauCore's (Input/EventBatchBody.swift).

extension JSONSchema {
    /// The places where `value` breaks this schema (empty: it conforms), each as "path: problem".
    func violations(of value: JSONValue, at path: String = "$") -> [String] {
        if let ref { return ref.jsonSchema.violations(of: value, at: path) }
        var errors: [String] = []
        let kind: Kind
        switch value {
        case .null: kind = .null
        case .bool: kind = .boolean
        case .int: kind = .integer
        case .double: kind = .number
        case .string: kind = .string
        case .array: kind = .array
        case .object: kind = .object
        }
        if !types.isEmpty {
            let ok = types.contains(kind) || (kind == .integer && types.contains(.number))
            if !ok { return ["\(path): expected \(types.map(\.rawValue).joined(separator: " or ")), found \(kind.rawValue)"] }
        }
        switch value {
        case let .string(s):
            if let e = enumValues, !e.contains(s) { errors.append("\(path): '\(s)' is not one of \(e.joined(separator: ", "))") }
            if let n = minLength, s.count < n { errors.append("\(path): shorter than \(n)") }
            if let n = maxLength, s.count > n { errors.append("\(path): longer than \(n)") }
            if let p = pattern, s.range(of: p, options: .regularExpression) == nil { errors.append("\(path): does not match \(p)") }
            if format == "date", s.range(of: #"^\d{4}-\d{2}-\d{2}$"#, options: .regularExpression) == nil {
                errors.append("\(path): '\(s)' is not a date (YYYY-MM-DD)")
            }
            if format == "date-time", s.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"#, options: .regularExpression) == nil {
                errors.append("\(path): '\(s)' is not an RFC 3339 date-time")
            }
        case let .int(i):
            if let m = minimum, Double(i) < m { errors.append("\(path): \(i) is below \(m)") }
            if let m = maximum, Double(i) > m { errors.append("\(path): \(i) is above \(m)") }
        case let .double(d):
            if let m = minimum, d < m { errors.append("\(path): \(d) is below \(m)") }
            if let m = maximum, d > m { errors.append("\(path): \(d) is above \(m)") }
        case let .array(a):
            if let n = minItems, a.count < n { errors.append("\(path): fewer than \(n) items") }
            if let items { for (i, v) in a.enumerated() { errors += items.violations(of: v, at: "\(path)[\(i)]") } }
        case let .object(o):
            for r in required ?? [] where o[r] == nil { errors.append("\(path).\(r): required") }
            if let n = minProperties, o.count < n { errors.append("\(path): fewer than \(n) properties") }
            for (k, v) in o.sorted(by: { $0.key < $1.key }) {
                if let p = properties?[k] {
                    errors += p.violations(of: v, at: "\(path).\(k)")
                } else {
                    switch additional {
                    case .forbidden?: errors.append("\(path).\(k): not in the schema")
                    case let .matching(s)?: errors += s.violations(of: v, at: "\(path).\(k)")
                    case nil: break
                    }
                }
            }
        case .null, .bool: break
        }
        return errors
    }
}

extension Array: JSONSchemaDescribed where Element: JSONSchemaDescribed {
    static var schemaName: String { Element.schemaName + "List" }
    static var jsonSchema: JSONSchema { .array(.ref(Element.self)) }
}
