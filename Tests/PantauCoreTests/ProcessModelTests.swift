import Foundation
import Testing
@testable import PantauCore

@Suite("Petri nets, PNML and BPMN")
struct ProcessModelTests {
    /// a → (b | c) → d, with a silent skip of the choice.
    static func smallNet() throws -> PetriNet {
        var net = PetriNet(id: "small")
        let p0 = net.addPlace(id: "p0"), p1 = net.addPlace(id: "p1"), p2 = net.addPlace(id: "p2"), p3 = net.addPlace(id: "p3")
        let a = net.addTransition(id: "ta", label: "a")
        let b = net.addTransition(id: "tb", label: "b")
        let c = net.addTransition(id: "tc", label: "c")
        let tau = net.addTransition(id: "skip", label: nil)
        let d = net.addTransition(id: "td", label: "d")
        try net.addArc(fromPlace: p0, toTransition: a)
        try net.addArc(fromTransition: a, toPlace: p1)
        for t in [b, c, tau] {
            try net.addArc(fromPlace: p1, toTransition: t)
            try net.addArc(fromTransition: t, toPlace: p2)
        }
        try net.addArc(fromPlace: p2, toTransition: d)
        try net.addArc(fromTransition: d, toPlace: p3)
        net.initialMarking = Marking([p0: 1])
        net.finalMarking = Marking([p3: 1])
        return net
    }

    @Test func firingFollowsTheStandardSemantics() throws {
        let net = try Self.smallNet()
        try net.validate()
        #expect(net.enabledTransitions(in: net.initialMarking) == [0])
        let m1 = try net.fire(0, in: net.initialMarking)
        #expect(m1 == Marking([1: 1]))
        #expect(Set(net.enabledTransitions(in: m1)) == [1, 2, 3])
        #expect(throws: ProcessModelError.transitionNotEnabled(transition: "td")) { try net.fire(4, in: m1) }
        #expect(net.silentTransitionCount == 1)
        #expect(net.labels == ["a", "b", "c", "d"])
    }

    @Test func arcsWithBadIndicesOrWeightsAreRejected() {
        var net = PetriNet()
        let p = net.addPlace(id: "p")
        let t = net.addTransition(id: "t", label: "x")
        #expect(throws: ProcessModelError.self) { try net.addArc(fromPlace: p, toTransition: 7) }
        #expect(throws: ProcessModelError.self) { try net.addArc(fromPlace: p, toTransition: t, weight: 0) }
    }

    @Test func pnmlRoundTripKeepsStructureMarkingsAndSilentTransitions() throws {
        var net = try Self.smallNet()
        try net.addArc(fromTransition: 0, toPlace: 1, weight: 2)
        let data = PNML.write(net)
        let back = try PNML.read(data: data)
        #expect(back.places.map(\.id) == net.places.map(\.id))
        #expect(back.transitions.map(\.label) == net.transitions.map(\.label))
        #expect(back.preSets == net.preSets)
        #expect(back.postSets == net.postSets)
        #expect(back.initialMarking == net.initialMarking)
        #expect(back.finalMarking == net.finalMarking)
    }

    @Test func pnmlErrorsNameTheLine() {
        let bad = """
        <pnml><net id="n"><page id="p">
        <place id="a"/>
        <transition id="t"><name><text>x</text></name></transition>
        <arc id="x" source="a" target="nowhere"/>
        </page></net></pnml>
        """
        #expect(throws: ProcessModelError.unknownReference(file: "bad.pnml", line: 4, element: "arc", id: "nowhere")) {
            try PNML.read(data: Data(bad.utf8), file: "bad.pnml")
        }
        #expect(throws: ProcessModelError.self) { try PNML.read(data: Data("<pnml><net".utf8)) }
        let inhibitor = """
        <pnml><net id="n"><page id="p"><place id="a"/><transition id="t"/>
        <arc id="x" source="a" target="t"><arctype><text>inhibitor</text></arctype></arc></page></net></pnml>
        """
        #expect(throws: ProcessModelError.self) { try PNML.read(data: Data(inhibitor.utf8)) }
    }

    @Test func fixtureBPMNConvertsToASoundNet() throws {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/model/approval", withExtension: "bpmn"))
        let bpmn = try BPMN.read(contentsOf: url)
        #expect(bpmn.nodes.filter { $0.kind == .task }.count == 4)
        let net = try bpmn.petriNet()
        #expect(net.labels == ["Approve", "Check", "Reject", "Submit"])
        let a = Alignments()
        #expect(try a.align(trace: ["Submit", "Check", "Approve"], to: net).cost.map { $0 / 10_000 } == 0)
        #expect(try a.align(trace: ["Submit", "Check", "Check", "Reject"], to: net).cost.map { $0 / 10_000 } == 0)
        #expect(try a.align(trace: ["Submit", "Approve"], to: net).cost.map { $0 / 10_000 } == 1)
    }

    @Test func bpmnWithInclusiveGatewayIsRejected() {
        let xml = """
        <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="p">
        <startEvent id="s"/><inclusiveGateway id="g"/><endEvent id="e"/></process></definitions>
        """
        #expect(throws: ProcessModelError.self) { try BPMN.read(data: Data(xml.utf8)) }
    }

    static let sharedModels: [String] = {
        guard let dir = SharedData.eventLogs,
              let files = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { return [] }
        return files.filter { $0.hasSuffix(".pnml") || $0.hasSuffix(".bpmn") }.sorted()
    }()

    /// Net sizes as PM4Py reports them in `*.expected.json` (PNML read by PM4Py; BPMN converted by
    /// `pm4py.convert_to_petri_net`).
    @Test("shared models read with PM4Py's net sizes", .enabled(if: SharedData.available))
    func sharedModelSizes() throws {
        let dir = try #require(SharedData.eventLogs)
        let expectedFiles = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".expected.json") }
        var checked = 0
        var seen = Set<String>()
        for e in expectedFiles.sorted() {
            for model in try ParityData.expected(String(e.dropLast(".expected.json".count))) where seen.insert(model.file).inserted {
                let net = try ParityData.net(model.file)
                try net.validate()
                let sizes = [net.places.count, net.transitions.count, net.silentTransitionCount, net.arcs.count]
                let pm = ["places", "transitions", "silent_transitions", "arcs"].map { ParityData.int(model.net[$0] ?? -1) }
                #expect(sizes == pm, "\(model.file): ours \(sizes) PM4Py \(pm)")
                #expect(net.finalMarking != nil)
                checked += 1
            }
        }
        #expect(checked >= 20)
    }
}
