import Foundation
import PantauCore
import PantauReports
import PantauStore

/// Spreadsheet exports of a survey period: the results (XLSX with several sheets, or one CSV
/// table) and the raw responses (XLSX or CSV). The raw CSV uses the paper-import column names, so
/// it can be read back by the import (with its extra columns `kanal` and `waktu_kirim` allowed).
enum SurveyExports {
    /// CSV for Excel in an Indonesian locale: `;`, UTF-8 BOM, cells starting with `=`, `+`, `-`, `@`
    /// neutralised so a hostile saran cannot become a formula.
    static let csvOptions = CSVWriter.Options.excelIndonesia

    static func num(_ v: Double?, _ format: XLSXNumberFormat = .twoDecimals) -> XLSXCell {
        guard let v else { return .empty }
        return .number(v, format)
    }

    static func resultsXLSX(_ s: AppServices, _ lang: Language, _ survey: SurveyRecord, _ tree: OrgTree, _ period: SurveyPeriod,
                            _ r: SKMResult, trend: SKMTrend, plan: [SurveyFollowUpRecord]) throws -> Data {
        let t = s.views.strings(lang)
        let sl = lang.survey
        var summary: [[XLSXCell]] = [
            [.text(t["survey_service"]), .text(survey.name)],
            [.text(t["unit"]), .text(tree.unit(survey.unitID)?.name ?? "")],
            [.text(t["survey_period"]), .text(period.label(sl))],
            [.text(t["survey_respondents"]), .integer(r.respondentCount)],
            [.text(t["survey_index"]), num(r.index, .fourDecimals)],
            [.text("IKM"), num(r.ikm)],
            [.text(t["survey_grade"]), .text(r.grade?.rawValue ?? "")],
            [.text(t["survey_performance"]), .text(r.grade?.label.text(sl) ?? "")],
        ]
        if let sample = r.sample {
            summary += [
                [.text(t["survey_population"]), .integer(sample.population)],
                [.text(t["survey_sample_required"]), .integer(sample.required)],
                [.text(t["survey_sample_adequate"]), .bool(sample.isAdequate)],
            ]
        }
        if r.weightsRenormalized {
            summary.append([.text(t["survey_unanswered_unsur"]), .text(r.unsurWithoutAnswers.map(\.rawValue).joined(separator: ", "))])
        }
        let unsurRows: [[XLSXCell]] = r.unsur.enumerated().map { i, u in
            [.text("U\(i + 1)"), .text(u.code.rawValue), .text(u.name.text(sl)), .number(u.weight.doubleValue, .fourDecimals),
             .integer(u.answered), .integer(u.unanswered)] + u.answerCounts.map { XLSXCell.integer($0) }
                + [.integer(u.scoreSum), num(u.nrr, .fourDecimals), num(u.weightedNRR, .fourDecimals), num(u.convertedNRR), .text(u.grade?.rawValue ?? "")]
        }
        let unsurHeader = ["No", t["survey_code"], t["survey_unsur"], t["survey_weight"], t["survey_answered"], t["survey_unanswered"],
                           t["survey_answer"] + " 1", t["survey_answer"] + " 2", t["survey_answer"] + " 3", t["survey_answer"] + " 4",
                           t["survey_score_sum"], "NRR", t["survey_nrr_weighted"], "NRR × 25", t["survey_grade"]]
        var profileRows: [[XLSXCell]] = []
        for b in r.profile {
            for g in b.groups {
                profileRows.append([.text(b.label.text(sl)), .text(g.label.text(sl)), .integer(g.respondents), .number(g.share, .percent),
                                    num(g.ikm), .text(g.grade?.rawValue ?? "")])
            }
        }
        let trendRows: [[XLSXCell]] = trend.points.map { p in
            [.text(p.period.label(sl)), .integer(p.respondentCount), num(p.ikm), .text(p.grade?.rawValue ?? ""), num(p.change)]
        }
        let planRows: [[XLSXCell]] = plan.map { f in
            [.text(f.unsur?.rawValue ?? ""), .text(f.problem), .text(f.action), .text(f.owner), f.dueDate.map { XLSXCell.date($0) } ?? .empty,
             .text(t["followup_status_\(f.status.rawValue)"]), .text(f.links.joined(separator: "\n"))]
        }
        let book = XLSXWorkbook(sheets: [
            XLSXSheet(name: t["survey_sheet_summary"], header: [t["survey_item"], t["survey_value"]], rows: summary, columnWidths: [28, 50]),
            XLSXSheet(name: t["survey_sheet_nrr"], header: unsurHeader, rows: unsurRows, columnWidths: [5, 14, 40]),
            XLSXSheet(name: t["survey_sheet_profile"],
                      header: [t["survey_question"], t["survey_group"], t["survey_respondents"], t["survey_share"], "IKM", t["survey_grade"]],
                      rows: profileRows, columnWidths: [18, 30]),
            XLSXSheet(name: t["survey_sheet_trend"], header: [t["survey_period"], t["survey_respondents"], "IKM", t["survey_grade"], t["survey_change"]],
                      rows: trendRows, columnWidths: [22]),
            XLSXSheet(name: "RTL", header: [t["survey_unsur"], t["followup_problem"], t["followup_action"], t["followup_owner"], t["followup_due"],
                                            t["status"], t["followup_links"]], rows: planRows, columnWidths: [14, 40, 40, 24, 12, 14, 40]),
        ], title: "SKM \(survey.name) \(period.label(sl))", creator: "Pantau")
        do { return try XLSXWriter().write(book) } catch { throw AppError.badRequest("\(error)") }
    }

    /// NRR per unsur as one table; the last row holds the IKM and grade.
    static func resultsCSV(_ lang: Language, _ survey: SurveyRecord, _ r: SKMResult) -> Data {
        let sl = lang.survey
        func n(_ v: Double?, _ d: Int) -> String { v.map { String(format: "%.\(d)f", $0).replacingOccurrences(of: ".", with: ",") } ?? "" }
        var rows: [[String]] = [["no", "kode", "unsur", "bobot", "dijawab", "tidak_dijawab", "jawaban_1", "jawaban_2", "jawaban_3", "jawaban_4",
                                 "nrr", "nrr_tertimbang", "nrr_x25", "mutu"]]
        for (i, u) in r.unsur.enumerated() {
            rows.append(["U\(i + 1)", u.code.rawValue, u.name.text(sl), u.weight.description, "\(u.answered)", "\(u.unanswered)"]
                        + u.answerCounts.map(String.init) + [n(u.nrr, 4), n(u.weightedNRR, 4), n(u.convertedNRR, 2), u.grade?.rawValue ?? ""])
        }
        rows.append(["IKM", "ikm", sl == .indonesian ? "Indeks Kepuasan Masyarakat" : "Citizen Satisfaction Index", "1",
                     "\(r.respondentCount)", "", "", "", "", "", n(r.index, 4), n(r.index, 4), n(r.ikm, 2), r.grade?.rawValue ?? ""])
        return CSVWriter.data(rows, options: csvOptions)
    }

    /// The column names are PantauCore's (``SurveyCSVColumn``), which the paper import reads back.
    static func rawHeader(_ survey: SurveyRecord) -> [String] { SurveyCSVColumn.exportHeader(survey.definition) }

    static func rawCSV(_ survey: SurveyRecord, _ items: [StoredSurveyResponse]) -> Data {
        let codes = survey.definition.unsurCodes
        var w = CSVWriter(options: csvOptions)
        w.writeRow(rawHeader(survey))
        let iso = ISO8601DateFormatter()
        iso.timeZone = .wib
        for r in items {
            let p = r.response.profile
            w.writeRow(["\(r.id)", r.response.id ?? "", r.date.description, r.response.time?.description ?? "", r.channel.rawValue,
                        p.gender?.rawValue ?? "", p.age.map(String.init) ?? "", p.education ?? "", p.occupation ?? "", p.occupationDetail ?? "",
                        p.serviceType ?? ""]
                       + codes.map { r.response.answers[$0].map(String.init) ?? "" }
                       + [r.response.saran ?? "", r.response.caseReference ?? "", iso.string(from: r.submittedAt)])
        }
        return w.data
    }

    static func rawXLSX(_ survey: SurveyRecord, _ period: SurveyPeriod, _ items: [StoredSurveyResponse]) throws -> Data {
        let codes = survey.definition.unsurCodes
        let rows: [[XLSXCell]] = items.map { r in
            let p = r.response.profile
            func text(_ s: String?) -> XLSXCell { s.map { XLSXCell.text($0) } ?? .empty }
            return [.integer(Int(r.id)), text(r.response.id), .date(r.date), text(r.response.time?.description), .text(r.channel.rawValue),
                    text(p.gender?.rawValue), p.age.map { XLSXCell.integer($0) } ?? .empty, text(p.education), text(p.occupation),
                    text(p.occupationDetail), text(p.serviceType)]
                + codes.map { c in r.response.answers[c].map { XLSXCell.integer($0) } ?? .empty }
                + [text(r.response.saran), text(r.response.caseReference), .dateTime(r.submittedAt)]
        }
        let book = XLSXWorkbook(sheets: [XLSXSheet(name: "Respons", header: rawHeader(survey), rows: rows, columnWidths: [8, 12, 12, 7, 8])],
                                title: "SKM \(survey.name) \(period) respons", creator: "Pantau")
        do { return try XLSXWriter().write(book) } catch { throw AppError.badRequest("\(error)") }
    }
}
