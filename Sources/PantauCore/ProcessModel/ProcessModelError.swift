import Foundation

/// Errors of the process-model area: reading PNML and BPMN, building and firing Petri nets,
/// compiling an SOP to a net. Every case says what went wrong and where.
public enum ProcessModelError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file is not well-formed XML (parser message with line and column).
    case malformedXML(file: String?, line: Int, column: Int, message: String)
    /// A required attribute is missing on an element.
    case missingAttribute(file: String?, line: Int, element: String, attribute: String)
    /// An element refers to an id that is not defined (e.g. an arc to an unknown place).
    case unknownReference(file: String?, line: Int, element: String, id: String)
    /// Two nodes share an id.
    case duplicateID(file: String?, line: Int, id: String)
    /// A field has a value that cannot be used (e.g. a negative token count).
    case invalidValue(file: String?, line: Int, field: String, value: String)
    /// A construct this reader does not support (e.g. inhibitor arcs, inclusive gateways).
    case unsupported(file: String?, line: Int, element: String, reason: String)
    /// The model is structurally unusable (e.g. no net, no start event).
    case invalidModel(file: String?, reason: String)
    /// A Petri net violates an invariant (index out of range, weight < 1, ...).
    case invalidNet(reason: String)
    /// A transition was fired in a marking where it is not enabled.
    case transitionNotEnabled(transition: String)
    /// The SOP cannot be compiled to a net.
    case invalidSOP(reason: String)

    public var description: String {
        func at(_ file: String?, _ line: Int) -> String {
            (file.map { "\($0):" } ?? "line ") + "\(line)"
        }
        switch self {
        case let .malformedXML(file, line, column, message):
            return "\(at(file, line)):\(column): malformed XML: \(message)"
        case let .missingAttribute(file, line, element, attribute):
            return "\(at(file, line)): <\(element)> lacks attribute '\(attribute)'"
        case let .unknownReference(file, line, element, id):
            return "\(at(file, line)): <\(element)> refers to unknown id '\(id)'"
        case let .duplicateID(file, line, id):
            return "\(at(file, line)): duplicate id '\(id)'"
        case let .invalidValue(file, line, field, value):
            return "\(at(file, line)): invalid value '\(value)' for \(field)"
        case let .unsupported(file, line, element, reason):
            return "\(at(file, line)): unsupported <\(element)>: \(reason)"
        case let .invalidModel(file, reason):
            return "\(file ?? "model"): \(reason)"
        case let .invalidNet(reason):
            return "invalid Petri net: \(reason)"
        case let .transitionNotEnabled(transition):
            return "transition '\(transition)' is not enabled"
        case let .invalidSOP(reason):
            return "SOP cannot be compiled to a Petri net: \(reason)"
        }
    }
}
