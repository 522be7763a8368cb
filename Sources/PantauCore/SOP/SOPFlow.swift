/// Control flow of an SOP's flowchart: successors, reachability.
extension SOPDocument {
    /// The steps that may follow `step`, as (target id, branch label) pairs.
    ///
    /// Start and process steps continue at ``SOPStep/next`` or, when that is empty, at the next
    /// row of the table. Decisions continue at their Ya and Tidak targets. End steps have none.
    public func successors(of step: SOPStep) -> [(target: String, branch: Branch)] {
        switch step.kind {
        case .end:
            return []
        case .decision:
            var out: [(String, Branch)] = []
            if let y = step.yes { out.append((y, .yes)) }
            if let n = step.no { out.append((n, .no)) }
            return out
        case .start, .process:
            if let n = step.next { return [(n, .plain)] }
            guard let i = steps.firstIndex(where: { $0.id == step.id }), i + 1 < steps.count else { return [] }
            return [(steps[i + 1].id, .plain)]
        }
    }

    /// Label of an arrow in the flowchart.
    public enum Branch: String, Sendable, Hashable {
        case plain, yes, no
    }

    /// Ids of steps reachable from the start step (including it).
    public func reachableFromStart() -> Set<String> {
        guard let start = startStep else { return [] }
        var seen: Set<String> = [start.id]
        var stack = [start.id]
        while let id = stack.popLast() {
            guard let s = step(id: id) else { continue }
            for (t, _) in successors(of: s) where step(id: t) != nil && !seen.contains(t) {
                seen.insert(t)
                stack.append(t)
            }
        }
        return seen
    }

    /// Ids of steps from which some end step can be reached (including the end steps).
    public func canReachEnd() -> Set<String> {
        var preds: [String: [String]] = [:]
        for s in steps {
            for (t, _) in successors(of: s) { preds[t, default: []].append(s.id) }
        }
        var seen = Set(steps.filter { $0.kind == .end }.map(\.id))
        var stack = Array(seen)
        while let id = stack.popLast() {
            for p in preds[id] ?? [] where !seen.contains(p) {
                seen.insert(p)
                stack.append(p)
            }
        }
        return seen
    }

    /// Maps an event-log activity name to the step it records, using ``SOPStep/allLogNames``.
    /// Matching ignores case and surrounding spaces.
    public func stepIndexByLogName() -> [String: String] {
        var map: [String: String] = [:]
        for s in steps {
            for name in s.allLogNames {
                let key = SOPDocument.normalizeLogName(name)
                if map[key] == nil { map[key] = s.id }
            }
        }
        return map
    }

    public static func normalizeLogName(_ name: String) -> String {
        name.trimmedOfWhitespace.lowercased()
    }
}

import Foundation

private let whitespaceAndNewlineSet = CharacterSet.whitespacesAndNewlines

extension String {
    /// The string without leading and trailing white space and newlines; the string itself when it
    /// has none (the common case, without Foundation's bridging).
    public var trimmedOfWhitespace: String {
        guard let first = unicodeScalars.first, let last = unicodeScalars.last else { return self }
        // Visible ASCII at both ends (almost every name and id): nothing to trim, no set to consult.
        if (0x21...0x7E).contains(first.value) && (0x21...0x7E).contains(last.value) { return self }
        let ws = whitespaceAndNewlineSet
        if !ws.contains(first) && !ws.contains(last) { return self }
        let scalars = unicodeScalars.drop { ws.contains($0) }.reversed().drop { ws.contains($0) }.reversed()
        return String(String.UnicodeScalarView(scalars))
    }
}
