import Mustache
import NIOConcurrencyHelpers

/// A view model as swift-mustache sees it, reflected once. Without it the renderer builds a
/// `Mirror` for every key it looks up, on every object of the context stack it passes on the way
/// (a `{{t.label}}` inside a list row reflects the row, then the page, then the root), which made
/// reflection the largest cost of rendering a page. A box reflects its object's stored
/// properties once into a dictionary and wraps each child the first time it is asked for, so a
/// render costs one reflection per model value. Rendering is unchanged: strings, numbers and
/// booleans pass through as they are, optionals are unwrapped, arrays become arrays of boxes,
/// dictionaries stay dictionaries.
///
/// A box lives for one render on one task (not shared), hence `@unchecked Sendable`.
final class MustacheBox: MustacheParent, CustomStringConvertible, @unchecked Sendable {
    private let object: Any
    private var fields: [String: Any]
    private var wrapped: [String: Any?] = [:]

    /// Printed as its object would be (an enum or a value type used as `{{value}}`).
    var description: String { String(describing: object) }

    init(_ object: Any) {
        self.object = object
        var fields: [String: Any] = [:]
        var mirror: Mirror? = Mirror(reflecting: object)
        while let m = mirror {
            for child in m.children {
                if let label = child.label, fields[label] == nil { fields[label] = child.value }
            }
            mirror = m.superclassMirror
        }
        self.fields = fields
    }

    func child(named name: String) -> Any? {
        if let done = wrapped[name] { return done }
        guard let raw = fields[name] else { return nil }
        let value = Self.wrap(raw)
        wrapped[name] = .some(value)
        return value
    }

    /// The value as the renderer should see it.
    static func wrap(_ value: Any) -> Any? {
        switch kind(of: value) {
        case .plain:
            return value
        case .optional:
            return (value as! any OptionalValue).wrappedAny.flatMap(wrap)
        case .array:
            return (value as! any ArrayValue).elements.map { wrap($0) ?? Optional<Any>.none as Any }
        case .box:
            return MustacheBox(value)
        }
    }

    /// How a value of one type is handed to the renderer.
    enum Kind { case plain, optional, array, box }

    /// Decided once per type: a failing cast of a dictionary to an array or to a protocol makes the
    /// runtime bridge the whole dictionary to an `NSDictionary` first (on Linux too), which was an
    /// eighth of the monitoring page's time with the catalog of strings asked for on every render.
    private static let kinds = NIOLockedValueBox<[ObjectIdentifier: Kind]>([:])

    static func kind(of value: Any) -> Kind {
        let type = ObjectIdentifier(Swift.type(of: value))
        if let k = kinds.withLockedValue({ $0[type] }) { return k }
        let k: Kind
        // Optionals first: `is String` is also true of a `String?` holding a string, and the kind
        // is kept for the type, nil values included.
        switch value {
        case is any OptionalValue: k = .optional
        case is String, is Bool, is Int, is Int64, is Double, is Substring, is MustacheBox: k = .plain
        case is any ArrayValue: k = .array
        // [String: V] dictionaries answer their own keys.
        case is any MustacheParent: k = .plain
        default: k = .box
        }
        kinds.withLockedValue { $0[type] = k }
        return k
    }
}

/// Lets a box read an array it holds as `Any` without a cast to `[Any]`.
protocol ArrayValue {
    var elements: [Any] { get }
}

extension Array: ArrayValue {
    var elements: [Any] { map { $0 as Any } }
}

/// Lets a box unwrap an optional it holds as `Any` without reflection.
protocol OptionalValue {
    var wrappedAny: Any? { get }
}

extension Optional: OptionalValue {
    var wrappedAny: Any? { map { $0 as Any } }
}
