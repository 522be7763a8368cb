import Foundation
import Testing
@testable import PantauCore

@Suite("Alignments and token replay on small nets")
struct ConformanceAlignmentTests {
    /// a → (b | c | τ) → d
    static func net() throws -> PetriNet { try ProcessModelTests.smallNet() }

    /// a → (b ∥ c) → d, with the AND split and join as silent transitions.
    static func parallelNet() throws -> PetriNet {
        var n = PetriNet(id: "par")
        let p = (0..<8).map { n.addPlace(id: "p\($0)") }
        let a = n.addTransition(id: "a", label: "a")
        let split = n.addTransition(id: "split", label: nil)
        let b = n.addTransition(id: "b", label: "b")
        let c = n.addTransition(id: "c", label: "c")
        let join = n.addTransition(id: "join", label: nil)
        let d = n.addTransition(id: "d", label: "d")
        try n.addArc(fromPlace: p[0], toTransition: a); try n.addArc(fromTransition: a, toPlace: p[1])
        try n.addArc(fromPlace: p[1], toTransition: split)
        try n.addArc(fromTransition: split, toPlace: p[2]); try n.addArc(fromTransition: split, toPlace: p[3])
        try n.addArc(fromPlace: p[2], toTransition: b); try n.addArc(fromTransition: b, toPlace: p[4])
        try n.addArc(fromPlace: p[3], toTransition: c); try n.addArc(fromTransition: c, toPlace: p[5])
        try n.addArc(fromPlace: p[4], toTransition: join); try n.addArc(fromPlace: p[5], toTransition: join)
        try n.addArc(fromTransition: join, toPlace: p[6])
        try n.addArc(fromPlace: p[6], toTransition: d); try n.addArc(fromTransition: d, toPlace: p[7])
        n.initialMarking = Marking([p[0]: 1])
        n.finalMarking = Marking([p[7]: 1])
        return n
    }

    @Test func fittingTraceIsAllSynchronousMoves() throws {
        let r = try Alignments().align(trace: ["a", "b", "d"], to: Self.net())
        #expect(r.cost == 0)
        #expect(r.fitness == 1)
        #expect(r.moves.map(\.kind) == [.sync, .sync, .sync])
        #expect(r.bwc == 30_000 + 20_001)   // cheapest model run: a, τ, d
    }

    @Test func deviationsBecomeLogAndModelMoves() throws {
        let a = Alignments()
        let skip = try a.align(trace: ["a", "d"], to: Self.net())
        #expect(skip.cost == 1)     // the silent skip
        #expect(skip.moves.map(\.kind) == [.sync, .silent, .sync])
        let extra = try a.align(trace: ["a", "x", "b", "d"], to: Self.net())
        #expect(extra.cost == 10_000)
        #expect(extra.moves.contains(AlignmentMove(kind: .log, activity: "x", transition: nil, eventIndex: 1)))
        let missing = try a.align(trace: ["b", "d"], to: Self.net())
        #expect(missing.cost == 10_000)
        #expect(missing.moves.first == AlignmentMove(kind: .model, activity: "a", transition: 0, eventIndex: nil))
        // fitness = 1 − (10000 ÷ 10000)/(bwc ÷ 10000) with bwc = 2·10000 + 20001.
        #expect(missing.fitness == 1 - 1.0 / 4.0)
    }

    @Test func concurrencyInEitherOrderFits() throws {
        let a = Alignments()
        for t in [["a", "b", "c", "d"], ["a", "c", "b", "d"]] {
            let r = try a.align(trace: t, to: Self.parallelNet())
            #expect(r.cost == 2, "\(t)")   // split and join
        }
        let swapped = try a.align(trace: ["a", "d", "b", "c"], to: Self.parallelNet())
        #expect(swapped.cost == 20_002)   // d moved: one log move and one model move
    }

    @Test func logNumbersFollowPM4PyDefinitions() throws {
        let log = TraceVariants(traces: [["a", "b", "d"], ["a", "b", "d"], ["a", "d"], ["b", "d"]])
        let r = try Alignments().align(log, to: Self.net())
        #expect(r.traces == 4 && r.variants.count == 3)
        #expect(r.totalCost == 0 + 0 + 1 + 10_000)
        #expect(r.totalBWC == 2 * 50_001 + 40_001 + 40_001)
        #expect(r.logFitness == 1 - Double(10_001) / Double(180_004))
        #expect(r.fittingTraces == 3)
        #expect(r.percentageOfFittingTraces == 75)
        #expect(r.averageTraceFitness == (3 + 0.75) / 4)
        #expect(r.modelRunCost == 20_001)
    }

    @Test func stateLimitGivesAClearResultNotAHang() throws {
        let trace = Array(repeating: "x", count: 30) + ["a", "b", "d"]
        let r = try Alignments(options: .init(maxExpandedStates: 5)).align(TraceVariants(traces: [trace]), to: Self.net())
        #expect(r.variants[0].status == .stateLimitReached)
        #expect(r.variants[0].cost == nil)
        #expect(r.unalignedTraces == 1)
    }

    @Test func netsWithoutFinalMarkingAreRefused() throws {
        var net = try Self.net()
        net.finalMarking = nil
        #expect(throws: ConformanceError.noFinalMarking) { try Alignments().align(trace: ["a"], to: net) }
        #expect(throws: ConformanceError.self) {
            try Alignments(options: .init(workers: 0)).align(trace: ["a"], to: Self.net())
        }
    }

    @Test func unreachableFinalMarkingIsAnError() throws {
        var net = try Self.net()
        net.finalMarking = Marking([0: 1, 3: 1])
        #expect(throws: ConformanceError.self) { try Alignments().align(trace: ["a"], to: net) }
    }

    @Test func concurrentWorkersGiveTheSameCosts() async throws {
        let log = TraceVariants(traces: [["a", "b", "c", "d"], ["a", "c", "d"], ["d"], ["a", "b", "b", "c", "d"], ["c", "a", "b", "d"]])
        let net = try Self.parallelNet()
        let one = try Alignments().align(log, to: net)
        let calls = ProgressBox()
        let two = try await Alignments(options: .init(workers: 2)).alignConcurrently(log, to: net) { done, total in
            calls.record(done, total)
        }
        #expect(one.variants.map(\.cost) == two.variants.map(\.cost))
        #expect(one.logFitness == two.logFitness)
        #expect(calls.last == (5, 5))
    }

    final class ProgressBox: @unchecked Sendable {
        private let lock = NSLock()
        private var value: (Int, Int) = (0, 0)
        func record(_ d: Int, _ t: Int) { lock.lock(); if d > value.0 { value = (d, t) }; lock.unlock() }
        var last: (Int, Int) { lock.lock(); defer { lock.unlock() }; return value }
    }

    @Test func tokenReplayCountsLikePM4Py() throws {
        var net = PetriNet(id: "seq")
        let p = (0..<3).map { net.addPlace(id: "p\($0)") }
        let a = net.addTransition(id: "a", label: "a"), b = net.addTransition(id: "b", label: "b")
        try net.addArc(fromPlace: p[0], toTransition: a); try net.addArc(fromTransition: a, toPlace: p[1])
        try net.addArc(fromPlace: p[1], toTransition: b); try net.addArc(fromTransition: b, toPlace: p[2])
        net.initialMarking = Marking([p[0]: 1])
        net.finalMarking = Marking([p[2]: 1])
        let log = TraceVariants(traces: [["a", "b"], ["b"], ["a", "zzz", "b"], []])
        let r = try TokenReplay().replay(log, on: net)
        let v = r.variants
        #expect((v[0].missing, v[0].consumed, v[0].remaining, v[0].produced) == (0, 3, 0, 3))
        #expect((v[1].missing, v[1].consumed, v[1].remaining, v[1].produced) == (1, 2, 1, 2))   // b without a
        #expect(v[2].isFit)                                                                      // unknown activity ignored
        #expect((v[3].missing, v[3].consumed, v[3].remaining, v[3].produced) == (1, 1, 1, 1))   // empty trace
        #expect(v[1].fitness == 0.5 * (1 - 0.5) + 0.5 * (1 - 0.5))
        #expect(r.fittingTraces == 2 && r.percentageOfFittingTraces == 50)
        #expect(r.logFitness == 0.5 * (1 - 2.0 / 9) + 0.5 * (1 - 2.0 / 9))
    }

    @Test func tokenReplayFiresSilentTransitionsToEnable() throws {
        let r = try TokenReplay().replay(TraceVariants(traces: [["a", "b", "c", "d"], ["a", "d"]]), on: Self.parallelNet())
        #expect(r.variants[0].isFit)
        #expect(r.variants[0].consumed == 8)   // a, split, b, c, join (2), d, final
        #expect(!r.variants[1].isFit)
    }

    @Test func conformanceSummaryHasThePM4PyNumbers() throws {
        let log = TraceVariants(traces: [["a", "b", "d"], ["b", "d"]])
        let net = try Self.net()
        let al = try ConformanceCheck().run(log, on: net, modelName: "small")
        #expect(al.method == .alignments && al.traces == 2 && al.fittingTraces == 1)
        #expect(al.alignments?.totalCost == 10_000 && al.tokenReplay == nil)
        let tr = try ConformanceCheck(options: .init(method: .tokenReplay)).run(log, on: net)
        #expect(tr.tokenReplay?.missing == 1 && tr.alignments == nil)
        #expect(throws: ProcessModelError.self) {
            try ConformanceCheck.loadModel(contentsOf: URL(fileURLWithPath: "/nonexistent/model.txt"))
        }
        let json = try JSONEncoder().encode(al)
        #expect(try JSONDecoder().decode(ConformanceSummary.self, from: json) == al)
    }
}
