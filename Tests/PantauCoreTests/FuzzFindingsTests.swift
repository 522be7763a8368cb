import Foundation
import Testing
@testable import PantauCore

/// Inputs that libFuzzer found crashing a reader (docs/fuzzing.md, "Findings"): each must now be
/// refused with an error, or read, without bringing the process down.
@Suite("Fuzz findings")
struct FuzzFindingsTests {
    static let pnml = """
        <?xml version="1.0" encoding="UTF-8"?>
        <pnml><net id="n"><page id="p">
        <place id="p1"><initialMarking><text>1</text></initialMarking></place>
        <transition id="t1"><name><text>Terima berkas</text></name></transition>
        <arc id="a1" source="p1" target="t1"/>
        </page></net></pnml>
        """

    /// Foundation's XMLParser trapped on an element name that is not UTF-8 (`<`, 0xE4, `d="`).
    /// Found by FuzzSOPJSON in a CI run: an SOP step named with a control character compiled to a
    /// net whose PNML did not read back (XML 1.0 forbids the character even as a reference).
    @Test func aNameWithAControlCharacterStillGivesAPNMLThatReadsBack() throws {
        var net = PetriNet()
        let p = net.addPlace(id: "p\u{1}")
        let t = net.addTransition(id: "t1", label: "Verifikasi\u{1}berkas\u{FFFF}")
        try net.addArc(fromPlace: p, toTransition: t)
        let back = try PNML.read(data: PNML.write(net))
        #expect(back.places.map(\.id) == ["p\u{FFFD}"])
        #expect(back.transitions.first?.label == "Verifikasi\u{FFFD}berkas\u{FFFD}")
        #expect(xmlWritable("Verifikasi\u{1}berkas") == "Verifikasi\u{FFFD}berkas" && xmlWritable("tab\tok") == "tab\tok")
    }

    @Test func modelFileThatIsNotUTF8IsRefusedWithItsPlace() {
        for bytes: [UInt8] in [[0x3C, 0xE4, 0x64, 0x3D, 0x22],
                               Array("<?xml encodingd>\n<".utf8) + [0xFF, 0x20, 0x64, 0x3D],
                               Array("<pnml>\n <net id=\"".utf8) + [0xC3, 0x28] + Array("\"/></pnml>".utf8)] {
            for read in [{ _ = try PNML.read(data: Data(bytes)) }, { _ = try BPMN.read(data: Data(bytes)) }] {
                #expect {
                    try read()
                } throws: { error in
                    guard case let .malformedXML(_, line, column, message) = error as? ProcessModelError else { return false }
                    return message.contains("UTF-8") && line >= 1 && column >= 1
                }
            }
        }
        // The place of the bad byte: line 2, column 11.
        let bad = Array("<pnml>\n <net id=\"".utf8) + [0xC3, 0x28] + Array("\"/></pnml>".utf8)
        #expect(throws: ProcessModelError.malformedXML(file: "x.pnml", line: 2, column: 11, message: "the file is not UTF-8 (save it as UTF-8)")) {
            try PNML.read(data: Data(bad), file: "x.pnml")
        }
    }

    /// Foundation's XMLParser called strlen(NULL) on a processing instruction without data.
    @Test func processingInstructionWithoutDataNeitherCrashesNorChangesTheModel() throws {
        #expect(throws: ProcessModelError.self) { try BPMN.read(data: Data("<?x?>".utf8)) }
        #expect(throws: ProcessModelError.self) { try PNML.read(data: Data("<a><?x?></a>".utf8)) }
        #expect(throws: ProcessModelError.self) { try PNML.read(data: Data("<?<?d?>".utf8)) }  // a PI inside a broken one
        let withPI = Self.pnml.replacingOccurrences(of: "<page id=\"p\">", with: "<page id=\"p\"><?tool?><?other data?>")
        let net = try PNML.read(data: Data(withPI.utf8))
        #expect(net == (try PNML.read(data: Data(Self.pnml.utf8))))
        #expect(net.labels == ["Terima berkas"])
    }

    @Test func modelFileWithADoctypeIsRefused() {
        let doc = "<?xml version=\"1.0\"?>\n<!DOCTYPE pnml [<!ENTITY a \"aaaa\">]>\n" + Self.pnml.split(separator: "\n").dropFirst().joined(separator: "\n")
        #expect {
            try PNML.read(data: Data(doc.utf8))
        } throws: { error in
            guard case let .malformedXML(_, line, _, message) = error as? ProcessModelError else { return false }
            return line == 2 && message.contains("DOCTYPE")
        }
    }

    @Test func modelFileWithAByteOrderMarkStillReads() throws {
        let net = try PNML.read(data: Data([0xEF, 0xBB, 0xBF] + Array(Self.pnml.utf8)))
        #expect(net.transitions.map(\.label) == ["Terima berkas"])
    }

    /// Two case ids of different bytes that are not UTF-8 read as the same text (U+FFFD): they
    /// were two cases with one name; now they are one case.
    @Test func caseIDsThatAreNotUTF8AndReadTheSameAreOneCase() throws {
        let csv = Array("case;activity\n".utf8) + [0x43, 0xFF, 0xFB] + Array(";a\n".utf8) + [0x43, 0xFF, 0xFF] + Array(";b\n".utf8)
            + Array("D;c\n".utf8)
        let log = try CSVReader().read(data: Data(csv))
        #expect(log.caseIDs == ["C\u{FFFD}\u{FFFD}", "D"])
        #expect(log.eventCount == 3)
        #expect(log.names(log.trace(0)) == ["a", "b"])
        // Valid text is untouched.
        let plain = try CSVReader().read(data: Data("case;activity\nKasus é;a\nKasus é;b\n".utf8))
        #expect(plain.caseIDs == ["Kasus é"] && plain.eventCount == 2)
    }

    /// A time standard of 6.7e109 days was accepted, and showing it trapped (Double to Int).
    @Test func absurdTimeStandardIsRefusedAndFormattingDoesNotTrap() {
        #expect(TimeStandard(parsing: String(repeating: "6", count: 110) + " hari") == nil)
        #expect(TimeStandard(parsing: "P" + String(repeating: "9", count: 40) + "D") == nil)
        #expect(TimeStandard(parsing: "36500 hari") != nil && TimeStandard(parsing: "36501 hari") == nil)
        #expect(TimeStandard(parsing: "2 hari")?.description == "2 hari")
        #expect(!TimeStandard.format(seconds: 1e300, language: .id).isEmpty)
        #expect(TimeStandard.format(seconds: .nan, language: .en) == "0 min")
    }
}
