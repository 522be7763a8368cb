/// The observation mode's static files: the script that queues taps on the phone and the
/// stylesheet for big touch targets at phone width. Served from `/static/observasi.js` and
/// `/static/observasi.css` (the Content-Security-Policy allows no inline script).
enum ObservationAssets {
    /// Turns each tap of the case page's form into an event with a UUID and the phone's time
    /// (with its zone offset), kept in `localStorage` until the server acknowledges it (stored or
    /// duplicate), so taps survive a lost network or a reload; runs the stopwatch. Without it the
    /// form posts each tap and the server records its own time.
    static let script = #"""
    (function () {
      "use strict";
      var root = document.getElementById("obs");
      var form = document.getElementById("obs-form");
      if (!root || !form || !window.fetch || !window.localStorage || !window.JSON) { return; }
      var d = root.dataset;
      var KEY = "pantau.observasi.antrean", SENT = "pantau.observasi.terkirim";
      var url = d.events, ref = d.ref, unit = d.unit, sop = Number(d.sop), user = d.user || "";
      var csrfInput = form.querySelector("input[name=_csrf]");
      var csrf = csrfInput ? csrfInput.value : "";
      var sync = document.getElementById("obs-sync");
      var status = document.getElementById("obs-status");
      var clock = document.getElementById("obs-clock");
      var stepClock = document.getElementById("obs-step-clock");
      var note = document.getElementById("note");
      var opened = d.opened ? Date.parse(d.opened) : Date.now();
      var runningSince = d.running ? Date.parse(d.running) : null;
      var closed = d.closed === "1";
      var last = d.last || "";
      var sending = false, rejected = 0, problem = "", lastTap = null;

      // The whole queue (every account that used this phone); each person sends only their own taps.
      function loadAll() { try { var q = JSON.parse(localStorage.getItem(KEY) || "[]"); return Array.isArray(q) ? q : []; } catch (e) { return []; } }
      function load() { return loadAll().filter(function (x) { return (x.user || "") === user; }); }
      function saveMine(mine) { save(loadAll().filter(function (x) { return (x.user || "") !== user; }).concat(mine)); }
      function save(q) { try { localStorage.setItem(KEY, JSON.stringify(q)); } catch (e) { problem = String(e); } }
      function sentCount() { return Number(localStorage.getItem(SENT) || "0"); }
      function addSent(n) { localStorage.setItem(SENT, String(sentCount() + n)); }
      function pad(n, w) { n = String(Math.abs(n)); while (n.length < (w || 2)) { n = "0" + n; } return n; }
      function uuid() {
        if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
        var b = new Uint8Array(16);
        window.crypto.getRandomValues(b);
        b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
        var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
        return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
      }
      // The phone's local time with its offset, e.g. 2026-12-01T09:15:02.120+07:00.
      function stamp(t) {
        var dt = new Date(t), off = -dt.getTimezoneOffset();
        return dt.getFullYear() + "-" + pad(dt.getMonth() + 1) + "-" + pad(dt.getDate()) + "T" + pad(dt.getHours()) + ":" +
          pad(dt.getMinutes()) + ":" + pad(dt.getSeconds()) + "." + pad(dt.getMilliseconds(), 3) +
          (off >= 0 ? "+" : "-") + pad(Math.floor(Math.abs(off) / 60)) + ":" + pad(Math.abs(off) % 60);
      }
      function hms(t) { var dt = new Date(t); return pad(dt.getHours()) + ":" + pad(dt.getMinutes()) + ":" + pad(dt.getSeconds()); }
      function duration(ms) {
        var s = Math.max(0, Math.floor(ms / 1000)), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
        return (h ? h + ":" + pad(m) : String(m)) + ":" + pad(s % 60);
      }
      function fill(tpl, a, b) { return String(tpl || "").replace("{0}", a).replace("{1}", b); }

      function showSync() {
        var q = load().length;
        var text = d.lQueue + ": " + q + " · " + d.lSent + ": " + sentCount();
        if (rejected) { text += " · " + d.lRejected + ": " + rejected; }
        if (problem) { text += " · " + problem; }
        sync.textContent = text;
        sync.hidden = false;
        sync.classList.toggle("waiting", q > 0);
      }
      function tick() {
        var now = Date.now();
        if (!closed) { clock.textContent = duration(now - opened); }
        if (runningSince && !closed) { stepClock.hidden = false; stepClock.textContent = "▶ " + duration(now - runningSince); }
        else { stepClock.hidden = true; }
      }

      function rows() { return Array.prototype.slice.call(root.querySelectorAll("[data-step]")); }
      function row(id) { return rows().filter(function (r) { return r.getAttribute("data-step") === id; })[0]; }
      function setCurrent(ids) {
        rows().forEach(function (r) {
          var on = !closed && ids.indexOf(r.getAttribute("data-step")) >= 0;
          r.classList.toggle("current", on);
          if (on) { r.setAttribute("aria-current", "step"); } else { r.removeAttribute("aria-current"); }
        });
      }
      function setState(r, label, t) { var s = r.querySelector("[data-state]"); if (s) { s.textContent = label + " · " + hms(t); } }
      function apply(step, lifecycle, t) {
        var r = row(step);
        if (!r) { return; }
        if (lifecycle === "start") {
          r.classList.add("running");
          setState(r, d.lRunning, t);
          runningSince = t;
          setCurrent([step]);
          status.textContent = fill(d.lStatusRunning, r.getAttribute("data-number"), r.getAttribute("data-activity"));
        } else {
          r.classList.remove("running");
          r.classList.add("done");
          setState(r, d.lDone, t);
          runningSince = null;
          last = step;
          var next = (r.getAttribute("data-next") || "").split(" ").filter(Boolean);
          setCurrent(next);
          var n = next.length ? row(next[0]) : null;
          if (n) { status.textContent = fill(d.lStatusNext, n.getAttribute("data-number"), n.getAttribute("data-activity")); }
        }
      }
      function closeCase() {
        closed = true;
        setCurrent([]);
        status.textContent = d.lClosed;
        form.querySelectorAll("button[name=tap]").forEach(function (b) { b.disabled = true; });
      }
      // The step "Selesai" records: the running step's completion, else the first end step on
      // the way on from the last completed step (Ya arrows first), else the SOP's last end step
      // (as the server decides without script); none when the case already reached an end step.
      function closingStep() {
        var running = rows().filter(function (r) { return r.classList.contains("running"); });
        if (running.length) { return running[running.length - 1]; }
        var all = rows(), from = last ? row(last) : (all.filter(function (r) { return r.getAttribute("data-kind") === "mulai"; })[0] || all[0]);
        if (last && from && from.getAttribute("data-kind") === "selesai") { return null; }
        var seen = {};
        function walk(r) {
          if (!r || seen[r.getAttribute("data-step")]) { return null; }
          seen[r.getAttribute("data-step")] = true;
          if (r.getAttribute("data-kind") === "selesai" && r.getAttribute("data-step") !== last) { return r; }
          var next = (r.getAttribute("data-next") || "").split(" ").filter(Boolean);
          for (var i = 0; i < next.length; i++) { var e = walk(row(next[i])); if (e) { return e; } }
          return null;
        }
        var ends = all.filter(function (r) { return r.getAttribute("data-kind") === "selesai"; });
        return walk(from) || ends[ends.length - 1] || (last ? row(last) : null);
      }

      function enqueue(ev) {
        var q = loadAll();
        q.push({ url: url, user: user, ev: ev });
        save(q);
      }
      function flush() {
        if (sending) { return; }
        var q = load();
        if (!q.length) { showSync(); return; }
        var target = q[0].url;
        var batch = q.filter(function (x) { return x.url === target; }).slice(0, 200);
        sending = true;
        fetch(target, {
          method: "POST", credentials: "same-origin", redirect: "manual",
          headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf },
          body: JSON.stringify(batch.map(function (x) { return x.ev; }))
        }).then(function (resp) {
          if (resp.type === "opaqueredirect" || resp.status === 401 || resp.status === 403) {
            problem = d.lRelogin;
            return null;
          }
          if (resp.status >= 500 || resp.status === 408 || resp.status === 429) { problem = d.lOffline; return null; }
          if (!resp.ok) {
            // Refused as a whole (the SOP is gone or out of reach): drop the batch, count it.
            var ids = batch.map(function (x) { return x.ev.event_id; });
            saveMine(load().filter(function (x) { return ids.indexOf(x.ev.event_id) < 0; }));
            rejected += ids.length;
            return null;
          }
          return resp.json().then(function (body) {
            var done = {}, sent = 0;
            (body.results || []).forEach(function (r) {
              if (!r.event_id) { return; }
              done[r.event_id] = true;
              if (r.status === "rejected") { rejected += 1; } else { sent += 1; }
            });
            saveMine(load().filter(function (x) { return !(x.url === target && done[x.ev.event_id]); }));
            addSent(sent);
            problem = "";
            return true;
          });
        }).catch(function () {
          problem = d.lOffline;
          return null;
        }).then(function (more) {
          sending = false;
          showSync();
          if (more && load().length) { setTimeout(flush, 50); }
        });
      }

      form.addEventListener("click", function (e) {
        var b = e.target.closest ? e.target.closest("button[name=tap]") : null;
        if (b) { lastTap = b.value; }
      });
      form.addEventListener("submit", function (e) {
        var value = (e.submitter && e.submitter.name === "tap") ? e.submitter.value : lastTap;
        lastTap = null;
        if (!value || closed) { return; }
        e.preventDefault();
        var now = Date.now();
        var ev = { event_id: "obs-" + uuid(), sop_id: sop, "case": ref, unit: unit, timestamp: stamp(now) };
        var text = note ? note.value.trim() : "";
        if (text) { ev.note = text; }
        if (value === "close") {
          var r = closingStep();
          if (r) {
            ev.activity = r.getAttribute("data-activity");
            ev.lifecycle = "complete";
            ev.case_closed = true;
            enqueue(ev);
            apply(r.getAttribute("data-step"), "complete", now);
          }
          closeCase();
        } else {
          var parts = value.split("|");
          var target = row(parts[0]);
          if (!target) { return; }
          ev.activity = target.getAttribute("data-activity");
          ev.lifecycle = parts[1] === "start" ? "start" : "complete";
          enqueue(ev);
          apply(parts[0], ev.lifecycle, now);
        }
        if (note) { note.value = ""; }
        showSync();
        flush();
      });

      // Taps of this case still on the phone (queued before a reload) show as recorded.
      load().forEach(function (x) {
        if (x.url !== url || x.ev["case"] !== ref) { return; }
        var r = rows().filter(function (el) { return el.getAttribute("data-activity") === x.ev.activity; })[0];
        var t = Date.parse(x.ev.timestamp);
        if (r) { apply(r.getAttribute("data-step"), x.ev.lifecycle, t); }
        if (x.ev.case_closed) { closeCase(); }
      });
      if (closed) { closeCase(); }
      window.addEventListener("online", flush);
      setInterval(function () { if (load().length) { flush(); } }, 15000);
      setInterval(tick, 1000);
      tick();
      showSync();
      flush();
    })();
    """#

    /// Phone first: one column, buttons at least 56 px high, the current step marked by a border
    /// and a word (not by colour alone), running and done steps by their state text.
    static let stylesheet = #"""
    .obs { max-width: 40rem; margin: 0 auto; }
    .obs h1 { font-size: 1.4rem; margin: .4rem 0; overflow-wrap: anywhere; }
    .obs-big { display: block; width: 100%; min-height: 56px; font-size: 1.15rem; font-weight: 600; padding: .7rem 1rem; margin: .4rem 0; text-align: center; }
    .obs-choices { list-style: none; padding: 0; margin: 0; }
    .obs-choice { display: block; min-height: 56px; padding: .8rem 1rem; margin: .5rem 0; background: #fff; border: 2px solid var(--line, #d5dbe3);
      border-radius: 8px; text-decoration: none; color: inherit; }
    .obs-choice:focus, .obs-choice:hover { border-color: var(--brand, #0b5d8a); }
    .obs-number { display: inline-block; min-width: 2rem; font-weight: 700; }
    .obs-clock { display: flex; flex-wrap: wrap; align-items: baseline; gap: .3rem 1rem; background: #fff; border: 2px solid var(--line, #d5dbe3);
      border-radius: 8px; padding: .6rem 1rem; margin: .6rem 0; }
    .obs-time { font-size: 2rem; font-weight: 700; font-variant-numeric: tabular-nums; }
    .obs-step-time { font-size: 1.2rem; font-variant-numeric: tabular-nums; }
    .obs-status { font-weight: 600; font-size: 1.05rem; margin: .4rem 0; }
    .obs-sync { background: #eef8f1; border-left: 5px solid var(--ok, #1f7a3a); padding: .4rem .8rem; border-radius: 6px; }
    .obs-sync.waiting { background: #fff8e1; border-left-color: var(--warn, #8a5a00); }
    .obs-steps { list-style: none; padding: 0; margin: 0; }
    .obs-step { background: #fff; border: 2px solid var(--line, #d5dbe3); border-radius: 8px; padding: .6rem .8rem; margin: .6rem 0; }
    .obs-step.current { border: 4px solid var(--brand, #0b5d8a); background: #f0f7fc; }
    .obs-step:not(.current) .obs-flag { display: none; }
    .obs-flag { font-weight: 700; font-size: .95rem; }
    .obs-step.done .obs-state, .obs-step.running .obs-state { font-weight: 700; }
    .obs-step-head { display: flex; gap: .4rem; align-items: baseline; font-size: 1.1rem; }
    .obs-activity { font-weight: 600; overflow-wrap: anywhere; }
    .obs-meta { margin: .2rem 0; color: var(--muted, #5b6675); font-size: .95rem; }
    .obs-decision { margin: .3rem 0 0; font-weight: 600; }
    .obs-branches { margin: .1rem 0 .3rem; padding-left: 1.2rem; }
    .obs-buttons { display: grid; grid-template-columns: 1fr 1fr; gap: .5rem; }
    .obs-buttons .obs-big { margin: .2rem 0; }
    .obs-note label { display: block; font-weight: 600; margin-top: 1rem; }
    .obs-note textarea { width: 100%; box-sizing: border-box; font: inherit; min-height: 56px; padding: .5rem; border: 1px solid #8b96a5; border-radius: 6px; }
    .obs-note small { display: block; color: var(--muted, #5b6675); }
    .obs-close { margin-top: 1rem; background: var(--ok, #1f7a3a); border-color: var(--ok, #1f7a3a); }
    .obs-taps { padding-left: 1.2rem; overflow-wrap: anywhere; }
    .obs-tap-time { font-variant-numeric: tabular-nums; font-weight: 600; }
    @media (max-width: 400px) { .obs-time { font-size: 1.7rem; } .obs-big { font-size: 1.05rem; padding: .6rem .5rem; } }
    """#
}
