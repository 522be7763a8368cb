#!/usr/bin/env python3
"""Multi-instance test: two `pantau serve` on one PostgreSQL database behave as one server.

On a fresh database made on the server --postgres-url names (dropped afterwards) this
  1. starts instance A (PANTAU_AUTO_MIGRATE=true, demo data) and then instance B (no migration) on
     other loopback ports, both with the alert worker every second, PANTAU_WEBHOOK_ALLOW_PRIVATE and
     a short worker lease (PANTAU_WORKER_LEASE=15);
  2. writes to both at once for a while: event batches through the API with a token, public survey
     answers, sign-ins (a session made on one instance is used on the other), and SOP edits (both
     instances saving the same SOP); every write answered with success is counted;
  3. checks that every acknowledged write is in the database (events once each, survey responses,
     sessions, one audit entry per SOP save) and that `pantau audit verify` passes (one chain);
  4. opens the live monitoring stream (Server-Sent Events) on B, posts events to A and requires
     B's `update` within 2 s (PostgreSQL LISTEN/NOTIFY; the stream's own poll is every 5 s);
  5. adds an alert rule and a webhook to a receiver in this script: every alert the rule raises
     is POSTed exactly once, although both instances run alert workers;
  6. adds a second rule whose webhook answers slowly, kills A with SIGKILL while its deliveries are
     in flight, and requires B to finish every delivery once A's claims expire (a delivery A was
     sending when it died may arrive twice: it is sent again because its success was never
     recorded; every other one arrives once).
Exits non-zero on any failure. Python 3 standard library only; database checks use `psql`.

Usage: python3 scripts/multi-instance-test.py [path/to/pantau] --postgres-url URL [--seconds N]
"""
import argparse, html.parser, http.client, http.cookiejar, http.server, json, os, secrets, shutil
import sys, tempfile, threading, time, urllib.error, urllib.parse, urllib.request

from pantau_harness import PostgresDB, Server, server_env


def log(msg):
    print(f"multi-instance [{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# MARK: browsing (cookies, forms)

class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None


class FormParser(html.parser.HTMLParser):
    """The fields of the first form whose action matches (inputs, textareas, selects) with their values."""

    def __init__(self, action=None):
        super().__init__()
        self.want, self.in_form, self.done = action, False, False
        self.fields, self.radios, self.selects, self.action = [], {}, {}, None
        self._textarea = self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self.done and not self.in_form:
            if self.want is None or (a.get("action") or "").split("?")[0] == self.want:
                self.in_form, self.action = True, a.get("action")
            return
        if not self.in_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            t = (a.get("type") or "text").lower()
            if t in ("radio",):
                self.radios.setdefault(name, []).append((a.get("value", ""), "checked" in a))
            elif t == "checkbox":
                if "checked" in a:
                    self.fields.append((name, a.get("value", "on")))
            elif t not in ("submit", "button", "file", "image"):
                self.fields.append((name, a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
        elif tag == "select" and name:
            self._select = name
            self.selects[name] = []
        elif tag == "option" and self._select:
            self.selects[self._select].append((a.get("value", ""), "selected" in a))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            self.fields.append(tuple(self._textarea))
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form" and self.in_form:
            self.in_form, self.done = False, True

    def values(self, radio_pick=-1):
        out = list(self.fields)
        for name, opts in self.radios.items():
            chosen = [v for v, c in opts if c]
            out.append((name, chosen[0] if chosen else opts[radio_pick][0]))
        for name, opts in self.selects.items():
            chosen = [v for v, c in opts if c]
            nonempty = [v for v, _ in opts if v]
            v = chosen[0] if chosen else (nonempty[0] if nonempty else "")
            out.append((name, v))
        return out


class Browser:
    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())

    def get(self, path):
        try:
            r = self.opener.open(self.base + path, timeout=60)
            return r.status, r.read().decode("utf-8", "replace"), r.headers
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode("utf-8", "replace"), e.headers

    def post(self, path, fields):
        data = urllib.parse.urlencode(fields).encode()
        req = urllib.request.Request(self.base + path, data=data, headers={"Content-Type": "application/x-www-form-urlencoded"})
        try:
            r = self.opener.open(req, timeout=60)
            return r.status, r.read().decode("utf-8", "replace"), r.headers
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode("utf-8", "replace"), e.headers

    def form(self, path, action=None):
        status, body, _ = self.get(path)
        if status != 200:
            raise RuntimeError(f"GET {path}: {status}")
        p = FormParser(action)
        p.feed(body)
        if p.action is None:
            raise RuntimeError(f"no form {action or ''} on {path}")
        return p

    def login(self, user, password):
        p = self.form("/login", "/login")
        fields = [(k, v) for k, v in p.values() if k not in ("username", "password")] + [("username", user), ("password", password)]
        status, body, headers = self.post("/login", fields)
        return status == 303 and "/login" not in (headers.get("Location") or "")

    def cookie(self, name):
        return next((c.value for c in self.jar if c.name == name), None)


def api(base, token, method, path, body=None, ctype="application/json"):
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": ctype, "Accept": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")[:300]


# MARK: the webhook receiver

class Receiver:
    """Records every webhook POST (delivery id, alert id, path); `/slow` answers after `delay` seconds."""

    def __init__(self, delay=4.0):
        self.hits, self.lock, self.delay = [], threading.Lock(), delay
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(n) or b"{}")
                with outer.lock:
                    outer.hits.append({"path": self.path, "delivery": self.headers.get("X-Pantau-Delivery"),
                                       "alert": body.get("alert_id"), "t": time.time()})
                if self.path.startswith("/slow"):
                    time.sleep(outer.delay)
                try:
                    self.send_response(200)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass  # the sender was killed while waiting

            def log_message(self, *a):
                pass

        class Server(http.server.ThreadingHTTPServer):
            request_queue_size = 256  # every worker's batch at once, never a reset connection

        self.server = Server(("127.0.0.1", 0), H)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def of(self, path):
        with self.lock:
            return [h for h in self.hits if h["path"].startswith(path)]


# MARK: the test

class Failures(list):
    def check(self, ok, what):
        log(("ok    " if ok else "FAIL  ") + what)
        if not ok:
            self.append(what)


def concurrent_writes(a, b, token, admin_pw, sop, activities, survey_code, edit_sop, seconds, db):
    """Phase 2: every kind of write to both instances at once; returns what was acknowledged."""
    stop = time.time() + seconds
    lock = threading.Lock()
    acked_events, logins, cross_ok, surveys, edits, errors = set(), [0], [0], [0], [0], []
    prefix = f"mi{secrets.token_hex(3)}"
    t0 = time.time() - 15 * 86400

    def stamp(sec):
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t0 + sec + 7 * 3600)) + "+07:00"

    def events(server, k):
        n = 0
        while time.time() < stop:
            batch = []
            for _ in range(40):
                case = f"{prefix}-{k}-c{n // 5}" if n % 7 else f"{prefix}-shared-{n % 10}"
                batch.append({"event_id": f"{prefix}-{k}-e{n}", "sop_id": sop, "case": case,
                              "activity": activities[n % len(activities)], "timestamp": stamp((n // 5) * 900 + (n % 5) * 60)})
                n += 1
            status, out = api(server.base, token, "POST", "/api/v1/events", batch)
            if status // 100 != 2:
                errors.append(f"events to {server.name}: {status} {out}")
                continue
            with lock:
                for ev, r in zip(batch, out["results"]):
                    if r.get("status") in ("stored", "duplicate"):
                        acked_events.add(ev["event_id"])
                    else:
                        errors.append(f"event rejected: {r}")

    def sign_ins(server, other):
        while time.time() < stop:
            br = Browser(server.base)
            if not br.login("admin", admin_pw):
                errors.append(f"sign-in on {server.name} failed")
                continue
            with lock:
                logins[0] += 1
            # The session is in the database: the other instance knows it.
            o = Browser(other.base)
            o.jar = br.jar
            o.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(br.jar), NoRedirect())
            status, _, _ = o.get("/notifikasi")
            with lock:
                if status == 200:
                    cross_ok[0] += 1
                else:
                    errors.append(f"session of {server.name} refused by {other.name}: {status}")

    def survey_answers(server):
        br = Browser(server.base)
        while time.time() < stop:
            p = br.form(f"/s/{survey_code}", f"/s/{survey_code}")
            fields = [(k, v if v or k.startswith("_") or "csrf" in k or "token" in k else ("30" if "umur" in k or "age" in k else v))
                      for k, v in p.values(radio_pick=-1)]
            status, body, headers = br.post(f"/s/{survey_code}", fields)
            if status == 303 and "terima-kasih" in (headers.get("Location") or ""):
                with lock:
                    surveys[0] += 1
            else:
                errors.append(f"survey answer to {server.name}: {status} {body[:300]}")
                time.sleep(0.5)

    def sop_edits(server, k):
        br = Browser(server.base)
        if not br.login("admin", admin_pw):
            errors.append(f"sign-in for SOP edits on {server.name} failed")
            return
        i = 0
        while time.time() < stop:
            p = br.form(f"/sops/{edit_sop}/edit", f"/sops/{edit_sop}")
            fields = [(key, (f"Uji beberapa instans {k}-{i}" if key == "change_note" else v)) for key, v in p.values()]
            status, body, headers = br.post(f"/sops/{edit_sop}", fields)
            if status == 303:
                with lock:
                    edits[0] += 1
            else:
                errors.append(f"SOP save on {server.name}: {status} {body[:200]}")
                time.sleep(0.5)
            i += 1

    before = {"responses": int(db.value("SELECT COUNT(*) FROM survey_responses")),
              "sessions": int(db.value("SELECT COUNT(*) FROM sessions")),
              "saves": int(db.value(f"SELECT COUNT(*) FROM audit_log WHERE entity = 'sop_version' AND entity_id LIKE '{edit_sop}/%' AND action IN ('update', 'new_version')"))}
    threads = [threading.Thread(target=f, args=args, daemon=True) for f, args in [
        (events, (a, "a")), (events, (b, "b")), (sign_ins, (a, b)), (sign_ins, (b, a)),
        (survey_answers, (a,)), (survey_answers, (b,)), (sop_edits, (a, "a")), (sop_edits, (b, "b"))]]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 180)
    return {"prefix": prefix, "events": acked_events, "logins": logins[0], "cross": cross_ok[0], "surveys": surveys[0],
            "edits": edits[0], "errors": errors, "before": before}


def sse_latency(a, b, token, admin_pw, sop, activity):
    """Phase 4: seconds from an event batch answered by A to B's stream saying `update`."""
    br = Browser(b.base)
    if not br.login("admin", admin_pw):
        raise RuntimeError("sign-in on B for the live stream failed")
    session = "; ".join(f"{c.name}={c.value}" for c in br.jar)
    conn = http.client.HTTPConnection("127.0.0.1", b.port, timeout=30)
    conn.request("GET", f"/sops/{sop}/pemantauan/live", headers={"Cookie": session, "Accept": "text/event-stream"})
    resp = conn.getresponse()
    if resp.status != 200:
        raise RuntimeError(f"live stream on B: {resp.status}")
    updates, lock = [], threading.Lock()

    def reader():
        try:
            while True:
                line = resp.fp.readline()
                if not line:
                    return
                if line.startswith(b"event: update"):
                    with lock:
                        updates.append(time.time())
        except Exception:
            return

    threading.Thread(target=reader, daemon=True).start()
    time.sleep(2.5)  # the stream has its first stamp; anything earlier settles
    results = []
    for i in range(3):
        with lock:
            updates.clear()
        ev = [{"event_id": f"sse-{secrets.token_hex(4)}", "sop_id": sop, "case": f"SSE-{secrets.token_hex(3)}",
               "activity": activity, "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time.time() - 60)) + "Z"}]
        status, _ = api(a.base, token, "POST", "/api/v1/events", ev)
        t_ack = time.time()
        if status // 100 != 2:
            raise RuntimeError(f"event POST to A for the live test: {status}")
        deadline = t_ack + 6
        got = None
        while time.time() < deadline and got is None:
            with lock:
                got = next((u for u in updates if u >= t_ack - 0.05), None)
            time.sleep(0.02)
        results.append(None if got is None else got - t_ack)
        time.sleep(1.2)
    conn.close()
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("binary", nargs="?", default=".build/debug/pantau")
    ap.add_argument("--postgres-url", default=os.environ.get("MULTI_TEST_POSTGRES_URL"), required=False)
    ap.add_argument("--seconds", type=float, default=12, help="length of the concurrent-write phase")
    args = ap.parse_args()
    if not args.postgres_url:
        raise SystemExit("multi-instance: --postgres-url (or MULTI_TEST_POSTGRES_URL) is needed")
    binary = os.path.abspath(args.binary)
    admin = PostgresDB(args.postgres_url, "multi-instance")
    name, url = admin.create_database("pantau_multi_")
    db = PostgresDB(url, "multi-instance")
    work = tempfile.mkdtemp(prefix="pantau-multi-")
    admin_pw = "multi-test-Passw0rd-2026"
    env = server_env(url, admin_pw, "notice", PANTAU_ALERT_INTERVAL="1", PANTAU_WEBHOOK_ALLOW_PRIVATE="true", PANTAU_WORKER_LEASE="15",
                     PANTAU_SURVEY_MIN_FILL_SECONDS="0", PANTAU_SURVEY_RATE_LIMIT="1000000")
    a = Server(binary, dict(env, PANTAU_AUTO_MIGRATE="true"), work, name="A", demo=True, fixed_port=True)
    b = Server(binary, dict(env, PANTAU_AUTO_MIGRATE="false"), work, name="B", demo=False, fixed_port=True)
    fails = Failures()
    t_start = time.time()
    try:
        log(f"database {name}; instance A (migrates, demo data) starting")
        took = a.start()
        log(f"A up at {a.base} after {took:.1f}s; instance B starting")
        took = b.start()
        log(f"B up at {b.base} after {took:.1f}s")
        token = a.create_token("multi-test")
        status, sops = api(b.base, token, "GET", "/api/v1/sops?per_page=100")
        sop = next(s for s in sops["items"] if "imunisasi" in s["title"].lower())
        edit_sop = next(s for s in sops["items"] if s["id"] != sop["id"])["id"]
        _, detail = api(a.base, token, "GET", f"/api/v1/sops/{sop['id']}")
        activities = [s["kegiatan"] for s in detail["effective"]["document"]["langkah"] if s.get("kegiatan")]
        survey_code = db.value("SELECT code FROM surveys WHERE active = 1 ORDER BY id LIMIT 1")

        # 2-3. Concurrent writes to both, then every acknowledged one is there.
        log(f"writing to both instances for {args.seconds:.0f}s: events (SOP {sop['id']}), survey answers ({survey_code}), "
            f"sign-ins, SOP {edit_sop} saves")
        w = concurrent_writes(a, b, token, admin_pw, sop["id"], activities, survey_code, edit_sop, args.seconds, db)
        for e in w["errors"][:10]:
            log("error: " + e)
        fails.check(not w["errors"], f"no write refused or failed ({len(w['errors'])} errors)")
        stored = db.rows(f"SELECT client_id, COUNT(*) FROM service_events WHERE sop_id = {sop['id']} AND client_id LIKE '{w['prefix']}-%' GROUP BY client_id")
        counts = {r[0]: int(r[1]) for r in stored}
        missing = [i for i in w["events"] if counts.get(i) != 1]
        fails.check(len(w["events"]) > 0 and not missing and len(counts) == len(w["events"]),
                    f"{len(w['events'])} acknowledged events stored once each ({len(counts)} rows, {len(missing)} missing or twice)")
        unanalysed = int(db.value(f"""SELECT COUNT(*) FROM service_cases c WHERE c.sop_id = {sop['id']} AND c.reference LIKE '{w['prefix']}-%'
                                      AND (c.analysed_at IS NULL OR c.events <> (SELECT COUNT(*) FROM service_events e WHERE e.case_id = c.id))"""))
        fails.check(unanalysed == 0, f"every case's stored analysis counts all its events ({unanalysed} stale)")
        responses = int(db.value("SELECT COUNT(*) FROM survey_responses")) - w["before"]["responses"]
        fails.check(w["surveys"] > 0 and responses == w["surveys"], f"{w['surveys']} acknowledged survey answers, {responses} stored")
        sessions = int(db.value("SELECT COUNT(*) FROM sessions")) - w["before"]["sessions"]
        fails.check(w["logins"] > 0 and sessions >= w["logins"] and w["cross"] == w["logins"],
                    f"{w['logins']} sign-ins, {sessions} new sessions, {w['cross']} used on the other instance")
        saves = int(db.value(f"SELECT COUNT(*) FROM audit_log WHERE entity = 'sop_version' AND entity_id LIKE '{edit_sop}/%' AND action IN ('update', 'new_version')")) - w["before"]["saves"]
        fails.check(w["edits"] > 0 and saves == w["edits"], f"{w['edits']} acknowledged SOP saves, {saves} audited")
        r = b.cli("audit", "verify")
        fails.check(r.returncode == 0, "pantau audit verify: " + ((r.stdout or r.stderr).strip().splitlines() or ["?"])[-1])

        # 4. Live updates across instances.
        lat = sse_latency(a, b, token, admin_pw, sop["id"], activities[0])
        fails.check(all(x is not None and x < 2.0 for x in lat),
                    "B's live stream says `update` within 2 s of events stored on A: " + ", ".join("none" if x is None else f"{x:.2f}s" for x in lat))

        # 5. An alert rule fires once per case, its webhook is called once per alert, with two workers.
        rx = Receiver(delay=4.0)
        t = time.time()
        # Webhooks and rules are written straight into the database (the pages that make them are
        # tested elsewhere); the webhook sits on the root unit, so every unit's alerts reach it.
        ids = db.rows(f"""
            INSERT INTO webhooks (unit_id, name, url, secret, kinds, active, created_by, created_at)
            SELECT id, 'multi-fast', 'http://127.0.0.1:{rx.port}/fast', 'whsec_multi', 'case_overdue', 1, 'test', {t}
            FROM units WHERE parent_id IS NULL ORDER BY id LIMIT 1 RETURNING id""")
        fast_hook = ids[0][0]
        db.run(f"""INSERT INTO alert_rules (sop_id, kind, factor, min_cases, active, created_by, created_at)
                   VALUES ({sop['id']}, 'case_overdue', 1, 1, 1, 'test', {t})""")
        log("rule case_overdue and webhook /fast added; waiting for the alerts and deliveries")
        deadline = time.time() + 40
        while time.time() < deadline:
            pending = int(db.value(f"SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = {fast_hook} AND status = 'pending'"))
            total = int(db.value(f"SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = {fast_hook}"))
            if total > 0 and pending == 0:
                break
            time.sleep(0.5)
        time.sleep(3)  # anything sent twice would have arrived by now
        alerts = int(db.value(f"SELECT COUNT(*) FROM alerts a JOIN alert_rules r ON r.id = a.rule_id WHERE r.sop_id = {sop['id']}"))
        dup_alerts = db.rows("SELECT rule_id, condition_key FROM alerts GROUP BY rule_id, condition_key HAVING COUNT(*) > 1")
        hits = rx.of("/fast")
        per_alert = {}
        for h in hits:
            per_alert[h["alert"]] = per_alert.get(h["alert"], 0) + 1
        sent = int(db.value(f"SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = {fast_hook} AND status = 'sent'"))
        fails.check(alerts > 0 and not dup_alerts, f"the rule raised {alerts} alerts, none twice")
        fails.check(len(hits) == alerts and len(per_alert) == alerts and all(v == 1 for v in per_alert.values()) and sent == alerts,
                    f"the receiver got {len(hits)} POSTs for {len(per_alert)} alerts (each once: {all(v == 1 for v in per_alert.values())}); {sent} deliveries sent")

        # 6. Kill A while deliveries to a slow receiver are in flight; B finishes them when A's claims expire.
        # Cases of a third SOP, open for 40 days: a rule on it raises one alert per case.
        third = next(s for s in sops["items"] if s["id"] not in (sop["id"], edit_sop))["id"]
        _, d3 = api(a.base, token, "GET", f"/api/v1/sops/{third}")
        doc3 = (d3.get("effective") or d3.get("latest") or {}).get("document") or {}
        act3 = next((s["kegiatan"] for s in doc3.get("langkah", []) if s.get("kegiatan")), "Pendaftaran")
        old = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 40 * 86400))
        status, _ = api(a.base, token, "POST", "/api/v1/events",
                        [{"event_id": f"slow-{i}", "sop_id": third, "case": f"SLOW-{i}", "activity": act3, "timestamp": old} for i in range(30)])
        if status // 100 != 2:
            raise RuntimeError(f"events for the slow phase: {status}")
        t = time.time()
        db.run(f"UPDATE webhooks SET active = 0 WHERE id = {fast_hook}")
        slow_hook = db.rows(f"""
            INSERT INTO webhooks (unit_id, name, url, secret, kinds, active, created_by, created_at)
            SELECT id, 'multi-slow', 'http://127.0.0.1:{rx.port}/slow', 'whsec_multi2', 'case_overdue', 1, 'test', {t}
            FROM units WHERE parent_id IS NULL ORDER BY id LIMIT 1 RETURNING id""")[0][0]
        db.run(f"""INSERT INTO alert_rules (sop_id, kind, factor, min_cases, active, created_by, created_at)
                   VALUES ({third}, 'case_overdue', 1, 1, 1, 'test', {t})""")
        deadline = time.time() + 30
        while time.time() < deadline and len(rx.of("/slow")) < 3:
            time.sleep(0.05)
        slow_total = int(db.value(f"SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = {slow_hook}"))
        in_flight_before = len(rx.of("/slow"))
        a.kill9()
        t_kill = time.time()
        log(f"A killed with SIGKILL: {slow_total} deliveries to /slow, {in_flight_before} requests begun so far")
        # B's own requests end after the receiver's delay; what is still pending then is A's.
        time.sleep(rx.delay + 2.5)
        stale = int(db.value(f"SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = {slow_hook} AND status = 'pending'"))
        fails.check(stale > 0, f"{stale} deliveries still pending {rx.delay + 2.5:.1f}s after the kill (the dead instance's claims among them)")
        deadline = time.time() + 75
        while time.time() < deadline:
            pending = int(db.value(f"SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = {slow_hook} AND status <> 'sent'"))
            if pending == 0:
                break
            time.sleep(0.5)
        took = time.time() - t_kill
        sent = int(db.value(f"SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = {slow_hook} AND status = 'sent'"))
        fails.check(slow_total > 0 and sent == slow_total, f"B finished all {slow_total} slow deliveries after A died ({sent} sent, {took:.1f}s after the kill)")
        hits = rx.of("/slow")
        per = {}
        for h in hits:
            per.setdefault(h["delivery"], []).append(h["t"])
        # Only a delivery whose first request began before the kill may have been sent twice.
        twice_late = [d for d, ts in per.items() if len(ts) > 1 and min(ts) > t_kill]
        twice = [d for d, ts in per.items() if len(ts) > 1]
        fails.check(len(per) == slow_total and not twice_late and all(len(ts) <= 2 for ts in per.values()),
                    f"the receiver got every slow delivery ({len(per)} of {slow_total}); {len(twice)} twice, all of them in flight at the kill")
        r = b.cli("audit", "verify")
        fails.check(r.returncode == 0, "pantau audit verify after the kill: " + ((r.stdout or r.stderr).strip().splitlines() or ["?"])[-1])
    except Exception as e:
        fails.append(f"error: {e}")
        log(f"error: {e}")
    finally:
        for s in (a, b):
            if fails:
                log(f"instance {s.name} log (last lines):\n" + s.tail(25))
            s.stop()
        shutil.rmtree(work, ignore_errors=True)
        try:
            admin.drop_database(name)
        except Exception as e:
            log(f"could not drop {name}: {e}")
    log(f"{'passed' if not fails else 'FAILED: ' + '; '.join(fails)} in {time.time() - t_start:.0f}s")
    return 0 if not fails else 1


if __name__ == "__main__":
    sys.exit(main())
