import Foundation

/// Reads and writes Petri nets in PNML (place/transition core model), as PM4Py and ProM write it.
///
/// Reading:
/// - the first `<net>`; places, transitions and arcs directly under it or in (nested) `<page>`s;
/// - a place's `<initialMarking><text>n</text>`; arc weights from `<inscription><text>w</text>`;
/// - a transition is silent when its `<toolspecific ... activity="$invisible$"/>` says so or when
///   it has no `<name>`; otherwise its label is the name text;
/// - the final marking from `<finalmarkings><marking><place idref="..."><text>n</text>` (PM4Py's
///   extension); without it ``PetriNet/finalMarking`` is nil;
/// - arcs whose `<arctype>` is not `normal` (inhibitor, reset, read) are rejected.
public enum PNML {
    /// Reads a PNML file.
    /// - Throws: ``ProcessModelError`` naming the file and line.
    public static func read(contentsOf url: URL) throws -> PetriNet {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ProcessModelError.invalidModel(file: url.path, reason: "cannot read: \(error.localizedDescription)")
        }
        return try read(data: data, file: url.lastPathComponent)
    }

    /// Reads PNML from memory; `file` is used in error messages only.
    /// - Throws: ``ProcessModelError`` naming the line of the offending element.
    /// - Complexity: O(file size) to parse, plus O(A · d) to add A arcs (d = pre/post-set size).
    public static func read(data: Data, file: String? = nil) throws -> PetriNet {
        let root = try ModelXMLNode.parse(data, file: file)
        guard let netNode = root.name == "net" ? root : root.descendants("net").first else {
            throw ProcessModelError.invalidModel(file: file, reason: "no <net> element")
        }
        var net = PetriNet(id: netNode.attributes["id"] ?? "net",
                           name: netNode.child("name")?.textChild ?? "")
        var placeNodes: [ModelXMLNode] = []
        var transitionNodes: [ModelXMLNode] = []
        var arcNodes: [ModelXMLNode] = []
        var stack = [netNode]
        var depth = 0
        while let n = stack.popLast(), depth < 100_000 {
            depth += 1
            for c in n.children {
                switch c.name {
                case "place": placeNodes.append(c)
                case "transition": transitionNodes.append(c)
                case "arc": arcNodes.append(c)
                case "page": stack.append(c)
                default: break
                }
            }
        }
        var placeByID: [String: Int] = [:]
        var transitionByID: [String: Int] = [:]
        var initial = Marking()
        for p in placeNodes {
            guard let id = p.attributes["id"] else {
                throw ProcessModelError.missingAttribute(file: file, line: p.line, element: "place", attribute: "id")
            }
            guard placeByID[id] == nil, transitionByID[id] == nil else {
                throw ProcessModelError.duplicateID(file: file, line: p.line, id: id)
            }
            let idx = net.addPlace(id: id, name: p.child("name")?.textChild ?? id)
            placeByID[id] = idx
            if let text = p.child("initialMarking")?.textChild, !text.isEmpty {
                guard let n = Int(text), n >= 0, n <= PetriNet.maxTokens else {
                    throw ProcessModelError.invalidValue(file: file, line: p.line, field: "initialMarking of place '\(id)'", value: text)
                }
                initial[idx] = n
            }
        }
        for t in transitionNodes {
            guard let id = t.attributes["id"] else {
                throw ProcessModelError.missingAttribute(file: file, line: t.line, element: "transition", attribute: "id")
            }
            guard placeByID[id] == nil, transitionByID[id] == nil else {
                throw ProcessModelError.duplicateID(file: file, line: t.line, id: id)
            }
            let name = t.child("name")?.textChild
            let invisible = t.children("toolspecific").contains { $0.attributes["activity"] == "$invisible$" }
            let label: String? = invisible ? nil : name
            transitionByID[id] = net.addTransition(id: id, label: label, name: name ?? id)
        }
        for a in arcNodes {
            guard let s = a.attributes["source"] else {
                throw ProcessModelError.missingAttribute(file: file, line: a.line, element: "arc", attribute: "source")
            }
            guard let d = a.attributes["target"] else {
                throw ProcessModelError.missingAttribute(file: file, line: a.line, element: "arc", attribute: "target")
            }
            if let type = a.child("arctype")?.textChild, !type.isEmpty, type.lowercased() != "normal" {
                throw ProcessModelError.unsupported(file: file, line: a.line, element: "arc", reason: "arc type '\(type)'")
            }
            if let type = a.child("type")?.attributes["value"], type.lowercased() != "normal" {
                throw ProcessModelError.unsupported(file: file, line: a.line, element: "arc", reason: "arc type '\(type)'")
            }
            var weight = 1
            if let text = a.child("inscription")?.textChild, !text.isEmpty {
                guard let w = Int(text), w >= 1, w <= PetriNet.maxTokens else {
                    throw ProcessModelError.invalidValue(file: file, line: a.line, field: "inscription of arc '\(a.attributes["id"] ?? "")'", value: text)
                }
                weight = w
            }
            if let p = placeByID[s], let t = transitionByID[d] {
                try net.addArc(fromPlace: p, toTransition: t, weight: weight)
            } else if let t = transitionByID[s], let p = placeByID[d] {
                try net.addArc(fromTransition: t, toPlace: p, weight: weight)
            } else {
                let unknown = (placeByID[s] == nil && transitionByID[s] == nil) ? s : d
                if placeByID[unknown] == nil && transitionByID[unknown] == nil {
                    throw ProcessModelError.unknownReference(file: file, line: a.line, element: "arc", id: unknown)
                }
                throw ProcessModelError.invalidValue(file: file, line: a.line, field: "arc endpoints (must join a place and a transition)", value: "\(s) -> \(d)")
            }
        }
        net.initialMarking = initial
        if let fms = netNode.child("finalmarkings") {
            if let marking = fms.child("marking") {
                var fm = Marking()
                for p in marking.children("place") {
                    guard let ref = p.attributes["idref"] else {
                        throw ProcessModelError.missingAttribute(file: file, line: p.line, element: "place", attribute: "idref")
                    }
                    guard let idx = placeByID[ref] else {
                        throw ProcessModelError.unknownReference(file: file, line: p.line, element: "finalmarkings/place", id: ref)
                    }
                    let text = p.textChild ?? "1"
                    guard let n = Int(text), n >= 0, n <= PetriNet.maxTokens else {
                        throw ProcessModelError.invalidValue(file: file, line: p.line, field: "final marking of place '\(ref)'", value: text)
                    }
                    fm[idx] = min(fm[idx] + n, PetriNet.maxTokens)
                }
                net.finalMarking = fm
            }
        }
        try net.validate()
        return net
    }

    /// Writes `net` as PNML in PM4Py's layout: one page, silent transitions marked with
    /// `<toolspecific tool="ProM" version="6.4" activity="$invisible$"/>`, weights other than 1
    /// as `<inscription>`, and the final marking (if any) in `<finalmarkings>`.
    public static func write(_ net: PetriNet) -> Data {
        var s = "<?xml version='1.0' encoding='UTF-8'?>\n<pnml>\n"
        s += "  <net id=\"\(modelXMLEscape(net.id))\" type=\"http://www.pnml.org/version-2009/grammar/pnmlcoremodel\">\n"
        s += "    <name>\n      <text>\(modelXMLEscape(net.name.isEmpty ? net.id : net.name))</text>\n    </name>\n"
        s += "    <page id=\"n0\">\n"
        for (i, p) in net.places.enumerated() {
            s += "      <place id=\"\(modelXMLEscape(p.id))\">\n        <name>\n          <text>\(modelXMLEscape(p.name))</text>\n        </name>\n"
            let n = net.initialMarking[i]
            if n > 0 { s += "        <initialMarking>\n          <text>\(n)</text>\n        </initialMarking>\n" }
            s += "      </place>\n"
        }
        for t in net.transitions {
            s += "      <transition id=\"\(modelXMLEscape(t.id))\">\n        <name>\n          <text>\(modelXMLEscape(t.label ?? t.name))</text>\n        </name>\n"
            if t.isSilent {
                s += "        <toolspecific tool=\"ProM\" version=\"6.4\" activity=\"$invisible$\" localNodeID=\"\(modelXMLEscape(t.id))\"/>\n"
            }
            s += "      </transition>\n"
        }
        for (i, a) in net.arcs.enumerated() {
            let p = modelXMLEscape(net.places[a.place].id)
            let t = modelXMLEscape(net.transitions[a.transition].id)
            let (src, dst) = a.direction == .placeToTransition ? (p, t) : (t, p)
            s += "      <arc id=\"arc\(i)\" source=\"\(src)\" target=\"\(dst)\""
            if a.weight != 1 {
                s += ">\n        <inscription>\n          <text>\(a.weight)</text>\n        </inscription>\n      </arc>\n"
            } else {
                s += "/>\n"
            }
        }
        s += "    </page>\n"
        if let fm = net.finalMarking {
            s += "    <finalmarkings>\n      <marking>\n"
            for (p, n) in fm.tokens.sorted(by: { $0.key < $1.key }) {
                s += "        <place idref=\"\(modelXMLEscape(net.places[p].id))\">\n          <text>\(n)</text>\n        </place>\n"
            }
            s += "      </marking>\n    </finalmarkings>\n"
        }
        s += "  </net>\n</pnml>\n"
        return Data(s.utf8)
    }
}

extension PetriNet {
    /// A final marking guessed from the structure: one token in every place without outgoing
    /// arcs (a "sink"). Nil when there is no such place. PM4Py guesses the same way when a PNML
    /// file has no final marking.
    public func guessedFinalMarking() -> Marking? {
        var hasOutgoing = Array(repeating: false, count: places.count)
        for a in arcs where a.direction == .placeToTransition { hasOutgoing[a.place] = true }
        var m = Marking()
        for p in places.indices where !hasOutgoing[p] { m[p] = 1 }
        return m.tokens.isEmpty ? nil : m
    }
}
