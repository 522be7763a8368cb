import Foundation
import PantauCore
import PantauStore
import PantauTestSupport
@testable import PantauWeb
import Testing

@Suite("Indicator cache: the leadership dashboard's compliance per quarter")
struct IndicatorCacheTests {
    @Test("Compliance per quarter is kept for 30 s, then read again; a change stored by staff empties it at once")
    func complianceIsKeptForItsMaximumAge() async throws {
        try await withTestApp(.sqlite) { fx, _ in
            let cache = IndicatorCache()
            let sopID = try #require(fx.sops["imunisasi"])
            let quarter = SurveyPeriod(containing: CivilDate(Date()), kind: .quarter)
            let t0 = Date()
            func cases(_ at: Date) async throws -> Int {
                try await cache.compliance(fx.store, [quarter], unitIDs: nil, now: at)[quarter]?[sopID]?.cases ?? 0
            }
            let before = try await cases(t0)
            func closeACase(_ ref: String) async throws {
                let out = try await fx.store.ingestEvents(
                    [EventInput(clientID: ref, sopID: sopID, caseReference: ref, activity: "Pendaftaran", at: Date().addingTimeInterval(-60), closesCase: true)],
                    scope: IngestScope(allowedUnits: nil, source: .api, receivedBy: "test"), by: .cli)
                #expect(out.allSatisfy { $0.isAcknowledged })
            }
            try await closeACase("CACHE-1")
            let kept = try await cases(t0.addingTimeInterval(10))
            #expect(kept == before, "within 30 s: the kept figures")
            let later = try await cases(t0.addingTimeInterval(31))
            #expect(later == before + 1, "after 30 s: read again")
            try await closeACase("CACHE-2")
            cache.changed()
            let emptied = try await cases(t0.addingTimeInterval(32))
            #expect(emptied == before + 2, "emptied by a change: read at once")
        }
    }
}
