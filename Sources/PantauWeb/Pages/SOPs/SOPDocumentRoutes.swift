import Foundation
import Hummingbird
import PantauCore
import PantauReports
import PantauStore

/// The SOP as a file or a printable page, and the SOP pages' own static files (the document
/// stylesheet, the editor's actor-select script).
enum SOPDocumentRoutes {
    static func register(_ r: RouteRegistrar, _ s: AppServices) {
        r.page(.get, .sopPrint(.key), .sopRead, "Printable SOP (A4 landscape)") { req, ctx in
            let (rec, tree) = try await SOPPages.loadApplying(s, ctx)
            let v = try await s.store.version(sopID: rec.id, version: req.uri.queryParameters.get("v").flatMap { Int($0) } ?? rec.latestVersion)
            return .html(SOPDocumentHTML(options: .init(language: ctx.language, agencyName: tree.path(to: rec.unitID).first?.name.uppercased()))
                .renderPage(v.document))
        }

        r.page(.get, .sopExport(.key), .sopRead, "Export SOP as YAML, JSON or BPMN 2.0") { req, ctx in
            let (rec, _) = try await SOPPages.loadApplying(s, ctx)
            let v = try await s.store.version(sopID: rec.id, version: req.uri.queryParameters.get("v").flatMap { Int($0) } ?? rec.latestVersion)
            let base = "sop-\(slug(rec.number))-v\(v.version)"
            switch req.uri.queryParameters.get("format") ?? "yaml" {
            case "yaml": return .text(try SOPFile.encode(v.document, format: .yaml), contentType: "application/yaml; charset=utf-8", filename: base + ".yaml")
            case "json": return .text(try SOPFile.encode(v.document, format: .json), contentType: "application/json; charset=utf-8", filename: base + ".json")
            case "bpmn": return .text(SOPBPMNExporter(options: .init(language: ctx.language)).export(v.document), contentType: "application/xml; charset=utf-8", filename: base + ".bpmn")
            default: throw AppError.badRequest("format must be yaml, json or bpmn")
            }
        }

        r.open(.get, .sopDocumentStylesheet, "SOP document stylesheet", kind: .asset) { _, _ in
            var resp = Response.text(SOPDocumentHTML.printCSS, contentType: "text/css; charset=utf-8")
            resp.headers[.cacheControl] = "public, max-age=3600"
            return resp
        }

        r.open(.get, .sopFormScript, "SOP editor script (actor selects follow the actor rows)", kind: .asset) { _, _ in
            var resp = Response.text(formScript, contentType: "text/javascript; charset=utf-8")
            resp.headers[.cacheControl] = "public, max-age=3600"
            return resp
        }
    }

    /// Keeps each step's actor `<select>` in step with the actor rows while they are typed, added
    /// or removed (an option keeps its selection when its actor's code or name changes), and gives
    /// added rows unique input ids. Without it the selects list the actors as saved.
    static let formScript = #"""
    (function () {
      "use strict";
      var form = document.getElementById("sop-form");
      if (!form) { return; }
      var actors = document.querySelector("#actors tbody");
      var steps = document.getElementById("steps");
      var chooseLabel = form.getAttribute("data-actor-choose") || "";
      function slug(s) {
        var out = s.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[^\p{L}\p{N}]+/gu, "-");
        return out.replace(/^-+|-+$/g, "").slice(0, 40);
      }
      function actorList() {
        var list = [];
        actors.querySelectorAll("[data-row]").forEach(function (row, i) {
          var id = row.querySelector("[data-actor-id]").value.trim();
          var name = row.querySelector("[data-actor-name]").value.trim();
          if (!id && !name) { return; }
          list.push({ row: String(i), id: id || slug(name), name: name || id });
        });
        return list;
      }
      function refresh() {
        var list = actorList();
        steps.querySelectorAll("select[data-actor-select]").forEach(function (sel) {
          var cur = sel.options[sel.selectedIndex];
          var row = cur ? cur.getAttribute("data-row") : null;
          var value = sel.value;
          var unknown = cur && cur.hasAttribute("data-unknown") ? cur.cloneNode(true) : null;
          while (sel.options.length) { sel.remove(0); }
          sel.add(new Option(chooseLabel, ""));
          var chosen = false;
          list.forEach(function (a) {
            var o = new Option(a.name, a.id);
            o.setAttribute("data-row", a.row);
            if (!chosen && ((row !== null && row === a.row) || (row === null && value === a.id))) { o.selected = true; chosen = true; }
            sel.add(o);
          });
          if (!chosen && unknown) { sel.add(unknown); unknown.selected = true; }
          else if (!chosen) { sel.selectedIndex = 0; }
        });
      }
      function renumberIDs() {
        actors.querySelectorAll("[data-row]").forEach(function (row, i) {
          var a = row.querySelector("[data-actor-id]"), b = row.querySelector("[data-actor-name]");
          if (a) { a.id = "actor-" + i + "-id"; }
          if (b) { b.id = "actor-" + i + "-name"; }
        });
        steps.querySelectorAll("[data-row]").forEach(function (row, i) {
          row.querySelectorAll("[name]").forEach(function (el) {
            var m = /^steps\[\d+\]\[(\w+)\]$/.exec(el.name);
            if (m) { el.id = "step-" + i + "-" + m[1]; }
          });
        });
      }
      actors.addEventListener("input", refresh);
      new MutationObserver(function () { renumberIDs(); refresh(); }).observe(actors, { childList: true });
      new MutationObserver(function () { renumberIDs(); }).observe(steps, { childList: true });
      // A step row added by copying the last one starts with no actor chosen.
      new MutationObserver(function (records) {
        records.forEach(function (r) {
          r.addedNodes.forEach(function (n) {
            if (n.querySelector) { var sel = n.querySelector("select[data-actor-select]"); if (sel) { sel.selectedIndex = 0; } }
          });
        });
      }).observe(steps, { childList: true });
    })();
    """#
}
