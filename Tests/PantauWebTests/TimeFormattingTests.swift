import Foundation
import PantauCore
@testable import PantauWeb
import Testing

/// Times on pages are written by arithmetic (PageSupport.swift); they must read exactly as a
/// DateFormatter in Asia/Jakarta writes them.
@Suite struct TimeFormattingTests {
    static func reference(_ d: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "Asia/Jakarta")
        f.dateFormat = "dd-MM-yyyy HH:mm"
        return f.string(from: d) + " WIB"
    }

    @Test(arguments: [
        0.0, -1, -86_400 * 365.25 * 10, 951_782_399, 951_782_400, 1_709_164_800,  // leap days 2000 and 2024
        1_735_664_399, 1_735_664_400,  // the year's turn in WIB (16:59:59 and 17:00 UTC)
        1_767_225_599.9, 4_102_444_799, 253_402_300_799,
    ])
    func aTimeReadsAsInJakarta(_ t: Double) {
        let d = Date(timeIntervalSince1970: t)
        // Jakarta used other offsets before 1964; WIB has been UTC+7 since.
        guard t >= -189_414_000 else {
            #expect(formatTime(d, .id).hasSuffix(" WIB"))
            return
        }
        #expect(formatTime(d, .id) == Self.reference(d))
        #expect(formatTime(d, .en) == Self.reference(d))
    }

    @Test func everyHourOfTwoYearsReadsAsInJakarta() {
        var t = 1_704_067_200.0  // 2024-01-01 UTC
        while t < 1_767_225_600 {
            let d = Date(timeIntervalSince1970: t)
            #expect(formatTime(d, .id) == Self.reference(d))
            t += 3_599
        }
        #expect(formatTime(nil, .id) == "–")
    }
}

/// How model values reach the renderer (MustacheBox): decided once per type, so a type's first
/// value must not decide wrongly for the next ones.
@Suite struct MustacheBoxTests {
    struct Row { let name: String?; let tags: [String]?; let flag: Bool }

    @Test func anOptionalSeenFirstWithAValueStillRendersNilAsFalse() {
        let full = Row(name: "a", tags: ["x"], flag: true), empty = Row(name: nil, tags: nil, flag: false)
        let a = MustacheBox(full), b = MustacheBox(empty)
        #expect(a.child(named: "name") as? String == "a")
        #expect((a.child(named: "tags") as? [Any])?.count == 1)
        #expect(b.child(named: "name") == nil)
        #expect(b.child(named: "tags") == nil)
        #expect(b.child(named: "flag") as? Bool == false)
        #expect(b.child(named: "missing") == nil)
    }
}
