import Foundation
import Testing
import PantauCore
import PantauReports

@Suite("CSV writer")
struct CSVWriterTests {
    @Test func quotesOnlyWhenNeeded() {
        let s = CSVWriter.string([["a", "b,c", "say \"hi\"", "line\nbreak", "cr\rx", ""], ["1", "2"]])
        #expect(s == "a,\"b,c\",\"say \"\"hi\"\"\",\"line\nbreak\",\"cr\rx\",\r\n1,2\r\n")
    }

    @Test func semicolonDelimiterWithBOM() {
        let d = CSVWriter.data([["Unsur", "NRR"], ["Waktu; penyelesaian", "3,45"]], options: .init(delimiter: ";", byteOrderMark: true))
        #expect(Array(d.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(String(decoding: d.dropFirst(3), as: UTF8.self) == "Unsur;NRR\r\n\"Waktu; penyelesaian\";3,45\r\n")
        // A comma needs no quotes when the delimiter is ';'.
        #expect(CSVWriter(options: .init(delimiter: ";")).encode("a,b") == "a,b")
    }

    @Test func optionsQuoteAllLFAndFormulaNeutralising() {
        #expect(CSVWriter.string([["a", "b"]], options: .init(lineEnding: .lf, quoteAll: true)) == "\"a\",\"b\"\n")
        let w = CSVWriter(options: .excelIndonesia)
        #expect(w.encode("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
        #expect(w.encode("+62 812") == "'+62 812")
        #expect(w.encode("@cmd") == "'@cmd")
        #expect(w.encode("-12,5") == "-12,5")   // a number stays a number
        #expect(w.encode("-") == "'-")
        #expect(CSVWriter().encode("=1+1") == "=1+1")  // off by default
        #expect(CSVWriter(options: .init(delimiter: "\"")).encode("a,b") == "\"a,b\"")  // invalid delimiter falls back to ','
    }

    @Test func roundTripsThroughTheSurveyImporter() throws {
        // The writer's output is read back by PantauCore's RFC 4180 reader.
        var w = CSVWriter(options: .excelIndonesia)
        w.writeRow(["waktu", "saran"])
        w.writeRow(["4", "Antrian \"panjang\"; perlu\nnomor"])
        let imported = try SurveyCSVImporter(definition: .standard(service: SurveyService(unitID: "u"))).parse(w.data)
        #expect(imported.responses.first?.saran == "Antrian \"panjang\"; perlu\nnomor")
        #expect(imported.responses.first?.answers[.waktu] == 4)
    }
}
