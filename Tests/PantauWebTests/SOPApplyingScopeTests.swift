import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PantauCore
import PantauStore
import PantauTestSupport
import PantauWeb
import Testing

/// An SOP of the Dinas applies to the Puskesmas under it: their staff read it, take its quiz and
/// see how their own Puskesmas carries it out, but neither change it nor see other Puskesmas' cases.
@Suite("SOPs of a unit above: read and monitored by the units below, changed only by their own unit")
struct SOPApplyingScopeTests {
    struct Figures: Decodable { var cases: Int }
    struct SOPList: Decodable { struct Item: Decodable { var id: Int64 }; var items: [Item] }

    /// A Dinas-level SOP (a copy of the immunisation SOP, in force) with one case at the officer's
    /// Puskesmas and one at a second Puskesmas.
    static func dinasSOP(_ fx: TestFixture) async throws -> (sop: Int64, otherUnit: Int64) {
        var doc = try await fx.store.version(sopID: fx.sops["imunisasi"]!, version: 1).document
        doc.identity.number = "440/SOP-DINKES/2026"
        doc.identity.title = "Pelayanan Imunisasi di Puskesmas (SOP Dinas)"
        let rec = try await fx.store.createSOP(unitID: fx.units["DINKES"]!, document: doc, by: .system)
        _ = try await fx.store.setStatus(sopID: rec.id, version: 1, to: .review, by: .system)
        _ = try await fx.store.approve(sopID: rec.id, version: 1, effectiveFrom: CivilDate(Date()), by: .system)
        let other = try await fx.store.createUnit(UnitInput(parentID: fx.units["DINKES"]!, code: "DINKES-PKM-KPS", name: "UPTD Puskesmas Kapasan",
                                                            level: .unitKerja, headName: "", headNIP: ""), by: .system)
        let start = Date().addingTimeInterval(-3 * 3600)
        var events: [EventInput] = []
        for (n, unit) in [("KTB", "DINKES-PKM-KTB"), ("KPS", "DINKES-PKM-KPS")] {
            for (i, step) in doc.steps.prefix(2).enumerated() {
                events.append(EventInput(clientID: "dinas-\(n)-\(i)", sopID: rec.id, caseReference: "DINAS-\(n)-1", activity: step.activity,
                                         at: start.addingTimeInterval(Double(i + 1) * 600), unitCode: unit))
            }
        }
        let outcomes = try await fx.store.ingestEvents(events, scope: IngestScope(allowedUnits: nil, source: .api, receivedBy: "test"), by: .system)
        #expect(outcomes.allSatisfy { if case .stored = $0 { true } else { false } })
        return (rec.id, other.id)
    }

    @Test(arguments: TestEngine.all)
    func aPuskesmasReadsAndMonitorsTheDinasSOPForItsOwnCasesOnly(_ engine: TestEngine) async throws {
        try await withTestApp(engine) { fx, client in
            let (sop, _) = try await Self.dinasSOP(fx)
            let officer = try await fx.session("officer")
            // The document, its print and its monitoring page open for the Puskesmas officer.
            for path in ["/sops/\(sop)", "/sops/\(sop)/print", "/sops/\(sop)/pemantauan", "/sops/\(sop)/kasus"] {
                let r = try await client.get(path, Req.headers(cookie: officer.cookie))
                #expect(r.status == .ok, "\(path): \(r.status)")
            }
            // The SOP list shows it among the SOPs that apply to the Puskesmas.
            let list = try await client.get("/sops", Req.headers(cookie: officer.cookie))
            #expect(list.text.contains("Pelayanan Imunisasi di Puskesmas (SOP Dinas)"))
            // The Puskesmas manager cannot change it: no edit buttons, and the routes say not found.
            let mgr = try await fx.session("mgr")
            let detail = try await client.get("/sops/\(sop)", Req.headers(cookie: mgr.cookie))
            #expect(detail.status == .ok)
            #expect(!detail.text.contains("/sops/\(sop)/edit"))
            #expect(!detail.text.contains("/sops/\(sop)/new-version"))
            // Nor its evaluation (Tabel 7/8, findings, report): those pages belong to the Dinas.
            #expect(!detail.text.contains("id=\"sop-findings\"") && !detail.text.contains("id=\"sop-monev-monitoring\"")
                    && !detail.text.contains("id=\"sop-report\""))
            #expect(try await client.get("/sops/\(sop)/diff?from=1&to=1", Req.headers(cookie: officer.cookie)).status != .notFound)
            let revise = try await client.post("/sops/\(sop)/new-version", Req.headers(cookie: mgr.cookie, csrf: mgr.csrf, form: true),
                                               Req.form([("_csrf", mgr.csrf), ("change_note", "x")]))
            #expect(revise.status == .notFound)
            let settings = try await client.get("/sops/\(sop)/pemantauan/pengaturan", Req.headers(cookie: mgr.cookie))
            #expect(settings.status == .notFound)
            // A manager of an unrelated Dinas does not see it at all.
            let other = try await fx.session("mgrOther")
            #expect(try await client.get("/sops/\(sop)", Req.headers(cookie: other.cookie)).status == .notFound)
            #expect(try await client.get("/sops/\(sop)/pemantauan", Req.headers(cookie: other.cookie)).status == .notFound)
        }
    }

    @Test(arguments: TestEngine.all)
    func aPuskesmasTokenGetsTheDinasSOPsFiguresForItsOwnUnit(_ engine: TestEngine) async throws {
        try await withTestApp(engine) { fx, client in
            let (sop, _) = try await Self.dinasSOP(fx)
            let token = "pnt_test_" + UUID().uuidString
            _ = try await fx.store.createAPIToken(name: "simpus-ketabang", prefix: String(token.prefix(10)), tokenHash: SessionTokens.hash(token),
                                                  unitID: fx.units["DINKES-PKM-KTB"]!, by: .system)
            let own = try await client.get("/api/v1/sops/\(sop)/monitoring", Req.headers(bearer: token))
            #expect(own.status == .ok, "\(own.text)")
            #expect(try JSONDecoder().decode(Figures.self, from: Data(buffer: own.body)).cases == 1, "only the Puskesmas' own case")
            let all = try await client.get("/api/v1/sops/\(sop)/monitoring", Req.headers(bearer: fx.token))
            #expect(try JSONDecoder().decode(Figures.self, from: Data(buffer: all.body)).cases == 2, "the Dinas token sees both Puskesmas")
            #expect(try await client.get("/api/v1/sops/\(sop)", Req.headers(bearer: token)).status == .ok)
            let list = try await client.get("/api/v1/sops", Req.headers(bearer: token))
            #expect(try JSONDecoder().decode(SOPList.self, from: Data(buffer: list.body)).items.contains { $0.id == sop })
            // Asking for the other Puskesmas' figures is refused.
            let kps = try await fx.store.unit(code: "DINKES-PKM-KPS")!.id
            #expect(try await client.get("/api/v1/sops/\(sop)/monitoring?unit_id=\(kps)", Req.headers(bearer: token)).status == .forbidden)
        }
    }
}
