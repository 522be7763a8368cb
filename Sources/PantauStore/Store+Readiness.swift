import Foundation
import SQLKit

extension PantauStore {
    /// Migrations this program knows that the database has not applied, read without a write
    /// transaction (for the readiness probe, which load balancers poll often). Throws when the
    /// database cannot be reached.
    public func pendingMigrationNumbers() async throws -> [Int] {
        let known = Migrator(database: database).migrations.map(\.number)
        let applied = try await read { sql -> Set<Int> in
            Set(try await sql.raw("SELECT version FROM schema_migrations").all().map { try $0.decode(column: "version", as: Int.self) })
        }
        return known.filter { !applied.contains($0) }
    }
}
