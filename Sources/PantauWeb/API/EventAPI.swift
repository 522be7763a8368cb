import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PantauCore
import PantauStore

/// JSON shapes of the event ingestion API (snake_case keys).
enum EventDTO {
    /// One event as a client sends it. Decoding never fails on a field: each problem is kept with
    /// its field, so one bad event is reported alone and the rest of the batch is stored.
    struct EventIn: Decodable, Sendable {
        var event_id: String?
        var sop_id: Int64?
        var `case`: String?
        var activity: String?
        var lifecycle: String?
        var timestamp: String?
        var start_timestamp: String?
        var resource: String?
        var unit: String?
        var note: String?
        var attributes: [String: String]?
        var case_closed: Bool?
        /// Fields of the wrong JSON type.
        var typeProblems: [InputProblem] = []

        enum CodingKeys: String, CodingKey, CaseIterable {
            case event_id, sop_id, `case`, activity, lifecycle, timestamp, start_timestamp, resource, unit, note, attributes, case_closed
        }

        /// Decoded by PantauCore's ``EventFields`` (pure, fuzzed in `Fuzz/`).
        init(from decoder: any Decoder) throws {
            self.init(try EventFields(from: decoder))
        }

        init(_ f: EventFields) {
            event_id = f.eventID; sop_id = f.sopID; `case` = f.caseReference; activity = f.activity
            lifecycle = f.lifecycle; timestamp = f.timestamp; start_timestamp = f.startTimestamp
            resource = f.resource; unit = f.unit; note = f.note; attributes = f.attributes; case_closed = f.caseClosed
            typeProblems = f.typeProblems.map { InputProblem($0.field, "expected_type", [$0.expected]) }
        }

        init(event_id: String, sop_id: Int64, case c: String, activity: String, timestamp: String, lifecycle: String? = nil,
             start_timestamp: String? = nil, resource: String? = nil, unit: String? = nil) {
            self.event_id = event_id; self.sop_id = sop_id; self.case = c; self.activity = activity; self.timestamp = timestamp
            self.lifecycle = lifecycle; self.start_timestamp = start_timestamp; self.resource = resource; self.unit = unit
        }

        /// The event, or its problems (fields named as in the JSON).
        func input() -> Result<EventInput, EventRejection> {
            var p = typeProblems
            func required(_ v: String?, _ f: String) { if (v ?? "").trimmingCharacters(in: .whitespaces).isEmpty, !p.contains(where: { $0.field == f }) { p.append(InputProblem(f, "required")) } }
            required(event_id, "event_id")
            required(`case`, "case")
            required(activity, "activity")
            if sop_id == nil, !p.contains(where: { $0.field == "sop_id" }) { p.append(InputProblem("sop_id", "required")) }
            var at: (Date, Int)?
            if let ts = timestamp {
                switch EventTimestamp.parse(ts) {
                case let .success(v): at = v
                case let .failure(code): p.append(InputProblem("timestamp", code.rawValue))
                }
            } else if !p.contains(where: { $0.field == "timestamp" }) { p.append(InputProblem("timestamp", "required")) }
            var start: Date?
            if let ts = start_timestamp {
                switch EventTimestamp.parse(ts) {
                case let .success(v): start = v.0
                case let .failure(code): p.append(InputProblem("start_timestamp", code.rawValue))
                }
            }
            let lc = EventLifecycle(rawValue: (lifecycle ?? "complete").lowercased())
            if lc == nil { p.append(InputProblem("lifecycle", "one_of", ["start, complete"])) }
            guard p.isEmpty, let id = event_id, let sop = sop_id, let ref = `case`, let act = activity, let (date, offset) = at, let lc else {
                return .failure(EventRejection(problems: p))
            }
            return .success(EventInput(clientID: id, sopID: sop, caseReference: ref, activity: act, lifecycle: lc, at: date, utcOffset: offset,
                                       startedAt: start, resource: resource, unitCode: unit, note: note, attributes: attributes ?? [:],
                                       closesCase: case_closed ?? false))
        }
    }

    struct EventRejection: Error { var problems: [InputProblem] }

    struct Problem: Codable, Sendable {
        var field: String
        var message: String
    }

    struct Result1: Codable, Sendable {
        /// Position in the batch (1-based; line number for NDJSON).
        var index: Int
        var event_id: String?
        /// stored, duplicate or rejected.
        var status: String
        var case_id: Int64?
        var errors: [Problem]?
    }

    struct Results: Codable, Sendable {
        var stored: Int
        var duplicates: Int
        var rejected: Int
        var results: [Result1]
    }
}

// EventTimestamp (ISO 8601 with a zone) is PantauCore's (Input/EventBatchBody.swift).

/// `POST /api/v1/events` (ingestion) and the monitoring reads of the API.
enum EventAPI {
    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.api(.post, .api(.events), .eventWrite,
              "Record service events: one event, a JSON array, or NDJSON (Content-Type application/x-ndjson); per event: stored, duplicate or rejected") { req, ctx in
            var req = req
            let buf = try await req.collectBody(upTo: ctx.maxUploadSize)
            let data = Data(buffer: buf)
            let ndjson = req.headers[.contentType]?.lowercased().contains("ndjson") ?? false
            let parsed = try parse(data, ndjson: ndjson)
            guard parsed.count <= EventLimits.maxBatch else {
                throw AppError.rejected([InputProblem("events", "too_many", ["\(EventLimits.maxBatch)"])])
            }
            let tree = try await s.store.orgTree()
            let scopeUnits = Scope.units(ctx.identity, tree: tree)
            let who: String = switch ctx.identity { case let .token(t): "token:\(t.name)"; case let .user(u): "user:\(u.username)" }
            let scope = IngestScope(allowedUnits: scopeUnits, defaultUnit: ctx.identity.scopeUnit, source: .api, receivedBy: who)
            var inputs: [EventInput] = []
            var position: [Int] = []
            var results = [EventDTO.Result1?](repeating: nil, count: parsed.count)
            let t = s.views.strings(ctx.language)
            func words(_ ps: [InputProblem]) -> [EventDTO.Problem] { ps.map { EventDTO.Problem(field: $0.field, message: $0.message(t)) } }
            for (i, item) in parsed.enumerated() {
                switch item {
                case let .failure(rej):
                    results[i] = EventDTO.Result1(index: i + 1, event_id: nil, status: "rejected", case_id: nil, errors: words(rej.problems))
                case let .success(ev):
                    switch ev.input() {
                    case let .failure(rej):
                        results[i] = EventDTO.Result1(index: i + 1, event_id: ev.event_id, status: "rejected", case_id: nil, errors: words(rej.problems))
                    case let .success(input):
                        inputs.append(input)
                        position.append(i)
                    }
                }
            }
            let outcomes = inputs.isEmpty ? [] : try await PantauMetrics.ingesting(.api) { try await s.eventQueue.ingest(inputs, scope: scope, by: ctx.actor) }
            for (k, o) in outcomes.enumerated() {
                let i = position[k]
                let id = inputs[k].clientID
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
            // Always 200 with a result per event (as bulk APIs do): the client reads each status.
            return try .json(body)
        }

        r.api(.get, .api(.sopMonitoring(.key)), .monitoringRead,
              "Monitoring figures of an SOP (query from, to as YYYY-MM-DD in WIB, unit_id): cases, compliance, lead times, steps, deviations, variants, process map arcs, overdue cases, units") { req, ctx in
            let (rec, tree) = try await SOPPages.loadApplying(s, ctx)
            let filter = try MonitoringPage.filter(req, identity: ctx.identity, tree: tree)
            let report = try await MonitoringPage.report(s, rec, filter: filter.filter, tree: tree, language: ctx.language)
            return try .json(report)
        }

        r.api(.get, .api(.serviceCase(.key)), .monitoringRead, "One service case: its events in order and its check against the SOP") { _, ctx in
            let c = try await CasePage.loadScoped(s, ctx)
            return try .json(EventDTO.CaseDetail(c.summary, events: c.events, analysis: c.analysis))
        }
    }

    /// The events of a body: one object, an array, or NDJSON lines (blank lines skipped). An
    /// element that is not an event object is rejected alone, naming its position. The splitting
    /// and decoding are PantauCore's ``EventBatchBody`` (pure, fuzzed in `Fuzz/`).
    static func parse(_ data: Data, ndjson: Bool) throws -> [Result<EventDTO.EventIn, EventDTO.EventRejection>] {
        let elements: [EventBatchBody.Element]
        do { elements = try EventBatchBody.split(data, ndjson: ndjson) } catch {
            throw AppError.rejected([InputProblem("events", error.rawValue)])
        }
        return elements.map { fields in
            guard let fields else { return .failure(EventDTO.EventRejection(problems: [InputProblem("event", "not_an_event_object")])) }
            return .success(EventDTO.EventIn(fields))
        }
    }
}
