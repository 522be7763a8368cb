import Foundation

/// Minimum sample sizes from the Krejcie & Morgan (1970) table, which SKM under PermenPANRB
/// 14/2017 uses.
///
/// The published table is stored as data, not derived from its formula
/// `s = χ²·N·P(1−P) / (d²(N−1) + χ²·P(1−P))` (χ² = 3.841, P = 0.5, d = 0.05): the printed values
/// are not consistently rounded (15 → 14 where the formula gives 14.5). A population between two
/// rows takes the next larger row (rounding N up, the conservative choice); above 1,000,000 the
/// answer is 384. A population smaller than the row's sample needs the whole population.
public enum KrejcieMorgan {
    /// The table as (population N, required sample n), ascending N.
    public static let table: [(population: Int, sample: Int)] = [
        (10, 10), (15, 14), (20, 19), (25, 24), (30, 28), (35, 32), (40, 36), (45, 40), (50, 44),
        (55, 48), (60, 52), (65, 56), (70, 59), (75, 63), (80, 66), (85, 70), (90, 73), (95, 76),
        (100, 80), (110, 86), (120, 92), (130, 97), (140, 103), (150, 108), (160, 113), (170, 118),
        (180, 123), (190, 127), (200, 132), (210, 136), (220, 140), (230, 144), (240, 148),
        (250, 152), (260, 155), (270, 159), (280, 162), (290, 165), (300, 169), (320, 175),
        (340, 181), (360, 186), (380, 191), (400, 196), (420, 201), (440, 205), (460, 210),
        (480, 214), (500, 217), (550, 226), (600, 234), (650, 242), (700, 248), (750, 254),
        (800, 260), (850, 265), (900, 269), (950, 274), (1000, 278), (1100, 285), (1200, 291),
        (1300, 297), (1400, 302), (1500, 306), (1600, 310), (1700, 313), (1800, 317), (1900, 320),
        (2000, 322), (2200, 327), (2400, 331), (2600, 335), (2800, 338), (3000, 341), (3500, 346),
        (4000, 351), (4500, 354), (5000, 357), (6000, 361), (7000, 364), (8000, 367), (9000, 368),
        (10000, 370), (15000, 375), (20000, 377), (30000, 379), (40000, 380), (50000, 381),
        (75000, 382), (1_000_000, 384),
    ]

    /// Required sample for a population of `population` service users; nil when population < 1.
    ///
    /// - Complexity: O(log r) for r table rows.
    public static func requiredSampleSize(population: Int) -> Int? {
        guard population >= 1 else { return nil }
        var lo = 0, hi = table.count - 1
        guard population <= table[hi].population else { return table[hi].sample }
        while lo < hi {
            let mid = (lo + hi) / 2
            if table[mid].population < population { lo = mid + 1 } else { hi = mid }
        }
        return min(population, table[lo].sample)
    }

    /// Whether `collected` responses are enough for `population`.
    public static func adequacy(population: Int, collected: Int) -> SampleAdequacy? {
        guard let required = requiredSampleSize(population: population) else { return nil }
        return SampleAdequacy(population: population, required: required, collected: collected)
    }
}

/// The sample-size check of one survey period.
public struct SampleAdequacy: Hashable, Sendable, Codable {
    /// Population: service users in the period.
    public var population: Int
    /// Krejcie–Morgan minimum sample.
    public var required: Int
    /// Responses collected.
    public var collected: Int

    public init(population: Int, required: Int, collected: Int) {
        self.population = population
        self.required = required
        self.collected = collected
    }

    /// True if at least the required number of responses was collected.
    public var isAdequate: Bool { collected >= required }
    /// Responses still missing (0 when adequate).
    public var shortfall: Int { max(0, required - collected) }

    enum CodingKeys: String, CodingKey {
        case population, required, collected, isAdequate, shortfall
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        population = try c.decode(Int.self, forKey: .population)
        required = try c.decode(Int.self, forKey: .required)
        collected = try c.decode(Int.self, forKey: .collected)
    }

    /// Encodes the three inputs plus `isAdequate` and `shortfall` for API readers.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(population, forKey: .population)
        try c.encode(required, forKey: .required)
        try c.encode(collected, forKey: .collected)
        try c.encode(isAdequate, forKey: .isAdequate)
        try c.encode(shortfall, forKey: .shortfall)
    }
}
