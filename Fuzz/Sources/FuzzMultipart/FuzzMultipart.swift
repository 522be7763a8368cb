import Foundation
import FuzzSupport
import PantauCore

/// `multipart/form-data` bodies (evidence files, event-log and survey uploads): the first line
/// of the input is the Content-Type header value (so the boundary is fuzzed too), the rest is
/// the body. MultipartBody.boundary and .parse, then the round trip: the parts written again
/// with the same boundary parse to the same parts, as long as no part contains the delimiter.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = bytes(data, size)
    let newline = input.firstIndex(of: 0x0A) ?? input.endIndex
    let contentType = String(decoding: input[input.startIndex..<newline], as: UTF8.self)
    let body = newline < input.endIndex ? Data(input[(newline + 1)...]) : Data()
    guard let boundary = MultipartBody.boundary(contentType) else { return 0 }
    check(!boundary.isEmpty && boundary.count <= 200, "boundary of \(boundary.count) characters accepted")
    let parts = MultipartBody.parse(body, boundary: boundary)
    check(parts.count <= body.count / max(1, boundary.utf8.count + 2) + 1, "more parts than delimiters")
    for p in parts { check(p.data.count <= body.count, "part larger than the body") }

    // Round trip for parts whose fields can be written back unchanged.
    let delimiter = Data(("--" + boundary).utf8)
    func plain(_ s: String) -> Bool { !s.contains("\"") && !s.contains(";") && !s.contains("\r") && !s.contains("\n") && s == s.trimmingCharacters(in: .whitespaces) }
    guard !parts.isEmpty, parts.allSatisfy({ p in
        plain(p.name) && (p.fileName.map(plain) ?? true) && p.data.range(of: delimiter) == nil && !p.data.starts(with: Data("--".utf8))
    }) else { return 0 }
    var out = Data()
    for p in parts {
        out += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(p.name)\"".utf8)
        if let f = p.fileName { out += Data("; filename=\"\(f)\"".utf8) }
        out += Data("\r\n\r\n".utf8) + p.data + Data("\r\n".utf8)
    }
    out += Data("--\(boundary)--\r\n".utf8)
    let again = MultipartBody.parse(out, boundary: boundary)
    check(again == parts, "multipart parts change when written again")
    return 0
}

/// Entry point: SwiftPM links `main` as `FuzzMultipart_main` (see FuzzSupport.runFuzzer).
@_cdecl("FuzzMultipart_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { fuzz($0, $1) }
}
