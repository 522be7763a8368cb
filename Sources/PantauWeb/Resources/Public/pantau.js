// Pantau: a little progressive enhancement. Every page works without it.
(function () {
  "use strict";
  // Confirm dangerous actions: <form data-confirm="...">
  document.addEventListener("submit", function (e) {
    var msg = e.target.getAttribute && e.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) { e.preventDefault(); }
  });

  // Fill a textarea from a chosen file: <input type=file data-fill="textarea-id">
  document.querySelectorAll("input[type=file][data-fill]").forEach(function (input) {
    input.addEventListener("change", function () {
      var f = input.files && input.files[0];
      if (!f) { return; }
      var reader = new FileReader();
      reader.onload = function () { document.getElementById(input.getAttribute("data-fill")).value = reader.result; };
      reader.readAsText(f);
    });
  });

  // Monitoring page: reload the figures when the server says they changed (Server-Sent Events).
  var live = document.getElementById("monitoring");
  if (live && window.EventSource && live.getAttribute("data-live")) {
    var note = document.getElementById("mon-live");
    var source = new EventSource(live.getAttribute("data-live"));
    source.onopen = function () { if (note) { note.hidden = false; } };
    source.addEventListener("update", function () {
      fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (!html) { return; }
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.getElementById("monitoring");
          var last = doc.getElementById("mon-last");
          if (fresh) { live.innerHTML = fresh.innerHTML; }
          if (last) { document.getElementById("mon-last").textContent = last.textContent; }
        })
        .catch(function () {});
    });
  }

  // SOP editor: rows can be added, removed and moved; field names are renumbered on change.
  var form = document.getElementById("sop-form");
  if (!form) { return; }

  function renumber(container, prefix) {
    var rows = container.querySelectorAll("[data-row]");
    rows.forEach(function (row, i) {
      row.querySelectorAll("[name]").forEach(function (el) {
        el.name = el.name.replace(new RegExp("^" + prefix + "\\[\\d+\\]"), prefix + "[" + i + "]");
      });
      var no = row.querySelector("[data-number]");
      if (no) { no.textContent = String(i + 1); }
    });
  }

  function toggleDecision(row) {
    var kind = row.querySelector("[data-kind]");
    if (!kind) { return; }
    var isDecision = kind.value === "keputusan";
    row.querySelectorAll("[data-decision]").forEach(function (el) { el.hidden = !isDecision; });
  }

  function containerFor(name) {
    return name === "steps" ? document.getElementById("steps") : document.querySelector("#actors tbody");
  }

  form.addEventListener("click", function (e) {
    var t = e.target;
    if (t.hasAttribute("data-add-row")) {
      var name = t.getAttribute("data-add-row");
      var c = containerFor(name);
      var rows = c.querySelectorAll("[data-row]");
      var last = rows[rows.length - 1];
      var copy = last.cloneNode(true);
      copy.querySelectorAll("input").forEach(function (i) { if (i.type === "checkbox") { i.checked = false; } else { i.value = ""; } });
      copy.querySelectorAll("select").forEach(function (s) { s.selectedIndex = 1 < s.options.length ? 1 : 0; });
      copy.classList.remove("has-error");
      c.appendChild(copy);
      renumber(c, name);
      toggleDecision(copy);
      var first = copy.querySelector("input:not([type=hidden])");
      if (first) { first.focus(); }
    } else if (t.hasAttribute("data-remove-row")) {
      var row = t.closest("[data-row]");
      var cont = row.parentNode;
      var prefix = cont.id === "steps" ? "steps" : "actors";
      if (cont.querySelectorAll("[data-row]").length > 1) { row.remove(); } else { row.querySelectorAll("input").forEach(function (i) { i.value = ""; }); }
      renumber(cont, prefix);
    } else if (t.hasAttribute("data-move")) {
      var r = t.closest("[data-row]");
      var dir = parseInt(t.getAttribute("data-move"), 10);
      var sib = dir < 0 ? r.previousElementSibling : r.nextElementSibling;
      if (sib) { if (dir < 0) { r.parentNode.insertBefore(r, sib); } else { r.parentNode.insertBefore(sib, r); } }
      renumber(r.parentNode, "steps");
      t.focus();
    }
  });
  form.addEventListener("change", function (e) {
    if (e.target.hasAttribute("data-kind")) { toggleDecision(e.target.closest("[data-row]")); }
  });
  document.querySelectorAll("#steps [data-row]").forEach(toggleDecision);
})();
