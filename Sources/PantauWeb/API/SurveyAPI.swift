import Foundation
import HTTPTypes
import Hummingbird
import PantauCore
import PantauStore

/// JSON shapes of the survey API (snake_case keys).
enum SurveyDTO {
    struct Summary: Codable, Sendable {
        var id: Int64
        var unit_id: Int64
        var sop_id: Int64?
        var code: String
        var name: String
        var period_kind: String
        var active: Bool
        var public_url: String
    }

    struct Detail: Codable, Sendable {
        var survey: Summary
        /// The unsur (code, question, answer labels, weight) and profile lists, as Pantau stores them.
        var definition: SurveyDefinition
    }

    /// One choice of a profile list: its code, labels and the other names the paper import accepts.
    struct ChoiceInput: Codable, Sendable {
        var code: String
        /// Indonesian label (default the code).
        var label: String?
        /// English label (default the Indonesian one).
        var label_en: String?
        var aliases: [String]?
    }

    /// The profile questions' lists; an absent list keeps the survey's (the standard one for a new survey).
    struct ProfileInput: Codable, Sendable {
        var education_levels: [ChoiceInput]?
        var occupations: [ChoiceInput]?
        var service_types: [ChoiceInput]?
        var asks_age: Bool?
    }

    /// `POST /surveys` (a survey with the nine standard unsur; `unit_id` and `name` required) and
    /// `PUT /surveys/{id}` (absent fields keep their values; the unsur and weights are set in the web form).
    struct SurveyWrite: Codable, Sendable {
        var unit_id: Int64?
        var sop_id: Int64?
        var name: String?
        var period_kind: String?
        var active: Bool?
        var profile: ProfileInput?
    }

    /// A response from a kiosk or another application. Answers are keyed by unsur code; an absent
    /// code is unanswered.
    struct ResponseInput: Codable, Sendable {
        var answers: [String: Int]
        var gender: String?
        var age: Int?
        var education: String?
        var occupation: String?
        var occupation_detail: String?
        var service_type: String?
        var suggestion: String?
        var case_reference: String?
        /// `kiosk` or `api` (default `api`).
        var channel: String?
        /// Survey date (YYYY-MM-DD, default today in WIB) and time (HH:MM).
        var date: String?
        var time: String?
    }

    struct ResponseCreated: Codable, Sendable {
        var id: Int64
        var survey_id: Int64
        var channel: String
        var date: String
        var period: String
        var submitted_at: Date
    }

    struct UnsurResult: Codable, Sendable {
        var code: String
        var name: String
        var weight: String
        var answered: Int
        var unanswered: Int
        var answer_counts: [Int]
        var nrr: Double?
        var weighted_nrr: Double?
        var converted_nrr: Double?
        var grade: String?
    }

    struct Group: Codable, Sendable {
        var code: String?
        var label: String
        var respondents: Int
        var share: Double
        var ikm: Double?
        var grade: String?
    }

    struct Breakdown: Codable, Sendable {
        var dimension: String
        var groups: [Group]
    }

    struct Sample: Codable, Sendable {
        var population: Int
        var required: Int
        var collected: Int
        var adequate: Bool
        var shortfall: Int
    }

    struct Results: Codable, Sendable {
        var survey_id: Int64
        var period: String
        var period_label: String
        var respondents: Int
        /// Σ NRR × weight on the 1–4 scale.
        var index: Double?
        var ikm: Double?
        var grade: String?
        var grade_label: String?
        var unsur: [UnsurResult]
        /// Answered unsur, lowest NRR first.
        var priorities: [String]
        var unsur_without_answers: [String]
        var weights_renormalized: Bool
        var sample: Sample?
        var profile: [Breakdown]
        var published: Bool
    }
}

/// `/api/v1/surveys`: survey definitions for kiosks, response submission and results.
enum SurveyAPI {
    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.api(.get, .api(.surveys), .surveyRead, "List surveys (SKM) in the caller's units") { _, ctx in
            let tree = try await s.store.orgTree()
            return try .json(try await s.store.surveys(unitIDs: Scope.units(ctx.identity, tree: tree)).map { summary(s, $0) })
        }

        r.api(.get, .api(.survey(.key)), .surveyRead, "Get a survey with its unsur, questions, answer labels and weights") { _, ctx in
            let (survey, _) = try await SurveyAccess.load(s, ctx)
            return try .json(SurveyDTO.Detail(survey: summary(s, survey), definition: survey.definition))
        }

        r.api(.post, .api(.surveys), .surveyManage, "Set up a survey with the nine standard unsur, its period kind and its profile lists (with aliases)") { req, ctx in
            let body = try await APIRoutes.decode(SurveyDTO.SurveyWrite.self, req, ctx)
            let input = try surveyInput(body, existing: nil)
            try await SOPPages.requireScope(s, ctx, unit: input.unitID)
            do {
                let rec = try await s.store.createSurvey(input, by: ctx.actor)
                return try .json(SurveyDTO.Detail(survey: summary(s, rec), definition: rec.definition), status: .created)
            } catch let e as StoreError {
                throw e.appError
            }
        }

        r.api(.put, .api(.survey(.key)), .surveyManage, "Update a survey's name, period kind, state and profile lists (absent fields keep their values)") { req, ctx in
            let (survey, _) = try await SurveyAccess.load(s, ctx)
            let body = try await APIRoutes.decode(SurveyDTO.SurveyWrite.self, req, ctx)
            let input = try surveyInput(body, existing: survey)
            try await SOPPages.requireScope(s, ctx, unit: input.unitID)
            do {
                let rec = try await s.store.updateSurvey(id: survey.id, input, by: ctx.actor)
                return try .json(SurveyDTO.Detail(survey: summary(s, rec), definition: rec.definition))
            } catch let e as StoreError {
                throw e.appError
            }
        }

        r.api(.get, .api(.surveyResults(.key)), .surveyRead, "Results of a period (query period=2026-Q3; default the latest with responses): NRR, IKM, grade, sample, profile") { req, ctx in
            let (survey, _) = try await SurveyAccess.load(s, ctx)
            let counts = try await s.store.responseCounts(surveyID: survey.id, kind: survey.periodKind)
            let period = try SurveyAnalysis.period(req.uri.queryParameters.get("period"), survey, counts: counts)
            let (result, record) = try await SurveyAnalysis.current(s, survey, period)
            return try .json(results(survey, period, result, published: record?.isPublished ?? false, language: ctx.language))
        }

        r.api(.post, .api(.surveyResponses(.key)), .surveySubmit, "Submit a response (kiosks and other applications of the unit)") { req, ctx in
            let (survey, _) = try await SurveyAccess.load(s, ctx)
            // Kiosks and apps are limited too (ten times a person's allowance), per token or user.
            let who: String = switch ctx.identity { case let .token(t): "token:\(t.id)"; case let .user(u): "user:\(u.id)" }
            let decision = try await s.store.rateLimitHit(key: "skm-api:" + who, limit: s.config.surveyRateLimit * 10, window: s.config.surveyRateWindow)
            guard decision.allowed else { throw AppError.tooManyRequests(retryAfter: decision.retryAfter) }
            let body = try await APIRoutes.decode(SurveyDTO.ResponseInput.self, req, ctx)
            let (response, channel) = try responseInput(body, survey.definition)
            do {
                let stored = try await s.store.submitResponse(surveyID: survey.id, response, channel: channel, by: ctx.actor)
                PantauMetrics.surveySubmitted(source: .api)
                return try .json(SurveyDTO.ResponseCreated(
                    id: stored.id, survey_id: survey.id, channel: stored.channel.rawValue, date: stored.date.description,
                    period: SurveyPeriod(containing: stored.date, kind: survey.periodKind).description, submitted_at: stored.submittedAt),
                    status: .created)
            } catch let e as StoreError {
                throw e.appError
            }
        }
    }

    static func summary(_ s: AppServices, _ v: SurveyRecord) -> SurveyDTO.Summary {
        SurveyDTO.Summary(id: v.id, unit_id: v.unitID, sop_id: v.sopID, code: v.code, name: v.name, period_kind: v.periodKind.rawValue,
                          active: v.active, public_url: surveyPublicURL(s, v.code))
    }

    /// The survey input of a create or update body (`existing` nil: create), or every problem as
    /// ``InputProblem`` codes named by JSON path (`profile.education_levels[2].aliases`, 1-based as in decoding errors).
    static func surveyInput(_ b: SurveyDTO.SurveyWrite, existing: SurveyRecord?) throws -> SurveyInput {
        var problems: [InputProblem] = []
        let unitID = b.unit_id ?? existing?.unitID
        if unitID == nil { problems.append(InputProblem("unit_id", "required")) }
        let name = (b.name ?? existing?.name ?? "").trimmed
        if name.isEmpty { problems.append(InputProblem("name", "required")) }
        if name.count > 200 { problems.append(InputProblem("name", "too_long", ["200"])) }
        var kind = existing?.periodKind ?? .quarter
        if let k = b.period_kind {
            if let v = SurveyPeriod.Kind(rawValue: k) { kind = v } else {
                problems.append(InputProblem("period_kind", "one_of", [SurveyPeriod.Kind.allCases.map(\.rawValue).joined(separator: ", ")]))
            }
        }
        var def = existing?.definition ?? .standard(service: SurveyService(unitID: unitID.map { "\($0)" } ?? ""))
        if let p = b.profile {
            func list(_ choices: [SurveyDTO.ChoiceInput]?, _ key: String, _ kind: ProfileListKind, required: Bool, into path: WritableKeyPath<RespondentProfileSchema, [ProfileChoice]>) {
                guard let choices else { return }
                let list = choices.map { c -> ProfileChoice in
                    let code = c.code.trimmed
                    let id = (c.label ?? "").trimmed.isEmpty ? code : (c.label ?? "").trimmed
                    let en = (c.label_en ?? "").trimmed.isEmpty ? id : (c.label_en ?? "").trimmed
                    return ProfileChoice(code, id, en, aliases: (c.aliases ?? []).map(\.trimmed).filter { !$0.isEmpty })
                }
                problems += SurveyProfileLists.problems(list, kind: kind, required: required) { i, part in
                    "profile.\(key)" + (i.map { "[\($0 + 1)]" } ?? "") + (part.isEmpty ? "" : ".\(part)")
                }.map(\.problem)
                def.profile[keyPath: path] = list
            }
            list(p.education_levels, "education_levels", .education, required: true, into: \.educationLevels)
            list(p.occupations, "occupations", .occupation, required: true, into: \.occupations)
            list(p.service_types, "service_types", .serviceType, required: false, into: \.serviceTypes)
            if let a = p.asks_age { def.profile.asksAge = a }
        }
        if !problems.isEmpty { throw AppError.rejected(problems) }
        return SurveyInput(unitID: unitID ?? 0, sopID: b.sop_id ?? existing?.sopID, name: name, periodKind: kind, definition: def,
                           active: b.active ?? existing?.active ?? true)
    }

    /// A list's accepted values as `CODE (English label)`, the label only where it differs from the code.
    static func accepted(_ list: [ProfileChoice]) -> String {
        ProfileChoiceAliases.acceptedValues(list, .english).joined(separator: ", ")
    }

    /// The response of a request body, with every problem named by its JSON path.
    static func responseInput(_ b: SurveyDTO.ResponseInput, _ def: SurveyDefinition) throws -> (SurveyResponse, SurveyChannel) {
        var errors: [FieldError] = []
        var answers: [UnsurCode: Int] = [:]
        for (code, score) in b.answers { answers[UnsurCode(code)] = score }
        var profile = RespondentProfile(education: b.education, occupation: b.occupation, occupationDetail: b.occupation_detail,
                                        serviceType: b.service_type, age: b.age)
        if let g = b.gender {
            if let v = RespondentGender(parsing: g) { profile.gender = v } else { errors.append(FieldError(field: "gender", message: "L or P")) }
        }
        let channel: SurveyChannel
        switch b.channel ?? "api" {
        case "api": channel = .api
        case "kiosk": channel = .kiosk
        default:
            errors.append(FieldError(field: "channel", message: "kiosk or api"))
            channel = .api
        }
        var date: CivilDate?
        if let d = b.date {
            date = CivilDate(d)
            if date == nil { errors.append(FieldError(field: "date", message: "expected YYYY-MM-DD")) }
            else if let x = date, x > CivilDate(Date()) { errors.append(FieldError(field: "date", message: "must not be in the future")) }
        }
        var time: SurveyTimeOfDay?
        if let t = b.time {
            time = SurveyTimeOfDay(t)
            if time == nil { errors.append(FieldError(field: "time", message: "expected HH:MM")) }
        }
        // What a valid response is, PantauCore's one validator decides; here only its codes become
        // this API's field names and messages.
        let response = SurveyResponse(date: date, time: time, profile: profile, answers: answers, saran: b.suggestion,
                                      caseReference: b.case_reference).normalized(against: def)
        for p in response.validate(against: def) {
            let arg = p.arguments.first ?? ""
            switch p.code {
            case .unknownUnsur: errors.append(FieldError(field: p.field.path, message: "unknown unsur; expected one of \(def.unsurCodes.map(\.rawValue).joined(separator: ", "))"))
            case .scoreOutOfRange: errors.append(FieldError(field: p.field.path, message: "score must be 1, 2, 3 or 4"))
            case .noAnswer: errors.append(FieldError(field: "answers", message: "answer at least one unsur"))
            case .ageOutOfRange: errors.append(FieldError(field: "age", message: "whole years 1-130"))
            case .unknownEducation: errors.append(FieldError(field: "education", message: "one of \(accepted(def.profile.educationLevels)) (a code, a label or an alias)"))
            case .unknownOccupation: errors.append(FieldError(field: "occupation", message: "one of \(accepted(def.profile.occupations)) (a code, a label or an alias)"))
            case .unknownServiceType: errors.append(FieldError(field: "service_type", message: "one of \(accepted(def.profile.serviceTypes)) (a code, a label or an alias)"))
            case .tooLong:
                let field: String
                switch p.field {
                case .saran: field = "suggestion"
                case .caseReference: field = "case_reference"
                case .occupationDetail: field = "occupation_detail"
                case .serviceType: field = "service_type"
                default: field = p.field.path
                }
                errors.append(FieldError(field: field, message: "at most \(arg) characters"))
            }
        }
        if !errors.isEmpty { throw AppError.invalid(errors) }
        return (response, channel)
    }

    static func results(_ survey: SurveyRecord, _ period: SurveyPeriod, _ r: SKMResult, published: Bool, language: Language) -> SurveyDTO.Results {
        let lang = language.survey
        return SurveyDTO.Results(
            survey_id: survey.id, period: period.description, period_label: period.label(lang), respondents: r.respondentCount,
            index: r.index, ikm: r.ikm, grade: r.grade?.rawValue, grade_label: r.grade?.label.text(lang),
            unsur: r.unsur.map { u in
                SurveyDTO.UnsurResult(code: u.code.rawValue, name: u.name.text(lang), weight: u.weight.description, answered: u.answered,
                                      unanswered: u.unanswered, answer_counts: u.answerCounts, nrr: u.nrr, weighted_nrr: u.weightedNRR,
                                      converted_nrr: u.convertedNRR, grade: u.grade?.rawValue)
            },
            priorities: r.priorities.map(\.code.rawValue), unsur_without_answers: r.unsurWithoutAnswers.map(\.rawValue),
            weights_renormalized: r.weightsRenormalized,
            sample: r.sample.map { SurveyDTO.Sample(population: $0.population, required: $0.required, collected: $0.collected,
                                                   adequate: $0.isAdequate, shortfall: $0.shortfall) },
            profile: r.profile.map { b in
                SurveyDTO.Breakdown(dimension: b.dimension.rawValue, groups: b.groups.map {
                    SurveyDTO.Group(code: $0.code, label: $0.label.text(lang), respondents: $0.respondents, share: $0.share, ikm: $0.ikm, grade: $0.grade?.rawValue)
                })
            },
            published: published)
    }
}
