import Foundation

/// A small `multipart/form-data` reader (RFC 7578): the parts' names, file names and bytes.
/// Pure (the web layer's upload pages call it; the fuzz targets in `Fuzz/` reach it without the server).
public enum MultipartBody {
    public struct Part: Sendable, Equatable {
        public var name: String
        public var fileName: String?
        public var data: Data
        public init(name: String, fileName: String?, data: Data) {
            self.name = name
            self.fileName = fileName
            self.data = data
        }
    }

    /// The boundary of a `multipart/form-data` Content-Type (quotes removed), or nil when it is
    /// missing, empty or longer than 200 characters.
    public static func boundary(_ contentType: String) -> String? {
        for p in contentType.split(separator: ";") {
            let kv = p.trimmingCharacters(in: .whitespaces)
            guard kv.lowercased().hasPrefix("boundary=") else { continue }
            var b = String(kv.dropFirst("boundary=".count))
            if b.hasPrefix("\"") && b.hasSuffix("\"") && b.count >= 2 { b = String(b.dropFirst().dropLast()) }
            return b.isEmpty || b.count > 200 ? nil : b
        }
        return nil
    }

    /// The parts of a body, in order. A part without a blank line after its headers is skipped;
    /// text after the closing delimiter (or a body without one) ends the parts.
    /// - Complexity: O(body size × boundary length).
    public static func parse(_ body: Data, boundary: String) -> [Part] {
        let delimiter = Data(("--" + boundary).utf8)
        let crlf2 = Data("\r\n\r\n".utf8)
        var parts: [Part] = []
        guard var r = body.range(of: delimiter) else { return [] }
        while true {
            var start = r.upperBound
            // "--" after the delimiter ends the body.
            if body.count >= start + 2, body[start] == 0x2D, body[start + 1] == 0x2D { break }
            if body.count >= start + 2, body[start] == 0x0D, body[start + 1] == 0x0A { start += 2 }
            guard let next = body.range(of: Data("\r\n".utf8) + delimiter, in: start..<body.count) else { break }
            let chunk = body[start..<next.lowerBound]
            if let h = chunk.range(of: crlf2) {
                let headers = String(decoding: chunk[chunk.startIndex..<h.lowerBound], as: UTF8.self)
                var name = "", fileName: String?
                for line in headers.components(separatedBy: "\r\n") where line.lowercased().hasPrefix("content-disposition:") {
                    name = param(line, "name") ?? ""
                    fileName = param(line, "filename")
                }
                parts.append(Part(name: name, fileName: fileName, data: Data(chunk[h.upperBound...])))
            }
            r = (next.lowerBound + 2)..<next.upperBound
        }
        return parts
    }

    /// `name="value"` from a Content-Disposition line.
    public static func param(_ line: String, _ key: String) -> String? {
        for p in line.split(separator: ";").dropFirst() {
            let kv = p.trimmingCharacters(in: .whitespaces)
            guard let eq = kv.firstIndex(of: "="), kv[..<eq].lowercased() == key else { continue }
            var v = String(kv[kv.index(after: eq)...])
            if v.hasPrefix("\"") && v.hasSuffix("\"") && v.count >= 2 { v = String(v.dropFirst().dropLast()) }
            return v
        }
        return nil
    }
}
