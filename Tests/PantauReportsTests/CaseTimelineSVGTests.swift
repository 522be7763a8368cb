import Foundation
import PantauCore
import PantauReports
import Testing

@Suite struct CaseTimelineSVGTests {
    /// 1 December 2026, 08:00 WIB.
    static let t0 = Date(timeIntervalSince1970: 1_796_086_800)

    static func at(_ minutes: Double) -> Date { t0.addingTimeInterval(minutes * 60) }

    /// Step 2 skipped, step 3 done twice (the first over its 30-minute standard), step 4 not
    /// recorded, a phone call outside the SOP logged without a start time.
    static func sample(activity1: String = "Terima berkas", resource: String? = "Budi", now: Date? = nil) -> CaseTimeline {
        CaseTimeline(
            caseLabel: "REG-0012",
            steps: [
                .init(id: "s1", number: 1, label: activity1, standardSeconds: 600),
                .init(id: "s2", number: 2, label: "Skrining", standardSeconds: 900),
                .init(id: "s3", number: 3, label: "Verifikasi", standardSeconds: 1800),
                .init(id: "s4", number: 4, label: "Berkas lengkap?", recorded: false),
                .init(id: "s5", number: 5, label: "Serahkan izin", standardSeconds: 3600),
            ],
            occurrences: [
                // Deliberately not in time order.
                .init(stepID: "s5", activity: "Serahkan izin", start: at(210), complete: at(240), resource: "Sari"),
                .init(stepID: "s3", activity: "Verifikasi", start: at(180), complete: at(200), resource: "Sari"),
                .init(stepID: nil, activity: "Telepon pemohon", complete: at(150)),
                .init(stepID: "s1", activity: activity1, start: at(0), complete: at(5), resource: resource),
                .init(stepID: "s3", activity: "Verifikasi", start: at(60), complete: at(120), resource: "Sari"),
            ],
            skippedStepIDs: ["s2"],
            now: now)
    }

    func parse(_ svg: String) throws -> SOPTestXML { try #require(SOPTestXML.parse(svg)) }

    func rows(_ root: SOPTestXML) -> [SOPTestXML] { root.all { $0.hasClass("tl-row") } }

    func row(_ root: SOPTestXML, _ step: String) throws -> SOPTestXML {
        try #require(root.all { $0.hasClass("tl-row") && $0.attributes["data-step"] == step }.first)
    }

    func bars(_ root: SOPTestXML, _ step: String) -> [SOPTestXML] {
        root.all { $0.hasClass("tl-bar") && $0.attributes["data-step"] == step }
    }

    func rectX(_ bar: SOPTestXML) throws -> (x: Double, w: Double) {
        let r = try #require(bar.all { $0.name == "rect" }.first)
        return (try #require(Double(r.attributes["x"] ?? "")), try #require(Double(r.attributes["width"] ?? "")))
    }

    @Test func rowsFollowTheSOPThenActivitiesOutsideIt() throws {
        let svg = CaseTimelineSVG().render(Self.sample())
        let root = try parse(svg)
        #expect(root.attributes["role"] == "img")
        #expect(root.attributes["width"] == "100%")
        #expect(root.attributes["viewBox"]?.hasPrefix("0 0 960 ") == true)
        #expect(root.children.first { $0.name == "title" }?.text == "Garis waktu kasus REG-0012")
        let all = rows(root)
        #expect(all.map { $0.attributes["data-no"] ?? "-" } == ["1", "2", "3", "4", "5", "-"])
        #expect(all.prefix(5).map { $0.all { $0.hasClass("tl-label") }.first?.text ?? "" } == ["1. Terima berkas", "2. Skrining", "3. Verifikasi", "4. Berkas lengkap?", "5. Serahkan izin"])
        let outside = try #require(all.last)
        #expect(outside.attributes["data-outside"] == "true")
        #expect(outside.all { $0.hasClass("tl-outside-marker") }.map(\.text) == ["di luar SOP"])
        #expect(outside.allText.contains("Telepon pemohon"))
        // The phone call has no start: a diamond, not a bar.
        #expect(root.all { $0.hasClass("tl-point") }.count == 1)
        #expect(root.all { $0.hasClass("tl-bar") }.count == 4)
        let sizes = root.all { $0.attributes["font-size"] != nil }.compactMap { Double($0.attributes["font-size"]!) }
        #expect(!sizes.isEmpty && sizes.allSatisfy { $0 >= 12 })
        let desc = try #require(root.children.first { $0.name == "desc" }?.text)
        #expect(desc.contains("5 kejadian, dari 1 Des 08:00 sampai 1 Des 12:00 WIB (4 jam)"))
        #expect(desc.contains("Dilewati: 2. Skrining."))
        #expect(desc.contains("Melebihi baku: 3. Verifikasi ×1 (1 jam, baku 30 menit)."))
        #expect(desc.contains("Di luar SOP: Telepon pemohon."))
    }

    @Test func barPositionsAreProportionalToTime() throws {
        let root = try parse(CaseTimelineSVG().render(Self.sample()))
        let b1 = try rectX(try #require(bars(root, "s1").first))
        let b3 = try bars(root, "s3").map(rectX)
        let b5 = try rectX(try #require(bars(root, "s5").first))
        #expect(b3.count == 2)
        // Starts at 0, 60, 180 and 210 minutes.
        let unit = (b3[0].x - b1.x) / 60
        #expect(unit > 0)
        #expect(abs((b3[1].x - b1.x) - 180 * unit) < 0.05)
        #expect(abs((b5.x - b1.x) - 210 * unit) < 0.05)
        // Durations 60, 20 and 30 minutes; the axis ends at the last completion (240 minutes).
        #expect(abs(b3[0].w - 60 * unit) < 0.05)
        #expect(abs(b3[1].w - 20 * unit) < 0.05)
        #expect(abs(b5.w - 30 * unit) < 0.05)
        let plotRight = try #require(Double(root.attributes["data-plot-x"] ?? "")) + (try #require(Double(root.attributes["data-plot-width"] ?? "")))
        #expect(abs(b5.x + b5.w - plotRight) < 0.05)
        #expect(abs(b1.x - (try #require(Double(root.attributes["data-plot-x"] ?? "")))) < 0.05)
        // The standard: 10 minutes from the start of step 1.
        let std = try #require(root.all { $0.hasClass("tl-standard") && $0.attributes["data-seconds"] == "600" }.first)
        let d = try #require(std.attributes["d"])
        let parts = d.split(separator: " ")
        let x0 = try #require(Double(parts[0].dropFirst())), x1 = try #require(Double(parts[2].dropFirst()))
        #expect(abs(x0 - b1.x) < 0.05)
        #expect(abs((x1 - x0) - 10 * unit) < 0.05)
    }

    @Test func overStandardRepeatedSkippedAndNotRecordedAreMarkedInWords() throws {
        let root = try parse(CaseTimelineSVG().render(Self.sample()))
        let b3 = bars(root, "s3")
        #expect(b3.map { $0.attributes["data-over"] } == ["true", "false"])
        #expect(b3.map { $0.all { $0.hasClass("tl-occurrence-label") }.first?.text } == ["×1 · melebihi baku", "×2"])
        #expect(b3[0].all { $0.hasClass("tl-over-marker") }.count == 1)
        let fill = try #require(b3[0].all { $0.name == "rect" }.first?.attributes["fill"])
        #expect(fill.hasPrefix("url(#") && fill.contains("hatch"))
        #expect(b3[1].all { $0.name == "rect" }.first?.attributes["fill"]?.hasPrefix("url(") == false)
        #expect(root.all { $0.attributes["data-over"] == "true" }.count == 1)
        // Skipped step 2, only there.
        #expect(try row(root, "s2").all { $0.hasClass("tl-skipped-marker") }.map(\.text) == ["dilewati"])
        #expect(root.all { $0.hasClass("tl-skipped-marker") }.count == 1)
        // Step 4 not recorded: grey words instead of a bar.
        #expect(try row(root, "s4").all { $0.hasClass("tl-not-recorded") }.map(\.text) == ["tidak tercatat"])
        #expect(root.all { $0.hasClass("tl-not-recorded") }.count == 1)
        // The officer in the tooltip.
        #expect(b3[0].children.first { $0.name == "title" }?.text == "3. Verifikasi ×1: 1 Des 09:00 – 1 Des 10:00 WIB (1 jam; baku 30 menit; melebihi baku) · petugas: Sari")
        let en = try parse(CaseTimelineSVG(options: .init(language: .en)).render(Self.sample()))
        #expect(en.all { $0.hasClass("tl-skipped-marker") }.map(\.text) == ["skipped"])
        #expect(en.all { $0.hasClass("tl-not-recorded") }.map(\.text) == ["not recorded"])
        #expect(en.all { $0.hasClass("tl-over-marker") }.map(\.text) == ["×1 · over standard"])
        #expect(en.all { $0.hasClass("tl-outside-marker") }.map(\.text) == ["outside the SOP"])
    }

    @Test func ticksAreWIBTimesWithIndonesianMonths() throws {
        let root = try parse(CaseTimelineSVG().render(Self.sample()))
        let ticks = root.all { $0.hasClass("tl-tick") }
        // Four hours on 670 units: a tick every hour, on the hour in WIB.
        #expect(ticks.map { $0.all { $0.name == "text" }.first?.text ?? "" } == ["1 Des 08:00", "1 Des 09:00", "1 Des 10:00", "1 Des 11:00", "1 Des 12:00"])
        #expect(ticks.first?.attributes["data-time"] == String(Int(Self.t0.timeIntervalSince1970)))
        // 17 August 16:40 UTC is 23:40 WIB; the ticks cross midnight in WIB, not in UTC.
        let start = Date(timeIntervalSince1970: 1_786_984_800) // 2026-08-17 16:40 UTC
        let late = CaseTimeline(
            steps: [.init(id: "a", number: 1, label: "Loket")],
            occurrences: [.init(stepID: "a", activity: "Loket", start: start, complete: start.addingTimeInterval(100 * 60))])
        let labels = try parse(CaseTimelineSVG().render(late)).all { $0.hasClass("tl-tick") }.compactMap { $0.all { $0.name == "text" }.first?.text }
        #expect(labels.first == "18 Agu 00:00")
        #expect(labels.contains("18 Agu 01:00"))
        let enLabels = try parse(CaseTimelineSVG(options: .init(language: .en)).render(late)).all { $0.hasClass("tl-tick") }.compactMap { $0.all { $0.name == "text" }.first?.text }
        #expect(enLabels.first == "18 Aug 00:00")
        // Another zone, when asked for.
        let utc = try parse(CaseTimelineSVG(options: .init(timeZone: TimeZone(secondsFromGMT: 0)!, zoneLabel: "UTC")).render(late))
        #expect(utc.all { $0.hasClass("tl-tick") }.first?.all { $0.name == "text" }.first?.text == "17 Agu 17:00")
    }

    @Test func anOpenCaseRunsToNow() throws {
        let now = Self.at(360)
        let root = try parse(CaseTimelineSVG().render(Self.sample(now: now)))
        #expect(root.attributes["data-end"] == String(Int(now.timeIntervalSince1970)))
        #expect(root.all { $0.hasClass("tl-now") }.count == 1)
        #expect(root.children.first { $0.name == "desc" }?.text.contains("sampai 1 Des 14:00 WIB (6 jam), masih terbuka.") == true)
        // The last bar now ends two thirds of the way along.
        let x0 = try #require(Double(root.attributes["data-plot-x"] ?? "")), w = try #require(Double(root.attributes["data-plot-width"] ?? ""))
        let b5 = try rectX(try #require(bars(root, "s5").first))
        #expect(abs(b5.x + b5.w - (x0 + w * 240 / 360)) < 0.05)
        // No events yet: still a valid drawing.
        let empty = CaseTimeline(steps: [.init(id: "a", number: 1, label: "Loket")], occurrences: [], now: now)
        let e = try parse(CaseTimelineSVG().render(empty))
        #expect(e.all { $0.hasClass("tl-empty") }.count == 1)
    }

    @Test func hostileTextIsEscapedAndOutputDeterministic() throws {
        let hostile = "<script>alert(\"x\")</script> & 'q'"
        var t = Self.sample(activity1: hostile, resource: hostile)
        t.caseLabel = hostile
        t.occurrences.append(.init(stepID: "unknown", activity: hostile, complete: Self.at(30)))
        let svg = CaseTimelineSVG(options: .init(idPrefix: "t\"><script>")).render(t)
        #expect(!svg.contains("<script"))
        let root = try parse(svg)
        #expect(root.all { $0.name == "script" }.isEmpty)
        #expect(root.children.first { $0.name == "title" }?.text == "Garis waktu kasus " + hostile)
        let tip = try #require(bars(root, "s1").first?.children.first { $0.name == "title" }?.text)
        #expect(tip.hasSuffix("petugas: " + hostile))
        // Outside the SOP, before the phone call (it came first).
        #expect(rows(root).dropFirst(5).map { $0.attributes["data-activity"] } == [hostile, "Telepon pemohon"])
        var reversed = Self.sample()
        reversed.occurrences.reverse()
        #expect(CaseTimelineSVG().render(reversed) == CaseTimelineSVG().render(Self.sample()))
    }
}
