import Foundation
import HTTPTypes
import Hummingbird
import PantauCore
import PantauStore

/// `/sops/{id}/impor-kejadian`: a log file (CSV, CSV.gz, XES, XES.gz, XLSX) uploaded as cases of the SOP
/// (docs/monitoring.md, "Impor kejadian lewat web").
///
/// 1. `POST /sops/{id}/impor-kejadian` takes the file (a `multipart/form-data` part `file`, or the
///    text of a CSV/XES in the form field `text`), keeps it in a server-side temporary file named by
///    a random id and tied to the user and the SOP, and redirects to
/// 2. `GET /sops/{id}/impor-kejadian?unggahan={id}`: the detected columns with a select per property,
///    the time zone of timestamps without offset, and the first 10 events as they will be read (the
///    file streamed once: counts and the first problem, never the whole log in memory);
/// 3. `POST /sops/{id}/impor-kejadian/jalankan` previews again with another mapping, or imports in
///    the background (``ImportJobs``; the shared streaming ``EventLogImport``): all or nothing (a
///    report naming row, case, column and reason; nothing stored), or skipping bad rows. The form
///    waits up to 2 s (`wait`), then redirects to
/// 4. `GET /sops/{id}/impor-kejadian/kemajuan?proses={job}`: a progress bar that refreshes itself
///    (or JSON), then the figures. The temporary file is deleted after a successful import, and any
///    upload older than an hour when the next one arrives.
enum EventImportPage {
    // MARK: Temporary uploads

    /// An .xlsx workbook is read as the CSV of its first visible sheet (``XLSXTable/csv``).
    enum Kind: String { case csv, xes, xlsx }

    /// One uploaded file kept between the steps.
    struct Upload: Sendable {
        let id: String
        let fileName: String
        let kind: Kind
        let url: URL
    }

    struct UploadMeta: Codable { var user: Int64; var sop: Int64; var name: String; var kind: String; var created: Double }

    /// Uploads live in a private directory of the system's temporary directory; the client only
    /// ever sends the random id, which must name an upload of the same user and SOP, younger than
    /// `maxAge`.
    enum Uploads {
        static let maxAge: TimeInterval = 3600
        static var directory: URL { FileManager.default.temporaryDirectory.appendingPathComponent("pantau-event-uploads", isDirectory: true) }

        static func isValidID(_ id: String) -> Bool { id.count == 32 && id.allSatisfy { $0.isHexDigit && !$0.isUppercase } }

        static func save(_ data: Data, fileName: String, kind: Kind, user: Int64, sop: Int64) throws -> String {
            let dir = directory
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            // A directory someone else made (a shared /tmp) is not used: they could read the uploads.
            let attrs = try FileManager.default.attributesOfItem(atPath: dir.path)
            guard (attrs[.ownerAccountID] as? NSNumber)?.uint32Value == getuid(),
                  ((attrs[.posixPermissions] as? NSNumber)?.intValue ?? 0o777) & 0o077 == 0 else {
                throw AppError.badRequest("upload directory \(dir.path) is not private to this server")
            }
            sweep()
            var rng = SystemRandomNumberGenerator()
            let id = (0..<2).map { _ in String(format: "%016llx", rng.next() as UInt64) }.joined()
            try data.write(to: dir.appendingPathComponent(id + ".data"), options: .withoutOverwriting)
            let meta = UploadMeta(user: user, sop: sop, name: fileName, kind: kind.rawValue, created: Date().timeIntervalSince1970)
            try JSONEncoder().encode(meta).write(to: dir.appendingPathComponent(id + ".json"))
            return id
        }

        static func open(_ id: String, user: Int64, sop: Int64) -> Upload? {
            guard isValidID(id) else { return nil }
            let dir = directory
            guard let d = try? Data(contentsOf: dir.appendingPathComponent(id + ".json")),
                  let m = try? JSONDecoder().decode(UploadMeta.self, from: d),
                  m.user == user, m.sop == sop, Date().timeIntervalSince1970 - m.created < maxAge, let kind = Kind(rawValue: m.kind)
            else { return nil }
            let url = dir.appendingPathComponent(id + ".data")
            guard FileManager.default.fileExists(atPath: url.path) else { return nil }
            return Upload(id: id, fileName: m.name, kind: kind, url: url)
        }

        static func remove(_ id: String) {
            guard isValidID(id) else { return }
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(id + ".data"))
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(id + ".json"))
        }

        /// Deletes uploads older than `maxAge`.
        static func sweep(now: Date = Date()) {
            let fm = FileManager.default
            guard let names = try? fm.contentsOfDirectory(atPath: directory.path) else { return }
            for n in names {
                let url = directory.appendingPathComponent(n)
                let modified = (try? fm.attributesOfItem(atPath: url.path)[.modificationDate] as? Date) ?? now
                if now.timeIntervalSince(modified) > maxAge { try? fm.removeItem(at: url) }
            }
        }
    }

    // MARK: Mapping

    /// Which CSV column holds which property (column names as in the header; "" for none) and the
    /// zone of timestamps written without offset.
    struct Mapping: Equatable, Sendable {
        var caseID = "", activity = "", timestamp = "", start = "", resource = "", unit = ""
        var timeZone = "Asia/Jakarta"

        static let fields = ["case", "activity", "timestamp", "start", "resource", "unit"]

        subscript(field: String) -> String {
            get {
                switch field {
                case "case": caseID
                case "activity": activity
                case "timestamp": timestamp
                case "start": start
                case "resource": resource
                default: unit
                }
            }
            set {
                switch field {
                case "case": caseID = newValue
                case "activity": activity = newValue
                case "timestamp": timestamp = newValue
                case "start": start = newValue
                case "resource": resource = newValue
                default: unit = newValue
                }
            }
        }

        /// Header names the reader would pick for each property (same lists as `CSVColumnMapping`).
        static let candidates: [String: [String]] = [
            "case": ["case:concept:name", "case id", "case_id", "caseid", "case", "id kasus"],
            "activity": ["concept:name", "activity", "activity name", "activity_name", "aktivitas", "kegiatan"],
            "timestamp": ["time:timestamp", "timestamp", "complete timestamp", "complete_timestamp", "end timestamp",
                          "end_timestamp", "end time", "end_time", "completed", "waktu selesai", "time"],
            "start": ["start_timestamp", "start timestamp", "start time", "start_time", "waktu mulai"],
            "resource": ["org:resource", "resource", "user", "pelaksana", "petugas"],
            "unit": ["org:group", "unit", "unit kerja", "unit_kerja", "department"],
        ]

        /// The columns detected from the header (pure).
        static func detected(header: [String]) -> Mapping {
            var m = Mapping()
            var used = Set<Int>()
            let lower = header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            for f in fields {
                for c in candidates[f] ?? [] {
                    if let k = lower.firstIndex(of: c), !used.contains(k) {
                        used.insert(k)
                        m[f] = header[k]
                        break
                    }
                }
            }
            return m
        }

        /// The reader's mapping: every property as chosen; a property chosen as none keeps the
        /// reader from detecting it (its candidate columns are then read as plain attributes' names
        /// are: not at all).
        func csvMapping(header: [String]) -> CSVColumnMapping {
            func v(_ s: String) -> String? { s.isEmpty ? nil : s }
            let chosen = Set(Self.fields.map { self[$0].lowercased() }.filter { !$0.isEmpty })
            var ignored: [String] = []
            for f in Self.fields where self[f].isEmpty {
                for h in header where (Self.candidates[f] ?? []).contains(h.lowercased()) && !chosen.contains(h.lowercased()) { ignored.append(h) }
            }
            return CSVColumnMapping(caseID: v(caseID), activity: v(activity), timestamp: v(timestamp), startTimestamp: v(start),
                                    resource: v(resource), unit: v(unit), ignored: ignored)
        }

        static func from(_ get: (String) -> String?) -> Mapping? {
            guard get("m_case") != nil else { return nil }
            var m = Mapping()
            for f in fields { m[f] = (get("m_" + f) ?? "").trimmingCharacters(in: .whitespaces) }
            if let tz = get("tz"), !tz.isEmpty { m.timeZone = tz }
            return m
        }
    }

    static let timeZones = ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura", "UTC"]

    // MARK: Reading

    /// A problem found while reading the file: where (line, column) and why.
    struct ReadProblem: Equatable, Sendable {
        var line: Int
        var column: String
        var code: String
        var value: String
    }

    /// The file's header (CSV), from the reader itself: a mapping naming a column that cannot exist
    /// makes it answer with the columns it found.
    static func csvHeader(_ url: URL) -> Result<[String], EventLogError> {
        var o = CSVReader.Options(mapping: CSVColumnMapping(caseID: "\u{1}"))
        o.maxDecompressedBytes = maxDecompressed
        do {
            _ = try CSVReader(options: o).read(contentsOf: url)
            return .success([])
        } catch let e as EventLogError {
            if case let .missingColumn(_, available, _) = e { return .success(available) }
            return .failure(e)
        } catch {
            return .failure(.io(path: url.lastPathComponent, message: "\(error)"))
        }
    }

    /// Compressed uploads may not grow beyond this when read.
    static let maxDecompressed = 100 << 20

    /// The CSV of an .xlsx upload's first visible sheet, or why it cannot be read (no line: the
    /// reader's message names the part and cell).
    static func xlsxCSV(_ url: URL) -> (XLSXTable.CSV?, ReadProblem?) {
        do {
            let data = try Data(contentsOf: url)
            return (try XLSXReader(options: .init(maxPartBytes: maxDecompressed)).read(data).csv, nil)
        } catch let e as XLSXReadError {
            return (nil, ReadProblem(line: 0, column: "", code: "xlsx", value: e.description))
        } catch {
            return (nil, ReadProblem(line: 0, column: "", code: "xlsx", value: "\(error)"))
        }
    }

    /// The header of CSV bytes (see ``csvHeader(_:)``).
    static func csvHeader(data: Data) -> Result<[String], EventLogError> {
        var o = CSVReader.Options(mapping: CSVColumnMapping(caseID: "\u{1}"))
        o.delimiter = UInt8(ascii: ",")
        do {
            _ = try CSVReader(options: o).read(data: data)
            return .success([])
        } catch let e as EventLogError {
            if case let .missingColumn(_, available, _) = e { return .success(available) }
            return .failure(e)
        } catch {
            return .failure(.io(path: "", message: "\(error)"))
        }
    }

    static func problem(_ e: EventLogError, header: [String]) -> ReadProblem {
        func col(_ at: InputLocation) -> String { at.column >= 1 && at.column <= header.count ? header[at.column - 1] : at.column > 0 ? "#\(at.column)" : "" }
        switch e {
        case let .invalidTimestamp(value, field, at): return ReadProblem(line: at.line, column: field, code: "invalid_timestamp", value: value)
        case let .missingColumn(name, _, at): return ReadProblem(line: at.line, column: name, code: "missing_column", value: "")
        case let .missingValue(field, at): return ReadProblem(line: at.line, column: field, code: "missing_value", value: "")
        case let .wrongFieldCount(expected, found, at): return ReadProblem(line: at.line, column: col(at), code: "field_count", value: "\(found)/\(expected)")
        case let .unterminatedQuote(at), let .truncatedGzip(at), let .emptyInput(at):
            return ReadProblem(line: at.line, column: col(at), code: "malformed", value: "")
        case let .malformedCSV(m, at), let .malformedXML(m, at), let .notXES(m, at), let .corruptGzip(m, at):
            return ReadProblem(line: at.line, column: col(at), code: "malformed", value: m)
        case let .decompressedTooLarge(limit, _): return ReadProblem(line: 0, column: "", code: "too_large", value: "\(limit >> 20) MB")
        case let .io(_, m), let .tooLarge(m): return ReadProblem(line: 0, column: "", code: "malformed", value: m)
        }
    }

    /// What the mapping step shows: the first events in file order, and how many events and cases
    /// the file has (a case is counted at its first event).
    struct Preview: Equatable {
        var first: [StreamedEvent] = []
        var events = 0
        var cases = 0
    }

    /// Reads the whole upload once, streaming (memory: one chunk and the first events, whatever the
    /// file's size), for the preview; or the first problem that stops the reading.
    static func previewRead(_ up: Upload, mapping: Mapping, header: [String], count: Int = 10) -> (Preview?, [ReadProblem]) {
        var p = Preview()
        do {
            let source = try openSource(up, mapping: mapping, header: header, skipBadRows: false)()
            while let chunk = try source.next(maxEvents: EventLimits.maxBatch) {
                for e in chunk {
                    if p.first.count < count { p.first.append(e) }
                    if e.position == 1 { p.cases += 1 }
                }
                p.events += chunk.count
            }
            return (p, [])
        } catch {
            return (nil, [readProblem(error, header: header)])
        }
    }

    static func isGzip(_ d: Data) -> Bool { d.count >= 2 && d[d.startIndex] == 0x1f && d[d.startIndex + 1] == 0x8b }

    // MARK: Model

    struct Model {
        struct Column { let field: String; let label: String; let required: Bool; let options: [Option] }
        struct PreviewRow { let caseID: String; let activity: String; let start: String; let completion: String; let resource: String; let unit: String }
        struct Problem { let place: String; let column: String; let value: String; let reason: String }
        struct Result {
            let stored: Int; let duplicates: Int; let rejected: Int; let cases: Int; let seconds: String; let rate: String
        }
        let title: String
        let number: String
        let monitoringHref: String
        let action: String
        let runAction: String
        let errors: [FieldError]
        /// Step 2: an upload is being mapped.
        let uploadID: String?
        let fileName: String
        let isCSV: Bool
        let columns: [Column]
        let zones: [Option]
        let preview: [PreviewRow]
        let events: Int?
        let cases: Int
        let skip: Bool
        let problems: [Problem]
        let problemsMore: Int?
        let nothingStored: Bool
        /// Problems found by a preview (nothing was attempted yet).
        let previewProblems: Bool
        let stoppedAfter: Int?
        let result: Result?
    }

    static let maxProblemsShown = 200

    static func when(_ t: Double?, zone: TimeZone) -> String {
        guard let t, t.isFinite else { return "" }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = zone
        f.dateFormat = "yyyy-MM-dd HH:mm:ss xxx"
        return f.string(from: Date(timeIntervalSince1970: t))
    }

    /// The first events as they will be read, in file order (pure).
    static func preview(_ p: Preview, zone: TimeZone) -> [Model.PreviewRow] {
        p.first.map { e in
            .init(caseID: e.caseID, activity: e.activity, start: when(e.start, zone: zone), completion: when(e.complete, zone: zone),
                  resource: e.resource ?? "", unit: e.unit ?? "")
        }
    }

    /// A reading problem in words (pure).
    static func problem(_ p: ReadProblem, _ t: Strings) -> Model.Problem {
        .init(place: p.line > 0 ? t.format("evimp_line", p.line) : t["evimp_whole_file"], column: p.column, value: p.value,
              reason: t["evimp_read_\(p.code)"])
    }

    /// A refused event in words: its case and position, the column it came from, the reason (pure).
    static func problems(_ r: EventLogImport.Rejection, mapping: Mapping, isCSV: Bool, _ t: Strings) -> [Model.Problem] {
        let place = r.position <= 0 ? t["evimp_whole_batch"]
            : r.line > 0 ? t.format("evimp_line_case_event", r.line, r.caseID, r.position) : t.format("evimp_case_event", r.caseID, r.position)
        return r.problems.map { p in
            let column: String
            if isCSV, Mapping.fields.contains(p.field), !mapping[p.field].isEmpty { column = mapping[p.field] }
            else { column = p.field }
            return .init(place: place, column: column, value: r.activity, reason: p.message(t))
        }
    }

    static func columnOptions(header: [String], selected: String, required: Bool, t: Strings) -> [Option] {
        (required ? [] : [Option(value: "", label: t["evimp_none"], selected: selected.isEmpty)])
            + header.map { Option(value: $0, label: $0, selected: $0 == selected) }
    }

    /// The page (pure). `upload` with `header` and `log`: step 2; `report`: after an import.
    static func model(rec: SOPRecord, upload: Upload?, header: [String], mapping: Mapping, preview pv: Preview?, readProblems: [ReadProblem],
                      report: EventLogImport.Report?, seconds: Double, skip: Bool, attempted: Bool, errors: [FieldError], t: Strings) -> Model {
        let isCSV = upload?.kind == .csv || upload?.kind == .xlsx
        let zone = TimeZone(identifier: mapping.timeZone) ?? TimeZone(identifier: "Asia/Jakarta")!
        let labels = ["case": "evimp_col_case", "activity": "evimp_col_activity", "timestamp": "evimp_col_timestamp",
                      "start": "evimp_col_start", "resource": "evimp_col_resource", "unit": "evimp_col_unit"]
        let columns: [Model.Column] = !isCSV ? [] : Mapping.fields.map { f in
            let req = f == "case" || f == "activity"
            return Model.Column(field: f, label: t[labels[f]!], required: req, options: columnOptions(header: header, selected: mapping[f], required: req, t: t))
        }
        var shown = readProblems.map { problem($0, t) }
        if let report { shown += report.rejected.flatMap { problems($0, mapping: mapping, isCSV: isCSV, t) } }
        let done = report.flatMap { $0.ending == .completed ? $0 : nil }
        let result = done.map { r in
            Model.Result(stored: r.stored, duplicates: r.duplicates, rejected: r.rejected.count + readProblems.count, cases: r.casesTouched.count,
                         seconds: String(format: "%.1f", seconds),
                         rate: seconds > 0 ? String(Int((Double(r.stored + r.duplicates) / seconds).rounded())) : "–")
        }
        return Model(
            title: rec.title, number: rec.number, monitoringHref: SiteURL.sopMonitoring(rec.id).path,
            action: SiteURL.sopEventImport(rec.id).path, runAction: SiteURL.sopEventImportRun(rec.id).path, errors: errors,
            uploadID: result == nil ? upload?.id : nil, fileName: upload?.fileName ?? "", isCSV: isCSV, columns: columns,
            zones: timeZones.map { Option(value: $0, label: $0, selected: $0 == mapping.timeZone) },
            preview: pv.map { preview($0, zone: zone) } ?? [], events: pv?.events, cases: pv?.cases ?? 0, skip: skip,
            problems: Array(shown.prefix(maxProblemsShown)), problemsMore: shown.count > maxProblemsShown ? shown.count - maxProblemsShown : nil,
            nothingStored: attempted && (report?.ending == .invalid || (report == nil && !readProblems.isEmpty)),
            previewProblems: !attempted && !readProblems.isEmpty,
            stoppedAfter: report?.ending == .stoppedInBatch ? report?.stored : nil, result: result)
    }

    // MARK: Handlers

    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.page(.get, .sopEventImport(.key), .monitoringManage, "Event log upload (CSV, XES, XES.gz): the form, then the column mapping and a preview") { req, ctx in
            let (rec, _) = try await SOPPages.loadScoped(s, ctx)
            guard let id = req.uri.queryParameters.get("unggahan") else { return try await render(s, ctx, rec) }
            guard let up = Uploads.open(id, user: ctx.user.id, sop: rec.id) else { return try await expired(s, ctx, rec) }
            return try await mappingStep(s, ctx, rec, up, mapping: nil, skip: false)
        }

        r.page(.post, .sopEventImport(.key), .monitoringManage, "Upload an event log (multipart file or pasted text), kept for the mapping step") { req, ctx in
            let (rec, _) = try await SOPPages.loadScoped(s, ctx)
            let t = s.views.strings(ctx.language)
            var data = Data()
            var name = ""
            if let type = req.headers[.contentType], type.lowercased().hasPrefix("multipart/form-data") {
                var req = req
                let body = try await Guard.collect(&req, limit: ctx.base.maxUploadSize)
                guard let boundary = Multipart.boundary(type) else { throw AppError.badRequest("multipart boundary") }
                let parts = Multipart.parse(Data(buffer: body), boundary: boundary)
                if let f = parts.first(where: { $0.name == "file" }), !f.data.isEmpty {
                    data = f.data
                    name = f.fileName ?? ""
                } else {
                    // The browser form: no file chosen, the log pasted as text.
                    data = parts.first { $0.name == "text" }?.data ?? Data()
                    name = parts.first { $0.name == "file_name" }.map { String(decoding: $0.data, as: UTF8.self) } ?? ""
                }
            } else {
                let f = try await submittedForm(req, ctx.base)
                data = Data((f["text"] ?? "").utf8)
                name = f.text("file_name")
            }
            let kind = detectKind(name: name, data: data)
            guard !data.isEmpty, data.contains(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) else {
                return try await render(s, ctx, rec, errors: [FieldError(field: "file", message: t["err_required"], label: t["evimp_file"])], status: .badRequest)
            }
            guard let kind else {
                return try await render(s, ctx, rec, errors: [FieldError(field: "file", message: t["evimp_err_kind"], label: t["evimp_file"])], status: .badRequest)
            }
            let safeName = sanitizedFileName(name, kind: kind, data: data)
            let id = try Uploads.save(data, fileName: safeName, kind: kind, user: ctx.user.id, sop: rec.id)
            return .seeOther(SiteURL.sopEventImport(rec.id).path(query: ["unggahan": id]))
        }

        r.page(.post, .sopEventImportRun(.key), .monitoringManage, "Preview again with a mapping, or import the uploaded log: all or nothing, or skipping bad rows") { _, ctx in
            let (rec, tree) = try await SOPPages.loadScoped(s, ctx)
            let f = ctx.formData
            guard let up = Uploads.open(f.text("unggahan"), user: ctx.user.id, sop: rec.id) else { return try await expired(s, ctx, rec) }
            let mapping = Mapping.from { f[$0] }
            let skip = f["skip_invalid"] != nil
            if f.text("do") != "import" { return try await mappingStep(s, ctx, rec, up, mapping: mapping, skip: skip) }
            // How long the form waits for the result before showing the progress page (seconds, 0 … 10).
            let wait = min(10, max(0, Double(f.text("wait")) ?? 2))
            return try await runImport(s, ctx, rec, tree, up, mapping: mapping, skip: skip, wait: wait)
        }

        r.page(.get, .sopEventImportProgress(.key), .monitoringManage,
               "Progress of a running event-log import, for the user who started it (refreshes itself; JSON with Accept: application/json), then its result") { req, ctx in
            let (rec, _) = try await SOPPages.loadScoped(s, ctx)
            let id: String = req.uri.queryParameters.get("proses") ?? ""
            let json = req.headers[.accept]?.lowercased().contains("application/json") ?? false
            return try await progressPage(s, ctx, rec, id: id, json: json)
        }
    }

    static func detectKind(name: String, data: Data) -> Kind? {
        let n = name.lowercased()
        // An Excel workbook is told by its ZIP signature, whatever its name.
        if XLSXReader.looksLikeZip(data) || n.hasSuffix(".xlsx") { return .xlsx }
        if n.hasSuffix(".xes") || n.hasSuffix(".xes.gz") { return .xes }
        if n.hasSuffix(".csv") || n.hasSuffix(".csv.gz") || n.hasSuffix(".txt") { return .csv }
        if !n.isEmpty && n.hasSuffix(".gz") { return nil }
        if isGzip(data) { return nil }
        // Pasted text: XML is XES, anything else is read as CSV.
        let head = String(decoding: data.prefix(512), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return head.hasPrefix("<") ? .xes : .csv
    }

    /// The name the event ids are derived from: the file's own name (no path), or for pasted text
    /// "tempel-<hash of the text>.csv" (the same text gives the same ids, other text other ids).
    static func sanitizedFileName(_ name: String, kind: Kind, data: Data) -> String {
        let base = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let clean = String(base.filter { !$0.isNewline && $0 != "#" }.prefix(120)).trimmingCharacters(in: .whitespaces)
        return clean.isEmpty ? "tempel-" + String(EventLogImport.fnv(String(decoding: data, as: UTF8.self)).prefix(12)) + "." + kind.rawValue : clean
    }

    static func expired(_ s: AppServices, _ ctx: UserContext, _ rec: SOPRecord) async throws -> Response {
        let t = s.views.strings(ctx.language)
        return try await render(s, ctx, rec, errors: [FieldError(field: "file", message: t["evimp_err_expired"], label: t["evimp_file"])], status: .gone)
    }

    static func headerAndMapping(_ up: Upload, _ mapping: Mapping?) -> ([String], Mapping, ReadProblem?) {
        guard up.kind != .xes else { return ([], mapping ?? Mapping(), nil) }
        let header: Result<[String], EventLogError>
        if up.kind == .xlsx {
            let (converted, failure) = xlsxCSV(up.url)
            guard let converted else { return ([], mapping ?? Mapping(), failure) }
            header = csvHeader(data: converted.data)
        } else {
            header = csvHeader(up.url)
        }
        switch header {
        case let .success(h): return (h, mapping ?? Mapping.detected(header: h), nil)
        case let .failure(e): return ([], mapping ?? Mapping(), problem(e, header: []))
        }
    }

    static func mappingStep(_ s: AppServices, _ ctx: UserContext, _ rec: SOPRecord, _ up: Upload, mapping: Mapping?, skip: Bool) async throws -> Response {
        let (header, m, headerProblem) = headerAndMapping(up, mapping)
        var preview: Preview?
        var problems: [ReadProblem] = headerProblem.map { [$0] } ?? []
        if headerProblem == nil { (preview, problems) = previewRead(up, mapping: m, header: header) }
        // A preview is a form to correct: it answers 200 even when the file cannot be read yet.
        return try await render(s, ctx, rec, upload: up, header: header, mapping: m, preview: preview, readProblems: problems, skip: skip)
    }

    /// How the upload is read, once per pass of the import: streamed in chunks (CSV, XES, and
    /// their gzip; an .xlsx workbook is read into memory and its sheet handed out in chunks).
    static func openSource(_ up: Upload, mapping: Mapping, header: [String], skipBadRows: Bool) -> @Sendable () throws -> any EventChunkSource {
        let zone = TimeZone(identifier: mapping.timeZone) ?? TimeZone(identifier: "Asia/Jakarta")!
        let url = up.url
        switch up.kind {
        case .xes:
            var xo = XESReader.Options(defaultTimeZone: zone)
            xo.maxDecompressedBytes = maxDecompressed
            let o = xo
            return { try XESReader(options: o).chunks(contentsOf: url) }
        case .csv:
            var co = CSVReader.Options(mapping: mapping.csvMapping(header: header), defaultTimeZone: zone, ordering: .asAppended)
            co.maxDecompressedBytes = maxDecompressed
            let o = co
            return { try CSVReader(options: o).chunks(contentsOf: url, skipBadRows: skipBadRows) }
        case .xlsx:
            let o = CSVReader.Options(mapping: mapping.csvMapping(header: header), defaultTimeZone: zone, ordering: .asAppended)
            return { try CSVReader(options: o).chunks(xlsx: try Data(contentsOf: url), maxPartBytes: maxDecompressed, skipBadRows: skipBadRows) }
        }
    }

    /// A reading error of any kind as a problem to show.
    static func readProblem(_ error: any Error, header: [String]) -> ReadProblem {
        switch error {
        case let e as EventLogError: return problem(e, header: header)
        case let e as XLSXReadError: return ReadProblem(line: 0, column: "", code: "xlsx", value: e.description)
        default: return ReadProblem(line: 0, column: "", code: "malformed", value: "\(error)")
        }
    }

    /// Starts the import in the background (``ImportJobs``) and waits for it up to `wait` seconds:
    /// a small file ends here with its result, a larger one redirects to the progress page.
    static func runImport(_ s: AppServices, _ ctx: UserContext, _ rec: SOPRecord, _ tree: OrgTree, _ up: Upload, mapping: Mapping?, skip: Bool,
                          wait: Double) async throws -> Response {
        let (header, m, headerProblem) = headerAndMapping(up, mapping)
        if let headerProblem {
            return try await render(s, ctx, rec, upload: up, header: header, mapping: m, preview: nil, readProblems: [headerProblem], skip: skip,
                                    attempted: true, status: .badRequest)
        }
        let scope = IngestScope(allowedUnits: Scope.units(ctx.identity, tree: tree), defaultUnit: nil, source: .import,
                                receivedBy: ctx.actor.label)
        let importer = EventLogImport(fileName: up.fileName, sopID: rec.id, skipInvalid: skip,
                                      open: openSource(up, mapping: m, header: header, skipBadRows: skip))
        let jobs = ImportJobs.shared
        let (id, isNew) = jobs.start(user: ctx.user.id, sop: rec.id, upload: up.id)
        // The same upload confirmed again while its import runs (a second click): follow that one.
        guard isNew else { return .seeOther(SiteURL.sopEventImportProgress(rec.id).path(query: ["proses": id])) }
        let actor = ctx.actor
        Task {
            let started = Date()
            var outcome = ImportJobs.Outcome(upload: up, header: header, mapping: m, skip: skip)
            do {
                let report = try await importer.run(s.store, scope: scope, by: actor) { jobs.update(id, $0) }
                outcome.report = report
                outcome.readProblems = report.unreadable.map { problem($0, header: header) }
                PantauMetrics.eventsIngested(report.stored, source: .import)
                if report.stored > 0 {
                    s.monitoringChanged()
                    s.indicatorCache.changed()
                }
                if report.ending == .completed { Uploads.remove(up.id) }
            } catch {
                // Nothing stored: the file could not be read in the first pass (or the store failed).
                outcome.readProblems = [readProblem(error, header: header)]
            }
            outcome.seconds = Date().timeIntervalSince(started)
            jobs.finish(id, outcome)
        }
        let deadline = Date().addingTimeInterval(wait)
        while Date() < deadline {
            if let job = jobs.job(id, user: ctx.user.id, sop: rec.id), let outcome = job.outcome {
                return try await render(s, ctx, rec, outcome)
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        return .seeOther(SiteURL.sopEventImportProgress(rec.id).path(query: ["proses": id]))
    }

    /// The page after an import: the same whether it ended while the form waited or later.
    static func render(_ s: AppServices, _ ctx: UserContext, _ rec: SOPRecord, _ o: ImportJobs.Outcome) async throws -> Response {
        let failed = o.report?.failed ?? true
        return try await render(s, ctx, rec, upload: o.upload, header: o.header, mapping: o.mapping, preview: nil, readProblems: o.readProblems,
                                report: o.report, seconds: o.seconds, skip: o.skip, attempted: true, status: failed ? .badRequest : .ok)
    }

    /// The progress page of a running import (it asks for itself again every second), or its result.
    static func progressPage(_ s: AppServices, _ ctx: UserContext, _ rec: SOPRecord, id: String, json: Bool) async throws -> Response {
        let t = s.views.strings(ctx.language)
        guard let job = ImportJobs.shared.job(id, user: ctx.user.id, sop: rec.id) else {
            if json { throw AppError.notFound }
            return try await render(s, ctx, rec, errors: [FieldError(field: "file", message: t["evimp_err_job_gone"], label: t["evimp_file"])], status: .gone)
        }
        let p = progressModel(job, rec: rec, id: id, t: t)
        if json { return try .json(p.json) }
        if let outcome = job.outcome { return try await render(s, ctx, rec, outcome) }
        return .html(s.views.render("event_import_progress", title: t["evimp_progress_title"] + " · " + rec.title, page: p, context: ctx, active: .sops))
    }

    struct ProgressModel {
        struct JSON: Encodable { let phase: String; let read: Int; let stored: Int; let total: Int?; let percent: Int; let done: Bool }
        let title: String
        let number: String
        let monitoringHref: String
        let refreshHref: String
        let phase: String
        let read: Int
        let stored: Int
        let total: Int?
        let percent: Int
        let storing: Bool
        let json: JSON
    }

    /// The figures of a job as the page shows them (pure). The percentage is of the file's bytes
    /// read in the current pass (pass 1 checks, pass 2 stores).
    static func progressModel(_ job: ImportJobs.Job, rec: SOPRecord, id: String, t: Strings) -> ProgressModel {
        let p = job.progress ?? EventLogImport.Progress(phase: .checking, read: 0, stored: 0, total: nil, fraction: 0)
        let percent = job.outcome != nil ? 100 : max(0, min(100, Int((p.fraction * 100).rounded(.down))))
        return ProgressModel(title: rec.title, number: rec.number, monitoringHref: SiteURL.sopMonitoring(rec.id).path,
                             refreshHref: SiteURL.sopEventImportProgress(rec.id).path(query: ["proses": id]),
                             phase: t[p.phase == .checking ? "evimp_phase_checking" : "evimp_phase_storing"],
                             read: p.read, stored: p.stored, total: p.total, percent: percent, storing: p.phase == .storing,
                             json: .init(phase: p.phase.rawValue, read: p.read, stored: p.stored, total: p.total, percent: percent,
                                         done: job.outcome != nil))
    }

    static func render(_ s: AppServices, _ ctx: UserContext, _ rec: SOPRecord, upload: Upload? = nil, header: [String] = [], mapping: Mapping = Mapping(),
                       preview: Preview? = nil, readProblems: [ReadProblem] = [], report: EventLogImport.Report? = nil, seconds: Double = 0,
                       skip: Bool = false, attempted: Bool = false, errors: [FieldError] = [], status: HTTPResponse.Status = .ok) async throws -> Response {
        let t = s.views.strings(ctx.language)
        let m = model(rec: rec, upload: upload, header: header, mapping: mapping, preview: preview, readProblems: readProblems, report: report,
                      seconds: seconds, skip: skip, attempted: attempted, errors: errors, t: t)
        return .html(s.views.render("event_import", title: t["evimp_title"] + " · " + rec.title, page: m, context: ctx, active: .sops), status: status)
    }
}

/// Event-log imports running in the background on this server instance, by a random id, each
/// visible only to the user who started it, on its SOP's pages. Kept in memory: a progress request
/// that lands on another instance does not find the job (410, as an expired upload; the upload
/// itself waits in this instance's `$TMPDIR`, so several instances need sticky sessions). A
/// finished job is kept an hour for its result page, then dropped.
final class ImportJobs: @unchecked Sendable {
    static let shared = ImportJobs()
    static let keep: TimeInterval = 3600

    /// The figures of the page after an import.
    struct Outcome: Sendable {
        var upload: EventImportPage.Upload
        var header: [String]
        var mapping: EventImportPage.Mapping
        var skip: Bool
        var report: EventLogImport.Report? = nil
        var readProblems: [EventImportPage.ReadProblem] = []
        var seconds: Double = 0
    }

    struct Job: Sendable {
        let user: Int64
        let sop: Int64
        /// The upload being imported.
        let upload: String
        let started: Date
        var progress: EventLogImport.Progress?
        var outcome: Outcome?
        var finished: Date?
    }

    private let lock = NSLock()
    private var jobs: [String: Job] = [:]

    /// A new job of `user` importing `upload` on SOP `sop`: its id (128 random bits, hex) and
    /// true; or, while an import of the same upload by the same user still runs, that job's id
    /// and false (one import per upload at a time).
    func start(user: Int64, sop: Int64, upload: String, now: Date = Date()) -> (id: String, isNew: Bool) {
        var rng = SystemRandomNumberGenerator()
        let id = (0..<2).map { _ in String(format: "%016llx", rng.next() as UInt64) }.joined()
        return lock.withLock {
            jobs = jobs.filter { $0.value.finished.map { now.timeIntervalSince($0) < Self.keep } ?? true }
            if let running = jobs.first(where: { $0.value.upload == upload && $0.value.user == user && $0.value.sop == sop && $0.value.outcome == nil }) {
                return (running.key, false)
            }
            jobs[id] = Job(user: user, sop: sop, upload: upload, started: now)
            return (id, true)
        }
    }

    func update(_ id: String, _ p: EventLogImport.Progress) {
        lock.withLock { jobs[id]?.progress = p }
    }

    func finish(_ id: String, _ o: Outcome, now: Date = Date()) {
        lock.withLock {
            jobs[id]?.outcome = o
            jobs[id]?.finished = now
        }
    }

    /// The job, only for the user who started it and its SOP.
    func job(_ id: String, user: Int64, sop: Int64) -> Job? {
        guard EventImportPage.Uploads.isValidID(id) else { return nil }
        return lock.withLock {
            guard let j = jobs[id], j.user == user, j.sop == sop else { return nil }
            return j
        }
    }
}

/// A small `multipart/form-data` reader (RFC 7578): the parts' names, file names and bytes. The
/// parsing is PantauCore's ``MultipartBody`` (pure, fuzzed in `Fuzz/`).
enum Multipart {
    typealias Part = MultipartBody.Part

    static func boundary(_ contentType: String) -> String? { MultipartBody.boundary(contentType) }

    static func parse(_ body: Data, boundary: String) -> [Part] { MultipartBody.parse(body, boundary: boundary) }

    /// `name="value"` from a Content-Disposition line.
    static func param(_ line: String, _ key: String) -> String? { MultipartBody.param(line, key) }
}
