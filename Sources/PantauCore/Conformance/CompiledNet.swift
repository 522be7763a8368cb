import Foundation

/// An indexed, immutable form of a ``PetriNet`` for the conformance algorithms: flat pre/post
/// arrays, label ids, dense initial/final markings (`UInt8` per place).
struct CompiledNet: Sendable {
    let placeCount: Int
    let transitionCount: Int
    let preStart: [Int]
    let prePlace: [Int]
    let preWeight: [UInt8]
    let postStart: [Int]
    let postPlace: [Int]
    let postWeight: [UInt8]
    /// Label id per transition, −1 for silent.
    let label: [Int32]
    /// Distinct visible labels, sorted.
    let labelNames: [String]
    let labelIndex: [String: Int32]
    let transitionsByLabel: [[Int]]
    let silentTransitions: [Int]
    let initial: [UInt8]
    let final: [UInt8]
    let hasFinalMarking: Bool
    let transitionIDs: [String]

    /// - Throws: ``ConformanceError/tokenOverflow`` when a weight or marking exceeds 255 tokens.
    init(_ net: PetriNet) throws {
        placeCount = net.places.count
        transitionCount = net.transitions.count
        var ps = [0], pp: [Int] = [], pw: [UInt8] = []
        var qs = [0], qp: [Int] = [], qw: [UInt8] = []
        for t in 0..<net.transitions.count {
            for a in net.preSets[t] {
                guard a.weight <= 255 else { throw ConformanceError.tokenOverflow(place: net.places[a.place].id) }
                pp.append(a.place); pw.append(UInt8(a.weight))
            }
            ps.append(pp.count)
            for a in net.postSets[t] {
                guard a.weight <= 255 else { throw ConformanceError.tokenOverflow(place: net.places[a.place].id) }
                qp.append(a.place); qw.append(UInt8(a.weight))
            }
            qs.append(qp.count)
        }
        preStart = ps; prePlace = pp; preWeight = pw
        postStart = qs; postPlace = qp; postWeight = qw
        let names = Array(Set(net.transitions.compactMap(\.label))).sorted()
        labelNames = names
        var idx: [String: Int32] = [:]
        for (i, n) in names.enumerated() { idx[n] = Int32(i) }
        labelIndex = idx
        label = net.transitions.map { $0.label.flatMap { idx[$0] } ?? -1 }
        var byLabel = Array(repeating: [Int](), count: names.count)
        var silent: [Int] = []
        for (t, l) in label.enumerated() {
            if l >= 0 { byLabel[Int(l)].append(t) } else { silent.append(t) }
        }
        transitionsByLabel = byLabel
        silentTransitions = silent
        func dense(_ m: Marking) throws -> [UInt8] {
            var d = Array(repeating: UInt8(0), count: net.places.count)
            for (p, n) in m.tokens where p < d.count {
                guard n <= 255 else { throw ConformanceError.tokenOverflow(place: net.places[p].id) }
                d[p] = UInt8(n)
            }
            return d
        }
        initial = try dense(net.initialMarking)
        hasFinalMarking = net.finalMarking != nil
        final = try dense(net.finalMarking ?? Marking())
        transitionIDs = net.transitions.map(\.id)
    }

    func pre(_ t: Int) -> [(Int, Int)] {
        (preStart[t]..<preStart[t + 1]).map { (prePlace[$0], Int(preWeight[$0])) }
    }
    func post(_ t: Int) -> [(Int, Int)] {
        (postStart[t]..<postStart[t + 1]).map { (postPlace[$0], Int(postWeight[$0])) }
    }

    @inline(__always)
    func isEnabled(_ t: Int, _ m: UnsafeBufferPointer<UInt8>) -> Bool {
        var k = preStart[t]
        let e = preStart[t + 1]
        while k < e {
            if m[prePlace[k]] < preWeight[k] { return false }
            k += 1
        }
        return true
    }

    /// Fires `t` in place; returns false on token overflow (> 255).
    @inline(__always)
    func fire(_ t: Int, _ m: UnsafeMutableBufferPointer<UInt8>) -> Bool {
        for k in preStart[t]..<preStart[t + 1] { m[prePlace[k]] &-= preWeight[k] }
        for k in postStart[t]..<postStart[t + 1] {
            let (v, o) = m[postPlace[k]].addingReportingOverflow(postWeight[k])
            if o { return false }
            m[postPlace[k]] = v
        }
        return true
    }
}

/// Errors of the conformance algorithms.
public enum ConformanceError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Alignments need a final marking; the net has none.
    case noFinalMarking
    /// A place would hold more than 255 tokens (the net is unbounded or the weights too large).
    case tokenOverflow(place: String)
    /// The final marking cannot be reached from the initial marking at all.
    case finalMarkingUnreachable(expandedStates: Int)
    /// An option is out of range.
    case invalidOption(field: String, value: String)
    /// The SOP has no step for the given transition (internal inconsistency of a compiled net).
    case unknownStep(String)

    public var description: String {
        switch self {
        case .noFinalMarking:
            return "the Petri net has no final marking; alignments need one (add <finalmarkings> to the PNML)"
        case let .tokenOverflow(place):
            return "place '\(place)' would hold more than 255 tokens; the net is not bounded enough for conformance checking"
        case let .finalMarkingUnreachable(n):
            return "the final marking is not reachable from the initial marking (searched \(n) states)"
        case let .invalidOption(field, value):
            return "invalid option \(field) = \(value)"
        case let .unknownStep(s):
            return "unknown SOP step '\(s)'"
        }
    }
}
