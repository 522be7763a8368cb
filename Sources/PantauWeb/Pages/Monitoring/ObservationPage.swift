import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PantauCore
import PantauStore

/// Observation mode: an evaluator at the service counter records a case from a phone.
///
/// - `/observasi`: the SOPs in force the caller may see;
/// - `/observasi/sops/:id`: start a case (reference typed in or generated, unit);
/// - `/observasi/sops/:id/kasus?ref=…&unit=…`: one button per step (start, finish), the current
///   step highlighted, a stopwatch, a note, "Selesai" closes the case. Without JavaScript each tap
///   is a plain form POST recorded with the server's time (event id from the form's nonce, so a
///   double submit stores nothing twice); with `observasi.js` taps are queued on the phone with
///   the phone's time and a UUID and sent to `/observasi/sops/:id/kejadian` when the network allows.
///
/// Every event enters the store with source `observation`.
enum ObservationPage {
    /// WIB: the server's zone for taps recorded without JavaScript.
    static let serverOffset = 7 * 3600

    // MARK: Models

    struct ListModel {
        struct Row { let number: String; let title: String; let unit: String; let href: String }
        let rows: [Row]
        var styleHref = SiteURL.observationStylesheet.path
    }

    struct StartModel {
        let number: String
        let title: String
        let action: String
        let reference: String
        let units: [Option]
        let backHref: String
        var styleHref = SiteURL.observationStylesheet.path
    }

    struct CaseModel {
        struct Branch { let label: String; let target: String }
        struct StepRow {
            let id: String
            let number: Int
            let activity: String
            let actor: String
            let standard: String?
            let isDecision: Bool
            let isEnd: Bool
            let question: String
            let branches: [Branch]
            let next: String
            let kind: String
            let current: Bool
            let running: Bool
            let done: Bool
            let state: String
            let startValue: String
            let completeValue: String
            let startLabel: String
            let completeLabel: String
        }
        struct Tap { let at: String; let what: String; let note: String? }
        let sopID: Int64
        let number: String
        let title: String
        let reference: String
        let unitCode: String
        let unitName: String
        let action: String
        let eventsHref: String
        let startHref: String
        let nonce: String
        let closed: Bool
        let steps: [StepRow]
        let taps: [Tap]
        let openedAt: String
        let runningSince: String
        let elapsed: String
        let status: String
        let closeValue: String
        let lastCompleted: String
        let endActivity: String
        let scriptHref: String
        let styleHref: String
        /// The signed-in person's user name: queued taps are sent only under their own account.
        var observer = ""
    }

    // MARK: Case state (pure)

    /// What the stored events of a case say about its steps: which are done, which one runs,
    /// which come next.
    struct State: Equatable {
        var done: [String: Date] = [:]
        var running: [String: Date] = [:]
        var lastCompleted: String?
        var current: Set<String> = []
        var openedAt: Date?
    }

    static func state(_ doc: SOPDocument, aliases: [String: String], events: [PantauStore.ServiceEventRecord]) -> State {
        var byName = doc.stepIndexByLogName()
        for (a, s) in aliases { byName[a] = s }
        var st = State()
        st.openedAt = events.map { $0.startedAt ?? $0.at }.min()
        for e in events {
            guard let sid = byName[SOPDocument.normalizeLogName(e.activity)] else { continue }
            switch e.lifecycle {
            case .start: st.running[sid] = e.at
            case .complete:
                st.running[sid] = nil
                st.done[sid] = e.at
                st.lastCompleted = sid
            }
        }
        if let r = st.running.max(by: { $0.value < $1.value }) {
            st.current = [r.key]
        } else if let last = st.lastCompleted, let step = doc.step(id: last) {
            st.current = Set(doc.successors(of: step).map(\.target))
        } else if let first = doc.startStep ?? doc.steps.first {
            st.current = [first.id]
        }
        return st
    }

    /// The step "Selesai" records as completed (with `case_closed`): the running step, else the
    /// first end step on the way on from the last completed step (plain and Ya arrows first), else
    /// the SOP's last end step; nil when the last completed step is an end step (the case ended).
    static func closingStep(_ doc: SOPDocument, _ st: State) -> String? {
        if let r = st.running.max(by: { $0.value < $1.value }) { return r.key }
        var from = doc.startStep
        if let last = st.lastCompleted, let step = doc.step(id: last) {
            if step.kind == .end { return nil }
            from = step
        }
        var seen = Set<String>()
        func walk(_ s: SOPStep) -> String? {
            guard seen.insert(s.id).inserted else { return nil }
            if s.kind == .end, s.id != st.lastCompleted { return s.id }
            for n in doc.successors(of: s) {
                if let next = doc.step(id: n.target), let e = walk(next) { return e }
            }
            return nil
        }
        if let f = from, let e = walk(f) { return e }
        return doc.steps.last { $0.kind == .end }?.id ?? st.lastCompleted
    }

    static func caseModel(sop: SOPRecord, document doc: SOPDocument, reference: String, unit: OrgUnit, state st: State, closed: Bool,
                          events: [PantauStore.ServiceEventRecord], nonce: String, now: Date, language: Language, t: Strings) -> CaseModel {
        let rows = doc.steps.enumerated().map { i, step -> CaseModel.StepRow in
            let branches: [CaseModel.Branch] = step.kind == .decision ? doc.successors(of: step).map { s in
                let target = doc.step(id: s.target)
                let label = s.branch == .yes ? t["yes"] : s.branch == .no ? t["no"] : ""
                return CaseModel.Branch(label: label, target: "\(doc.number(ofStep: s.target) ?? 0). \(target?.activity ?? s.target)")
            } : []
            let running = st.running[step.id]
            let done = st.done[step.id]
            let state: String
            if let r = running { state = t["obs_state_running"] + " · " + clock(r, language) }
            else if let d = done { state = t["obs_state_done"] + " · " + clock(d, language) }
            else { state = t["obs_state_waiting"] }
            let actor = doc.actor(id: step.actor)?.name ?? step.actor
            return CaseModel.StepRow(
                id: step.id, number: i + 1, activity: step.activity, actor: actor,
                standard: step.standard.time.map { MonitoringFormat.duration($0.seconds, language) },
                isDecision: step.kind == .decision, isEnd: step.kind == .end, question: step.question, branches: branches,
                next: doc.successors(of: step).map(\.target).joined(separator: " "), kind: step.kind.rawValue,
                current: !closed && st.current.contains(step.id), running: running != nil, done: done != nil, state: state,
                startValue: step.id + "|start", completeValue: step.id + "|complete",
                startLabel: t.format("obs_tap_start_label", i + 1, step.activity),
                completeLabel: t.format("obs_tap_complete_label", i + 1, step.activity))
        }
        let running = st.running.max(by: { $0.value < $1.value })?.value
        let iso = ISO8601DateFormatter()
        let statusText: String = {
            if closed { return t["obs_closed"] }
            if let r = st.running.max(by: { $0.value < $1.value }), let n = doc.number(ofStep: r.key) {
                return t.format("obs_status_running", n, doc.step(id: r.key)?.activity ?? r.key)
            }
            // The next step in the flowchart's order (a decision's Ya branch first).
            let next = st.lastCompleted.flatMap { doc.step(id: $0) }.map { doc.successors(of: $0).map(\.target) } ?? Array(st.current)
            if let c = next.first.flatMap({ doc.step(id: $0) }), let n = doc.number(ofStep: c.id) {
                return t.format("obs_status_next", n, c.activity)
            }
            return t["obs_status_ready"]
        }()
        let closing = closingStep(doc, st)
        return CaseModel(
            sopID: sop.id, number: sop.number, title: sop.title, reference: reference, unitCode: unit.code, unitName: unit.name,
            action: SiteURL.observationCase(sop.id).path, eventsHref: SiteURL.observationEvents(sop.id).path,
            startHref: SiteURL.observationStart(sop.id).path, nonce: nonce, closed: closed, steps: rows,
            taps: events.reversed().map { e in
                CaseModel.Tap(at: clock(e.at, language),
                              what: e.activity + " (" + t[e.lifecycle == .start ? "obs_state_running" : "obs_state_done"] + ")",
                              note: e.note.flatMap { $0.isEmpty ? nil : $0 })
            },
            openedAt: st.openedAt.map { iso.string(from: $0) } ?? "", runningSince: running.map { iso.string(from: $0) } ?? "",
            elapsed: st.openedAt.map { MonitoringFormat.duration(now.timeIntervalSince($0), language) } ?? "–",
            status: statusText, closeValue: "close", lastCompleted: st.lastCompleted ?? "", endActivity: closing.flatMap { doc.step(id: $0)?.activity } ?? "",
            scriptHref: SiteURL.observationScript.path, styleHref: SiteURL.observationStylesheet.path)
    }

    static func clock(_ d: Date, _ lang: Language) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: lang == .id ? "id_ID" : "en_GB")
        f.timeZone = .wib
        f.dateFormat = "HH:mm:ss"
        return f.string(from: d)
    }

    /// A reference for a case whose receipt number was not typed in: `OBS-yyyyMMdd-HHmmss-xxxx` (WIB).
    static func generatedReference(now: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = .wib
        f.dateFormat = "yyyyMMdd-HHmmss"
        return "OBS-" + f.string(from: now) + "-" + String(UUID().uuidString.prefix(4))
    }

    /// Form nonces: what the no-JS form sends back to make its event ids.
    static func validNonce(_ s: String) -> Bool {
        (8...64).contains(s.count) && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }

    // MARK: Loading

    struct Loaded {
        var sop: SOPRecord
        var document: SOPDocument
        var aliases: [String: String]
        var tree: OrgTree
        /// Units a case of this SOP may be recorded for by this caller.
        var units: [OrgUnit]
    }

    /// The SOP named by `:id` if it is in force and in the caller's scope (404 otherwise).
    static func load(_ s: AppServices, _ ctx: UserContext) async throws -> Loaded {
        let (rec, tree) = try await SOPPages.loadApplying(s, ctx)
        guard let v = rec.effectiveVersion else { throw AppError.notFound }
        let doc = try await s.store.version(sopID: rec.id, version: v).document
        let settings = try await s.store.monitoringSettings(sopID: rec.id)
        let sub = tree.subtree(of: rec.unitID)
        let units = tree.flattened().map(\.unit).filter { sub.contains($0.id) && Scope.covers(ctx.identity, unit: $0.id, tree: tree) }
        return Loaded(sop: rec, document: doc, aliases: settings.aliases, tree: tree, units: units)
    }

    /// The unit a form names (by code, or id), among those offered; the default is the caller's
    /// own unit when offered, else the SOP's.
    static func chosenUnit(_ l: Loaded, _ value: String?, identity: Identity) throws -> OrgUnit {
        if let v = value?.trimmingCharacters(in: .whitespaces), !v.isEmpty {
            guard let u = l.units.first(where: { $0.code.lowercased() == v.lowercased() || "\($0.id)" == v }) else {
                throw AppError.rejected([InputProblem("unit", "unknown_unit", [v])])
            }
            return u
        }
        if let own = identity.scopeUnit, let u = l.units.first(where: { $0.id == own }) { return u }
        guard let u = l.units.first(where: { $0.id == l.sop.unitID }) ?? l.units.first else { throw AppError.notFound }
        return u
    }

    static func scope(_ ctx: UserContext, _ l: Loaded) -> IngestScope {
        IngestScope(allowedUnits: Scope.units(ctx.identity, tree: l.tree), defaultUnit: ctx.identity.scopeUnit,
                    source: .observation, receivedBy: "user:\(ctx.user.username)")
    }

    // MARK: Routes

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.page(.get, .observation, .eventWrite, "Observation mode: the SOPs in force the caller may observe") { _, ctx in
            let t = s.views.strings(ctx.language)
            let tree = try await s.store.orgTree()
            let sops = try await s.store.sops(SOPQuery(unitIDs: Scope.sopUnits(ctx.identity, tree: tree), status: .effective, perPage: 200))
            let m = ListModel(rows: sops.items.map {
                ListModel.Row(number: $0.number, title: $0.title, unit: tree.unit($0.unitID)?.name ?? "", href: SiteURL.observationStart($0.id).path)
            })
            return .html(s.views.render("observation_sops", title: t["obs_title"], page: m, context: ctx, active: .sops))
        }

        r.page(.get, .observationStart(.key), .eventWrite, "Observation mode: start a case (reference typed in or generated, unit)") { _, ctx in
            let l = try await load(s, ctx)
            let t = s.views.strings(ctx.language)
            let unit = try chosenUnit(l, nil, identity: ctx.identity)
            let m = StartModel(number: l.sop.number, title: l.sop.title, action: SiteURL.observationCase(l.sop.id).path, reference: "",
                               units: l.units.map { Option(value: $0.code, label: $0.name, selected: $0.id == unit.id) },
                               backHref: SiteURL.observation.path)
            return .html(s.views.render("observation_start", title: t["obs_start"] + " · " + l.sop.title, page: m, context: ctx, active: .sops))
        }

        r.page(.get, .observationCase(.key), .eventWrite, "Observation mode: one case's step buttons, stopwatch and note") { req, ctx in
            let l = try await load(s, ctx)
            let t = s.views.strings(ctx.language)
            let q = req.uri.queryParameters
            let ref = (q.get("ref") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            if ref.isEmpty {
                // Start without a typed reference: generate one and come back with it.
                let unit = try chosenUnit(l, q.get("unit"), identity: ctx.identity)
                return .seeOther(SiteURL.observationCase(l.sop.id).path(query: ["ref": generatedReference(now: Date()), "unit": unit.code]))
            }
            guard ref.count <= EventLimits.maxIDLength else { throw AppError.rejected([InputProblem("ref", "too_long", ["\(EventLimits.maxIDLength)"])]) }
            var unit = try chosenUnit(l, q.get("unit"), identity: ctx.identity)
            var events: [PantauStore.ServiceEventRecord] = []
            var closed = false
            if let c = try await s.store.serviceCaseID(sopID: l.sop.id, reference: ref) {
                // An existing case: its own unit, if the caller may see it.
                guard Scope.covers(ctx.identity, unit: c.unitID, tree: l.tree), let u = l.tree.unit(c.unitID) else { throw AppError.notFound }
                unit = u
                let loaded = try await s.store.serviceCase(id: c.id)
                events = loaded.events
                closed = loaded.summary.status == "closed"
            }
            let st = state(l.document, aliases: l.aliases, events: events)
            var m = caseModel(sop: l.sop, document: l.document, reference: ref, unit: unit, state: st, closed: closed, events: events,
                              nonce: UUID().uuidString.lowercased(), now: Date(), language: ctx.language, t: t)
            m.observer = ctx.user.username
            var resp = Response.html(s.views.render("observation_case", title: t["obs_case"] + " " + ref, page: m, context: ctx, active: .sops))
            resp.headers[.cacheControl] = "no-store"
            return resp
        }

        r.page(.post, .observationCase(.key), .eventWrite, "Observation mode without JavaScript: one tap (step start or finish, or close the case) with the server's time") { _, ctx in
            let l = try await load(s, ctx)
            let t = s.views.strings(ctx.language)
            let f = ctx.formData
            let ref = f.text("ref"), nonce = f.text("nonce"), tap = f.text("tap"), note = f.text("note")
            var problems: [InputProblem] = []
            if ref.isEmpty { problems.append(InputProblem("ref", "required")) }
            else if ref.count > EventLimits.maxIDLength { problems.append(InputProblem("ref", "too_long", ["\(EventLimits.maxIDLength)"])) }
            if !validNonce(nonce) { problems.append(InputProblem("nonce", "invalid")) }
            if note.count > EventLimits.maxTextLength { problems.append(InputProblem("note", "too_long", ["\(EventLimits.maxTextLength)"])) }
            var stepID = "", lifecycle = EventLifecycle.complete, closes = false
            if tap == "close" {
                closes = true
            } else {
                let parts = tap.split(separator: "|", maxSplits: 1).map(String.init)
                if parts.count == 2, l.document.step(id: parts[0]) != nil, let lc = EventLifecycle(rawValue: parts[1]) {
                    stepID = parts[0]; lifecycle = lc
                } else {
                    problems.append(InputProblem("tap", "invalid"))
                }
            }
            if !problems.isEmpty { throw AppError.invalid(problems.map { $0.fieldError(t) }) }
            var unit = try chosenUnit(l, f.text("unit"), identity: ctx.identity)
            var st = State()
            if let c = try await s.store.serviceCaseID(sopID: l.sop.id, reference: ref) {
                guard Scope.covers(ctx.identity, unit: c.unitID, tree: l.tree), let u = l.tree.unit(c.unitID) else { throw AppError.notFound }
                unit = u
                st = state(l.document, aliases: l.aliases, events: try await s.store.serviceCase(id: c.id).events)
            }
            let back = SiteURL.observationCase(l.sop.id).path(query: ["ref": ref, "unit": unit.code])
            let eventID: String
            if closes {
                guard let sid = closingStep(l.document, st) else {
                    return .seeOther(back, flash: t["obs_closed"], secure: s.config.secureCookies)
                }
                stepID = sid
                eventID = "obs-f-\(nonce)-close"
            } else {
                eventID = "obs-f-\(nonce)-\(stepID)-\(lifecycle.rawValue)"
            }
            let activity = l.document.step(id: stepID)?.activity ?? stepID
            let input = EventInput(clientID: eventID, sopID: l.sop.id, caseReference: ref, activity: activity, lifecycle: lifecycle,
                                   at: Date(), utcOffset: serverOffset, unitCode: unit.code, note: note.isEmpty ? nil : note,
                                   attributes: ["observer": ctx.user.username], closesCase: closes)
            let outcome = try await PantauMetrics.ingesting(.observation) { try await s.store.ingestEvents([input], scope: scope(ctx, l), by: ctx.actor) }.first
            switch outcome {
            case .stored?:
                s.monitoringChanged()
            case .duplicate?, nil:
                break
            case let .rejected(ps)?:
                throw AppError.invalid(ps.map { $0.fieldError(t) })
            }
            let n = l.document.number(ofStep: stepID) ?? 0
            let msg = closes ? t["obs_closed"]
                : t.format(lifecycle == .start ? "obs_flash_started" : "obs_flash_completed", n, activity)
            return .seeOther(back, flash: msg, secure: s.config.secureCookies)
        }

        r.page(.post, .observationEvents(.key), .eventWrite, "Observation mode: taps queued on the phone (JSON array of events with client ids and the phone's time); per event stored, duplicate or rejected") { req, ctx in
            let l = try await load(s, ctx)
            var req = req
            let data = Data(buffer: try await Guard.collect(&req, limit: ctx.maxUploadSize))
            let parsed = try EventAPI.parse(data, ndjson: false)
            guard parsed.count <= EventLimits.maxBatch else {
                throw AppError.rejected([InputProblem("events", "too_many", ["\(EventLimits.maxBatch)"])])
            }
            let t = s.views.strings(ctx.language)
            func words(_ ps: [InputProblem]) -> [EventDTO.Problem] { ps.map { EventDTO.Problem(field: $0.field, message: $0.message(t)) } }
            var inputs: [EventInput] = []
            var position: [Int] = []
            var results = [EventDTO.Result1?](repeating: nil, count: parsed.count)
            for (i, item) in parsed.enumerated() {
                switch item {
                case let .failure(rej):
                    results[i] = EventDTO.Result1(index: i + 1, event_id: nil, status: "rejected", case_id: nil, errors: words(rej.problems))
                case var .success(ev):
                    // The route names the SOP; an event may repeat it but not name another.
                    if let other = ev.sop_id, other != l.sop.id {
                        results[i] = EventDTO.Result1(index: i + 1, event_id: ev.event_id, status: "rejected", case_id: nil,
                                                      errors: words([InputProblem("sop_id", "unknown_sop", ["\(other)"])]))
                        continue
                    }
                    ev.sop_id = l.sop.id
                    switch ev.input() {
                    case let .failure(rej):
                        results[i] = EventDTO.Result1(index: i + 1, event_id: ev.event_id, status: "rejected", case_id: nil, errors: words(rej.problems))
                    case var .success(input):
                        input.attributes["observer"] = ctx.user.username
                        inputs.append(input)
                        position.append(i)
                    }
                }
            }
            let outcomes = inputs.isEmpty ? [] : try await PantauMetrics.ingesting(.observation) { try await s.store.ingestEvents(inputs, scope: scope(ctx, l), by: ctx.actor) }
            for (k, o) in outcomes.enumerated() {
                let i = position[k], id = inputs[k].clientID
                switch o {
                case let .stored(_, c): results[i] = EventDTO.Result1(index: i + 1, event_id: id, status: "stored", case_id: c, errors: nil)
                case let .duplicate(c): results[i] = EventDTO.Result1(index: i + 1, event_id: id, status: "duplicate", case_id: c, errors: nil)
                case let .rejected(ps): results[i] = EventDTO.Result1(index: i + 1, event_id: id, status: "rejected", case_id: nil, errors: words(ps))
                }
            }
            let all = results.compactMap { $0 }
            let body = EventDTO.Results(stored: all.filter { $0.status == "stored" }.count, duplicates: all.filter { $0.status == "duplicate" }.count,
                                        rejected: all.filter { $0.status == "rejected" }.count, results: all)
            if body.stored > 0 { s.monitoringChanged() }
            return try .json(body)
        }

        r.open(.get, .observationScript, "Observation mode script (taps queued on the phone, stopwatch)", kind: .asset) { _, _ in
            var resp = Response.text(ObservationAssets.script, contentType: "text/javascript; charset=utf-8")
            resp.headers[.cacheControl] = "public, max-age=3600"
            return resp
        }

        r.open(.get, .observationStylesheet, "Observation mode stylesheet (big touch targets, phone width)", kind: .asset) { _, _ in
            var resp = Response.text(ObservationAssets.stylesheet, contentType: "text/css; charset=utf-8")
            resp.headers[.cacheControl] = "public, max-age=3600"
            return resp
        }
    }
}
