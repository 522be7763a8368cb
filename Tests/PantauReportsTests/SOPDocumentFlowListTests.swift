import Foundation
import PantauCore
import PantauReports
import Testing

/// The flowchart as step cards for phones: present, complete, linked, shown only on narrow
/// screens, never printed.
@Suite struct SOPDocumentFlowListTests {
    func parse(_ html: String) throws -> SOPTestXML {
        try #require(SOPTestXML.parse(html), "fragment is not well-formed")
    }

    func cards(_ root: SOPTestXML) throws -> [SOPTestXML] {
        let list = try #require(root.all { $0.hasClass("sop-flow-list") }.first)
        #expect(list.name == "section")
        let ol = try #require(list.all { $0.name == "ol" && $0.hasClass("sop-steps") }.first)
        return ol.children.filter { $0.name == "li" && $0.hasClass("sop-step") }
    }

    /// The text of the `<dd>` in the field group with class `cls` of a card.
    func field(_ card: SOPTestXML, _ cls: String) -> [SOPTestXML] {
        card.all { $0.name == "div" && $0.hasClass(cls) }.compactMap { $0.children.first { $0.name == "dd" } }
    }

    @Test func everyStepIsACardWithItsActorTargetsAndMutuBaku() throws {
        var docs = try SOPExamples.load().map(\.document)
        docs.append(SOPSample.izinUsaha)
        for doc in docs {
            let root = try parse(SOPDocumentHTML(options: .init(idPrefix: "d")).render(doc))
            let cards = try cards(root)
            #expect(cards.count == doc.steps.count)
            let ids = Set(cards.compactMap { $0.attributes["id"] })
            var links = Set<String>()
            for (i, step) in doc.steps.enumerated() {
                let card = cards[i]
                #expect(card.attributes["data-no"] == String(i + 1))
                #expect(card.attributes["id"] == "d-step-\(i + 1)")
                #expect(card.all { $0.hasClass("sop-step-no") }.first?.text == String(i + 1))
                #expect(card.all { $0.hasClass("sop-step-activity") }.first?.allText == step.activity)
                let actor = doc.actors.first { $0.id == step.actor }?.name
                #expect(field(card, "sop-step-actor").first?.allText == actor)
                if step.kind == .decision { #expect(field(card, "sop-step-question").first?.allText == step.question) }
                #expect(field(card, "sop-step-requirements").first?.allText == step.standard.requirements)
                #expect(field(card, "sop-step-output").first?.allText == step.standard.output)
                if let t = step.standard.time {
                    #expect(field(card, "sop-step-time").first?.allText == TimeStandard.format(seconds: t.seconds, language: .id))
                }
                if !step.notes.isEmpty { #expect(field(card, "sop-step-notes").first?.allText == step.notes) }
                // Each successor once, under Ya / Tidak / Berikutnya, linking to the target's card.
                for (target, branch) in doc.successors(of: step) {
                    let n = try #require(doc.number(ofStep: target))
                    let cls = branch == .yes ? "sop-step-branch-yes" : branch == .no ? "sop-step-branch-no" : "sop-step-branch-next"
                    let groups = card.all { $0.name == "div" && $0.hasClass(cls) }
                    let group = try #require(groups.first { g in g.all { $0.name == "a" }.first?.attributes["href"] == "#d-step-\(n)" },
                                             "step \(i + 1) → \(n) (\(branch.rawValue))")
                    let dt = group.children.first { $0.name == "dt" }?.text
                    #expect(dt == (branch == .yes ? "Ya" : branch == .no ? "Tidak" : "Berikutnya"))
                    #expect(group.allText.contains(doc.steps[n - 1].activity))
                    links.insert("\(i + 1)>\(n)")
                }
                let targets = card.all { $0.name == "a" }.compactMap { $0.attributes["href"] }
                #expect(targets.count == doc.successors(of: step).count)
                for t in targets { #expect(ids.contains(String(t.dropFirst()))) }
            }
            #expect(!links.isEmpty)
        }
    }

    @Test func englishCards() throws {
        let root = try parse(SOPDocumentHTML(options: .init(language: .en)).render(SOPSample.izinUsaha))
        let cards = try cards(root)
        let decision = try #require(cards.first { $0.attributes["data-kind"] == "decision" })
        let labels = decision.all { $0.name == "dt" }.map(\.text)
        #expect(labels.contains("Yes") && labels.contains("No") && labels.contains("Actor") && labels.contains("Requirements"))
        #expect(root.all { $0.hasClass("sop-flow-list-title") }.first?.text == "Flowchart, step by step")
    }

    @Test func cardsShowOnNarrowScreensOnlyAndNeverPrint() throws {
        let css = SOPDocumentHTML.printCSS
        // Hidden by default (wide screens keep the official table) ...
        #expect(css.contains(".sop-flow-list { display: none; }"))
        // ... shown under a narrow-screen media query, where the table scrolls in its own box ...
        let narrow = try #require(css.range(of: "@media screen and (max-width: 760px) {"))
        let printRange = try #require(css.range(of: "@media print {"))
        let narrowBlock = css[narrow.upperBound..<printRange.lowerBound]
        #expect(narrowBlock.contains(".sop-flow-list { display: block;"))
        #expect(narrowBlock.contains(".sop-flow-svg { overflow-x: auto; }"))
        // ... and never printed.
        #expect(css[printRange.upperBound...].contains(".sop-flow-list { display: none; }"))
        // The page declares a device-width viewport, without which a phone lays it out 980 px wide.
        #expect(SOPDocumentHTML().renderPage(SOPSample.izinUsaha).contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"))
        // No flowchart, no cards.
        let bare = SOPDocumentHTML(options: .init(includeFlowchart: false)).render(SOPSample.izinUsaha)
        #expect(!bare.contains("sop-flow-list"))
    }

    @Test func identityCellsBreakBetweenWordsAndAfterSlashes() throws {
        let css = SOPDocumentHTML.printCSS
        #expect(!css.contains("overflow-wrap: anywhere")) // cut words anywhere, without a hyphen
        let root = try parse(SOPDocumentHTML().render(SOPSample.izinUsaha))
        let number = try #require(root.all { $0.hasClass("sop-number") }.first)
        #expect(number.text == SOPSample.izinUsaha.identity.number)
        #expect(number.children.filter { $0.name == "wbr" }.count == SOPSample.izinUsaha.identity.number.filter { $0 == "/" }.count)
    }
}
