import Foundation
import SQLKit

extension PantauStore {
    /// The case of an SOP with this external reference, if one exists (observation mode looks a
    /// case up by the receipt or queue number the evaluator typed).
    public func serviceCaseID(sopID: Int64, reference: String) async throws -> (id: Int64, unitID: Int64)? {
        try await read { sql in
            guard let r = try await sql.raw("""
                SELECT id, unit_id FROM service_cases WHERE sop_id = \(bind: sopID) AND reference = \(bind: reference)
                """).first() else { return nil }
            return (try r.int64("id"), try r.int64("unit_id"))
        }
    }
}
