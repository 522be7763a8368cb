import Foundation

/// A place/transition net with arc weights, an initial marking and an optional final marking.
///
/// Places and transitions are addressed by their index in ``places`` / ``transitions``; the
/// string ids are kept for files and reports. A transition with `label == nil` is *silent*
/// (τ, "invisible"): it records nothing in an event log.
///
/// Firing semantics (standard): transition `t` is enabled in marking `m` when every input place
/// `p` holds at least `w(p, t)` tokens; firing removes `w(p, t)` tokens from each input place and
/// adds `w(t, q)` to each output place.
///
/// The per-transition input and output lists (``inputs(of:)`` / ``outputs(of:)``) are kept up to
/// date by the mutating builders, so algorithms never scan ``arcs``.
public struct PetriNet: Hashable, Sendable, Codable {
    /// A place (condition) of the net.
    public struct Place: Hashable, Sendable, Codable {
        public var id: String
        public var name: String
        public init(id: String, name: String) {
            self.id = id
            self.name = name
        }
    }

    /// A transition; `label == nil` means silent (τ).
    public struct Transition: Hashable, Sendable, Codable {
        public var id: String
        /// The display name (for silent transitions e.g. "tau_3"; not an activity).
        public var name: String
        /// The activity the transition records, or nil for a silent transition.
        public var label: String?
        public var isSilent: Bool { label == nil }
        public init(id: String, name: String, label: String?) {
            self.id = id
            self.name = name
            self.label = label
        }
    }

    /// A weighted arc between a place and a transition (either direction).
    public struct Arc: Hashable, Sendable, Codable {
        public enum Direction: String, Hashable, Sendable, Codable {
            case placeToTransition, transitionToPlace
        }
        public var place: Int
        public var transition: Int
        public var direction: Direction
        public var weight: Int
        public init(place: Int, transition: Int, direction: Direction, weight: Int = 1) {
            self.place = place
            self.transition = transition
            self.direction = direction
            self.weight = weight
        }
    }

    /// A place index with an arc weight (an entry of a transition's pre- or post-set).
    public struct WeightedPlace: Hashable, Sendable, Codable {
        public var place: Int
        public var weight: Int
    }

    /// Largest arc weight or token count accepted in a place (far above what any analysis can use).
    public static let maxTokens = 1_000_000

    public var id: String
    public var name: String
    public private(set) var places: [Place] = []
    public private(set) var transitions: [Transition] = []
    public private(set) var arcs: [Arc] = []
    /// Pre-set of each transition (merged per place), indexed like ``transitions``.
    public private(set) var preSets: [[WeightedPlace]] = []
    /// Post-set of each transition (merged per place), indexed like ``transitions``.
    public private(set) var postSets: [[WeightedPlace]] = []
    public var initialMarking = Marking()
    /// The marking a complete run must end in; nil when the model does not say (alignments
    /// then refuse the net).
    public var finalMarking: Marking?

    /// An empty net.
    public init(id: String = "net", name: String = "") {
        self.id = id
        self.name = name
    }

    // MARK: building

    /// Adds a place and returns its index.
    @discardableResult
    public mutating func addPlace(id: String, name: String? = nil) -> Int {
        places.append(Place(id: id, name: name ?? id))
        return places.count - 1
    }

    /// Adds a transition (label nil = silent) and returns its index.
    @discardableResult
    public mutating func addTransition(id: String, label: String?, name: String? = nil) -> Int {
        transitions.append(Transition(id: id, name: name ?? label ?? id, label: label))
        preSets.append([])
        postSets.append([])
        return transitions.count - 1
    }

    /// Adds an arc from a place to a transition.
    /// - Throws: ``ProcessModelError/invalidNet(reason:)`` for an index out of range or weight < 1.
    public mutating func addArc(fromPlace place: Int, toTransition transition: Int, weight: Int = 1) throws {
        try addArc(Arc(place: place, transition: transition, direction: .placeToTransition, weight: weight))
    }

    /// Adds an arc from a transition to a place.
    /// - Throws: ``ProcessModelError/invalidNet(reason:)`` for an index out of range or weight < 1.
    public mutating func addArc(fromTransition transition: Int, toPlace place: Int, weight: Int = 1) throws {
        try addArc(Arc(place: place, transition: transition, direction: .transitionToPlace, weight: weight))
    }

    /// Adds an arc; parallel arcs between the same pair in the same direction add their weights.
    public mutating func addArc(_ arc: Arc) throws {
        guard places.indices.contains(arc.place) else {
            throw ProcessModelError.invalidNet(reason: "arc refers to place index \(arc.place) of \(places.count)")
        }
        guard transitions.indices.contains(arc.transition) else {
            throw ProcessModelError.invalidNet(reason: "arc refers to transition index \(arc.transition) of \(transitions.count)")
        }
        guard arc.weight >= 1, arc.weight <= PetriNet.maxTokens else {
            throw ProcessModelError.invalidNet(reason: "arc weight \(arc.weight) outside 1...\(PetriNet.maxTokens)")
        }
        arcs.append(arc)
        func merge(_ list: inout [WeightedPlace]) {
            if let i = list.firstIndex(where: { $0.place == arc.place }) {
                list[i].weight = min(list[i].weight + arc.weight, PetriNet.maxTokens)
            } else {
                list.append(WeightedPlace(place: arc.place, weight: arc.weight))
                list.sort { $0.place < $1.place }
            }
        }
        switch arc.direction {
        case .placeToTransition: merge(&preSets[arc.transition])
        case .transitionToPlace: merge(&postSets[arc.transition])
        }
    }

    // MARK: lookup

    /// Index of the place with this id.
    public func placeIndex(id: String) -> Int? { places.firstIndex { $0.id == id } }
    /// Index of the transition with this id.
    public func transitionIndex(id: String) -> Int? { transitions.firstIndex { $0.id == id } }
    /// Pre-set of transition `t`.
    public func inputs(of t: Int) -> [WeightedPlace] { preSets.indices.contains(t) ? preSets[t] : [] }
    /// Post-set of transition `t`.
    public func outputs(of t: Int) -> [WeightedPlace] { postSets.indices.contains(t) ? postSets[t] : [] }
    /// Number of silent transitions.
    public var silentTransitionCount: Int { transitions.lazy.filter(\.isSilent).count }
    /// The distinct labels of visible transitions, sorted.
    public var labels: [String] { Array(Set(transitions.compactMap(\.label))).sorted() }

    /// A marking given by place ids.
    /// - Throws: ``ProcessModelError/invalidNet(reason:)`` for an unknown place id or negative count.
    public func marking(_ tokensByPlaceID: [String: Int]) throws -> Marking {
        var m = Marking()
        for (id, n) in tokensByPlaceID {
            guard let p = placeIndex(id: id) else {
                throw ProcessModelError.invalidNet(reason: "marking names unknown place '\(id)'")
            }
            guard n >= 0 else { throw ProcessModelError.invalidNet(reason: "negative token count \(n) in place '\(id)'") }
            m[p] = n
        }
        return m
    }

    // MARK: firing

    /// Whether transition `t` is enabled in `marking`.
    public func isEnabled(_ t: Int, in marking: Marking) -> Bool {
        guard preSets.indices.contains(t) else { return false }
        return preSets[t].allSatisfy { marking[$0.place] >= $0.weight }
    }

    /// The transitions enabled in `marking`, in index order.
    public func enabledTransitions(in marking: Marking) -> [Int] {
        transitions.indices.filter { isEnabled($0, in: marking) }
    }

    /// The marking after firing `t`.
    /// - Throws: ``ProcessModelError/transitionNotEnabled(transition:)`` when `t` is not enabled.
    public func fire(_ t: Int, in marking: Marking) throws -> Marking {
        guard transitions.indices.contains(t) else {
            throw ProcessModelError.invalidNet(reason: "transition index \(t) out of range")
        }
        guard isEnabled(t, in: marking) else {
            throw ProcessModelError.transitionNotEnabled(transition: transitions[t].id)
        }
        var m = marking
        for a in preSets[t] { m[a.place] -= a.weight }
        for a in postSets[t] { m[a.place] += a.weight }
        return m
    }

    // MARK: invariants

    /// Checks the net's invariants: unique place and transition ids, arcs and markings in range,
    /// weights ≥ 1, pre/post sets consistent with ``arcs``.
    /// - Throws: ``ProcessModelError/invalidNet(reason:)`` naming the first violation.
    public func validate() throws {
        var seen = Set<String>()
        for p in places where !seen.insert("p:" + p.id).inserted {
            throw ProcessModelError.invalidNet(reason: "duplicate place id '\(p.id)'")
        }
        for t in transitions where !seen.insert("t:" + t.id).inserted {
            throw ProcessModelError.invalidNet(reason: "duplicate transition id '\(t.id)'")
        }
        guard preSets.count == transitions.count, postSets.count == transitions.count else {
            throw ProcessModelError.invalidNet(reason: "pre/post sets out of sync with transitions")
        }
        var pre = Array(repeating: [Int: Int](), count: transitions.count)
        var post = pre
        for a in arcs {
            guard places.indices.contains(a.place), transitions.indices.contains(a.transition) else {
                throw ProcessModelError.invalidNet(reason: "arc out of range")
            }
            guard a.weight >= 1 else { throw ProcessModelError.invalidNet(reason: "arc weight < 1") }
            if a.direction == .placeToTransition { pre[a.transition][a.place, default: 0] += a.weight }
            else { post[a.transition][a.place, default: 0] += a.weight }
        }
        for t in transitions.indices {
            let p1 = Dictionary(uniqueKeysWithValues: preSets[t].map { ($0.place, $0.weight) })
            let p2 = Dictionary(uniqueKeysWithValues: postSets[t].map { ($0.place, $0.weight) })
            guard p1 == pre[t], p2 == post[t] else {
                throw ProcessModelError.invalidNet(reason: "pre/post set of '\(transitions[t].id)' differs from arcs")
            }
        }
        for (name, m) in [("initial", initialMarking), ("final", finalMarking ?? Marking())] {
            for (p, n) in m.tokens {
                guard places.indices.contains(p), n > 0 else {
                    throw ProcessModelError.invalidNet(reason: "\(name) marking has place index \(p) with \(n) tokens")
                }
            }
        }
    }
}

/// A marking: tokens per place index. Only places with tokens are stored, so two markings are
/// equal exactly when every place holds the same number of tokens.
public struct Marking: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Place index → token count (> 0).
    public private(set) var tokens: [Int: Int]

    public init(_ tokens: [Int: Int] = [:]) {
        self.tokens = tokens.filter { $0.value > 0 }
    }

    /// Tokens in place `p` (0 when absent). Setting 0 removes the entry.
    public subscript(place: Int) -> Int {
        get { tokens[place] ?? 0 }
        set { tokens[place] = newValue > 0 ? newValue : nil }
    }

    /// Total number of tokens.
    public var total: Int { tokens.values.reduce(0, +) }

    /// Whether this marking has at least as many tokens as `other` in every place.
    public func covers(_ other: Marking) -> Bool {
        other.tokens.allSatisfy { self[$0.key] >= $0.value }
    }

    public var description: String {
        "[" + tokens.sorted { $0.key < $1.key }.map { "p\($0.key):\($0.value)" }.joined(separator: ", ") + "]"
    }
}
