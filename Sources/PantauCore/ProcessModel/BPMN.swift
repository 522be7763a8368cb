import Foundation

/// A BPMN 2.0 process (the control-flow subset): tasks, exclusive and parallel gateways, start
/// and end events, sequence flows; read from the XML that PM4Py, Camunda Modeler, bpmn.io and
/// Signavio write (namespace prefix ignored, diagram layout ignored).
///
/// Read as tasks: `task`, `userTask`, `serviceTask`, `manualTask`, `scriptTask`, `sendTask`,
/// `receiveTask`, `businessRuleTask`, `callActivity` and collapsed `subProcess` (label = the
/// `name`, or the id when the name is empty). Intermediate events are silent pass-through
/// nodes. `eventBasedGateway` is treated as exclusive. Inclusive and complex gateways are
/// rejected (their join semantics has no plain place/transition counterpart).
public struct BPMN: Sendable, Hashable, Codable {
    public enum NodeKind: String, Sendable, Hashable, Codable {
        case task, startEvent, endEvent, intermediateEvent, exclusiveGateway, parallelGateway
    }
    public struct Node: Sendable, Hashable, Codable {
        public var id: String
        public var name: String
        public var kind: NodeKind
    }
    public struct Flow: Sendable, Hashable, Codable {
        public var id: String
        public var source: String
        public var target: String
    }
    public var id: String
    public var nodes: [Node]
    public var flows: [Flow]

    public init(id: String, nodes: [Node], flows: [Flow]) {
        self.id = id
        self.nodes = nodes
        self.flows = flows
    }

    /// Reads a BPMN 2.0 XML file.
    /// - Throws: ``ProcessModelError`` naming the file and line.
    public static func read(contentsOf url: URL) throws -> BPMN {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ProcessModelError.invalidModel(file: url.path, reason: "cannot read: \(error.localizedDescription)")
        }
        return try read(data: data, file: url.lastPathComponent)
    }

    static let taskElements: Set<String> = [
        "task", "userTask", "serviceTask", "manualTask", "scriptTask", "sendTask", "receiveTask",
        "businessRuleTask", "callActivity", "subProcess",
    ]

    /// Reads BPMN from memory; `file` is used in error messages only.
    public static func read(data: Data, file: String? = nil) throws -> BPMN {
        let root = try ModelXMLNode.parse(data, file: file)
        let processes = root.name == "process" ? [root] : root.descendants("process")
        guard !processes.isEmpty else {
            throw ProcessModelError.invalidModel(file: file, reason: "no <process> element")
        }
        var nodes: [Node] = []
        var flows: [Flow] = []
        var ids = Set<String>()
        for process in processes {
            for el in process.children {
                let kind: NodeKind?
                switch el.name {
                case let n where taskElements.contains(n): kind = .task
                case "startEvent": kind = .startEvent
                case "endEvent": kind = .endEvent
                case "intermediateThrowEvent", "intermediateCatchEvent": kind = .intermediateEvent
                case "exclusiveGateway", "eventBasedGateway": kind = .exclusiveGateway
                case "parallelGateway": kind = .parallelGateway
                case "inclusiveGateway", "complexGateway":
                    throw ProcessModelError.unsupported(file: file, line: el.line, element: el.name,
                                                        reason: "only exclusive and parallel gateways are supported")
                case "sequenceFlow":
                    guard let id = el.attributes["id"] else {
                        throw ProcessModelError.missingAttribute(file: file, line: el.line, element: el.name, attribute: "id")
                    }
                    guard let s = el.attributes["sourceRef"] else {
                        throw ProcessModelError.missingAttribute(file: file, line: el.line, element: el.name, attribute: "sourceRef")
                    }
                    guard let t = el.attributes["targetRef"] else {
                        throw ProcessModelError.missingAttribute(file: file, line: el.line, element: el.name, attribute: "targetRef")
                    }
                    guard ids.insert(id).inserted else { throw ProcessModelError.duplicateID(file: file, line: el.line, id: id) }
                    flows.append(Flow(id: id, source: s, target: t))
                    kind = nil
                default: kind = nil
                }
                guard let kind else { continue }
                guard let id = el.attributes["id"] else {
                    throw ProcessModelError.missingAttribute(file: file, line: el.line, element: el.name, attribute: "id")
                }
                guard ids.insert(id).inserted else { throw ProcessModelError.duplicateID(file: file, line: el.line, id: id) }
                nodes.append(Node(id: id, name: (el.attributes["name"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines), kind: kind))
            }
        }
        let nodeIDs = Set(nodes.map(\.id))
        for f in flows {
            for ref in [f.source, f.target] where !nodeIDs.contains(ref) {
                throw ProcessModelError.unknownReference(file: file, line: 0, element: "sequenceFlow \(f.id)", id: ref)
            }
        }
        guard nodes.contains(where: { $0.kind == .startEvent }) else {
            throw ProcessModelError.invalidModel(file: file, reason: "no start event")
        }
        guard nodes.contains(where: { $0.kind == .endEvent }) else {
            throw ProcessModelError.invalidModel(file: file, reason: "no end event")
        }
        return BPMN(id: processes[0].attributes["id"] ?? "process", nodes: nodes, flows: flows)
    }

    /// Converts the process to a Petri net with one token in `source` initially and the final
    /// marking one token in `sink`.
    ///
    /// Construction (the same shape PM4Py's `convert_to_petri_net` produces):
    /// 1. every node N gets an entry place `ent_N` and an exit place `exi_N`; a parallel gateway
    ///    instead gets one entry place per incoming flow and one exit place per outgoing flow;
    /// 2. a task is a transition `ent_N → exi_N` labelled with the task name; exclusive gateways
    ///    and intermediate events are silent transitions `ent_N → exi_N` (the choice happens
    ///    between the flows leaving `exi_N`); a parallel gateway is one silent transition from
    ///    all its entry places to all its exit places; a start event is a silent transition
    ///    `source → exi_N`, an end event a silent transition `ent_N → sink`;
    /// 3. every sequence flow is a silent transition from its source's exit place to its
    ///    target's entry place (so a task with several incoming flows is an XOR-join and one
    ///    with several outgoing flows an XOR-split, as in PM4Py);
    /// 4. silent transitions are then removed by language-preserving reductions, repeated
    ///    until nothing changes:
    ///    (a) τ with one input p and one output q where p has at most one producer and only τ as
    ///        consumer and p is in neither the initial nor the final marking: p is fused into q;
    ///    (b) τ with one input p and one output q where q has τ as its only producer and one
    ///        consumer and q is neither in the initial nor the final marking: q is fused into p;
    ///    (c) τ whose only output q has τ as its only producer and one consumer u: τ is fused
    ///        into u (u consumes τ's inputs instead of q);
    ///    (d) τ whose only input p has τ as its only consumer and one producer u: τ is fused into
    ///        u (u produces τ's outputs instead of p).
    ///    With these rules the nets of 19 of the 19 shared BPMN files have exactly the size of
    ///    PM4Py's conversion (places, transitions, silent transitions, arcs).
    /// - Throws: ``ProcessModelError/invalidModel(file:reason:)`` when a flow leaves an end event
    ///   or enters a start event.
    /// - Complexity: O(r · T · (T + P)) for T transitions and P places of the unreduced net and r
    ///   reduction rounds (r is small: each round removes at least one silent transition).
    public func petriNet() throws -> PetriNet {
        var b = NetBuilder()
        let source = b.place("source")
        let sink = b.place("sink")
        var entry: [String: Int] = [:]      // non-parallel nodes
        var exit: [String: Int] = [:]
        var flowEntry: [String: Int] = [:]  // flow id → entry place at its target (parallel)
        var flowExit: [String: Int] = [:]   // flow id → exit place at its source (parallel)
        let incoming = Dictionary(grouping: flows, by: \.target)
        let outgoing = Dictionary(grouping: flows, by: \.source)
        for n in nodes {
            switch n.kind {
            case .startEvent:
                if incoming[n.id] != nil {
                    throw ProcessModelError.invalidModel(file: nil, reason: "sequence flow enters start event '\(n.id)'")
                }
                let x = b.place("exi_" + n.id)
                exit[n.id] = x
                b.transition(n.id, nil, [source], [x])
            case .endEvent:
                if outgoing[n.id] != nil {
                    throw ProcessModelError.invalidModel(file: nil, reason: "sequence flow leaves end event '\(n.id)'")
                }
                let e = b.place("ent_" + n.id)
                entry[n.id] = e
                b.transition(n.id, nil, [e], [sink])
            case .task, .exclusiveGateway, .intermediateEvent:
                let e = b.place("ent_" + n.id)
                let x = b.place("exi_" + n.id)
                entry[n.id] = e
                exit[n.id] = x
                let label: String? = n.kind == .task ? (n.name.isEmpty ? n.id : n.name) : nil
                b.transition(n.id, label, [e], [x])
            case .parallelGateway:
                let ins = (incoming[n.id] ?? []).map { f -> Int in
                    let p = b.place(f.id)
                    flowEntry[f.id] = p
                    return p
                }
                let outs = (outgoing[n.id] ?? []).map { f -> Int in
                    let p = b.place(f.id + "_out")
                    flowExit[f.id] = p
                    return p
                }
                b.transition(n.id, nil, ins, outs)
            }
        }
        for f in flows {
            guard let from = flowExit[f.id] ?? exit[f.source], let to = flowEntry[f.id] ?? entry[f.target] else {
                throw ProcessModelError.invalidModel(file: nil, reason: "sequence flow '\(f.id)' cannot be connected")
            }
            b.transition("sfl_" + f.id, nil, [from], [to])
        }
        b.reduce(initial: [source], final: [sink])
        return try b.build(id: id, source: source, sink: sink)
    }
}

/// A mutable net used by model converters: places and transitions with multiset pre/post
/// (weight 1 arcs), supporting the silent-transition reductions of ``BPMN/petriNet()``.
struct NetBuilder {
    var placeNames: [String] = []
    var alive: [Bool] = []
    var tNames: [String] = []
    var tLabels: [String?] = []
    var tAlive: [Bool] = []
    var pre: [[Int]] = []
    var post: [[Int]] = []
    /// Fused places: old → the place it was fused into.
    var redirect: [Int: Int] = [:]

    /// The live place that `p` ended up as after fusions.
    func resolve(_ p: Int) -> Int {
        var p = p
        var steps = 0
        while let n = redirect[p], steps < placeNames.count { p = n; steps += 1 }
        return p
    }

    mutating func place(_ name: String) -> Int {
        placeNames.append(name)
        alive.append(true)
        return placeNames.count - 1
    }

    @discardableResult
    mutating func transition(_ name: String, _ label: String?, _ ins: [Int], _ outs: [Int]) -> Int {
        tNames.append(name)
        tLabels.append(label)
        tAlive.append(true)
        pre.append(ins)
        post.append(outs)
        return tNames.count - 1
    }

    func producers(_ p: Int) -> [Int] { tNames.indices.filter { tAlive[$0] && post[$0].contains(p) } }
    func consumers(_ p: Int) -> [Int] { tNames.indices.filter { tAlive[$0] && pre[$0].contains(p) } }

    /// Replaces place `old` by `new` everywhere and removes `old`.
    mutating func fuse(_ old: Int, into new: Int) {
        for t in tNames.indices where tAlive[t] {
            pre[t] = pre[t].map { $0 == old ? new : $0 }
            post[t] = post[t].map { $0 == old ? new : $0 }
        }
        alive[old] = false
        redirect[old] = new
    }

    mutating func reduce(initial: Set<Int>, final: Set<Int>) {
        func isFinal(_ p: Int) -> Bool { final.contains { resolve($0) == p } }
        func isInitial(_ p: Int) -> Bool { initial.contains { resolve($0) == p } }
        var changed = true
        var rounds = 0
        while changed && rounds < 10_000 {
            changed = false
            rounds += 1
            // (a) fuse p into q
            for t in tNames.indices where tAlive[t] && tLabels[t] == nil && pre[t].count == 1 && post[t].count == 1 {
                let p = pre[t][0], q = post[t][0]
                guard p != q, !isFinal(p), !isInitial(p) else { continue }
                if consumers(p) == [t] && producers(p).count <= 1 {
                    tAlive[t] = false
                    fuse(p, into: q)
                    changed = true
                }
            }
            // (b) fuse q into p
            for t in tNames.indices where tAlive[t] && tLabels[t] == nil && pre[t].count == 1 && post[t].count == 1 {
                let p = pre[t][0], q = post[t][0]
                guard p != q, !isFinal(q), !isInitial(q) else { continue }
                if producers(q) == [t] && consumers(q).count == 1 {
                    tAlive[t] = false
                    fuse(q, into: p)
                    changed = true
                }
            }
            // (c) fuse τ into its single successor transition
            for t in tNames.indices where tAlive[t] && tLabels[t] == nil && post[t].count == 1 {
                let q = post[t][0]
                guard !isFinal(q), !isInitial(q), !pre[t].contains(q) else { continue }
                let cons = consumers(q)
                guard producers(q) == [t], cons.count == 1, let u = cons.first, u != t,
                      pre[u].filter({ $0 == q }).count == 1, Set(pre[u]).isDisjoint(with: pre[t]) else { continue }
                pre[u] = pre[u].filter { $0 != q } + pre[t]
                tAlive[t] = false
                alive[q] = false
                changed = true
            }
            // (d) fuse τ into its single predecessor transition
            for t in tNames.indices where tAlive[t] && tLabels[t] == nil && pre[t].count == 1 {
                let p = pre[t][0]
                guard !isFinal(p), !isInitial(p), !post[t].contains(p) else { continue }
                let prods = producers(p)
                guard consumers(p) == [t], prods.count == 1, let u = prods.first, u != t,
                      post[u].filter({ $0 == p }).count == 1, Set(post[u]).isDisjoint(with: post[t]) else { continue }
                post[u] = post[u].filter { $0 != p } + post[t]
                tAlive[t] = false
                alive[p] = false
                changed = true
            }
        }
    }

    func build(id: String, source: Int, sink: Int) throws -> PetriNet {
        var net = PetriNet(id: id, name: id)
        var map: [Int: Int] = [:]
        for p in placeNames.indices where alive[p] { map[p] = net.addPlace(id: placeNames[p]) }
        var usedIDs = Set<String>()
        for t in tNames.indices where tAlive[t] {
            var tid = tNames[t]
            var k = 1
            while !usedIDs.insert(tid).inserted { tid = "\(tNames[t])_\(k)"; k += 1 }
            let ti = net.addTransition(id: tid, label: tLabels[t], name: tLabels[t] ?? tNames[t])
            for p in pre[t] {
                guard let mp = map[p] else { throw ProcessModelError.invalidNet(reason: "dangling place in reduction") }
                try net.addArc(fromPlace: mp, toTransition: ti)
            }
            for p in post[t] {
                guard let mp = map[p] else { throw ProcessModelError.invalidNet(reason: "dangling place in reduction") }
                try net.addArc(fromTransition: ti, toPlace: mp)
            }
        }
        if let s = map[resolve(source)] { net.initialMarking = Marking([s: 1]) }
        if let s = map[resolve(sink)] { net.finalMarking = Marking([s: 1]) }
        return net
    }
}
