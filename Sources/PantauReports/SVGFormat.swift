/// Deterministic, locale-independent number formatting and small element helpers for SVG output.
public enum SVGFormat {
    /// `value` rounded to two decimals, without trailing zeros: `12`, `12.5`, `-0.25`.
    /// Non-finite values print as `0` so a bad input can never produce invalid SVG.
    public static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let scaled = (value * 100).rounded()
        guard abs(scaled) < 9.0e15 else { return "0" }
        var n = Int(scaled)
        if n == 0 { return "0" }
        let negative = n < 0
        n = abs(n)
        let whole = n / 100
        let frac = n % 100
        var s = negative ? "-" : ""
        s += String(whole)
        if frac != 0 {
            s += "."
            if frac % 10 == 0 {
                s += String(frac / 10)
            } else {
                s += frac < 10 ? "0" + String(frac) : String(frac)
            }
        }
        return s
    }

    /// An SVG path `d` for an open polyline: `M x y L x y …`.
    public static func polylinePath(_ points: [(x: Double, y: Double)]) -> String {
        var parts: [String] = []
        for (i, p) in points.enumerated() {
            parts.append((i == 0 ? "M" : "L") + number(p.x) + " " + number(p.y))
        }
        return parts.joined(separator: " ")
    }

    /// A closed polygon path `M … L … Z`.
    public static func polygonPath(_ points: [(x: Double, y: Double)]) -> String {
        points.isEmpty ? "" : polylinePath(points) + " Z"
    }

    /// Renders attributes in the given order as ` name="value"`, escaping the values.
    public static func attributes(_ attrs: [(String, String)]) -> String {
        var s = ""
        for (k, v) in attrs {
            s += " " + k + "=\"" + HTMLEscape.attribute(v) + "\""
        }
        return s
    }
}
