import Foundation
import PantauCore
import Testing

@Suite("String.trimmedOfWhitespace")
struct TrimmedOfWhitespaceTests {
    @Test func matchesFoundationsTrimming() {
        let samples = ["", " ", "\n\t ", "Verifikasi", "  Verifikasi Administrasi ", "\u{00A0}Skrining\u{2003}", "a b", "\r\nx\r\n",
                       "Mencatat di ASIK\u{3000}", "é ", " 🧾 ", "\u{200B}nol\u{200B}"]
        for s in samples {
            #expect(s.trimmedOfWhitespace == s.trimmingCharacters(in: .whitespacesAndNewlines), "\(s.debugDescription)")
        }
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array(" \t\nab\u{00A0}\u{2028}é🧾")
        for _ in 0..<500 {
            let s = String((0..<Int.random(in: 0...8, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
            #expect(s.trimmedOfWhitespace == s.trimmingCharacters(in: .whitespacesAndNewlines), "\(s.debugDescription)")
        }
    }
}
