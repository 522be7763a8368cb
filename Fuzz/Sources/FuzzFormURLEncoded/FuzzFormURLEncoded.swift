import Foundation
import FuzzSupport
import PantauCore

/// Form bodies and query strings (`application/x-www-form-urlencoded`, every page's POST):
/// URLEncodedForm.pairs, the grouped rows the SOP and survey editors read, and the round trip:
/// the pairs percent-encoded again decode to the same pairs.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let pairs = URLEncodedForm.pairs(text)
    check(pairs.count <= text.utf8.count, "more pairs than bytes")
    for prefix in ["steps", "rows", pairs.first?.0 ?? ""] {
        let rows = URLEncodedForm.rows(pairs, prefix: prefix)
        check(rows.count <= pairs.count, "more rows than pairs")
    }
    // Round trip: encode every pair (nothing left unescaped but unreserved characters).
    var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
    allowed.insert(charactersIn: "-._~")
    func enc(_ s: String) -> String? { s.addingPercentEncoding(withAllowedCharacters: allowed) }
    var parts: [String] = []
    for (k, v) in pairs {
        guard let ek = enc(k), let ev = enc(v) else { return 0 }  // lone surrogates cannot occur in String
        parts.append(ek + "=" + ev)
    }
    let again = URLEncodedForm.pairs(parts.joined(separator: "&"))
    // An empty key with an empty value ("=") is an empty pair when written back; drop those.
    let expected = pairs.filter { !($0.0.isEmpty && $0.1.isEmpty) }
    let got = again.filter { !($0.0.isEmpty && $0.1.isEmpty) }
    check(got.count == expected.count && zip(got, expected).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 },
          "form pairs change when encoded again")
    return 0
}

/// Entry point: SwiftPM links `main` as `FuzzFormURLEncoded_main` (see FuzzSupport.runFuzzer).
@_cdecl("FuzzFormURLEncoded_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { fuzz($0, $1) }
}
