import Foundation
import PantauCore
import PantauStore
import PantauTestSupport
import Testing

private func permitSOP() throws -> SOPDocument {
    var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    dir = dir.deletingLastPathComponent().deletingLastPathComponent()
    let text = try String(contentsOf: dir.appendingPathComponent("docs/examples/sop-penerbitan-izin-usaha.yaml"), encoding: .utf8)
    return try SOPFile.decode(text, format: .yaml)
}

@Suite("Alerts: rules, once per case and condition, notifications, webhook deliveries")
struct AlertStoreTests {
    struct Fixture {
        var sop: Int64
        var unit: Int64
        var otherUnit: Int64
        var staff: Int64
        var outsider: Int64
        var total: Double
    }

    static func seed(_ store: PantauStore) async throws -> Fixture {
        let doc = try permitSOP()
        let root = try await store.createUnit(UnitInput(parentID: nil, code: "PEMDA", name: "Pemerintah Kota", level: .instansi), by: .cli)
        let unit = try await store.createUnit(UnitInput(parentID: root.id, code: "DPMPTSP", name: "DPMPTSP", level: .instansi), by: .cli)
        let other = try await store.createUnit(UnitInput(parentID: root.id, code: "DINKES", name: "Dinas Kesehatan", level: .instansi), by: .cli)
        let sop = try await store.createSOP(unitID: unit.id, document: doc, by: .cli)
        // A setting of this test's own: the store's process-wide analyzer cache is keyed by SOP id,
        // version and settings, and other tests' databases have other documents under the same id.
        try await store.setActivityAlias(sopID: sop.id, activity: "alert-test-\(UUID().uuidString)", stepID: "daftar", by: .cli)
        let staff = try await store.createUser(UserInput(username: "petugas", displayName: "Petugas", role: .officer, unitID: unit.id),
                                               passwordHash: "x", by: .cli)
        let outsider = try await store.createUser(UserInput(username: "dinkes", displayName: "Dinkes", role: .unitManager, unitID: other.id),
                                                  passwordHash: "x", by: .cli)
        return Fixture(sop: sop.id, unit: unit.id, otherUnit: other.id, staff: staff.id, outsider: outsider.id, total: try #require(doc.totalTimeStandard))
    }

    static func ingest(_ store: PantauStore, _ sop: Int64, _ events: [(id: String, ref: String, activity: String, at: Date, start: Date?, close: Bool)]) async throws {
        let inputs = events.map { EventInput(clientID: $0.id, sopID: sop, caseReference: $0.ref, activity: $0.activity, at: $0.at, startedAt: $0.start, closesCase: $0.close) }
        let out = try await store.ingestEvents(inputs, scope: IngestScope(allowedUnits: nil, source: .api, receivedBy: "test"), by: .cli)
        let acknowledged = out.allSatisfy { $0.isAcknowledged }
        #expect(acknowledged, "\(out)")
    }

    @Test("An open case past its standard raises once, however often rules are evaluated", arguments: TestEngine.all)
    func overdueCaseRaisesOnce(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let fx = try await Self.seed(store)
            let now = Date()
            try await Self.ingest(store, fx.sop, [
                ("o1", "REG-OLD", "Pendaftaran Permohonan", now.addingTimeInterval(-(fx.total * 1.5) - 3600), nil, false),
                ("n1", "REG-NEW", "Pendaftaran Permohonan", now.addingTimeInterval(-600), nil, false),
            ])
            try await store.createAlertRule(sopID: fx.sop, AlertRuleInput(kind: .caseOverdue, factor: 1), by: .cli)
            // A factor of 2 is not reached by a case 1.5 × its standard old.
            try await store.createAlertRule(sopID: fx.sop, AlertRuleInput(kind: .caseOverdue, factor: 2), by: .cli)
            let first = try await store.evaluateAlerts(now: now)
            #expect(first.alerts.count == 1)
            let a = try #require(first.alerts.first)
            #expect(a.kind == .caseOverdue)
            #expect(a.arguments.first == "REG-OLD")
            #expect(a.condition.hasPrefix("case:"))
            let second = try await store.evaluateAlerts(now: now.addingTimeInterval(60))
            #expect(second.alerts.isEmpty)
            #expect(try await store.alerts(sopID: fx.sop).count == 1)
            let rules = try await store.alertRules(sopID: fx.sop)
            #expect(rules.map(\.alerts).sorted() == [0, 1])
            // The unit's staff hear of it, another unit's manager does not; read marks stick.
            #expect(try await store.unreadNotificationCount(userID: fx.staff) == 1)
            #expect(try await store.notifications(userID: fx.outsider).isEmpty)
            let n = try await store.notifications(userID: fx.staff)
            #expect(n.first?.alert.id == a.id && n.first?.readAt == nil)
            #expect(try await store.markNotificationsRead(userID: fx.outsider, id: n[0].id) == 0)
            #expect(try await store.markNotificationsRead(userID: fx.staff, id: n[0].id) == 1)
            #expect(try await store.unreadNotificationCount(userID: fx.staff) == 0)
            // Every raise is in the audit trail.
            let audit = try await store.auditEntries(AuditQuery(entity: "alert"))
            #expect(audit.items.count == 1)
        }
    }

    @Test("A follow-up action past its due date raises once per action, notifies the unit and calls its webhooks", arguments: TestEngine.all)
    func overdueActionRaisesOnce(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let fx = try await Self.seed(store)
            let finding = try await store.createFinding(sopID: fx.sop, FindingInput(period: "2026-S2", title: "Antrean panjang", detail: "", severity: "high"), by: .cli)
            let rec = try #require(try await store.recommendations(findingIDs: [finding.id]).first)
            let late = try await store.createFollowUpAction(recommendationID: rec.id, FollowUpActionInput(
                title: "Tambah loket", ownerID: "\(fx.staff)", dueDate: "2026-01-05"), by: .cli)
            _ = try await store.createFollowUpAction(recommendationID: rec.id, FollowUpActionInput(
                title: "Belum jatuh tempo", ownerID: "\(fx.staff)", dueDate: "2099-01-05"), by: .cli)
            let done = try await store.createFollowUpAction(recommendationID: rec.id, FollowUpActionInput(
                title: "Sudah selesai", ownerID: "\(fx.staff)", dueDate: "2026-01-05"), by: .cli)
            _ = try await store.updateFollowUpAction(id: done.id, status: "done", note: "selesai", by: .cli)
            let hook = try await store.createWebhook(unitID: fx.unit, name: "SIMPEG", url: "https://contoh.go.id/hook", kinds: [.actionOverdue],
                                                     allowPrivate: false, by: .cli)
            try await store.createAlertRule(sopID: fx.sop, AlertRuleInput(kind: .actionOverdue), by: .cli)
            let now = try #require(ISO8601DateFormatter().date(from: "2026-02-01T03:00:00Z"))
            let first = try await store.evaluateAlerts(now: now)
            #expect(first.alerts.map(\.condition) == ["action:\(late.id)"])
            #expect(first.alerts.first?.arguments == ["Tambah loket", "2026-01-05", "\(late.id)"] && first.alerts.first?.caseID == nil)
            #expect(first.deliveries == 1)
            #expect(try await store.webhookDeliveries(webhookID: hook.webhook.id).count == 1)
            #expect(try await store.unreadNotificationCount(userID: fx.staff) == 1)
            #expect(try await store.notifications(userID: fx.outsider).isEmpty)
            #expect(try await store.evaluateAlerts(now: now.addingTimeInterval(3600)).alerts.isEmpty, "once per action")
        }
    }

    @Test("A step over its time standard raises once per case and step", arguments: TestEngine.all)
    func stepOverStandardRaises(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let fx = try await Self.seed(store)
            let now = Date()
            try await store.createAlertRule(sopID: fx.sop, AlertRuleInput(kind: .stepOverStandard), by: .cli)
            // Registration has a 15-minute standard: 2 hours is over it, 10 minutes is within.
            try await Self.ingest(store, fx.sop, [
                ("s1", "REG-SLOW", "Pendaftaran Permohonan", now.addingTimeInterval(-3600), now.addingTimeInterval(-3 * 3600), false),
                ("f1", "REG-FAST", "Pendaftaran Permohonan", now.addingTimeInterval(-3600), now.addingTimeInterval(-3600 - 600), false),
            ])
            let r = try await store.evaluateAlerts(now: now)
            #expect(r.alerts.count == 1)
            #expect(r.alerts.first?.kind == .stepOverStandard)
            #expect(r.alerts.first?.arguments.prefix(2) == ["REG-SLOW", "daftar"])
            #expect(Int(r.alerts.first?.arguments.last ?? "") == 2 * 3600 - 900)
            #expect(r.alerts.first?.condition.hasSuffix(":step:daftar") == true)
            // A later event of the same case re-analyses it: the condition is the same, no new alert.
            try await Self.ingest(store, fx.sop, [("s2", "REG-SLOW", "Verifikasi Administrasi", now.addingTimeInterval(-1800), nil, false)])
            #expect(try await store.evaluateAlerts(now: now).alerts.isEmpty)
        }
    }

    @Test("Compliance of the current period below the threshold raises once per period", arguments: TestEngine.all)
    func complianceBelowThresholdRaises(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let fx = try await Self.seed(store)
            let now = Date()
            // Needs 2 closed cases: one is not enough yet.
            try await store.createAlertRule(sopID: fx.sop, AlertRuleInput(kind: .complianceBelow, thresholdPercent: 80, period: .month, minCases: 2), by: .cli)
            try await Self.ingest(store, fx.sop, [("c1", "REG-1", "Pendaftaran Permohonan", now.addingTimeInterval(-120), nil, true)])
            #expect(try await store.evaluateAlerts(now: now).alerts.isEmpty)
            try await Self.ingest(store, fx.sop, [("c2", "REG-2", "Pendaftaran Permohonan", now.addingTimeInterval(-60), nil, true)])
            let r = try await store.evaluateAlerts(now: now)
            #expect(r.alerts.count == 1)
            let a = try #require(r.alerts.first)
            #expect(a.kind == .complianceBelow)
            #expect(a.caseID == nil)
            #expect(a.condition == "period:" + AlertPeriod.month.current(at: now).label)
            #expect(a.arguments == [AlertPeriod.month.current(at: now).label, "0", "80", "2"])
            #expect(try await store.evaluateAlerts(now: now).alerts.isEmpty)
        }
    }

    @Test("Rule and webhook input is refused with codes, every problem at once", arguments: TestEngine.all)
    func badInputIsRefused(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let fx = try await Self.seed(store)
            #expect(throws: StoreError.rejected([InputProblem("kind", "alert_kind_unknown")])) {
                try AlertRuleInput.parse(kind: "drop table", factor: "", threshold: "", period: "", minCases: "")
            }
            #expect(throws: StoreError.rejected([InputProblem("factor", "not_a_number")])) {
                try AlertRuleInput.parse(kind: "case_overdue", factor: "abc", threshold: "", period: "", minCases: "")
            }
            #expect(throws: StoreError.rejected([InputProblem("threshold", "alert_threshold_range", ["1", "100"]),
                                                 InputProblem("min_cases", "alert_min_cases_range", ["1", "100000"])])) {
                try AlertRuleInput.parse(kind: "compliance_below", factor: "", threshold: "150", period: "month", minCases: "0")
            }
            #expect(try AlertRuleInput.parse(kind: "case_overdue", factor: "1,5", threshold: "", period: "", minCases: "").factor == 1.5)
            await #expect(throws: StoreError.rejected([InputProblem("factor", "alert_factor_range", ["0.1", "100"])])) {
                try await store.createAlertRule(sopID: fx.sop, AlertRuleInput(kind: .caseOverdue, factor: 0), by: .cli)
            }
            for url in ["http://127.0.0.1:8080/x", "http://localhost/x", "http://169.254.169.254/latest", "http://[::1]/", "http://10.1.2.3/",
                        "http://192.168.1.1/", "http://2130706433/", "http://[fe80::1]/"] {
                await #expect(throws: StoreError.rejected([InputProblem("url", "webhook_url_private")]), "\(url)") {
                    try await store.createWebhook(unitID: fx.unit, name: "x", url: url, kinds: [.caseOverdue], allowPrivate: false, by: .cli)
                }
            }
            await #expect(throws: StoreError.rejected([InputProblem("name", "required"), InputProblem("url", "webhook_url_invalid"),
                                                       InputProblem("kinds", "required")])) {
                try await store.createWebhook(unitID: fx.unit, name: " ", url: "ftp://example.org/x", kinds: [], allowPrivate: false, by: .cli)
            }
            let ok = try await store.createWebhook(unitID: fx.unit, name: "SIMPEG", url: "https://example.org/hook", kinds: [.caseOverdue],
                                                   allowPrivate: false, by: .cli)
            #expect(ok.secret.hasPrefix("whsec_") && ok.secret.count == 70)
            // The secret never enters the audit trail.
            let audit = try await store.auditEntries(AuditQuery(entity: "webhook"))
            #expect(audit.items.count == 1)
            let leaked = (audit.items.first?.newValue ?? "").contains(ok.secret)
            #expect(!leaked)
            let loop = try await store.createWebhook(unitID: fx.unit, name: "test", url: "http://127.0.0.1:9/x", kinds: [.caseOverdue],
                                                     allowPrivate: true, by: .cli)
            #expect(loop.webhook.url == "http://127.0.0.1:9/x")
        }
    }

    @Test("Deliveries: pending per webhook, retried with back-off, sent, failed after the last attempt, re-sent as new", arguments: TestEngine.all)
    func deliveryLifecycle(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let fx = try await Self.seed(store)
            let now = Date()
            let hook = try await store.createWebhook(unitID: fx.unit, name: "a", url: "http://127.0.0.1:9/a", kinds: [.caseOverdue, .stepOverStandard],
                                                     allowPrivate: true, by: .cli)
            // Another unit's webhook and one for another kind get nothing.
            _ = try await store.createWebhook(unitID: fx.otherUnit, name: "b", url: "http://127.0.0.1:9/b", kinds: [.caseOverdue], allowPrivate: true, by: .cli)
            _ = try await store.createWebhook(unitID: fx.unit, name: "c", url: "http://127.0.0.1:9/c", kinds: [.complianceBelow], allowPrivate: true, by: .cli)
            try await store.createAlertRule(sopID: fx.sop, AlertRuleInput(kind: .caseOverdue, factor: 1), by: .cli)
            try await Self.ingest(store, fx.sop, [("o1", "REG-OLD", "Pendaftaran Permohonan", now.addingTimeInterval(-(fx.total * 2)), nil, false)])
            let r = try await store.evaluateAlerts(now: now)
            #expect(r.deliveries == 1)
            let policy = WebhookRetryPolicy(base: 30, maxAttempts: 3, lease: 60)
            let jobs = try await store.claimDueDeliveries(now: now, policy: policy)
            #expect(jobs.count == 1)
            let job = try #require(jobs.first)
            #expect(job.webhookID == hook.webhook.id && job.secret == hook.secret)
            let body = try JSONSerialization.jsonObject(with: Data(job.payload.utf8)) as? [String: Any]
            #expect(body?["kind"] as? String == "case_overdue" && body?["case_reference"] as? String == "REG-OLD")
            // Claimed: no one else gets it while the lease runs.
            #expect(try await store.claimDueDeliveries(now: now.addingTimeInterval(5), policy: policy).isEmpty)
            let d1 = try #require(try await store.recordDeliveryAttempt(job, at: now, statusCode: 500, error: "HTTP 500", policy: policy))
            #expect(d1.status == .pending && d1.attempts == 1 && d1.lastStatusCode == 500)
            #expect(abs(d1.nextAttemptAt.timeIntervalSince(now) - 30) < 0.01)
            // A stale claim records nothing.
            #expect(try await store.recordDeliveryAttempt(job, at: now, statusCode: 200, error: nil, policy: policy) == nil)
            #expect(try await store.claimDueDeliveries(now: now.addingTimeInterval(29), policy: policy).isEmpty)
            let j2 = try #require(try await store.claimDueDeliveries(now: now.addingTimeInterval(31), policy: policy).first)
            let d2 = try #require(try await store.recordDeliveryAttempt(j2, at: now.addingTimeInterval(31), statusCode: nil, error: "timeout", policy: policy))
            #expect(d2.status == .pending && d2.attempts == 2 && d2.lastError == "timeout")
            #expect(abs(d2.nextAttemptAt.timeIntervalSince(now) - 91) < 0.01)  // 31 + 30 × 2
            let j3 = try #require(try await store.claimDueDeliveries(now: now.addingTimeInterval(100), policy: policy).first)
            let d3 = try #require(try await store.recordDeliveryAttempt(j3, at: now.addingTimeInterval(100), statusCode: 502, error: "HTTP 502", policy: policy))
            #expect(d3.status == .failed && d3.attempts == 3)
            #expect(try await store.claimDueDeliveries(now: now.addingTimeInterval(10_000), policy: policy).isEmpty)
            // Re-send: a new pending delivery with the same body, then sent.
            let again = try await store.resendDelivery(id: d3.id, by: .cli)
            #expect(again.id != d3.id && again.status == .pending && again.attempts == 0 && again.resentFrom == d3.id && again.payload == d3.payload)
            let j4 = try #require(try await store.claimDueDeliveries(now: Date().addingTimeInterval(1), policy: policy).first)
            #expect(j4.deliveryID == again.id)
            let d4 = try #require(try await store.recordDeliveryAttempt(j4, at: now.addingTimeInterval(200), statusCode: 204, error: nil, policy: policy))
            #expect(d4.status == .sent && d4.sentAt != nil && d4.lastError == nil)
            let log = try await store.webhookDeliveries(webhookID: hook.webhook.id)
            #expect(log.map(\.status) == [.sent, .failed])
            #expect(log.map(\.attempts) == [1, 3])
            // A deactivated webhook's pending deliveries fail; it cannot be re-sent to.
            try await store.deactivateWebhook(id: hook.webhook.id, by: .cli)
            await #expect(throws: StoreError.rejected([InputProblem("webhook", "webhook_inactive")])) {
                try await store.resendDelivery(id: d4.id, by: .cli)
            }
        }
    }

    @Test("Concurrent claimers never claim the same delivery", arguments: TestEngine.all)
    func concurrentClaimsAreDisjoint(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let fx = try await Self.seed(store)
            let now = Date()
            for i in 0..<30 {
                _ = try await store.createWebhook(unitID: fx.unit, name: "h\(i)", url: "http://127.0.0.1:9/\(i)", kinds: [.caseOverdue], allowPrivate: true, by: .cli)
            }
            try await store.createAlertRule(sopID: fx.sop, AlertRuleInput(kind: .caseOverdue, factor: 1), by: .cli)
            let old = now.addingTimeInterval(-(fx.total * 2))
            try await Self.ingest(store, fx.sop, (0..<4).map { ("e\($0)", "REG-\($0)", "Pendaftaran Permohonan", old, nil, false) })
            let r = try await store.evaluateAlerts(now: now)
            #expect(r.deliveries == 120)
            let claimed = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        var mine: [Int64] = []
                        while true {
                            let jobs = try await store.claimDueDeliveries(now: now, limit: 3)
                            if jobs.isEmpty { break }
                            mine += jobs.map(\.deliveryID)
                        }
                        return mine
                    }
                }
                var all: [Int64] = []
                for try await m in group { all += m }
                return all
            }
            #expect(claimed.count == 120)
            #expect(Set(claimed).count == claimed.count)
        }
    }
}
