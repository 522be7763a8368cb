import Foundation
import PantauCore
import PantauReports
import Testing

@Suite struct ProcessMapSVGTests {
    /// Four SOP steps (2 a decision, 3 over its standard), one activity outside the SOP, a loop
    /// back from 2 to 1, a forward skip from 2 to 4, a step repeated directly (4 → 4).
    static func sample(label3: String = "Verifikasi berkas", occurrences1: Int = 130) -> ProcessMap {
        ProcessMap(
            nodes: [
                .init(id: "s1", label: "Terima berkas", number: 1, occurrences: occurrences1, cases: 100, meanSeconds: 600, standardSeconds: 900, shareWithinStandard: 0.855),
                .init(id: "s2", label: "Berkas lengkap?", number: 2, isDecision: true, occurrences: 130, cases: 100),
                .init(id: "s3", label: label3, number: 3, occurrences: 75, cases: 75, meanSeconds: 7500, standardSeconds: 3600, shareWithinStandard: 0.2),
                .init(id: "s4", label: "Tanda tangan", number: 4, occurrences: 77, cases: 75, meanSeconds: 1200, standardSeconds: 1800),
                .init(id: "telepon", label: "Telepon pemohon", number: nil, occurrences: 8, cases: 8),
            ],
            arcs: [
                .init(from: ProcessMap.startID, to: "s1", count: 100),
                .init(from: "s1", to: "s2", count: 130, meanSeconds: 300),
                .init(from: "s2", to: "s3", count: 70, meanSeconds: 7505),
                .init(from: "s2", to: "s1", count: 30, cases: 25, meanSeconds: 86_400),
                .init(from: "s2", to: "s4", count: 5, meanSeconds: 60),
                .init(from: "s3", to: "s4", count: 70, meanSeconds: 1800),
                .init(from: "s3", to: "telepon", count: 8),
                .init(from: "telepon", to: "s3", count: 8),
                .init(from: "s4", to: "s4", count: 2),
                .init(from: "s4", to: ProcessMap.endID, count: 75),
            ],
            cases: 100)
    }

    func parse(_ svg: String) throws -> SOPTestXML { try #require(SOPTestXML.parse(svg)) }

    /// The visible text of an element: its `<text>` lines joined by spaces.
    func texts(_ e: SOPTestXML?) -> String { e?.all { $0.name == "text" }.map(\.text).joined(separator: " ") ?? "" }

    func arc(_ root: SOPTestXML, _ from: String, _ to: String) throws -> SOPTestXML {
        try #require(root.all { $0.hasClass("pm-arc") && $0.attributes["data-from"] == from && $0.attributes["data-to"] == to }.first)
    }

    /// The x coordinates of a path's points (every other number after a command letter).
    func xs(_ d: String) -> [Double] {
        var out: [Double] = []
        var numbers: [Double] = []
        for token in d.split(whereSeparator: { $0 == " " }) {
            var t = Substring(token)
            if let c = t.first, c.isLetter {
                numbers.removeAll()
                t = t.dropFirst()
            }
            if let v = Double(t) {
                numbers.append(v)
                if numbers.count % 2 == 1 { out.append(v) }
            }
        }
        return out
    }

    func mainColumnX(_ root: SOPTestXML) throws -> (minX: Double, maxX: Double) {
        let node = try #require(root.all { $0.hasClass("pm-node") && $0.attributes["data-node"] == "s1" }.first)
        let rect = try #require(node.all { $0.name == "rect" && $0.hasClass("pm-shape") }.first)
        let x = try #require(Double(rect.attributes["x"] ?? ""))
        let w = try #require(Double(rect.attributes["width"] ?? ""))
        return (x, x + w)
    }

    @Test func wellFormedAccessibleAndFitsThePage() throws {
        let svg = ProcessMapSVG().render(Self.sample())
        let root = try parse(svg)
        #expect(root.name == "svg")
        #expect(root.attributes["role"] == "img")
        #expect(root.attributes["width"] == "100%")
        #expect(root.attributes["viewBox"]?.hasPrefix("0 0 960 ") == true)
        let title = try #require(root.children.first { $0.name == "title" })
        #expect(title.text == "Peta proses")
        let desc = try #require(root.children.first { $0.name == "desc" })
        #expect(desc.text.contains("Jalur paling sering: Mulai → 1. Terima berkas → 2. Berkas lengkap? → 3. Verifikasi berkas → 4. Tanda tangan → Selesai."))
        #expect(desc.text.contains("Melebihi baku: 3. Verifikasi berkas (rata-rata 2 jam 5 menit, baku 1 jam)"))
        #expect(root.attributes["aria-labelledby"] == "\(title.attributes["id"]!) \(desc.attributes["id"]!)")
        // No text smaller than 12 units.
        let sizes = root.all { $0.attributes["font-size"] != nil }.compactMap { Double($0.attributes["font-size"]!) }
        #expect(!sizes.isEmpty && sizes.allSatisfy { $0 >= 12 })
        let small = ProcessMapSVG(options: .init(fontSize: 8)).render(Self.sample())
        #expect(try parse(small).all { $0.attributes["font-size"] != nil }.compactMap { Double($0.attributes["font-size"]!) }.allSatisfy { $0 >= 12 })
        // Everything drawn stays inside the 960-wide viewBox.
        for path in root.all({ $0.name == "path" }) {
            #expect(xs(path.attributes["d"] ?? "").allSatisfy { $0 >= 0 && $0 <= 960 }, "\(path.attributes["d"] ?? "")")
        }
        // Nodes in SOP order, the activity outside the SOP in the second column.
        let nodes = root.all { $0.hasClass("pm-node") }
        #expect(nodes.map { $0.attributes["data-node"]! } == ["^", "s1", "s2", "s3", "s4", "$", "telepon"])
        #expect(nodes.last?.attributes["data-column"] == "1")
        #expect(texts(nodes.last).contains("di luar SOP"))
        #expect(nodes.last?.all { $0.attributes["stroke-dasharray"] != nil }.isEmpty == false)
        // Counts and shares in Indonesian notation, durations in words.
        let first = texts(nodes[1])
        #expect(first.contains("130 kali · 100 kasus · 85,5% dalam baku"))
        #expect(first.contains("rata-rata 10 menit · baku 15 menit"))
        let arcLabels = root.all { $0.hasClass("pm-arc-label") }.map(\.text)
        #expect(arcLabels.contains("30 · 1 hari"))
        #expect(arcLabels.contains("70 · 2 jam 5 menit")) // 7,505 s, rounded to the minute
        #expect(texts(nodes[0]) == "Mulai · 100 kasus")
    }

    @Test func loopsCurveOnTheLeftAndSkipsOnTheRight() throws {
        let root = try parse(ProcessMapSVG().render(Self.sample()))
        let column = try mainColumnX(root)
        let back = try arc(root, "s2", "s1")
        #expect(back.attributes["data-side"] == "left")
        let backPath = try #require(back.all { $0.hasClass("pm-arc-line") }.first?.attributes["d"])
        #expect(xs(backPath).min()! < column.minX - 10)
        #expect(xs(backPath).max()! <= column.minX)
        let skip = try arc(root, "s2", "s4")
        #expect(skip.attributes["data-side"] == "right")
        let skipPath = try #require(skip.all { $0.hasClass("pm-arc-line") }.first?.attributes["d"])
        #expect(xs(skipPath).max()! > column.maxX + 10)
        #expect(xs(skipPath).min()! >= column.maxX)
        // Neighbours: a straight vertical line.
        let straight = try arc(root, "s1", "s2")
        #expect(straight.attributes["data-side"] == "straight")
        let d = try #require(straight.all { $0.hasClass("pm-arc-line") }.first?.attributes["d"])
        #expect(d.contains(" L") && !d.contains("C"))
        #expect(Set(xs(d)).count == 1)
        #expect(try arc(root, "s4", "s4").attributes["data-side"] == "self")
        #expect(try arc(root, "s3", "telepon").attributes["data-side"] == "cross")
        #expect(try arc(root, ProcessMap.startID, "s1").attributes["data-side"] == "straight")
    }

    @Test func arcWidthsFollowTheCounts() throws {
        let root = try parse(ProcessMapSVG().render(Self.sample()))
        let arcs = root.all { $0.hasClass("pm-arc") }.map { a -> (Int, Double) in
            let width = a.all { $0.hasClass("pm-arc-line") }.first?.attributes["stroke-width"].flatMap(Double.init) ?? -1
            return (Int(a.attributes["data-count"] ?? "") ?? -1, width)
        }
        #expect(arcs.count == 10)
        for a in arcs {
            for b in arcs where a.0 > b.0 { #expect(a.1 > b.1, "count \(a.0) width \(a.1) vs count \(b.0) width \(b.1)") }
            for b in arcs where a.0 == b.0 { #expect(a.1 == b.1) }
        }
        #expect(arcs.map(\.1).max() == 8)
    }

    @Test func overStandardHasOutlineAndWordsNotOnlyColour() throws {
        let root = try parse(ProcessMapSVG().render(Self.sample()))
        func node(_ id: String) throws -> SOPTestXML {
            try #require(root.all { $0.hasClass("pm-node") && $0.attributes["data-node"] == id }.first)
        }
        let over = try node("s3")
        #expect(over.attributes["data-over"] == "true")
        #expect(over.all { $0.hasClass("pm-over-marker") }.map(\.text) == ["melebihi baku"])
        #expect(over.all { $0.hasClass("pm-over-outline") }.count == 1)
        let shape = try #require(over.all { $0.hasClass("pm-shape") }.first)
        #expect(shape.attributes["stroke-width"] == "3")
        for id in ["s1", "s2", "s4"] {
            let other = try node(id)
            #expect(other.attributes["data-over"] == "false")
            #expect(other.all { $0.hasClass("pm-over-marker") || $0.hasClass("pm-over-outline") }.isEmpty)
            #expect(other.all { $0.hasClass("pm-shape") }.first?.attributes["stroke-width"] != "3")
        }
        // The decision is a hexagon, not a box.
        #expect(try node("s2").all { $0.hasClass("pm-shape") }.first?.name == "path")
        let en = try parse(ProcessMapSVG(options: .init(language: .en)).render(Self.sample()))
        #expect(en.all { $0.hasClass("pm-over-marker") }.map(\.text) == ["over standard"])
        #expect(texts(en.all { $0.hasClass("pm-node") }[1]).contains("130 times · 100 cases · 85.5% within standard"))
        // A step not recorded and never logged says so instead of "0 kali".
        var map = Self.sample()
        map.nodes[1] = .init(id: "s2", label: "Berkas lengkap?", number: 2, isDecision: true, occurrences: 0, cases: 0, recorded: false)
        let grey = try #require(try parse(ProcessMapSVG().render(map)).all { $0.attributes["data-node"] == "s2" }.first)
        #expect(grey.all { $0.hasClass("pm-not-recorded") }.map(\.text) == ["tidak tercatat"])
        #expect(!texts(grey).contains("0 kali"))
    }

    @Test func hostileLabelsAreEscaped() throws {
        let hostile = "<script>alert(\"x\")</script> & 'q'"
        var map = Self.sample(label3: hostile)
        map.nodes.append(.init(id: hostile, label: hostile, number: nil, occurrences: 1, cases: 1))
        map.arcs.append(.init(from: "s3", to: hostile, count: 1))
        let svg = ProcessMapSVG(options: .init(title: hostile, idPrefix: "p\"><script>")).render(map)
        #expect(!svg.contains("<script"))
        #expect(svg.contains("&lt;script&gt;"))
        let root = try parse(svg)
        #expect(root.children.first { $0.name == "title" }?.text == hostile)
        #expect(root.all { $0.hasClass("pm-arc") && $0.attributes["data-to"] == hostile }.count == 1)
        #expect(root.all { $0.name == "script" }.isEmpty)
    }

    @Test func rareArcsAreHiddenAndCounted() throws {
        let map = Self.sample()
        // Below 10% of 100 cases: s2→s4 (5), s3→telepon (8), telepon→s3 (8), s4→s4 (2).
        let svg = ProcessMapSVG(options: .init(minCaseShare: 0.1)).render(map)
        let root = try parse(svg)
        #expect(root.all { $0.hasClass("pm-arc") }.count == 6)
        #expect(root.attributes["data-hidden-arcs"] == "4")
        #expect(texts(root.all { $0.hasClass("pm-caption") }.first).contains("4 panah disembunyikan (dipakai di bawah 10% kasus)."))
        // The loop back counts its 25 cases, not its 30 passes: kept at 25%, hidden at 26%.
        #expect(try parse(ProcessMapSVG(options: .init(minCaseShare: 0.25)).render(map)).all { $0.attributes["data-from"] == "s2" && $0.attributes["data-to"] == "s1" && $0.hasClass("pm-arc") }.count == 1)
        #expect(try parse(ProcessMapSVG(options: .init(minCaseShare: 0.26)).render(map)).all { $0.attributes["data-from"] == "s2" && $0.attributes["data-to"] == "s1" && $0.hasClass("pm-arc") }.isEmpty)
        // At most maxArcs, the most frequent.
        let top3 = try parse(ProcessMapSVG(options: .init(language: .en, maxArcs: 3)).render(map))
        #expect(Set(top3.all { $0.hasClass("pm-arc") }.map { $0.attributes["data-count"]! }) == ["130", "100", "75"])
        #expect(texts(top3.all { $0.hasClass("pm-caption") }.first).contains("7 arcs hidden (beyond the 3 most frequent)."))
        let both = try parse(ProcessMapSVG(options: .init(minCaseShare: 0.1, maxArcs: 5)).render(map))
        #expect(texts(both.all { $0.hasClass("pm-caption") }.first).contains("5 panah disembunyikan (dipakai di bawah 10% kasus atau di luar 5 panah terbanyak)."))
        // Nothing hidden: no such sentence.
        #expect(!texts(try parse(ProcessMapSVG().render(map)).all { $0.hasClass("pm-caption") }.first).contains("disembunyikan"))
    }

    @Test func outputIsDeterministicWhateverTheArcOrder() throws {
        let map = Self.sample()
        var shuffled = map
        shuffled.arcs = [map.arcs[7], map.arcs[2], map.arcs[9], map.arcs[0], map.arcs[5], map.arcs[3], map.arcs[8], map.arcs[1], map.arcs[6], map.arcs[4]]
        #expect(ProcessMapSVG().render(map) == ProcessMapSVG().render(shuffled))
        // Thousands separators and an empty map.
        let big = try parse(ProcessMapSVG().render(Self.sample(occurrences1: 12345)))
        #expect(texts(big.all { $0.hasClass("pm-node") }[1]).contains("12.345 kali"))
        let empty = try parse(ProcessMapSVG().render(ProcessMap(nodes: [], arcs: [])))
        #expect(empty.all { $0.hasClass("pm-node") }.count == 2)
        #expect(empty.children.first { $0.name == "desc" }?.text.contains("Belum ada data perpindahan") == true)
    }
}
