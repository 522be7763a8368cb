import Foundation
import PantauCore
import SQLKit

/// Compliance of closed cases per SOP in one period.
public struct ComplianceCount: Sendable, Hashable, Codable {
    /// Closed cases judged against the SOP.
    public var cases: Int
    /// Of those, the conforming ones.
    public var compliant: Int
    /// compliant / cases; nil without cases.
    public var share: Double? { cases == 0 ? nil : Double(compliant) / Double(cases) }
}

extension PantauStore {
    /// Per period and SOP, the closed cases opened in the period (WIB) and how many conform, for
    /// SOPs of `unitIDs` (nil: all). One grouped query per period.
    public func complianceByPeriod(_ periods: [SurveyPeriod], unitIDs: Set<Int64>? = nil) async throws -> [SurveyPeriod: [Int64: ComplianceCount]] {
        try await read { sql in
            var out: [SurveyPeriod: [Int64: ComplianceCount]] = [:]
            for p in periods {
                let span = p.interval()
                var q: SQLQueryString = """
                    SELECT t.sop_id, COUNT(*) AS n, COALESCE(SUM(t.compliant), 0) AS ok FROM service_cases t
                    WHERE t.status = 'closed' AND t.compliant IS NOT NULL
                      AND t.opened_at >= \(bind: span.lowerBound.timeIntervalSince1970) AND t.opened_at < \(bind: span.upperBound.timeIntervalSince1970)
                    """
                if let unitIDs {
                    q = q + " AND t.unit_id IN (\(unsafeRaw: unitIDs.isEmpty ? "-1" : unitIDs.sorted().map(String.init).joined(separator: ",")))"
                }
                var bySOP: [Int64: ComplianceCount] = [:]
                for r in try await sql.raw(q + " GROUP BY t.sop_id").all() {
                    bySOP[try r.int64("sop_id")] = ComplianceCount(cases: try r.int("n"), compliant: try r.int("ok"))
                }
                out[p] = bySOP
            }
            return out
        }
    }
}
