import Foundation
import PantauCore
import PantauReports
import Testing

@Suite struct SOPBPMNExporterTests {
    static let model = "http://www.omg.org/spec/BPMN/20100524/MODEL"
    static let di = "http://www.omg.org/spec/BPMN/20100524/DI"
    static let dc = "http://www.omg.org/spec/DD/20100524/DC"
    static let ddi = "http://www.omg.org/spec/DD/20100524/DI"

    let doc = SOPSample.izinUsaha

    func m(_ local: String) -> String { "{\(Self.model)}\(local)" }

    struct Parsed {
        var root: SOPTestXML
        var process: SOPTestXML
        var nodes: [SOPTestXML]
        var flows: [SOPTestXML]
        var shapes: [String: SOPTestXML]
        var edges: [String: SOPTestXML]
    }

    func parse(_ xml: String) throws -> Parsed {
        let root = try #require(SOPTestXML.parse(xml, namespaces: true), "BPMN is not well-formed XML")
        #expect(root.name == m("definitions"))
        let process = try #require(root.children.first { $0.name == m("process") })
        let nodeKinds: Set<String> = [m("startEvent"), m("task"), m("exclusiveGateway"), m("endEvent")]
        let nodes = process.children.filter { nodeKinds.contains($0.name) }
        let flows = process.children.filter { $0.name == m("sequenceFlow") }
        let shapeList = root.all { $0.name == "{\(Self.di)}BPMNShape" }
        let edgeList = root.all { $0.name == "{\(Self.di)}BPMNEdge" }
        return Parsed(
            root: root, process: process, nodes: nodes, flows: flows,
            shapes: Dictionary(shapeList.map { ($0.attributes["bpmnElement"] ?? "", $0) }, uniquingKeysWith: { a, _ in a }),
            edges: Dictionary(edgeList.map { ($0.attributes["bpmnElement"] ?? "", $0) }, uniquingKeysWith: { a, _ in a }))
    }

    func bounds(_ shape: SOPTestXML?) -> (x: Double, y: Double, w: Double, h: Double)? {
        guard let b = shape?.children.first(where: { $0.name == "{\(Self.dc)}Bounds" }),
              let x = Double(b.attributes["x"] ?? ""), let y = Double(b.attributes["y"] ?? ""),
              let w = Double(b.attributes["width"] ?? ""), let h = Double(b.attributes["height"] ?? "") else { return nil }
        return (x, y, w, h)
    }

    @Test func mapsStepsToTasksGatewaysAndEvents() throws {
        let p = try parse(SOPBPMNExporter().export(doc))
        let byKind = Dictionary(grouping: p.nodes, by: \.name).mapValues(\.count)
        #expect(byKind[m("startEvent")] == 1)
        #expect(byKind[m("task")] == doc.steps.count)
        #expect(byKind[m("exclusiveGateway")] == 2)
        #expect(byKind[m("endEvent")] == 2)
        let tasks = p.nodes.filter { $0.name == m("task") }
        #expect(tasks.map { $0.attributes["name"] ?? "" } == doc.steps.map(\.activity))
        let docText = tasks[0].children.first { $0.name == m("documentation") }?.text ?? ""
        #expect(docText.contains("Kelengkapan: Formulir permohonan, KTP, NPWP, NIB"))
        #expect(docText.contains("Waktu: 15 menit") && docText.contains("Output: Berkas permohonan"))
        let gateways = p.nodes.filter { $0.name == m("exclusiveGateway") }
        #expect(gateways.map { $0.attributes["name"] ?? "" } == ["Berkas lengkap?", "Memenuhi syarat?"])
        // Decision branches are named Ya/Tidak and carry a condition.
        for g in gateways {
            let outs = p.flows.filter { $0.attributes["sourceRef"] == g.attributes["id"] }
            #expect(Set(outs.compactMap { $0.attributes["name"] }) == ["Ya", "Tidak"])
            for f in outs {
                let cond = try #require(f.children.first { $0.name == m("conditionExpression") })
                #expect(cond.text == f.attributes["name"])
            }
        }
        // Collaboration: one pool for the unit referencing the process.
        let collab = try #require(p.root.children.first { $0.name == m("collaboration") })
        let participant = try #require(collab.children.first { $0.name == m("participant") })
        #expect(participant.attributes["processRef"] == p.process.attributes["id"])
        #expect(participant.attributes["name"] == doc.identity.unitName)
    }

    @Test func everyReferenceResolvesAndIdsAreUnique() throws {
        let xml = SOPBPMNExporter().export(doc)
        let p = try parse(xml)
        let allIDs = p.root.all { $0.attributes["id"] != nil }.compactMap { $0.attributes["id"] }
        #expect(Set(allIDs).count == allIDs.count)
        let nodeIDs = Set(p.nodes.compactMap { $0.attributes["id"] })
        #expect(nodeIDs.count == p.nodes.count)
        for f in p.flows {
            #expect(nodeIDs.contains(f.attributes["sourceRef"] ?? ""))
            #expect(nodeIDs.contains(f.attributes["targetRef"] ?? ""))
        }
        // incoming/outgoing lists agree with the flows.
        for n in p.nodes {
            let id = n.attributes["id"] ?? ""
            let inc = Set(n.children.filter { $0.name == m("incoming") }.map(\.text))
            let out = Set(n.children.filter { $0.name == m("outgoing") }.map(\.text))
            #expect(inc == Set(p.flows.filter { $0.attributes["targetRef"] == id }.compactMap { $0.attributes["id"] }))
            #expect(out == Set(p.flows.filter { $0.attributes["sourceRef"] == id }.compactMap { $0.attributes["id"] }))
        }
        // Flows: start→task 1, one per successor edge, task→gateway per decision, task→end per end step.
        let successorEdges = doc.steps.reduce(0) { $0 + doc.successors(of: $1).count }
        #expect(p.flows.count == 1 + successorEdges + 2 + 2)
    }

    @Test func lanesCoverEveryNodeOnce() throws {
        let p = try parse(SOPBPMNExporter().export(doc))
        let laneSet = try #require(p.process.children.first { $0.name == m("laneSet") })
        let lanes = laneSet.children.filter { $0.name == m("lane") }
        #expect(lanes.map { $0.attributes["name"] ?? "" } == doc.actors.map(\.name))
        var laneOf: [String: String] = [:]
        for lane in lanes {
            for ref in lane.children where ref.name == m("flowNodeRef") {
                #expect(laneOf[ref.text] == nil, "\(ref.text) in two lanes")
                laneOf[ref.text] = lane.attributes["name"]
            }
        }
        #expect(Set(laneOf.keys) == Set(p.nodes.compactMap { $0.attributes["id"] }))
        // Each task is in its actor's lane.
        let tasks = p.nodes.filter { $0.name == m("task") }
        for (task, step) in zip(tasks, doc.steps) {
            #expect(laneOf[task.attributes["id"] ?? ""] == doc.actor(id: step.actor)?.name)
        }
    }

    @Test func diagramHasAShapeInItsLaneForEveryNodeAndAnEdgeForEveryFlow() throws {
        let p = try parse(SOPBPMNExporter().export(doc))
        let plane = try #require(p.root.all { $0.name == "{\(Self.di)}BPMNPlane" }.first)
        let collab = try #require(p.root.children.first { $0.name == m("collaboration") })
        #expect(plane.attributes["bpmnElement"] == collab.attributes["id"])
        let laneSet = try #require(p.process.children.first { $0.name == m("laneSet") })
        let pool = try #require(bounds(p.shapes["Participant_1"]))
        for lane in laneSet.children where lane.name == m("lane") {
            let lb = try #require(bounds(p.shapes[lane.attributes["id"] ?? ""]))
            #expect(lb.x >= pool.x && lb.x + lb.w <= pool.x + pool.w + 0.01)
            for ref in lane.children where ref.name == m("flowNodeRef") {
                let b = try #require(bounds(p.shapes[ref.text]), "no shape for \(ref.text)")
                #expect(b.x >= lb.x && b.x + b.w <= lb.x + lb.w, "\(ref.text) outside its lane horizontally")
                #expect(b.y >= lb.y && b.y + b.h <= lb.y + lb.h, "\(ref.text) outside its lane vertically")
            }
        }
        for f in p.flows {
            let edge = try #require(p.edges[f.attributes["id"] ?? ""], "no edge for \(f.attributes["id"] ?? "")")
            let wps = edge.children.filter { $0.name == "{\(Self.ddi)}waypoint" }
            #expect(wps.count >= 2)
            let pts = wps.compactMap { w -> (Double, Double)? in
                guard let x = Double(w.attributes["x"] ?? ""), let y = Double(w.attributes["y"] ?? "") else { return nil }
                return (x, y)
            }
            #expect(pts.count == wps.count)
            for (a, b) in zip(pts, pts.dropFirst()) { #expect(a.0 == b.0 || a.1 == b.1) } // orthogonal
            // The ends touch the source and target shapes.
            let s = try #require(bounds(p.shapes[f.attributes["sourceRef"] ?? ""]))
            let t = try #require(bounds(p.shapes[f.attributes["targetRef"] ?? ""]))
            func touches(_ q: (Double, Double), _ r: (x: Double, y: Double, w: Double, h: Double)) -> Bool {
                q.0 >= r.x - 0.01 && q.0 <= r.x + r.w + 0.01 && q.1 >= r.y - 0.01 && q.1 <= r.y + r.h + 0.01
            }
            #expect(touches(pts[0], s) && touches(pts[pts.count - 1], t))
        }
    }

    @Test func roundTripsThroughTheBPMNReaderToOneLabelledTransitionPerStep() throws {
        let xml = SOPBPMNExporter().export(doc)
        let bpmn = try BPMN.read(data: Data(xml.utf8), file: "sop.bpmn")
        #expect(bpmn.nodes.filter { $0.kind == .task }.count == doc.steps.count)
        let net = try bpmn.petriNet()
        let labels = net.transitions.compactMap(\.label)
        #expect(labels.count == doc.steps.count)
        #expect(labels.sorted() == doc.steps.map(\.activity).sorted())
    }

    @Test func escapesHostileTextAndKeepsItAsWritten() throws {
        let attack = "<script>alert(\"x\")</script>&'"
        let hostile = SOPSample.hostile(attack)
        let xml = SOPBPMNExporter(options: .init(targetNamespace: "urn:x\"><a")).export(hostile)
        #expect(!xml.contains("<script"))
        let p = try parse(xml)
        let tasks = p.nodes.filter { $0.name == m("task") }
        #expect(tasks.allSatisfy { ($0.attributes["name"] ?? "").hasSuffix(attack) })
        let lanes = p.root.all { $0.name == m("lane") }
        #expect(lanes.allSatisfy { ($0.attributes["name"] ?? "").hasSuffix(attack) })
        // Round trip still works with hostile names.
        let net = try BPMN.read(data: Data(xml.utf8)).petriNet()
        #expect(net.transitions.compactMap(\.label).count == hostile.steps.count)
    }

    @Test func stepIdsBecomeValidUniqueXMLIds() throws {
        var d = doc
        d.steps[0].id = "a b"
        d.steps[2].id = "a_b"     // collides with the sanitised "a b"
        d.steps[1].no = "a_b"
        d.steps[2].next = "periksa"
        d.steps[3].id = "1-<x>"
        d.steps[1].yes = "1-<x>"
        let p = try parse(SOPBPMNExporter().export(d))
        let ids = p.root.all { $0.attributes["id"] != nil }.compactMap { $0.attributes["id"] }
        #expect(Set(ids).count == ids.count)
        for id in ids {
            let first = try #require(id.unicodeScalars.first)
            #expect(CharacterSet.letters.contains(first) || first == "_")
            #expect(id.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "_-.".unicodeScalars.contains($0) })
        }
    }

    @Test func sameInputGivesTheSameBytes() {
        #expect(SOPBPMNExporter().export(doc) == SOPBPMNExporter().export(SOPSample.izinUsaha))
    }

    @Test func englishAndWithoutConditions() throws {
        let p = try parse(SOPBPMNExporter(options: .init(language: .en, includeConditionExpressions: false)).export(doc))
        let named = Set(p.flows.compactMap { $0.attributes["name"] })
        #expect(named == ["Yes", "No"])
        #expect(p.flows.allSatisfy { $0.children.isEmpty })
        #expect(p.nodes.first { $0.name == m("startEvent") }?.attributes["name"] == "Start")
    }

    @Test func brokenDocumentsStillExportValidXML() throws {
        var d = doc
        d.steps[3].actor = "tidak-ada"
        d.steps[4].next = "hilang"
        let p = try parse(SOPBPMNExporter().export(d))
        let lanes = p.root.all { $0.name == m("lane") }
        #expect(lanes.count == doc.actors.count + 1)
        let empty = SOPDocument(identity: SOPIdentity(unitName: "", number: "", title: ""), actors: [], steps: [])
        _ = try parse(SOPBPMNExporter().export(empty))
    }
}
