import Foundation
import PantauCore
import PantauStore

/// A survey's profile lists (pendidikan, pekerjaan, jenis layanan) as the set-up form writes them
/// (one choice per line: `KODE | Label | English | alias, alias`) and as the API sends them, and
/// their checks as ``InputProblem`` codes (`store_<code>` in the catalog), shared by both.
enum SurveyProfileLists {
    static let maxChoices = 60
    static let maxCodeLength = 40
    static let maxLabelLength = 200
    static let maxAliases = 30
    static let maxAliasLength = 100

    /// One line per choice; the label defaults to the code, the English label to the label.
    static func text(_ choices: [ProfileChoice]) -> String {
        choices.map { c in
            var parts = [c.code, c.label.id]
            if !c.aliases.isEmpty || (!c.label.en.isEmpty && c.label.en != c.label.id) { parts.append(c.label.en) }
            if !c.aliases.isEmpty { parts.append(c.aliases.joined(separator: ", ")) }
            return parts.joined(separator: " | ")
        }.joined(separator: "\n")
    }

    /// Reads the lines of a list. A line that is not `KODE | Label | English | aliases` is a problem
    /// at `field` naming the line.
    static func parse(_ text: String, field: String) -> (choices: [ProfileChoice], lines: [Int], problems: [InputProblem]) {
        var out: [ProfileChoice] = []
        var lines: [Int] = []
        var problems: [InputProblem] = []
        for (n, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let parts = line.split(separator: "|", omittingEmptySubsequences: false).map { String($0).trimmed }
            if parts.allSatisfy(\.isEmpty) { continue }
            guard parts.count <= 4, let code = parts.first, !code.isEmpty else {
                problems.append(InputProblem(field, "profile_line_invalid", [String(n + 1)]))
                continue
            }
            let id = parts.count > 1 && !parts[1].isEmpty ? parts[1] : code
            let en = parts.count > 2 && !parts[2].isEmpty ? parts[2] : id
            let aliases = parts.count > 3 ? parts[3].split(separator: ",").map { String($0).trimmed }.filter { !$0.isEmpty } : []
            out.append(ProfileChoice(code, id, en, aliases: aliases))
            lines.append(n + 1)
        }
        return (out, lines, problems)
    }

    /// Problems of a list: size, lengths, empty and duplicate codes, and an own alias that names
    /// another choice. `field(i, part)` names the place (`education_levels` in the form,
    /// `profile.education_levels[2].aliases` in the API); `required` refuses an empty list.
    /// Each with the 0-based index of its choice (nil: the whole list).
    static func problems(_ choices: [ProfileChoice], kind: ProfileListKind, required: Bool,
                         field: (_ index: Int?, _ part: String) -> String) -> [(index: Int?, problem: InputProblem)] {
        var out: [(index: Int?, problem: InputProblem)] = []
        func add(_ i: Int?, _ part: String, _ code: String, _ args: [String] = []) { out.append((i, InputProblem(field(i, part), code, args))) }
        if required && choices.isEmpty { add(nil, "", "profile_list_empty") }
        if choices.count > maxChoices { add(nil, "", "too_many", [String(maxChoices)]) }
        for (i, c) in choices.enumerated() {
            if c.code.count > maxCodeLength { add(i, "code", "too_long", [String(maxCodeLength)]) }
            if c.label.id.count > maxLabelLength || c.label.en.count > maxLabelLength { add(i, "label", "too_long", [String(maxLabelLength)]) }
            if c.aliases.count > maxAliases { add(i, "aliases", "too_many", [String(maxAliases)]) }
            if c.aliases.contains(where: { $0.count > maxAliasLength }) { add(i, "aliases", "too_long", [String(maxAliasLength)]) }
        }
        for p in RespondentProfileSchema.listProblems(choices, kind: kind) {
            add(p.index, p.code == .aliasConflict ? "aliases" : "code", p.code.rawValue, p.arguments)
        }
        return out
    }
}
