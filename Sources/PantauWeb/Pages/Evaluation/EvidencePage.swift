import Foundation
import HTTPTypes
import Hummingbird
import PantauCore
import PantauStore

/// Evidence files of the evaluation cycle (docs/findings-actions.md): the download route
/// `GET /bukti/{id}` and the reading of files from an upload form, shared by every page that
/// takes evidence (findings, notes, follow-up actions, indicator values, Tabel 7/8 records).
enum EvidencePage {
    /// One file of an upload form.
    struct Upload: Sendable {
        var name: String
        var contentType: String
        var bytes: [UInt8]
    }

    /// The form of a request: a `multipart/form-data` body (its text parts as a ``FormData``, its
    /// file parts named `field` with a file name and bytes as uploads), or the urlencoded form
    /// the guard already read (no uploads). The body is capped at the server's upload limit.
    static func form(_ req: Request, _ ctx: some RequestScope, field: String = "evidence") async throws -> (FormData, [Upload]) {
        guard let type = req.headers[.contentType], type.lowercased().hasPrefix("multipart/form-data") else {
            return (ctx.formData, [])
        }
        var req = req
        let body = try await Guard.collect(&req, limit: ctx.base.maxUploadSize)
        guard let boundary = Multipart.boundary(type) else { throw AppError.badRequest("multipart boundary") }
        var pairs: [(String, String)] = []
        var uploads: [Upload] = []
        for p in Multipart.parse(Data(buffer: body), boundary: boundary) {
            if let fileName = p.fileName {
                // An empty file input sends a part with an empty name and no bytes: nothing chosen.
                if p.name == field, !(fileName.isEmpty && p.data.isEmpty) {
                    uploads.append(Upload(name: fileName, contentType: "", bytes: [UInt8](p.data)))
                }
            } else {
                pairs.append((p.name, String(decoding: p.data, as: UTF8.self)))
            }
        }
        return (FormData(pairs: pairs), uploads)
    }

    /// Whether the caller may see the record an evidence file belongs to.
    static func inScope(_ s: AppServices, _ ctx: some RequestScope, _ file: EvidenceFile) async throws -> Bool {
        guard let identity = ctx.base.identity, let scope = try await s.store.evidenceScope(file) else { return false }
        return Scope.covers(identity, unit: scope.unitID, tree: try await s.store.orgTree())
    }

    /// The link to download a file.
    static func link(_ f: EvidenceFile) -> String { SiteURL.evidence(f.id).path }

    /// A file for a template: name, link, size in kB and the start of its SHA-256.
    struct Item: Encodable {
        let name: String
        let url: String
        let size: String
        let sha: String
        init(_ f: EvidenceFile) {
            name = f.name
            url = SiteURL.evidence(f.id).path
            size = f.size < 1024 ? "\(f.size) B" : String(format: "%.0f kB", (Double(f.size) / 1024).rounded(.up))
            sha = String(f.sha256.prefix(12))
        }
    }

    /// `attachment; filename="ascii"; filename*=UTF-8''encoded`.
    static func disposition(_ name: String) -> String {
        let ascii = String(name.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0 != "\"" && $0 != "\\" ? Character($0) : "_" })
        return "attachment; filename=\"\(ascii.isEmpty ? "bukti" : ascii)\"; filename*=UTF-8''" + SiteURL.encode(name)
    }

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.page(.get, .evidence(.key), .evaluationRead, "Download an evidence file (attachment) of a record in the reader's unit scope") { _, ctx in
            let (file, bytes) = try await s.store.evidence(id: try ctx.int64("id"))
            // Out of scope reads as absent, as the records themselves do.
            guard try await inScope(s, ctx, file) else { throw AppError.notFound }
            var headers: HTTPFields = [.contentType: file.contentType]
            headers[.contentDisposition] = disposition(file.name)
            headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
            headers[.cacheControl] = "private, no-store"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }
}
