import Foundation
import PantauCore

/// A net the app has read: its invariants hold, a few steps of the token game run from the
/// initial marking, the final marking can be guessed, and the PNML written from it reads back as
/// the same net (places, transitions, labels up to surrounding white space, arcs, markings).
public func exercisePetriNet(_ net: PetriNet) {
    do { try net.validate() } catch { check(false, "net read from the input breaks an invariant: \(error)") }
    var m = net.initialMarking
    for _ in 0..<8 {
        guard let t = net.enabledTransitions(in: m).first else { break }
        do { m = try net.fire(t, in: m) } catch { break }  // the token limit may stop the game
    }
    _ = net.guessedFinalMarking()

    // PNML has one id space for places and transitions, PetriNet two: a net whose place and
    // transition share an id (BPMN.petriNet names a node's exit place "exi_" + its id, which a
    // node "exi_x" beside a node "x" matches) has no PNML form; PNML.write is not used on those.
    guard Set(net.places.map(\.id)).isDisjoint(with: net.transitions.map(\.id)) else { return }
    let back: PetriNet
    do { back = try PNML.read(data: PNML.write(net)) } catch {
        check(false, "PNML written by PNML.write does not read back: \(error)")
        return
    }
    // Characters XML forbids are written as U+FFFD (xmlWritable): compare as written.
    check(back.places.map(\.id) == net.places.map { xmlWritable($0.id) }, "PNML round trip: place ids differ")
    check(back.transitions.map(\.id) == net.transitions.map { xmlWritable($0.id) }, "PNML round trip: transition ids differ")
    // PNML.read trims a label's text (files are pretty-printed), so compare labels trimmed.
    check(back.transitions.map { $0.label?.trimmedOfWhitespace } == net.transitions.map { $0.label.map(xmlWritable)?.trimmedOfWhitespace },
          "PNML round trip: labels differ")
    check(back.arcs == net.arcs, "PNML round trip: arcs differ")
    check(back.initialMarking == net.initialMarking, "PNML round trip: initial marking differs")
    check(back.finalMarking == net.finalMarking, "PNML round trip: final marking differs")
}
