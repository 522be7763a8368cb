import Foundation

/// A Petri net compiled from an SOP flowchart, with the map between transitions and steps.
public struct SOPNet: Sendable, Hashable, Codable {
    public var net: PetriNet
    /// Transition index → step id, for the visible transitions (one per reachable step).
    public var stepOfTransition: [Int: String]
    /// Step id → transition index.
    public var transitionOfStep: [String: Int]

    /// Compiles an SOP to a workflow net.
    ///
    /// Construction:
    /// - every step reachable from the start step is one visible transition labelled with the
    ///   step's ``SOPStep/activity`` (log names are mapped to it by ``SOPConformance``);
    /// - every step has an entry place; the start step's entry place is `source` (one token in
    ///   the initial marking);
    /// - a start or process step produces into the entry place of its successor; an end step
    ///   produces into `sink` (so several end steps share the one final place; final marking
    ///   = one token in `sink`);
    /// - a decision step produces into a choice place; one silent transition per branch (Ya,
    ///   Tidak) moves the token to the branch target's entry place. Where a branch target has
    ///   no other predecessor, the silent transition is removed and the target consumes from
    ///   the choice place directly (so a silent move remains only where a target is shared,
    ///   e.g. a loop back);
    /// - loops back to earlier steps are allowed (they are just arcs into an earlier entry place);
    /// - a step that is not recorded (``SOPStep/recorded`` false) also gets a silent bypass
    ///   `skip_<id>` with the same input and output as its visible transition, so a case may or
    ///   may not have an event of it.
    ///
    /// - Throws: ``ProcessModelError/invalidSOP(reason:)`` when there is no start step, a
    ///   successor id is unknown, or a non-end step has no successor.
    /// - Complexity: O(S²) for S steps (step lookup by id and the silent-transition reduction).
    public init(compiling doc: SOPDocument) throws {
        guard let start = doc.startStep else { throw ProcessModelError.invalidSOP(reason: "no start step (jenis: mulai)") }
        let reachable = doc.reachableFromStart()
        let steps = doc.steps.filter { reachable.contains($0.id) }
        var b = NetBuilder()
        let source = b.place("source")
        let sink = b.place("sink")
        var entry: [String: Int] = [:]
        for s in steps { entry[s.id] = s.id == start.id ? source : b.place("in_" + s.id) }
        var transitionName: [String: String] = [:]
        for s in steps {
            guard let inPlace = entry[s.id] else { continue }
            let succ = doc.successors(of: s)
            for (target, _) in succ where entry[target] == nil {
                throw ProcessModelError.invalidSOP(reason: "step '\(s.id)' leads to unknown step '\(target)'")
            }
            let tname = "step_" + s.id
            transitionName[s.id] = tname
            func visible(_ output: Int) {
                b.transition(tname, s.activity, [inPlace], [output])
                if !s.recorded { b.transition("skip_" + s.id, nil, [inPlace], [output]) }
            }
            switch s.kind {
            case .end:
                visible(sink)
            case .start, .process:
                guard let (target, _) = succ.first, let out = entry[target] else {
                    throw ProcessModelError.invalidSOP(reason: "step '\(s.id)' has no next step and is not an end step")
                }
                visible(out)
            case .decision:
                guard !succ.isEmpty else {
                    throw ProcessModelError.invalidSOP(reason: "decision '\(s.id)' has neither a Ya nor a Tidak target")
                }
                let choice = b.place("choice_" + s.id)
                visible(choice)
                for (target, branch) in succ {
                    guard let out = entry[target] else { continue }
                    b.transition("\(s.id)_\(branch.rawValue)", nil, [choice], [out])
                }
            }
        }
        // Only rule (b)-style fusion applies here: a branch τ whose target has no other producer.
        b.reduce(initial: [source], final: [sink])
        let net = try b.build(id: doc.identity.number.isEmpty ? "sop" : doc.identity.number, source: source, sink: sink)
        var stepOf: [Int: String] = [:]
        var transOf: [String: Int] = [:]
        for (sid, tname) in transitionName {
            if let t = net.transitionIndex(id: tname) {
                stepOf[t] = sid
                transOf[sid] = t
            }
        }
        var named = net
        named.name = doc.identity.title
        self.net = named
        self.stepOfTransition = stepOf
        self.transitionOfStep = transOf
    }
}
