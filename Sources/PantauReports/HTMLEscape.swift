/// Escaping of untrusted text for HTML and XML (SVG, BPMN) output.
///
/// Every string that comes from an SOP, a user or a file goes through here before it is written
/// into markup. The same rules serve HTML text, HTML attributes and XML 1.0 documents:
/// `&`, `<`, `>`, `"` and `'` become character references, and characters that XML 1.0 forbids
/// (C0 controls other than tab, line feed and carriage return, lone surrogates, U+FFFE/U+FFFF)
/// are replaced with U+FFFD, so hostile input can neither inject markup nor make the document
/// unparsable.
public enum HTMLEscape {
    /// Escapes `text` for use as element content or a quoted attribute value.
    /// - Complexity: O(n) in the length of `text`.
    public static func text(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                if isXMLChar(scalar) {
                    out.unicodeScalars.append(scalar)
                } else {
                    out += "\u{FFFD}"
                }
            }
        }
        return out
    }

    /// Escapes `text` for a quoted attribute value. Same rules as ``text(_:)``; additionally tab,
    /// line feed and carriage return become character references so that XML attribute-value
    /// normalisation keeps them.
    public static func attribute(_ text: String) -> String {
        var out = HTMLEscape.text(text)
        if out.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\t" || $0 == "\r\n" }) {
            out = out.replacingOccurrences(of: "\r\n", with: "&#13;&#10;")
                .replacingOccurrences(of: "\n", with: "&#10;")
                .replacingOccurrences(of: "\r", with: "&#13;")
                .replacingOccurrences(of: "\t", with: "&#9;")
        }
        return out
    }

    /// Text for the inside of an HTML/XML comment: escaped and with `--` broken up.
    public static func comment(_ text: String) -> String {
        var s = HTMLEscape.text(text)
        while s.contains("--") { s = s.replacingOccurrences(of: "--", with: "- -") }
        return s
    }

    /// A URL for an `href`/`src` attribute: only `http:`, `https:`, `data:image/` and relative
    /// URLs are kept (escaped); anything else (e.g. `javascript:`) gives nil.
    public static func safeURL(_ url: String) -> String? {
        let trimmed = url.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return nil }
        let lower = trimmed.lowercased()
        if let colon = lower.firstIndex(of: ":") {
            let slash = lower.firstIndex(of: "/") ?? lower.endIndex
            let question = lower.firstIndex(of: "?") ?? lower.endIndex
            let hash = lower.firstIndex(of: "#") ?? lower.endIndex
            if colon < slash && colon < question && colon < hash {
                // Has a scheme.
                let ok = lower.hasPrefix("http:") || lower.hasPrefix("https:") || lower.hasPrefix("data:image/")
                guard ok else { return nil }
            }
        }
        // Control characters in a URL are never legitimate.
        guard !trimmed.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return nil }
        return attribute(trimmed)
    }

    /// Whether `s` may appear in an XML 1.0 document.
    @inline(__always)
    static func isXMLChar(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        switch v {
        case 0x9, 0xA, 0xD: return true
        case 0x20...0xD7FF: return true
        case 0xE000...0xFFFD: return true
        case 0x10000...0x10FFFF: return true
        default: return false
        }
    }
}

import Foundation
