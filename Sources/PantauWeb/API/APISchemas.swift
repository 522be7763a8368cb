import Foundation
import PantauCore
import PantauStore

// The JSON Schema of every body the API reads or sends, one per Codable type, in the order of
// the types in APIRoutes.swift and SurveyAPI.swift. What the server sends is `closed` (no other
// property); what it reads is open (unknown properties are ignored). OpenAPITests encodes a
// sample of each type and validates it against its schema, and compares the property names with
// the type's stored properties, so a field added to a DTO without its schema fails the tests.

private let unitLevels = UnitLevel.allCases.map(\.rawValue)
private let sopStatuses = SOPStatus.allCases.map(\.rawValue)

// MARK: Errors

extension FieldError: JSONSchemaDescribed {
    static var schemaName: String { "FieldError" }
    /// `label` is the form's field label, for the HTML error summary; nil (absent) in API bodies.
    static var propertiesNotInTheAPI: Set<String> { ["label"] }
    static var jsonSchema: JSONSchema {
        .object(required: ["field": .string("JSON path of the field, e.g. `langkah[4].pelaksana`; empty for the whole body"),
                           "message": .string()], closed: true)
    }
}

extension Problem: JSONSchemaDescribed {
    static var schemaName: String { "Problem" }
    static var jsonSchema: JSONSchema {
        .object(required: ["type": .string("`about:blank`"), "title": .string("Short summary in the caller's language"),
                           "status": .integer("The HTTP status code", minimum: 400, maximum: 599, int64: false)],
                optional: ["detail": .string(), "errors": .array(.ref(FieldError.self), "One entry per invalid field (400, 409)")],
                closed: true, "An RFC 9457 problem body")
    }
}

// MARK: Units and SOPs

extension DTO.Unit: JSONSchemaDescribed {
    static var schemaName: String { "Unit" }
    static var jsonSchema: JSONSchema {
        .object(required: ["id": .id, "code": .string, "name": .string, "level": .oneOf(unitLevels),
                           "head_name": .string("Head of the unit (may be empty)"), "head_nip": .string("NIP of the head (may be empty)")],
                optional: ["parent_id": .integer("Absent for the top unit", minimum: 1)], closed: true)
    }
}

extension DTO.UnitInput: JSONSchemaDescribed {
    static var schemaName: String { "UnitInput" }
    static var jsonSchema: JSONSchema {
        .object(required: ["code": .string, "name": .string, "level": .oneOf(unitLevels)],
                optional: ["parent_id": .integer("The parent unit; absent for a top unit", minimum: 1), "head_name": .string,
                           "head_nip": .string("NIP: 18 digits")], closed: false)
    }
}

extension DTO.SOPSummary: JSONSchemaDescribed {
    static var schemaName: String { "SOPSummary" }
    static var jsonSchema: JSONSchema {
        .object(required: ["id": .id, "unit_id": .id, "number": .string, "title": .string, "latest_version": .integer(minimum: 1, int64: false),
                           "latest_status": .oneOf(sopStatuses), "updated_at": .dateTime],
                optional: ["effective_version": .integer("The version in force, if any", minimum: 1, int64: false)], closed: true)
    }
}

extension DTO.Version: JSONSchemaDescribed {
    static var schemaName: String { "SOPVersion" }
    static var jsonSchema: JSONSchema {
        .object(required: ["sop_id": .id, "version": .integer(minimum: 1, int64: false), "status": .oneOf(sopStatuses),
                           "change_note": .string, "created_at": .dateTime, "updated_at": .dateTime, "document": .ref(SOPDocument.self)],
                optional: ["approved_at": .dateTime, "effective_from": .date()], closed: true)
    }
}

extension DTO.SOPDetail: JSONSchemaDescribed {
    static var schemaName: String { "SOPDetail" }
    static var jsonSchema: JSONSchema {
        .object(required: ["sop": .ref(DTO.SOPSummary.self), "latest": .ref(DTO.Version.self, "The newest version")],
                optional: ["effective": .ref(DTO.Version.self, "The version in force, if any")], closed: true)
    }
}

extension DTO.PageOf: JSONSchemaDescribed where T: JSONSchemaDescribed {
    static var schemaName: String { T.schemaName + "Page" }
    static var jsonSchema: JSONSchema {
        .object(required: ["items": .array(.ref(T.self)), "total": .count, "page": .integer(minimum: 1, int64: false),
                           "per_page": .integer(minimum: 1, maximum: 200, int64: false)], closed: true)
    }
}

extension DTO.SOPCreate: JSONSchemaDescribed {
    static var schemaName: String { "SOPCreate" }
    static var jsonSchema: JSONSchema {
        .object(required: ["unit_id": .id, "document": .ref(SOPDocument.self)], optional: ["change_note": .string], closed: false)
    }
}

extension DTO.SOPUpdate: JSONSchemaDescribed {
    static var schemaName: String { "SOPUpdate" }
    static var jsonSchema: JSONSchema {
        .object(required: ["document": .ref(SOPDocument.self)], optional: ["change_note": .string], closed: false)
    }
}

extension DTO.NewVersion: JSONSchemaDescribed {
    static var schemaName: String { "NewVersion" }
    static var jsonSchema: JSONSchema { .object(required: [:], optional: ["change_note": .string], closed: false) }
}

extension DTO.Approve: JSONSchemaDescribed {
    static var schemaName: String { "Approve" }
    static var jsonSchema: JSONSchema {
        .object(required: [:], optional: ["effective_from": .date("Date the version takes effect (default: today)")], closed: false)
    }
}

// MARK: The SOP document (PantauCore; the file schema of docs/sop-format.md)

extension SOPDocument: JSONSchemaDescribed {
    static var schemaName: String { "SOPDocument" }
    static var jsonSchema: JSONSchema {
        let approver = JSONSchema.object(required: ["jabatan": .string, "nama": .string, "nip": .string], closed: false)
        let relation = JSONSchema.object(required: ["nomor": .string], optional: ["judul": .string, "hubungan": .string], closed: false)
        let identity = JSONSchema.object(
            required: ["unit": .string, "nomor": .string, "judul": .string],
            optional: ["tanggal_pembuatan": .date(), "tanggal_revisi": .date(), "tanggal_efektif": .date(), "disahkan_oleh": approver,
                       "dasar_hukum": .array(.string), "keterkaitan": .array(relation), "peringatan": .string,
                       "kualifikasi_pelaksana": .array(.string), "peralatan": .array(.string), "pencatatan": .array(.string),
                       "jenis": .oneOf(SOPType.allCases.map(\.rawValue)), "kelas_kegiatan": .oneOf(ActivityClass.allCases.map(\.rawValue))],
            closed: false)
        let actor = JSONSchema.object(required: ["id": .string, "nama": .string], closed: false)
        let standard = JSONSchema.object(
            required: [:],
            optional: ["kelengkapan": .string, "output": .string,
                       "waktu": JSONSchema.string("Time standard, e.g. `1 jam`, `45 menit` (a bare number is minutes)").or(.number)],
            closed: false)
        let step = JSONSchema.object(
            required: ["id": .string, "kegiatan": .string],
            optional: ["jenis": .oneOf(StepKind.allCases.map(\.rawValue)), "pelaksana": .string("Id of an entry of `pelaksana`"),
                       "mutu_baku": standard, "keterangan": .string, "berikutnya": .string("Id of the next step"),
                       "ya": .string("Decision: the step on yes"), "tidak": .string("Decision: the step on no"), "pertanyaan": .string,
                       "nama_di_log": .array(.string, "Activity names of this step in event logs")],
            closed: false)
        return .object(required: ["identitas": identity, "pelaksana": .array(actor, minItems: 1), "langkah": .array(step, "In table order; the first `mulai` step starts a case", minItems: 1)],
                       closed: false,
                       "An SOP in the Pantau SOP file schema (keys in Bahasa Indonesia). See docs/sop-format.md.")
    }
}

// MARK: Surveys (SKM)

extension SurveyDTO.Summary: JSONSchemaDescribed {
    static var schemaName: String { "SurveySummary" }
    static var jsonSchema: JSONSchema {
        .object(required: ["id": .id, "unit_id": .id, "code": .string("Short code of the public form /s/{code}"), "name": .string,
                           "period_kind": .oneOf(SurveyPeriod.Kind.allCases.map(\.rawValue)), "active": .boolean, "public_url": .string],
                optional: ["sop_id": .integer("The SOP whose service the survey rates", minimum: 1)], closed: true)
    }
}

extension SurveyDefinition: JSONSchemaDescribed {
    static var schemaName: String { "SurveyDefinition" }
    static var jsonSchema: JSONSchema {
        .object(required: ["service": .object(required: [:], closed: false, "The service and unit the survey rates"),
                           "items": .array(.object(required: [:], closed: false), "Each with its `unsur` (`code`, `name`, `question`, four `answerLabels` in id/en) and `weight` (e.g. 0.15 or \"1/9\")"),
                           "profile": .object(required: [:], closed: false, "educationLevels, occupations, serviceTypes (each choice: code, label in id/en, optional aliases), asksAge")],
                optional: ["title": .object(required: [:], closed: false, "The form's title in id/en")],
                closed: false, "The survey definition as Pantau stores it")
    }
}

extension SurveyDTO.ChoiceInput: JSONSchemaDescribed {
    static var schemaName: String { "SurveyProfileChoiceInput" }
    static var jsonSchema: JSONSchema {
        .object(required: ["code": .string("Stored code, e.g. SMA, D1-D3, PNS (unique in its list, compared without case, spaces or punctuation)",
                                            maxLength: SurveyProfileLists.maxCodeLength)],
                optional: ["label": .string("Indonesian label (default: the code)", maxLength: SurveyProfileLists.maxLabelLength),
                           "label_en": .string("English label (default: the Indonesian label)", maxLength: SurveyProfileLists.maxLabelLength),
                           "aliases": .array(.string(maxLength: SurveyProfileLists.maxAliasLength),
                                             "Other names the paper import accepts for this choice, besides the standard ones (D3, Sarjana, SLTA, ASN, Wiraswasta, ...); a name of another choice is refused (profile_alias_conflict)")],
                closed: false)
    }
}

extension SurveyDTO.ProfileInput: JSONSchemaDescribed {
    static var schemaName: String { "SurveyProfileInput" }
    static var jsonSchema: JSONSchema {
        .object(required: [:],
                optional: ["education_levels": .array(.ref(SurveyDTO.ChoiceInput.self), "Pendidikan, lowest level first; at least one"),
                           "occupations": .array(.ref(SurveyDTO.ChoiceInput.self), "Pekerjaan; at least one"),
                           "service_types": .array(.ref(SurveyDTO.ChoiceInput.self), "Jenis layanan; empty: respondents write their own"),
                           "asks_age": .boolean],
                closed: false, "An absent list keeps the survey's (a new survey: the PermenPANRB 14/2017 sample list)")
    }
}

extension SurveyDTO.SurveyWrite: JSONSchemaDescribed {
    static var schemaName: String { "SurveyWrite" }
    static var jsonSchema: JSONSchema {
        .object(required: [:],
                optional: ["unit_id": .integer("Required to create", minimum: 1), "sop_id": .integer("The SOP whose service the survey rates", minimum: 1),
                           "name": .string("Name of the service; required to create", maxLength: 200),
                           "period_kind": .oneOf(SurveyPeriod.Kind.allCases.map(\.rawValue), "Default quarter"),
                           "active": .boolean, "profile": .ref(SurveyDTO.ProfileInput.self)],
                closed: false, "Create: the nine standard unsur with equal weights (unsur and weights are edited in the web form). Update: absent fields keep their values")
    }
}

extension SurveyDTO.Detail: JSONSchemaDescribed {
    static var schemaName: String { "SurveyDetail" }
    static var jsonSchema: JSONSchema {
        .object(required: ["survey": .ref(SurveyDTO.Summary.self), "definition": .ref(SurveyDefinition.self)], closed: true)
    }
}

extension SurveyDTO.ResponseInput: JSONSchemaDescribed {
    static var schemaName: String { "SurveyResponseInput" }
    static var jsonSchema: JSONSchema {
        .object(
            required: ["answers": .map(.integer(minimum: 1, maximum: 4, int64: false),
                                       "Score 1-4 per unsur code, e.g. {\"persyaratan\": 4, \"waktu\": 3}; an absent code is unanswered; at least one",
                                       minProperties: 1)],
            optional: ["gender": .oneOf(["L", "P"]), "age": .integer("Whole years", minimum: 1, maximum: 130, int64: false),
                       "education": .string("A code of the survey's education list"),
                       "occupation": .string("PNS, TNI, POLRI, SWASTA, WIRAUSAHA or LAINNYA"), "occupation_detail": .string,
                       "service_type": .string("A code of the survey's service types, or free text when it has none"),
                       "suggestion": .string("Saran", maxLength: PantauStore.saranMaxLength),
                       "case_reference": .string("The service case the response rates (e.g. the receipt number)"),
                       "channel": .oneOf(["kiosk", "api"], "Default api"), "date": .date("Default: today (WIB); not in the future"),
                       "time": .string("HH:MM (24-hour; also H.MM or HH:MM:SS)", pattern: "^([01]?[0-9]|2[0-3])[:.][0-5]?[0-9]([:.][0-5]?[0-9])?$")],
            closed: false)
    }
}

extension SurveyDTO.ResponseCreated: JSONSchemaDescribed {
    static var schemaName: String { "SurveyResponseCreated" }
    static var jsonSchema: JSONSchema {
        .object(required: ["id": .id, "survey_id": .id, "channel": .oneOf(SurveyChannel.allCases.map(\.rawValue)), "date": .date(),
                           "period": .string("The survey period the response counts in, e.g. 2026-Q3"), "submitted_at": .dateTime],
                closed: true)
    }
}

private let grades = ["A", "B", "C", "D"]

extension SurveyDTO.UnsurResult: JSONSchemaDescribed {
    static var schemaName: String { "SurveyUnsurResult" }
    static var jsonSchema: JSONSchema {
        .object(required: ["code": .string, "name": .string, "weight": .string("Exact fraction, e.g. 1/9"), "answered": .count,
                           "unanswered": .count, "answer_counts": .array(.count, "Answers 1, 2, 3 and 4")],
                optional: ["nrr": .number("Mean score (1-4)"), "weighted_nrr": .number(), "converted_nrr": .number("NRR × 25"),
                           "grade": .oneOf(grades)], closed: true)
    }
}

extension SurveyDTO.Group: JSONSchemaDescribed {
    static var schemaName: String { "SurveyProfileGroup" }
    static var jsonSchema: JSONSchema {
        .object(required: ["label": .string, "respondents": .count, "share": .number("Share of respondents, 0-1")],
                optional: ["code": .string, "ikm": .number(), "grade": .oneOf(grades)], closed: true)
    }
}

extension SurveyDTO.Breakdown: JSONSchemaDescribed {
    static var schemaName: String { "SurveyProfileBreakdown" }
    static var jsonSchema: JSONSchema {
        .object(required: ["dimension": .string, "groups": .array(.ref(SurveyDTO.Group.self))], closed: true)
    }
}

extension SurveyDTO.Sample: JSONSchemaDescribed {
    static var schemaName: String { "SurveySample" }
    static var jsonSchema: JSONSchema {
        .object(required: ["population": .count, "required": .count, "collected": .count, "adequate": .boolean, "shortfall": .count],
                closed: true, "Sample adequacy against the population (Krejcie-Morgan)")
    }
}

extension SurveyDTO.Results: JSONSchemaDescribed {
    static var schemaName: String { "SurveyResults" }
    static var jsonSchema: JSONSchema {
        .object(required: ["survey_id": .id, "period": .string("2026-Q3, 2026-07, 2026-S1 or 2026"), "period_label": .string,
                           "respondents": .count, "unsur": .array(.ref(SurveyDTO.UnsurResult.self)),
                           "priorities": .array(.string, "Answered unsur, lowest NRR first"), "unsur_without_answers": .array(.string),
                           "weights_renormalized": .boolean, "profile": .array(.ref(SurveyDTO.Breakdown.self)), "published": .boolean],
                optional: ["index": .number("Σ NRR × weight (1-4)"), "ikm": .number("IKM 25-100, rounded to 2 decimals"),
                           "grade": .oneOf(grades), "grade_label": .string, "sample": .ref(SurveyDTO.Sample.self)],
                closed: true)
    }
}

/// The OpenAPI document itself (`GET /api/v1/openapi.json`).
struct OpenAPIDocumentBody: JSONSchemaDescribed {
    static var schemaName: String { "OpenAPIDocument" }
    static var jsonSchema: JSONSchema {
        .object(required: ["openapi": .string, "info": .object(required: [:], closed: false), "paths": .object(required: [:], closed: false)],
                closed: false, "This OpenAPI 3.1 document")
    }
}

// MARK: Monitoring

extension EventDTO.EventIn: Encodable, JSONSchemaDescribed {
    static var schemaName: String { "EventInput" }
    static var jsonSchema: JSONSchema {
        .object(
            required: ["event_id": .string("The sender's id of the event; a repeated id is acknowledged, not stored twice (per SOP)",
                                           minLength: 1, maxLength: EventLimits.maxIDLength),
                       "sop_id": .id, "case": .string("The case's reference: receipt, queue or registration number", minLength: 1,
                                                     maxLength: EventLimits.maxIDLength),
                       "activity": .string("The step done, as the sender names it (mapped to an SOP step by name or alias)", minLength: 1,
                                           maxLength: EventLimits.maxActivityLength),
                       "timestamp": .string("Completion (or start, with lifecycle start): ISO 8601 with a zone, e.g. 2026-11-30T09:15:00+07:00",
                                            format: "date-time")],
            optional: ["lifecycle": .oneOf(EventLifecycle.allCases.map(\.rawValue), "Default complete"),
                       "start_timestamp": .string("Start of the activity when start and completion come in one event", format: "date-time"),
                       "resource": .string("The officer", maxLength: EventLimits.maxIDLength),
                       "unit": .string("Code of the unit that served the case (default: the sender's unit, else the SOP's)"),
                       "note": .string(maxLength: EventLimits.maxTextLength),
                       "attributes": .map(.string, "Other attributes, kept as text"),
                       "case_closed": JSONSchema.boolean.described("The case is finished with this event")],
            closed: false, "One service event; send one object, a JSON array, or NDJSON (Content-Type application/x-ndjson)")
    }
    static var propertiesNotInTheAPI: Set<String> { ["typeProblems"] }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(event_id, forKey: .event_id); try c.encodeIfPresent(sop_id, forKey: .sop_id)
        try c.encodeIfPresent(`case`, forKey: .case); try c.encodeIfPresent(activity, forKey: .activity)
        try c.encodeIfPresent(lifecycle, forKey: .lifecycle); try c.encodeIfPresent(timestamp, forKey: .timestamp)
        try c.encodeIfPresent(start_timestamp, forKey: .start_timestamp); try c.encodeIfPresent(resource, forKey: .resource)
        try c.encodeIfPresent(unit, forKey: .unit); try c.encodeIfPresent(note, forKey: .note)
        try c.encodeIfPresent(attributes, forKey: .attributes); try c.encodeIfPresent(case_closed, forKey: .case_closed)
    }
}

extension EventDTO.Problem: JSONSchemaDescribed {
    static var schemaName: String { "EventProblem" }
    static var jsonSchema: JSONSchema { .object(required: ["field": .string, "message": .string], closed: true) }
}

extension EventDTO.Result1: JSONSchemaDescribed {
    static var schemaName: String { "EventResult" }
    static var jsonSchema: JSONSchema {
        .object(required: ["index": .integer("Position in the batch, from 1 (NDJSON: among the non-blank lines)", minimum: 1, int64: false),
                           "status": .oneOf(["stored", "duplicate", "rejected"])],
                optional: ["event_id": .string, "case_id": .id, "errors": .array(.ref(EventDTO.Problem.self))], closed: true)
    }
}

extension EventDTO.Results: JSONSchemaDescribed {
    static var schemaName: String { "EventResults" }
    static var jsonSchema: JSONSchema {
        .object(required: ["stored": .count, "duplicates": .count, "rejected": .count, "results": .array(.ref(EventDTO.Result1.self))], closed: true)
    }
}

extension EventDTO.EventOut: JSONSchemaDescribed {
    static var schemaName: String { "ServiceEvent" }
    static var jsonSchema: JSONSchema {
        .object(required: ["id": .id, "event_id": .string, "activity": .string, "lifecycle": .oneOf(EventLifecycle.allCases.map(\.rawValue)),
                           "timestamp": .dateTime, "source": .oneOf(EventSource.allCases.map(\.rawValue))],
                optional: ["start_timestamp": .dateTime, "resource": .string, "note": .string], closed: true)
    }
}

extension EventDTO.DeviationOut: JSONSchemaDescribed {
    static var schemaName: String { "CaseDeviation" }
    static var jsonSchema: JSONSchema {
        .object(required: ["kind": .oneOf(["skipped", "unexpected", "repeated", "out_of_order"]), "activity": .string],
                optional: ["step_id": .string, "event_index": .count], closed: true)
    }
}

private var caseStatus: JSONSchema { .oneOf(["open", "closed"]) }

extension EventDTO.CaseDetail: JSONSchemaDescribed {
    static var schemaName: String { "ServiceCase" }
    static var jsonSchema: JSONSchema {
        .object(required: ["id": .id, "reference": .string, "unit_id": .id, "status": caseStatus,
                           "deviations": .array(.ref(EventDTO.DeviationOut.self)), "events": .array(.ref(EventDTO.EventOut.self))],
                optional: ["version": .integer(minimum: 1, int64: false), "opened_at": .dateTime, "last_event_at": .dateTime,
                           "compliant": .boolean, "lead_seconds": .number(), "standard_seconds": .number()], closed: true)
    }
}

private var shareSchema: JSONSchema { .number("Share, 0-1") }
private var secondsSchema: JSONSchema { .number("Seconds") }

extension MonitoringReport.Step: JSONSchemaDescribed {
    static var schemaName: String { "MonitoringStep" }
    static var jsonSchema: JSONSchema {
        .object(required: ["id": .string, "number": .integer(minimum: 1, int64: false), "activity": .string, "actor": .string,
                           "recorded": .boolean, "cases": .count, "occurrences": .count, "within_standard": .count, "measured": .count,
                           "excess_seconds": secondsSchema, "rework_seconds": secondsSchema, "skipped": .count, "unexpected": .count,
                           "repeated": .count, "out_of_order": .count, "over_standard": .boolean,
                           "never_seen": JSONSchema.boolean.described("Recorded per the SOP, yet no event of it at all: probably not recorded")],
                optional: ["standard_seconds": secondsSchema, "mean_seconds": secondsSchema, "within_standard_share": shareSchema,
                           "mean_waiting_seconds": secondsSchema], closed: true)
    }
}

extension MonitoringReport.Outside: JSONSchemaDescribed {
    static var schemaName: String { "MonitoringOutsideActivity" }
    static var jsonSchema: JSONSchema { .object(required: ["activity": .string, "cases": .count, "events": .count], closed: true) }
}

extension MonitoringReport.DeviationLine: JSONSchemaDescribed {
    static var schemaName: String { "MonitoringDeviation" }
    static var jsonSchema: JSONSchema {
        .object(required: ["kind": .oneOf(["skipped", "unexpected", "repeated", "out_of_order", "bottleneck"]), "activity": .string,
                           "cases": .count, "share": shareSchema, "text": .string("In words, in the request's language")],
                optional: ["step_id": .string, "step_number": .integer(minimum: 1, int64: false)], closed: true)
    }
}

extension MonitoringReport.Variant: JSONSchemaDescribed {
    static var schemaName: String { "MonitoringVariant" }
    static var jsonSchema: JSONSchema {
        .object(required: ["cases": .count, "share": shareSchema, "compliant": .boolean,
                           "path": .array(.string, "Step ids, or ?activity outside the SOP"), "labels": .array(.string)], closed: true)
    }
}

extension MonitoringReport.Arc: JSONSchemaDescribed {
    static var schemaName: String { "MonitoringArc" }
    static var jsonSchema: JSONSchema {
        .object(required: ["source": .string("Step id, ?activity, or ^ (case start)"), "target": .string("Step id, ?activity, or $ (case end)"),
                           "count": .count], optional: ["mean_seconds": secondsSchema], closed: true)
    }
}

extension MonitoringReport.CaseRow: JSONSchemaDescribed {
    static var schemaName: String { "MonitoringCase" }
    static var jsonSchema: JSONSchema {
        .object(required: ["id": .id, "reference": .string, "unit": .string, "status": caseStatus],
                optional: ["opened_at": .dateTime, "age_seconds": secondsSchema, "standard_seconds": secondsSchema, "compliant": .boolean], closed: true)
    }
}

extension MonitoringReport.UnitRow: JSONSchemaDescribed {
    static var schemaName: String { "MonitoringUnit" }
    static var jsonSchema: JSONSchema {
        .object(required: ["unit_id": .id, "unit": .string, "cases": .count],
                optional: ["compliance": shareSchema, "median_lead_seconds": secondsSchema, "within_standard_share": shareSchema], closed: true)
    }
}

extension MonitoringReport: JSONSchemaDescribed {
    static var schemaName: String { "Monitoring" }
    static var jsonSchema: JSONSchema {
        .object(required: ["sop_id": .id, "sop_number": .string, "sop_title": .string, "version": .integer(minimum: 1, int64: false),
                           "cases": .count, "closed_cases": .count, "open_cases": .count, "compliant_cases": .count, "rework_cases": .count,
                           "steps": .array(.ref(MonitoringReport.Step.self)), "outside_sop": .array(.ref(MonitoringReport.Outside.self)),
                           "deviations": .array(.ref(MonitoringReport.DeviationLine.self), "Most frequent first"),
                           "variants": .array(.ref(MonitoringReport.Variant.self)), "variant_count": .count,
                           "arcs": .array(.ref(MonitoringReport.Arc.self)), "overdue_cases": .array(.ref(MonitoringReport.CaseRow.self)),
                           "units": .array(.ref(MonitoringReport.UnitRow.self))],
                optional: ["from": .date(), "to": .date(), "unit_id": .id, "compliance": shareSchema, "median_lead_seconds": secondsSchema,
                           "p90_lead_seconds": secondsSchema, "total_standard_seconds": secondsSchema, "within_total_standard_share": shareSchema,
                           "rework_share": shareSchema, "bottleneck": .ref(MonitoringReport.DeviationLine.self), "last_event_at": .dateTime],
                closed: true)
    }
}
