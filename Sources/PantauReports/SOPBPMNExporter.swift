import PantauCore

/// Exports an SOP's flow as BPMN 2.0 XML with a laid-out diagram, for BPMN tools such as
/// bpmn.io / Camunda Modeler and Bizagi.
///
/// Mapping:
/// - one collaboration with one pool (participant) named after the unit, whose process has one
///   lane per pelaksana (a `laneSet` whose `flowNodeRef`s list every node in the lane);
/// - a start event before the SOP's start step; one `task` per step (name = kegiatan,
///   `documentation` = mutu baku: kelengkapan, waktu, output, and keterangan);
/// - a decision step is its task followed by an `exclusiveGateway` named with the question,
///   whose outgoing flows are named "Ya"/"Tidak" (with a `conditionExpression` when enabled);
/// - every end step's task is followed by its own end event;
/// - `BPMNShape` bounds for the pool, the lanes and every node (in its lane), `BPMNEdge`
///   waypoints for every flow, routed orthogonally (forward flows left to right, loop-backs
///   along the bottom margin of the source lane).
///
/// Ids are valid `xsd:ID`s, unique, and stable for the same document: tasks are
/// `Activity_<step id>` (characters outside `[A-Za-z0-9_.-]` replaced by `_`, numbered on
/// collision), gateways `Gateway_<step id>`, end events `EndEvent_<step id>`, flows `Flow_<n>`.
public struct SOPBPMNExporter: Sendable {
    /// Export options.
    public struct Options: Sendable, Hashable {
        /// Language of event names, branch names and the documentation labels.
        public var language: Language
        /// Whether decision branches carry a `conditionExpression` (the answer, as text).
        public var includeConditionExpressions: Bool
        /// Target namespace of the definitions.
        public var targetNamespace: String

        public init(
            language: Language = .id, includeConditionExpressions: Bool = true,
            targetNamespace: String = "https://pantau.local/bpmn/sop"
        ) {
            self.language = language
            self.includeConditionExpressions = includeConditionExpressions
            self.targetNamespace = targetNamespace
        }
    }

    public let options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    static let modelNS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
    static let diNS = "http://www.omg.org/spec/BPMN/20100524/DI"
    static let dcNS = "http://www.omg.org/spec/DD/20100524/DC"
    static let ddiNS = "http://www.omg.org/spec/DD/20100524/DI"
    static let xsiNS = "http://www.w3.org/2001/XMLSchema-instance"

    enum Kind {
        case start, task, gateway, end
    }

    struct Node {
        var id: String
        var kind: Kind
        var name: String
        var lane: Int
        var column: Int
        var step: Int?
        var documentation: String
        var x = 0.0, y = 0.0, w = 0.0, h = 0.0
        var incoming: [String] = []
        var outgoing: [String] = []
        var cx: Double { x + w / 2 }
        var cy: Double { y + h / 2 }
    }

    struct Flow {
        var id: String
        var source: Int
        var target: Int
        var name: String
        var condition: String?
        var waypoints: [(Double, Double)] = []
        var labelBounds: (Double, Double, Double, Double)?
    }

    /// The BPMN 2.0 XML document (UTF-8 text, with XML declaration).
    /// - Complexity: O(n²) for n steps (routing checks lanes for nodes in the way).
    public func export(_ document: SOPDocument) -> String {
        let lang = options.language
        let steps = document.steps

        // Lanes: the actors, plus one for steps whose actor is unknown.
        var laneNames = document.actors.map(\.name)
        var laneOfActor: [String: Int] = [:]
        for (i, a) in document.actors.enumerated() where laneOfActor[a.id] == nil { laneOfActor[a.id] = i }
        if steps.contains(where: { laneOfActor[$0.actor] == nil }) {
            laneNames.append(lang == .id ? "(Pelaksana tidak dikenal)" : "(Unknown actor)")
        }
        let unknownLane = laneNames.count - 1
        func lane(_ s: SOPStep) -> Int { laneOfActor[s.actor] ?? unknownLane }

        // Ids.
        var usedIDs: Set<String> = ["Definitions_1", "Collaboration_1", "Participant_1", "Process_1", "LaneSet_1", "StartEvent_1", "BPMNDiagram_1", "BPMNPlane_1"]
        func uniqueID(_ base: String) -> String {
            var id = base
            var k = 2
            while usedIDs.contains(id) { id = "\(base)_\(k)"; k += 1 }
            usedIDs.insert(id)
            return id
        }
        for i in laneNames.indices { usedIDs.insert("Lane_\(i + 1)") }

        // Nodes in reading order; each takes the next column.
        var nodes: [Node] = []
        var taskOfStep: [Int] = []
        var exitOfStep: [Int] = [] // the node whose outgoing flows continue the step (gateway for decisions)
        var column = 0
        let startIndex = steps.firstIndex { $0.kind == .start } ?? (steps.isEmpty ? nil : 0)
        if let si = startIndex {
            nodes.append(Node(id: "StartEvent_1", kind: .start, name: lang == .id ? "Mulai" : "Start",
                              lane: lane(steps[si]), column: column, step: nil, documentation: ""))
            column += 1
        }
        for (i, s) in steps.enumerated() {
            let base = Self.ncName(s.id)
            nodes.append(Node(id: uniqueID("Activity_" + base), kind: .task, name: s.activity, lane: lane(s), column: column,
                              step: i, documentation: documentation(s)))
            column += 1
            taskOfStep.append(nodes.count - 1)
            switch s.kind {
            case .decision:
                nodes.append(Node(id: uniqueID("Gateway_" + base), kind: .gateway, name: s.question, lane: lane(s), column: column,
                                  step: i, documentation: ""))
                column += 1
                exitOfStep.append(nodes.count - 1)
            case .end:
                nodes.append(Node(id: uniqueID("EndEvent_" + base), kind: .end, name: lang == .id ? "Selesai" : "End",
                                  lane: lane(s), column: column, step: i, documentation: ""))
                column += 1
                exitOfStep.append(nodes.count - 1)
            case .start, .process:
                exitOfStep.append(nodes.count - 1)
            }
        }

        // Flows.
        var indexOfID: [String: Int] = [:]
        for (i, s) in steps.enumerated() where indexOfID[s.id] == nil { indexOfID[s.id] = i }
        var flows: [Flow] = []
        func addFlow(_ a: Int, _ b: Int, name: String = "", condition: String? = nil) {
            let id = "Flow_\(flows.count + 1)"
            flows.append(Flow(id: id, source: a, target: b, name: name, condition: condition))
            nodes[a].outgoing.append(id)
            nodes[b].incoming.append(id)
        }
        if let si = startIndex { addFlow(0, taskOfStep[si]) }
        let yes = lang == .id ? "Ya" : "Yes", no = lang == .id ? "Tidak" : "No"
        for (i, s) in steps.enumerated() {
            switch s.kind {
            case .decision:
                addFlow(taskOfStep[i], exitOfStep[i])
            case .end:
                addFlow(taskOfStep[i], exitOfStep[i])
                continue
            case .start, .process:
                break
            }
            for (target, branch) in document.successors(of: s) {
                guard let t = indexOfID[target] else { continue }
                switch branch {
                case .plain: addFlow(exitOfStep[i], taskOfStep[t])
                case .yes: addFlow(exitOfStep[i], taskOfStep[t], name: yes, condition: options.includeConditionExpressions ? yes : nil)
                case .no: addFlow(exitOfStep[i], taskOfStep[t], name: no, condition: options.includeConditionExpressions ? no : nil)
                }
            }
        }

        // Geometry.
        let poolX = 160.0, poolY = 80.0, header = 30.0, laneH = 150.0, gap = 50.0, leftPad = 40.0
        var x = poolX + header + leftPad
        var colX: [Double] = []
        var colW: [Double] = []
        for c in 0..<column {
            let w = nodes.filter { $0.column == c }.map { n -> Double in
                switch n.kind {
                case .start, .end: return 36
                case .gateway: return 50
                case .task: return 110
                }
            }.max() ?? 36
            colX.append(x)
            colW.append(w)
            x += w + gap
        }
        let poolW = max(x - gap + leftPad - poolX, 400)
        let laneCount = max(laneNames.count, 1)
        for k in nodes.indices {
            let (w, h): (Double, Double)
            switch nodes[k].kind {
            case .start, .end: (w, h) = (36, 36)
            case .gateway: (w, h) = (50, 50)
            case .task: (w, h) = (110, 80)
            }
            let c = nodes[k].column
            nodes[k].w = w
            nodes[k].h = h
            nodes[k].x = colX[c] + (colW[c] - w) / 2
            nodes[k].y = poolY + Double(nodes[k].lane) * laneH + (laneH - h) / 2
        }
        func laneBottom(_ l: Int) -> Double { poolY + Double(l + 1) * laneH }
        func blockedInLane(_ l: Int, from c0: Int, to c1: Int) -> Bool {
            let lo = min(c0, c1), hi = max(c0, c1)
            return nodes.contains { $0.lane == l && $0.column > lo && $0.column < hi }
        }
        var marginUse: [Int: Int] = [:]
        var outgoingCount: [Int: Int] = [:]
        for k in flows.indices {
            let a = nodes[flows[k].source], b = nodes[flows[k].target]
            let nth = outgoingCount[flows[k].source, default: 0]
            outgoingCount[flows[k].source] = nth + 1
            var pts: [(Double, Double)]
            if b.column > a.column {
                let sameLane = a.lane == b.lane
                if sameLane && !blockedInLane(a.lane, from: a.column, to: b.column) && nth == 0 {
                    pts = [(a.x + a.w, a.cy), (b.x, b.cy)]
                } else if !sameLane && nth == 0 && !blockedInLane(a.lane, from: a.column, to: b.column) {
                    // Along the source lane, then down or up just before the target.
                    let mx = b.x - gap / 2
                    pts = [(a.x + a.w, a.cy), (mx, a.cy), (mx, b.cy), (b.x, b.cy)]
                } else if !sameLane && !blockedInLane(b.lane, from: a.column, to: b.column) {
                    // Up or down out of the source first, then along the target lane.
                    let down = b.cy > a.cy
                    pts = [(a.cx, down ? a.y + a.h : a.y), (a.cx, b.cy), (b.x, b.cy)]
                } else {
                    pts = marginRoute(a, b, laneBottom(a.lane) - 14 - Double(marginUse[a.lane, default: 0]) * 8)
                    marginUse[a.lane, default: 0] += 1
                }
            } else {
                pts = marginRoute(a, b, laneBottom(a.lane) - 14 - Double(marginUse[a.lane, default: 0]) * 8)
                marginUse[a.lane, default: 0] += 1
            }
            flows[k].waypoints = pts
            if !flows[k].name.isEmpty, pts.count >= 2 {
                let (x0, y0) = pts[0], y1 = pts[1].1
                if abs(y0 - y1) < 0.01 {
                    flows[k].labelBounds = (x0 + 6, y0 - 20, 32, 14)
                } else {
                    flows[k].labelBounds = (x0 + 6, (y1 > y0 ? y0 + 4 : y0 - 18), 32, 14)
                }
            }
        }

        // XML.
        let e = HTMLEscape.text
        let a = HTMLEscape.attribute
        let n = SVGFormat.number
        let unit = document.identity.unitName.isEmpty ? document.identity.title : document.identity.unitName
        var o = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        o += "<bpmn:definitions xmlns:bpmn=\"\(Self.modelNS)\" xmlns:bpmndi=\"\(Self.diNS)\" xmlns:dc=\"\(Self.dcNS)\" xmlns:di=\"\(Self.ddiNS)\" xmlns:xsi=\"\(Self.xsiNS)\" id=\"Definitions_1\" targetNamespace=\"\(a(options.targetNamespace))\" exporter=\"Pantau\" exporterVersion=\"1\">\n"
        o += "  <bpmn:collaboration id=\"Collaboration_1\">\n"
        o += "    <bpmn:participant id=\"Participant_1\" name=\"\(a(unit))\" processRef=\"Process_1\"/>\n"
        o += "  </bpmn:collaboration>\n"
        let processName = document.identity.number.isEmpty ? document.identity.title : "\(document.identity.number) \(document.identity.title)"
        o += "  <bpmn:process id=\"Process_1\" name=\"\(a(processName))\" isExecutable=\"false\">\n"
        o += "    <bpmn:laneSet id=\"LaneSet_1\">\n"
        for (l, name) in laneNames.enumerated() {
            o += "      <bpmn:lane id=\"Lane_\(l + 1)\" name=\"\(a(name))\">\n"
            for node in nodes where node.lane == l {
                o += "        <bpmn:flowNodeRef>\(e(node.id))</bpmn:flowNodeRef>\n"
            }
            o += "      </bpmn:lane>\n"
        }
        o += "    </bpmn:laneSet>\n"
        for node in nodes {
            let tag: String
            switch node.kind {
            case .start: tag = "bpmn:startEvent"
            case .task: tag = "bpmn:task"
            case .gateway: tag = "bpmn:exclusiveGateway"
            case .end: tag = "bpmn:endEvent"
            }
            o += "    <\(tag) id=\"\(a(node.id))\" name=\"\(a(node.name))\">\n"
            if !node.documentation.isEmpty {
                o += "      <bpmn:documentation>\(e(node.documentation))</bpmn:documentation>\n"
            }
            for f in node.incoming { o += "      <bpmn:incoming>\(e(f))</bpmn:incoming>\n" }
            for f in node.outgoing { o += "      <bpmn:outgoing>\(e(f))</bpmn:outgoing>\n" }
            o += "    </\(tag)>\n"
        }
        for f in flows {
            let nameAttr = f.name.isEmpty ? "" : " name=\"\(a(f.name))\""
            let head = "    <bpmn:sequenceFlow id=\"\(a(f.id))\"\(nameAttr) sourceRef=\"\(a(nodes[f.source].id))\" targetRef=\"\(a(nodes[f.target].id))\""
            if let c = f.condition {
                o += head + ">\n"
                o += "      <bpmn:conditionExpression xsi:type=\"bpmn:tFormalExpression\">\(e(c))</bpmn:conditionExpression>\n"
                o += "    </bpmn:sequenceFlow>\n"
            } else {
                o += head + "/>\n"
            }
        }
        o += "  </bpmn:process>\n"
        o += "  <bpmndi:BPMNDiagram id=\"BPMNDiagram_1\">\n"
        o += "    <bpmndi:BPMNPlane id=\"BPMNPlane_1\" bpmnElement=\"Collaboration_1\">\n"
        o += "      <bpmndi:BPMNShape id=\"Participant_1_di\" bpmnElement=\"Participant_1\" isHorizontal=\"true\">\n"
        o += "        <dc:Bounds x=\"\(n(poolX))\" y=\"\(n(poolY))\" width=\"\(n(poolW))\" height=\"\(n(Double(laneCount) * laneH))\"/>\n"
        o += "      </bpmndi:BPMNShape>\n"
        for l in laneNames.indices {
            o += "      <bpmndi:BPMNShape id=\"Lane_\(l + 1)_di\" bpmnElement=\"Lane_\(l + 1)\" isHorizontal=\"true\">\n"
            o += "        <dc:Bounds x=\"\(n(poolX + header))\" y=\"\(n(poolY + Double(l) * laneH))\" width=\"\(n(poolW - header))\" height=\"\(n(laneH))\"/>\n"
            o += "      </bpmndi:BPMNShape>\n"
        }
        for (index, node) in nodes.enumerated() {
            let marker = node.kind == .gateway ? " isMarkerVisible=\"true\"" : ""
            o += "      <bpmndi:BPMNShape id=\"\(a(node.id))_di\" bpmnElement=\"\(a(node.id))\"\(marker)>\n"
            o += "        <dc:Bounds x=\"\(n(node.x))\" y=\"\(n(node.y))\" width=\"\(n(node.w))\" height=\"\(n(node.h))\"/>\n"
            switch node.kind {
            case .gateway:
                // External label above the diamond, or below it when a flow uses the top vertex.
                let topUsed = flows.contains { f in
                    (f.source == index || f.target == index) && f.waypoints.contains { abs($0.0 - node.cx) < 0.01 && abs($0.1 - node.y) < 0.01 }
                }
                let ly = topUsed ? node.y + node.h + 6 : node.y - 34
                o += "        <bpmndi:BPMNLabel>\n          <dc:Bounds x=\"\(n(node.cx - 50))\" y=\"\(n(ly))\" width=\"100\" height=\"28\"/>\n        </bpmndi:BPMNLabel>\n"
            case .start, .end:
                o += "        <bpmndi:BPMNLabel>\n          <dc:Bounds x=\"\(n(node.cx - 30))\" y=\"\(n(node.y + node.h + 4))\" width=\"60\" height=\"14\"/>\n        </bpmndi:BPMNLabel>\n"
            case .task:
                break
            }
            o += "      </bpmndi:BPMNShape>\n"
        }
        for f in flows {
            o += "      <bpmndi:BPMNEdge id=\"\(a(f.id))_di\" bpmnElement=\"\(a(f.id))\">\n"
            for (px, py) in f.waypoints {
                o += "        <di:waypoint x=\"\(n(px))\" y=\"\(n(py))\"/>\n"
            }
            if let (lx, ly, lw, lh) = f.labelBounds {
                o += "        <bpmndi:BPMNLabel>\n          <dc:Bounds x=\"\(n(lx))\" y=\"\(n(ly))\" width=\"\(n(lw))\" height=\"\(n(lh))\"/>\n        </bpmndi:BPMNLabel>\n"
            }
            o += "      </bpmndi:BPMNEdge>\n"
        }
        o += "    </bpmndi:BPMNPlane>\n"
        o += "  </bpmndi:BPMNDiagram>\n"
        o += "</bpmn:definitions>\n"
        return o
    }

    /// A flow along the bottom margin of the source lane: down out of the source, across, then
    /// into the target from below (or from above when the target lies lower).
    private func marginRoute(_ a: Node, _ b: Node, _ y: Double) -> [(Double, Double)] {
        let targetBelow = b.y > y
        return [(a.cx, a.y + a.h), (a.cx, y), (b.cx, y), (b.cx, targetBelow ? b.y : b.y + b.h)]
    }

    /// The mutu baku (and keterangan) as plain text lines.
    private func documentation(_ s: SOPStep) -> String {
        let lang = options.language
        var lines: [String] = []
        let req = s.standard.requirements.trimmingCharacters(in: .whitespacesAndNewlines)
        let out = s.standard.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let notes = s.notes.trimmingCharacters(in: .whitespacesAndNewlines)
        if !req.isEmpty { lines.append((lang == .id ? "Kelengkapan: " : "Requirements: ") + req) }
        if let t = s.standard.time {
            lines.append((lang == .id ? "Waktu: " : "Time: ") + TimeStandard.format(seconds: t.seconds, language: lang))
        }
        if !out.isEmpty { lines.append("Output: " + out) }
        if !notes.isEmpty { lines.append((lang == .id ? "Keterangan: " : "Notes: ") + notes) }
        return lines.joined(separator: "\n")
    }

    /// `s` as the tail of an XML NCName: characters other than ASCII letters, digits, `_`, `-`
    /// and `.` become `_`; empty input gives `step`.
    static func ncName(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            let ok = (u >= "a" && u <= "z") || (u >= "A" && u <= "Z") || (u >= "0" && u <= "9") || u == "_" || u == "-" || u == "."
            out.unicodeScalars.append(ok ? u : "_")
        }
        return out.isEmpty ? "step" : out
    }
}
