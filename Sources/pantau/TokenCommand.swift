import ArgumentParser
import Foundation
import PantauCore
import PantauStore
import PantauWeb

/// `pantau token create|list|revoke`: API tokens for other systems, as on the *Token API* page.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "token", abstract: "Manage API tokens of integrations.",
                                                    subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an API token for one unit subtree; prints the token alone on the last line (shown once).")
        @OptionGroup var db: DatabaseOptions
        @Option(help: "Name of the system that uses it, e.g. sik-dinkes.") var name: String
        @Option(help: "Unit code: the token sees this unit and its sub-units.") var unit: String
        @Flag(help: "Read only: GET requests only.") var readOnly = false
        @Option(help: "Days until the token stops working (default: until revoked).") var expiresDays: Int?

        func run() async throws {
            if let d = expiresDays, d < 1 { throw ValidationError("--expires-days must be at least 1") }
            try await withStore(db) { store in
                guard let u = try await store.unit(code: unit) else { throw CLIError("unknown unit code '\(unit)'") }
                let token = SessionTokens.newAPIToken()
                let rec = try await store.createAPIToken(name: name, prefix: String(token.prefix(10)), tokenHash: SessionTokens.hash(token), unitID: u.id,
                                                         expiresAt: expiresDays.map { Date().addingTimeInterval(Double($0) * 86_400) },
                                                         readOnly: readOnly, by: .cli)
                FileHandle.standardError.write(Data("created token \(rec.name) (id \(rec.id)) for \(u.code)\(readOnly ? ", read only" : "")\(rec.expiresAt.map { ", until \(ISO8601DateFormatter().string(from: $0))" } ?? "")\n".utf8))
                print(token)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List API tokens (never the tokens themselves).")
        @OptionGroup var db: DatabaseOptions

        func run() async throws {
            try await withStore(db) { store in
                let tree = try await store.orgTree()
                for t in try await store.apiTokens() {
                    let state = t.revokedAt != nil ? "revoked" : (t.expiresAt.map { $0 <= Date() } ?? false) ? "expired" : "active"
                    print("\(t.id)\t\(t.name)\t\(t.prefix)…\t\(tree.unit(t.unitID)?.code ?? "?")\t\(t.readOnly ? "read-only" : "read-write")\t\(state)")
                }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an API token by id.")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "Token id (see `pantau token list`).") var id: Int64

        func run() async throws {
            try await withStore(db) { store in
                try await store.revokeAPIToken(id: id, by: .cli)
                say("revoked token \(id)")
            }
        }
    }
}
