import Foundation
import PantauCore
import PantauStore
import PantauTestSupport
import Testing

@Suite("CLI: API tokens")
struct TokenCLITests {
    @Test func createListAndRevokeATokenForAUnit() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        #expect(try cli.run(["demo", "--password", "kata-sandi-demo-1"]).code == 0)
        let made = try cli.run(["token", "create", "--name", "kiosk-puskesmas", "--unit", "DINKES-PKM-KTB", "--read-only", "--expires-days", "30"])
        #expect(made.code == 0, "\(made.err)")
        let token = made.out.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").last.map(String.init) ?? ""
        #expect(token.hasPrefix("pnt_") && token.count > 40)
        #expect(made.err.contains("read only"))
        let list = try cli.run(["token", "list"])
        #expect(list.out.contains("kiosk-puskesmas") && list.out.contains("read-only") && list.out.contains("active"))
        #expect(!list.out.contains(token), "the token itself is never listed")
        let id = try #require(list.out.split(separator: "\n").first { $0.contains("kiosk-puskesmas") }?.split(separator: "\t").first)
        #expect(try cli.run(["token", "revoke", String(id)]).code == 0)
        #expect(try cli.run(["token", "list"]).out.contains("revoked"))
        let bad = try cli.run(["token", "create", "--name", "x", "--unit", "NOPE"])
        #expect(bad.code != 0 && bad.err.contains("unknown unit code 'NOPE'"))
    }
}

@Suite("CLI: version")
struct VersionCLITests {
    @Test func versionIsPrinted() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let r = try cli.run(["--version"])
        #expect(r.code == 0)
        #expect(r.out.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3, "\(r.out)")
    }
}
