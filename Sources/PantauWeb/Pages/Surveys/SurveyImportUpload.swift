import Foundation
import Hummingbird
import PantauCore

/// The paper-survey import form with an uploaded file (issue 10 §6): a `multipart/form-data`
/// post whose part `file` is an Excel workbook (.xlsx, told by its ZIP signature) or a CSV file
/// gives its content as the form's `csv` text, so the import reads it exactly as pasted CSV. A
/// workbook's first visible sheet is read (``XLSXReader``) and turned into CSV with one record per
/// spreadsheet row, so the rows the import names are the spreadsheet's; date cells arrive as
/// `yyyy-MM-dd` (`tanggal`) and time cells as `HH:mm:ss` (`jam`). A urlencoded post is the form
/// as it was.
enum SurveyImportUpload {
    /// The submitted form, with an uploaded file's content as `csv`.
    /// - Throws: ``XLSXReadError`` when the upload is a workbook that cannot be read.
    static func form(_ req: Request, _ ctx: UserContext) async throws -> FormData {
        guard req.headers[.contentType]?.lowercased().hasPrefix("multipart/form-data") == true else {
            return try await submittedForm(req, ctx.base)
        }
        let (form, files) = try await EvidencePage.form(req, ctx, field: "file")
        guard let file = files.first, !file.bytes.isEmpty else { return form }
        let data = Data(file.bytes)
        let text = XLSXReader.looksLikeZip(data) ? try XLSXReader().read(data).csv.text : String(decoding: data, as: UTF8.self)
        return FormData(pairs: form.pairs.filter { $0.0 != "csv" } + [("csv", text)])
    }
}
