import Foundation

/// Which profile list a value belongs to (the standard aliases differ per list).
public enum ProfileListKind: String, Hashable, Sendable, Codable, CaseIterable {
    case education, occupation, serviceType
}

/// How a typed profile value (a paper form's `D3`, `Sarjana`, `SLTA`) reads against a survey's list.
public enum ProfileChoiceMatch: Hashable, Sendable {
    /// Exactly one choice fits.
    case matched(ProfileChoice)
    /// Several choices fit equally well: never guessed, an error naming them.
    case ambiguous([ProfileChoice])
    /// No choice fits.
    case unknown
}

/// The usual names of the standard profile choices, as Indonesian offices write them on paper forms
/// and in spreadsheets, keyed by the choice's code (or label) in ``ProfileChoiceAliases/key(_:)`` form.
///
/// A value is matched in five steps; the first step that finds anything decides, and a step that
/// finds two different choices is an ambiguity (an error, never a guess):
/// 1. the choice's code; 2. its Indonesian or English label; 3. the aliases the survey's own list
/// gives the choice (``ProfileChoice/aliases``); 4. the standard aliases below, for choices whose
/// code or label is a key of the list's table; 5. the levels a broader choice holds
/// (``educationBroader``: D1–D3 in `D1-D3`, D4 in `S1`), so a list with separate levels keeps them.
/// Comparison ignores case, spaces, punctuation and diacritics (`S-1`, `s 1`, `S1` are one value).
///
/// So `D3` reads as `D1-D3` on the diploma list (``RespondentProfileSchema/educationWithDiploma``),
/// as `D3` on a list with separate diploma levels (its code), and is refused on the sample list
/// (SD…S3), which has no diploma level; `D4` reads as the `S1` choice ("D4/S1") of the diploma list.
public enum ProfileChoiceAliases {
    /// Pendidikan: standard aliases per choice code. Lists with separate diploma levels (`D1`, `D2`,
    /// `D3`, `D4`) match them by code; the diploma list's `D1-D3` choice takes D1–D3 and `S1`
    /// takes D4.
    public static let education: [String: [String]] = [
        "TIDAK_SEKOLAH": ["Tidak sekolah", "Tidak tamat SD", "Belum sekolah", "Tidak/belum sekolah", "Tidak bersekolah"],
        "SD": ["SD", "MI", "Paket A", "SD/MI", "SD/sederajat", "Sekolah Dasar"],
        "SMP": ["SMP", "SLTP", "MTs", "Paket B", "SMP/MTs", "SMP/sederajat", "Sekolah Menengah Pertama"],
        "SMA": ["SMA", "SLTA", "SMK", "MA", "MAK", "SMU", "STM", "SMEA", "Paket C", "SMA/SMK", "SMA/MA", "SMA/sederajat",
                "SLTA/sederajat", "Sekolah Menengah Atas"],
        "D1-D3": ["D1-D3", "D1/D2/D3", "Diploma"],
        "D1": ["D-I", "DI", "Diploma 1", "Diploma I"],
        "D2": ["D-II", "DII", "Diploma 2", "Diploma II"],
        "D3": ["D-III", "DIII", "Diploma 3", "Diploma III", "Akademi"],
        "D4": ["D-IV", "DIV", "Diploma 4", "Diploma IV", "Sarjana Terapan"],
        "S1": ["S1", "S-1", "Sarjana", "Strata 1", "Strata I", "D4/S1", "S1/D4"],
        "S2": ["S2", "S-2", "Magister", "Master", "Strata 2", "Strata II", "Pascasarjana"],
        "S3": ["S3", "S-3", "Doktor", "Doktoral", "Strata 3", "Strata III"],
    ]

    /// Pendidikan, last step: the levels a broader choice of some lists holds, used only when the
    /// list has no choice of that level itself (D1–D3 in `D1-D3`, D4 in `S1` "D4/S1").
    public static let educationBroader: [String: [String]] = [
        "D1-D3": ["D1", "D2", "D3", "D-I", "D-II", "D-III", "DI", "DII", "DIII", "Diploma 1", "Diploma 2", "Diploma 3",
                  "Diploma I", "Diploma II", "Diploma III", "Akademi"],
        "S1": ["D4", "D-IV", "DIV", "Diploma 4", "Diploma IV", "Sarjana Terapan"],
    ]

    /// Pekerjaan: standard aliases per choice code. `TNI/POLRI` is one choice on some lists; on the
    /// sample list (TNI and POLRI apart) it matches both and is refused as ambiguous.
    public static let occupation: [String: [String]] = [
        "PNS": ["PNS", "ASN", "Pegawai Negeri", "Pegawai Negeri Sipil", "Aparatur Sipil Negara", "PNS/ASN"],
        "TNI": ["TNI", "Tentara", "TNI/POLRI", "TNI-POLRI"],
        "POLRI": ["POLRI", "Polisi", "Kepolisian", "TNI/POLRI", "TNI-POLRI"],
        "TNI/POLRI": ["TNI", "POLRI", "Tentara", "Polisi", "TNI-POLRI"],
        "SWASTA": ["Swasta", "Pegawai Swasta", "Karyawan", "Karyawan Swasta", "Pekerja Swasta"],
        "WIRAUSAHA": ["Wirausaha", "Wiraswasta", "Pengusaha", "Usaha sendiri"],
        "PELAJAR": ["Pelajar", "Mahasiswa", "Pelajar/Mahasiswa", "Siswa"],
        "MAHASISWA": ["Mahasiswa"],
        "IRT": ["IRT", "Ibu Rumah Tangga", "Mengurus rumah tangga"],
        "LAINNYA": ["Lainnya", "Lain-lain", "Lain lain", "Other", "Others"],
    ]

    /// The table of a list (`broader`: the last step's).
    public static func table(_ kind: ProfileListKind, broader: Bool = false) -> [String: [String]] {
        switch (kind, broader) {
        case (.education, false): return education
        case (.education, true): return educationBroader
        case (.occupation, false): return occupation
        case (.occupation, true), (.serviceType, _): return [:]
        }
    }

    /// The comparison form of a text: letters and digits only, lower case, without diacritics
    /// (`"S-1 "` → `s1`, `"D1–D3"` → `d1d3`, `"Laki-laki"` → `lakilaki`).
    public static func key(_ text: String) -> String {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil).lowercased()
        return String(String.UnicodeScalarView(folded.unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) }))
    }

    private struct TableKey: Hashable { let kind: ProfileListKind; let broader: Bool }
    private static let keyedTables: [TableKey: [String: [String]]] = Dictionary(uniqueKeysWithValues: ProfileListKind.allCases.flatMap { kind in
        [false, true].map { b in
            (TableKey(kind: kind, broader: b), Dictionary(table(kind, broader: b).map { (key($0.key), $0.value) }, uniquingKeysWith: { a, b in a + b }))
        }
    })
    /// Every list's table in one (their codes do not overlap), for callers that do not say which list.
    private static let allKeyed: [Bool: [String: [String]]] = Dictionary(uniqueKeysWithValues: [false, true].map { b in
        (b, keyedTables.filter { $0.key.broader == b }.values.reduce(into: [String: [String]]()) { all, t in all.merge(t) { a, b in a + b } })
    })

    /// The standard aliases of `choice` on a list of `kind` (looked up by its code, then its labels);
    /// `kind` nil: whichever list's table has the choice. `broader`: the last step's names.
    public static func standardAliases(of choice: ProfileChoice, kind: ProfileListKind?, broader: Bool = false) -> [String] {
        let t = kind.map { keyedTables[TableKey(kind: $0, broader: broader)] ?? [:] } ?? allKeyed[broader] ?? [:]
        var out: [String] = []
        for k in [choice.code, choice.label.id, choice.label.en].map(key) where !k.isEmpty {
            if let a = t[k] { out += a }
        }
        return out
    }

    /// Reads `text` against `choices` (see the type's steps). Empty text is ``ProfileChoiceMatch/unknown``.
    public static func match(_ text: String, in choices: [ProfileChoice], kind: ProfileListKind?) -> ProfileChoiceMatch {
        let k = key(text)
        guard !k.isEmpty else { return .unknown }
        let steps: [(ProfileChoice) -> [String]] = [
            { [$0.code] },
            { [$0.label.id, $0.label.en] },
            { $0.aliases },
            { standardAliases(of: $0, kind: kind) },
            { standardAliases(of: $0, kind: kind, broader: true) },
        ]
        for names in steps {
            var found: [ProfileChoice] = []
            for c in choices where names(c).contains(where: { key($0) == k }) {
                if !found.contains(where: { key($0.code) == key(c.code) }) { found.append(c) }
            }
            if found.count == 1 { return .matched(found[0]) }
            if found.count > 1 { return .ambiguous(found) }
        }
        return .unknown
    }

    /// The choices as `code (label)` in `language`, the label only where it differs from the code
    /// (what an error lists as the accepted values).
    public static func acceptedValues(_ choices: [ProfileChoice], _ language: SurveyLanguage) -> [String] {
        choices.map { c in
            let label = c.label.text(language)
            return label.isEmpty || key(label) == key(c.code) ? c.code : "\(c.code) (\(label))"
        }
    }

    /// Jenis kelamin as choices, with the names paper forms use (for matching and for the
    /// accepted-values list of an error).
    public static let genderChoices: [ProfileChoice] = [
        ProfileChoice("L", "Laki-laki", "Male", aliases: ["Laki", "Lk", "Pria", "Laki laki", "M", "Male", "Man"]),
        ProfileChoice("P", "Perempuan", "Female", aliases: ["Pr", "Wanita", "F", "Female", "Woman"]),
    ]

    /// Jenis kelamin from `L`/`P`, `Laki-laki`/`Perempuan`, `Pria`/`Wanita`, `Lk`/`Pr`, `M`/`F`,
    /// `Male`/`Female` (any case, spacing or punctuation).
    public static func gender(_ text: String) -> RespondentGender? {
        guard case .matched(let c) = match(text, in: genderChoices, kind: nil) else { return nil }
        return RespondentGender(rawValue: c.code)
    }
}

/// A problem of a profile list as a survey sets it up: a code and the arguments, no words (the web
/// layer turns `code` into the catalog's `store_<code>`).
public struct ProfileListProblem: Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Hashable, Sendable, CaseIterable {
        /// A choice without a code. Arguments: the choice's position (1-based).
        case codeRequired = "profile_code_required"
        /// Two choices with one code (compared as ``ProfileChoiceAliases/key(_:)``). Arguments: the code.
        case codeDuplicate = "profile_code_duplicate"
        /// An alias (or label) that also names another choice of the list. Arguments: the alias, the two codes.
        case aliasConflict = "profile_alias_conflict"
    }

    public var code: Code
    public var list: ProfileListKind
    /// 0-based position of the choice in its list.
    public var index: Int
    public var arguments: [String]

    public init(_ code: Code, _ list: ProfileListKind, _ index: Int, _ arguments: [String] = []) {
        self.code = code
        self.list = list
        self.index = index
        self.arguments = arguments
    }

    public var description: String { "\(list.rawValue)[\(index)]: \(code.rawValue) \(arguments)" }

    /// Bilingual default text (for ``SurveyIssue`` and the command line).
    public var message: String {
        let a = arguments
        switch code {
        case .codeRequired: return "kode kosong (empty code)"
        case .codeDuplicate: return "kode '\(a.first ?? "")' ganda (duplicate code)"
        case .aliasConflict:
            return "'\(a.first ?? "")' menunjuk dua pilihan: \(a.dropFirst().joined(separator: ", ")) (alias names two choices)"
        }
    }
}

extension RespondentProfileSchema {
    /// The list of `kind`.
    public func choices(_ kind: ProfileListKind) -> [ProfileChoice] {
        switch kind {
        case .education: return educationLevels
        case .occupation: return occupations
        case .serviceType: return serviceTypes
        }
    }

    /// Problems of one list: empty or duplicate codes, and names a survey gave (labels and its own
    /// aliases) that also name another choice by code, label or alias. Standard aliases never make a
    /// list invalid (an ambiguous one is refused when a value uses it).
    public static func listProblems(_ choices: [ProfileChoice], kind: ProfileListKind) -> [ProfileListProblem] {
        var out: [ProfileListProblem] = []
        var codes: [String: Int] = [:]
        for (i, c) in choices.enumerated() {
            let k = ProfileChoiceAliases.key(c.code)
            if c.code.trimmingCharacters(in: .whitespaces).isEmpty {
                out.append(ProfileListProblem(.codeRequired, kind, i, [String(i + 1)]))
            } else if codes[k] != nil || k.isEmpty {
                out.append(ProfileListProblem(.codeDuplicate, kind, i, [c.code]))
            } else {
                codes[k] = i
            }
        }
        // Who each explicit name points at (code, labels, own aliases), in list order.
        var owner: [String: Int] = [:]
        for (i, c) in choices.enumerated() {
            for n in [c.code, c.label.id, c.label.en] {
                let k = ProfileChoiceAliases.key(n)
                if !k.isEmpty, owner[k] == nil { owner[k] = i }
            }
        }
        for (i, c) in choices.enumerated() {
            for a in c.aliases {
                let k = ProfileChoiceAliases.key(a)
                guard !k.isEmpty else { continue }
                if let j = owner[k], j != i {
                    out.append(ProfileListProblem(.aliasConflict, kind, i, [a, choices[j].code, c.code]))
                } else if owner[k] == nil {
                    owner[k] = i
                }
            }
        }
        return out
    }
}
