import CYaml
import Foundation
import Yams

/// The two file formats an SOP can be imported from and exported to.
public enum SOPFileFormat: String, Sendable, CaseIterable {
    case yaml
    case json

    /// The format a file name implies (`.yaml`/`.yml` or `.json`), or nil.
    public init?(fileName: String) {
        switch (fileName as NSString).pathExtension.lowercased() {
        case "yaml", "yml": self = .yaml
        case "json": self = .json
        default: return nil
        }
    }
}

/// A problem in an SOP file: where (line, column, field) and what, as a ``Problem`` code with its
/// values. The web layer words it from its catalogs; ``message`` and ``description`` are English,
/// for logs and the command line.
public struct SOPFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based line in the file, when known.
    public var line: Int?
    public var column: Int?
    /// Field path in file terms, e.g. `langkah[2].mutu_baku.waktu` (1-based list positions).
    public var field: String
    /// What is wrong, with the values the message names.
    public var problem: Problem
    /// Validation issues when the file parsed but the SOP is not well formed.
    public var issues: [SOPValidationIssue]
    /// Set when the file was refused before it was read as an SOP (too large, YAML aliases).
    public var refusal: Refusal?

    /// Why a file was refused before being read.
    public enum Refusal: Hashable, Sendable {
        /// The file has more than `limit` bytes (``SOPLimits/maxFileBytes``).
        case fileTooLarge(limit: Int)
        /// The YAML uses an anchor (`&name`) or alias (`*name`); they are not allowed, since a few
        /// lines of nested aliases can expand to billions of nodes ("billion laughs").
        case yamlAliasNotAllowed
    }

    /// The kind of value a field should hold (for ``Problem/wrongType(expected:)``).
    public enum ValueKind: String, Hashable, Sendable {
        case text, number, boolean, list, mapping, other
    }

    /// What is wrong with the file.
    public enum Problem: Hashable, Sendable {
        /// More than `limit` bytes.
        case fileTooLarge(size: Int, limit: Int)
        /// A YAML anchor or alias.
        case yamlAliasNotAllowed
        /// The YAML does not parse; `detail` is libyaml's (English) description.
        case yamlSyntax(detail: String)
        /// The JSON does not parse; `detail` is Foundation's (English) description.
        case jsonSyntax(detail: String)
        /// The text cannot be read (bad encoding, control characters).
        case unreadable(detail: String)
        /// Nothing in the file.
        case empty
        /// A required field is missing (`key` is its name).
        case keyRequired(key: String)
        /// A field holds the wrong kind of value.
        case wrongType(expected: ValueKind)
        /// A field is empty where a value is needed.
        case missingValue(expected: ValueKind)
        /// A date that is not `YYYY-MM-DD` (`value` as written).
        case invalidDate(value: String)
        /// A duration that is not understood (`value` as written).
        case invalidDuration(value: String)
        /// A value outside the allowed choices (`value` as written), e.g. an unknown step kind.
        case invalidChoice(value: String)
        /// The file was read but the SOP is not well formed: see ``SOPFileError/issues`` (the first is the headline).
        case invalidSOP
        /// Anything else (English detail).
        case other(detail: String)
    }

    public init(line: Int?, column: Int? = nil, field: String, problem: Problem, issues: [SOPValidationIssue] = [],
                refusal: Refusal? = nil) {
        self.line = line
        self.column = column
        self.field = field
        self.problem = problem
        self.issues = issues
        self.refusal = refusal
    }

    /// What is wrong, in English (without the position).
    public var message: String {
        switch problem {
        case let .fileTooLarge(size, limit): return "file too large: \(size) bytes, at most \(limit) bytes"
        case .yamlAliasNotAllowed: return "YAML anchors and aliases (&name, *name) are not allowed"
        case let .yamlSyntax(d): return "YAML syntax: \(d)"
        case let .jsonSyntax(d): return "JSON syntax: \(d)"
        case let .unreadable(d): return "the file cannot be read: \(d)"
        case .empty: return "empty file"
        case let .keyRequired(k): return "field '\(k)' is required"
        case let .wrongType(k): return "wrong type, expected \(k.rawValue)"
        case let .missingValue(k): return "missing value, expected \(k.rawValue)"
        case let .invalidDate(v): return "expected a date as YYYY-MM-DD, got '\(v)'"
        case let .invalidDuration(v): return "'\(v)' is not a duration (e.g. '15 menit', '2 jam', '1 hari')"
        case let .invalidChoice(v): return "'\(v)' is not one of the allowed values"
        case .invalidSOP:
            let first = issues.first?.description ?? "the SOP is not valid"
            return first + (issues.count > 1 ? " (and \(issues.count - 1) more)" : "")
        case let .other(d): return d
        }
    }

    public var description: String {
        var where_: [String] = []
        if let l = line { where_.append("line \(l)" + (column.map { ", column \($0)" } ?? "")) }
        if !field.isEmpty { where_.append("field \(field)") }
        return (where_.isEmpty ? "" : where_.joined(separator: ", ") + ": ") + message
    }
}

/// Reads and writes SOP files (YAML and JSON, same schema; see `docs/sop-format.md`).
public enum SOPFile {
    /// Parses and validates an SOP file.
    ///
    /// - Throws: ``SOPFileError`` naming line and field for syntax errors, wrong types, missing
    ///   fields and validation issues (the first issue is the headline, all are in `issues`).
    public static func decode(_ text: String, format: SOPFileFormat) throws(SOPFileError) -> SOPDocument {
        let size = text.utf8.count
        if size > SOPLimits.maxFileBytes {
            throw SOPFileError(line: nil, field: "", problem: .fileTooLarge(size: size, limit: SOPLimits.maxFileBytes),
                               refusal: .fileTooLarge(limit: SOPLimits.maxFileBytes))
        }
        let yaml = text.replacingOccurrences(of: "\t", with: " ")
        // Anchors and aliases are refused from the parser's event stream, before any node tree is
        // built (composing a "billion laughs" file is cheap, but decoding or hashing it is not).
        if let mark = firstAnchorOrAlias(in: yaml) {
            throw SOPFileError(line: mark.line, column: mark.column, field: "", problem: .yamlAliasNotAllowed,
                               refusal: .yamlAliasNotAllowed)
        }
        // Compose the node tree first: it carries line numbers. JSON is (for our purposes) valid
        // YAML flow syntax, so both formats get located errors.
        var root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let e as YamlError {
            if format == .yaml { throw yamlSyntaxError(e) }
            root = nil
        } catch {
            if format == .yaml { throw SOPFileError(line: nil, field: "", problem: .other(detail: "\(error)")) }
        }
        let doc: SOPDocument
        do {
            switch format {
            case .yaml:
                guard let node = root else {
                    throw SOPFileError(line: 1, field: "", problem: .empty)
                }
                doc = try YAMLDecoder().decode(SOPDocument.self, from: node)
            case .json:
                doc = try JSONDecoder().decode(SOPDocument.self, from: Data(text.utf8))
            }
        } catch let e as SOPFileError {
            throw e
        } catch let e as DecodingError {
            throw located(e, root: root)
        } catch let e as YamlError {
            throw yamlSyntaxError(e)
        } catch {
            throw SOPFileError(line: nil, field: "", problem: .other(detail: "\(error)"))
        }
        let issues = doc.validate()
        if let first = issues.first {
            let mark = root.flatMap { locate(fieldPath: first.field, in: $0) }
            throw SOPFileError(line: mark?.line, column: mark?.column, field: first.field, problem: .invalidSOP, issues: issues)
        }
        return doc
    }

    /// Writes an SOP in the given format (keys in Bahasa Indonesia, as in the documented schema).
    public static func encode(_ doc: SOPDocument, format: SOPFileFormat) throws -> String {
        switch format {
        case .yaml:
            let enc = YAMLEncoder()
            enc.options.allowUnicode = true
            enc.options.sortKeys = false
            return try enc.encode(doc)
        case .json:
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .withoutEscapingSlashes]
            return String(decoding: try enc.encode(doc), as: UTF8.self) + "\n"
        }
    }

    /// The position (1-based line and column) of the first anchor or alias in a YAML text, or nil
    /// when there is none or the text does not parse (the composer then reports the syntax error).
    /// Reads libyaml's events one by one: linear in the text, never expanding an alias.
    static func firstAnchorOrAlias(in yaml: String) -> (line: Int, column: Int)? {
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) == 1 else { return nil }
        defer { yaml_parser_delete(parser) }
        var bytes = Array(yaml.utf8)
        if bytes.isEmpty { return nil }
        return bytes.withUnsafeMutableBufferPointer { buf -> (line: Int, column: Int)? in
            yaml_parser_set_input_string(parser, buf.baseAddress, buf.count)
            var event = yaml_event_t()
            while yaml_parser_parse(parser, &event) == 1 {
                defer { yaml_event_delete(&event) }
                let mark = (line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
                switch event.type {
                case YAML_ALIAS_EVENT: return mark
                case YAML_SCALAR_EVENT where event.data.scalar.anchor != nil: return mark
                case YAML_SEQUENCE_START_EVENT where event.data.sequence_start.anchor != nil: return mark
                case YAML_MAPPING_START_EVENT where event.data.mapping_start.anchor != nil: return mark
                case YAML_STREAM_END_EVENT: return nil
                default: continue
                }
            }
            return nil
        }
    }

    // MARK: - Locating errors

    static func yamlSyntaxError(_ e: YamlError) -> SOPFileError {
        switch e {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
            return SOPFileError(line: mark.line, column: mark.column, field: "", problem: .yamlSyntax(detail: problem))
        case let .reader(problem, _, _, _):
            return SOPFileError(line: nil, field: "", problem: .unreadable(detail: problem))
        default:
            return SOPFileError(line: nil, field: "", problem: .other(detail: "\(e)"))
        }
    }

    static func pathString(_ path: [any CodingKey]) -> String {
        var s = ""
        for k in path {
            if let i = k.intValue { s += "[\(i + 1)]" } else { s += (s.isEmpty ? "" : ".") + k.stringValue }
        }
        return s
    }

    static func located(_ e: DecodingError, root: Node?) -> SOPFileError {
        let path: [any CodingKey]
        var problem: SOPFileError.Problem
        switch e {
        case let .keyNotFound(key, ctx):
            let parent = pathString(ctx.codingPath)
            let mark = root.flatMap { locate(fieldPath: parent, in: $0) }
            return SOPFileError(
                line: mark?.line, column: mark?.column,
                field: parent.isEmpty ? key.stringValue : parent + "." + key.stringValue, problem: .keyRequired(key: key.stringValue))
        case let .typeMismatch(type, ctx):
            path = ctx.codingPath
            problem = .wrongType(expected: valueKind(type))
        case let .valueNotFound(type, ctx):
            path = ctx.codingPath
            problem = .missingValue(expected: valueKind(type))
        case let .dataCorrupted(ctx):
            path = ctx.codingPath
            problem = .other(detail: ctx.debugDescription)
            // Name the kind of value by the field it is in (dates, durations, choices).
            var value = quoted(ctx.debugDescription)
            if value == nil, let r = ctx.debugDescription.range(of: "String value ") {
                value = String(ctx.debugDescription[r.upperBound...])
            }
            let last = path.last.map { $0.intValue == nil ? $0.stringValue : "" } ?? ""
            if last.hasPrefix("tanggal_") || last == "berlaku_sejak" {
                problem = .invalidDate(value: value ?? "")
            } else if last == "waktu" {
                problem = .invalidDuration(value: value ?? "")
            } else if ["jenis", "kelas_kegiatan", "kelas"].contains(last) || ctx.debugDescription.contains("Cannot initialize") {
                problem = .invalidChoice(value: value ?? "")
            }
        @unknown default:
            path = []
            problem = .other(detail: "\(e)")
        }
        let field = pathString(path)
        let mark = root.flatMap { locate(fieldPath: field, in: $0) }
        var line = mark?.line, column = mark?.column
        if path.isEmpty, root == nil, case let .other(detail) = problem, let m = jsonSyntaxLine(detail) {
            (line, column) = (m.line, m.column)
            problem = .jsonSyntax(detail: detail)
        }
        return SOPFileError(line: line, column: column, field: field, problem: problem)
    }

    /// The first text in single quotes (the value a decoder names), if any.
    private static func quoted(_ s: String) -> String? {
        guard let a = s.firstIndex(of: "'") else { return nil }
        let rest = s[s.index(after: a)...]
        guard let b = rest.firstIndex(of: "'") else { return nil }
        return String(rest[..<b])
    }

    private static func valueKind(_ t: Any.Type) -> SOPFileError.ValueKind {
        switch t {
        case is String.Type: return .text
        case is Int.Type, is Double.Type: return .number
        case is Bool.Type: return .boolean
        default:
            let n = "\(t)"
            if n.hasPrefix("Array") { return .list }
            if n.hasPrefix("Dictionary") || n.hasPrefix("SOP") || n.hasPrefix("Quality") { return .mapping }
            return .other
        }
    }

    private static func jsonSyntaxLine(_ message: String) -> (line: Int, column: Int)? {
        // Foundation's JSON errors say "... around line N, column M."
        guard let r = message.range(of: "line ") else { return nil }
        let digits = message[r.upperBound...].prefix { $0.isNumber }
        guard let line = Int(digits) else { return nil }
        var col = 0
        if let c = message.range(of: "column ") { col = Int(message[c.upperBound...].prefix { $0.isNumber }) ?? 0 }
        return (line, col)
    }

    /// Finds the node for a field path like `langkah[3].mutu_baku.waktu` (1-based indexes) and
    /// returns its position; falls back to the deepest existing ancestor.
    static func locate(fieldPath: String, in root: Node) -> Mark? {
        var node = root
        var best = root.mark
        var i = fieldPath.startIndex
        while i < fieldPath.endIndex {
            if fieldPath[i] == "." { i = fieldPath.index(after: i); continue }
            if fieldPath[i] == "[" {
                guard let close = fieldPath[i...].firstIndex(of: "]"),
                      let n = Int(fieldPath[fieldPath.index(after: i)..<close]) else { return best }
                i = fieldPath.index(after: close)
                guard case let .sequence(seq) = node, n >= 1, n <= seq.count else { return best }
                node = seq[n - 1]
            } else {
                let end = fieldPath[i...].firstIndex(where: { $0 == "." || $0 == "[" }) ?? fieldPath.endIndex
                let key = String(fieldPath[i..<end])
                i = end
                guard case let .mapping(map) = node, let child = map[key] else { return best }
                // Point at the key's line (the value of a nested mapping starts on the next line).
                if let keyNode = map.keys.first(where: { $0.string == key }), let m = keyNode.mark { best = m }
                node = child
                continue
            }
            if let m = node.mark { best = m }
        }
        return best
    }
}
