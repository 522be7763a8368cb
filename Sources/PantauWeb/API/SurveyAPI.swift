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
            case .unknownEducation: errors.append(FieldError(field: "education", message: "one of \(def.profile.educationLevels.map(\.code).joined(separator: ", "))"))
            case .unknownOccupation: errors.append(FieldError(field: "occupation", message: "one of \(def.profile.occupations.map(\.code).joined(separator: ", "))"))
            case .unknownServiceType: errors.append(FieldError(field: "service_type", message: "one of \(def.profile.serviceTypes.map(\.code).joined(separator: ", "))"))
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
