import Mustache

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
        switch value {
        case is String, is Bool, is Int, is Int64, is Double, is Substring, is MustacheBox:
            return value
        case let optional as any OptionalValue:
            return optional.wrappedAny.flatMap(wrap)
        case let array as [Any]:
            return array.map { wrap($0) ?? Optional<Any>.none as Any }
        case is any MustacheParent:
            // [String: V] dictionaries answer their own keys.
            return value
        default:
            return MustacheBox(value)
        }
    }
}

/// Lets a box unwrap an optional it holds as `Any` without reflection.
protocol OptionalValue {
    var wrappedAny: Any? { get }
}

extension Optional: OptionalValue {
    var wrappedAny: Any? { map { $0 as Any } }
}
