#!/usr/bin/env python3
"""Fault test: the database goes away, the disk fills up; every answer is a clear error, no
acknowledged write is lost, nothing is half-written, and the server recovers by itself.

Scenario `postgres` (a PostgreSQL cluster of its own on a free port, never another server):
  1. starts the cluster (scripts/start-postgres.sh) and `pantau serve --demo` against it, creates an
     API token and signs in as the admin (a session cookie for the page checks);
  2. runs concurrent senders that POST event batches (new event ids, 20 a batch) to /api/v1/events
     and records every answer: acknowledged events, refused batches (status, content type, body),
     requests without an answer, and how long each took;
  3. after a few seconds stops PostgreSQL with `pg_ctl stop -m immediate` (every backend ends at
     once, as in a crash) and keeps sending for --outage seconds, meanwhile reading /health,
     /ready, an API read, a public page and a signed-in page (Indonesian and English): each must
     answer within a bound (the connection wait plus 3 s, not a hang) with a 503, `Retry-After`
     and a JSON problem (API) or an error page (browser) that says the database cannot be reached;
     no answer may be a 500 or have an empty body;
  4. starts PostgreSQL again and measures how long until /ready says ready and until an event batch
     is stored again, with the same server process (no restart);
  5. checks in the database (psql) that every acknowledged event is present exactly once with the
     case and activity sent, that every refused or unanswered batch is there whole or not at all,
     resends those batches (each event then `stored` or `duplicate`, never rejected), and that
     `pantau audit verify` passes.
Scenario `disk` (SQLite; the fault made without root: a file size limit, RLIMIT_FSIZE, on the server):
  1. starts `pantau serve --demo` once to build the database, then again with a file size limit a
     little above the database file (soft limit; the hard limit stays unlimited) and checks that
     the server ignores SIGXFSZ (it must not die when a write passes the limit);
  2. sends event batches until writes are refused, and keeps sending a while: every refusal must be
     a 507 with a JSON problem saying the storage is full, a signed-in page that writes (sign-in)
     a 507 page in Indonesian, and reads (API, pages) must go on answering 200;
  3. lifts the limit on the running process (prlimit, as freeing disk space would) and measures
     until the next batch is stored; then the same database checks as above (sqlite3, PRAGMA
     integrity_check, audit verify), and the server stops cleanly.
Prints the figures (outage answers by status, recovery seconds, acknowledged/refused counts) and
exits non-zero on any failed check. Python 3 standard library only (Linux: resource.prlimit).

Usage: python3 scripts/fault-test.py [path/to/pantau] [--scenario postgres|disk|both] [--outage SECONDS] [--senders N]
"""
import argparse, html, http.cookiejar, json, os, re, resource, secrets, shutil, signal, sqlite3, sys, tempfile, threading, time
import urllib.error, urllib.parse, urllib.request

from pantau_harness import PostgresCluster, PostgresDB, Server, SQLiteDB, free_port, server_env, sop_with_activities

DEV_POSTGRES_PORT = 55433  # the developers' own server: never stopped by this test
ADMIN_PASSWORD = "fault-test-Passw0rd-2026"
CONNECT_WAIT = 5           # seconds the server waits for a PostgreSQL connection (Database.swift, connect_timeout)


def log(scenario, msg):
    print(f"fault-test [{scenario}] {msg}", flush=True)


class Failures(list):
    def __init__(self, scenario):
        super().__init__()
        self.scenario = scenario

    def check(self, ok, what):
        log(self.scenario, ("ok    " if ok else "FAIL  ") + what)
        if not ok:
            self.append(what)


# MARK: HTTP

class Answer:
    def __init__(self, status, headers, body, seconds, error=None):
        self.status, self.headers, self.body, self.seconds, self.error = status, headers, body, seconds, error

    @property
    def ctype(self):
        return (self.headers.get("Content-Type") or "") if self.headers else ""

    def json(self):
        try:
            return json.loads(self.body)
        except Exception:
            return None

    def title(self):
        """The problem's title (JSON) or the page's <h1> (HTML)."""
        j = self.json()
        if isinstance(j, dict):
            return j.get("title") or ""
        m = re.search(r"<h1[^>]*>(.*?)</h1>", self.body or "", re.S)
        return html.unescape(re.sub(r"<[^>]+>", "", m.group(1))).strip() if m else ""

    def short(self):
        return f"{self.status} {self.ctype.split(';')[0]} {self.seconds:.1f}s {self.title() or (self.body or self.error or '')[:120]!r}"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None


def request(base, path, method="GET", body=None, headers=None, timeout=30, opener=None):
    req = urllib.request.Request(base + path, data=body, method=method, headers=headers or {})
    t0 = time.time()
    try:
        with (opener.open(req, timeout=timeout) if opener else urllib.request.urlopen(req, timeout=timeout)) as r:
            return Answer(r.status, r.headers, r.read().decode("utf-8", "replace"), time.time() - t0)
    except urllib.error.HTTPError as e:
        return Answer(e.code, e.headers, e.read().decode("utf-8", "replace"), time.time() - t0)
    except Exception as e:
        return Answer(None, None, "", time.time() - t0, error=repr(e))


class Browser:
    """Cookies, and a sign-in through the form (CSRF double-submit cookie)."""

    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())

    def get(self, path, timeout=30):
        return request(self.base, path, headers={"Accept": "text/html"}, timeout=timeout, opener=self.opener)

    def post(self, path, fields, timeout=30):
        return request(self.base, path, "POST", urllib.parse.urlencode(fields).encode(),
                       {"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"}, timeout, self.opener)

    def login(self, password=ADMIN_PASSWORD):
        page = self.get("/login")
        m = re.search(r'name="_csrf" value="([^"]*)"', page.body or "")
        if page.status != 200 or not m:
            return page
        return self.post("/login", [("_csrf", html.unescape(m.group(1))), ("next", ""), ("username", "admin"), ("password", password)])


# MARK: event senders

class Senders:
    """Threads posting batches of new events; every answer recorded per batch."""

    def __init__(self, base, token, sop_id, activities, prefix, n=3, batch=20, timeout=30):
        self.base, self.token, self.sop_id, self.activities, self.prefix = base, token, sop_id, activities, prefix
        self.n, self.batch, self.timeout = n, batch, timeout
        self.lock = threading.Lock()
        self.events = {}       # id -> event
        self.acked = {}        # id -> time acknowledged (stored or duplicate)
        self.refused = []      # (batch ids, Answer, time sent)
        self.unanswered = []   # (batch ids, Answer, time sent)
        self.answers = []      # (time sent, Answer) of every request
        self.rejected = []     # per-event rejections in a 2xx answer
        self.stop_flag = threading.Event()
        self.counters = {}     # per sender: events made
        self.t0 = time.time() - 12 * 86400
        self.threads = []

    def _batch(self, k, size=None):
        evs = []
        for _ in range(size or self.batch):
            with self.lock:
                j = self.counters.get(k, 0)
                self.counters[k] = j + 1
            c, step = j // len(self.activities), j % len(self.activities)
            ev = {"event_id": f"{self.prefix}-s{k}-e{j}", "sop_id": self.sop_id, "case": f"{self.prefix}-s{k}-c{c}",
                  "activity": self.activities[step],
                  "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(self.t0 + k * 86400 + c * 120 + step * 10 + 7 * 3600)) + "+07:00",
                  "resource": f"petugas-{k}"}
            evs.append(ev)
        with self.lock:
            for ev in evs:
                self.events[ev["event_id"]] = ev
        return evs

    def post(self, evs):
        return request(self.base, "/api/v1/events", "POST", json.dumps(evs).encode(),
                       {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json", "Accept": "application/json"}, self.timeout)

    def record(self, ids, a, sent):
        with self.lock:
            self.answers.append((sent, a))
            if a.status is not None and 200 <= a.status < 300:
                results = (a.json() or {}).get("results", [])
                for r in results:
                    if r.get("status") in ("stored", "duplicate"):
                        self.acked.setdefault(r["event_id"], time.time())
                    else:
                        self.rejected.append(r)
                if len(results) != len(ids):
                    self.rejected.append({"batch": ids[:2], "results": len(results)})
            elif a.status is None:
                self.unanswered.append((ids, a, sent))
            else:
                self.refused.append((ids, a, sent))

    def send(self, k, size=None):
        """One batch of `size` new events as sender k; its answer."""
        evs = self._batch(k, size)
        sent = time.time()
        a = self.post(evs)
        self.record([e["event_id"] for e in evs], a, sent)
        return a

    def run(self, k):
        while not self.stop_flag.is_set():
            if self.send(k).status != 200:
                time.sleep(0.2)  # a client's short pause before the next try

    def start(self):
        self.threads = [threading.Thread(target=self.run, args=(k,), daemon=True) for k in range(self.n)]
        for t in self.threads:
            t.start()

    def finish(self):
        self.stop_flag.set()
        for t in self.threads:
            t.join(timeout=self.timeout + 30)

    def stored_since(self, t):
        with self.lock:
            return any(s >= t and a.status == 200 for s, a in self.answers)


# MARK: checks shared by both scenarios

def check_database(fails, db, senders, server):
    """Every acknowledged event once, with its content; every refused or unanswered batch whole or
    absent; then those batches resent; then every event sent present once; audit verify."""
    like = senders.prefix + "-%"
    rows = db.rows(f"""SELECT e.client_id, c.reference, e.activity FROM service_events e JOIN service_cases c ON c.id = e.case_id
                       WHERE e.client_id LIKE '{like}'""")
    count, content = {}, {}
    for cid, ref, act in rows:
        count[cid] = count.get(cid, 0) + 1
        content[cid] = (ref, act)
    acked = list(senders.acked)
    missing = [i for i in acked if i not in count]
    twice = [i for i, n in count.items() if n > 1]
    wrong = [i for i in acked if i in content and content[i] != (senders.events[i]["case"], senders.events[i]["activity"])]
    fails.check(not missing and not twice and not wrong,
                f"{len(acked)} acknowledged events present once each with the case and activity sent "
                f"({len(missing)} missing, {len(twice)} stored twice, {len(wrong)} different)")
    failed = senders.refused + senders.unanswered
    half = []
    whole = 0
    for ids, _, _ in failed:
        present = sum(1 for i in ids if i in count)
        if 0 < present < len(ids):
            half.append((ids[0], present, len(ids)))
        elif present == len(ids):
            whole += 1
    stats = {"failed_batches": len(failed), "absent": len(failed) - whole - len(half), "whole": whole, "half_written": len(half)}
    fails.check(not half, f"{len(failed)} refused or unanswered batches: {len(failed) - whole - len(half)} absent, {whole} whole "
                          f"(committed as the connection dropped), {len(half)} half-written {half[:3]}")
    # Sent again, as a client does after an error: each event stored or a duplicate, none rejected.
    outcome = {"stored": 0, "duplicate": 0, "other": 0}
    for ids, _, _ in failed:
        a = senders.post([senders.events[i] for i in ids])
        if a.status != 200:
            outcome["other"] += len(ids)
            continue
        for r in (a.json() or {}).get("results", []):
            key = r.get("status") if r.get("status") in ("stored", "duplicate") else "other"
            outcome[key] += 1
            if key != "other":
                senders.acked.setdefault(r["event_id"], time.time())
    fails.check(outcome["other"] == 0, f"the failed batches sent again: {outcome['stored']} stored, {outcome['duplicate']} duplicate, "
                                       f"{outcome['other']} refused or rejected")
    final = db.rows(f"SELECT client_id, COUNT(*) FROM service_events WHERE client_id LIKE '{like}' GROUP BY client_id")
    final_count = {r[0]: int(r[1]) for r in final}
    lost = [i for i in senders.events if final_count.get(i) != 1]
    fails.check(not lost, f"all {len(senders.events)} events sent are present once in the end ({len(lost)} not)")
    fails.check(not senders.rejected, f"no event rejected in a 2xx answer ({len(senders.rejected)}: {senders.rejected[:2]})")
    unanalysed = int(db.value(f"""SELECT COUNT(*) FROM service_cases c WHERE c.reference LIKE '{like}'
                                  AND (c.analysed_at IS NULL OR c.events <> (SELECT COUNT(*) FROM service_events e WHERE e.case_id = c.id))"""))
    fails.check(unanalysed == 0, f"every case's stored analysis counts all its events ({unanalysed} stale)")
    r = server.cli("audit", "verify")
    fails.check(r.returncode == 0, "pantau audit verify: " + ((r.stdout or r.stderr).strip().splitlines() or ["?"])[-1])
    return stats


def statuses(answers):
    out = {}
    for a in answers:
        key = a.status if a.status is not None else "no answer"
        out[key] = out.get(key, 0) + 1
    return out


def is_clear_503(a, bound, api):
    """A 503 within `bound` seconds with Retry-After and a JSON problem (api) or an HTML page whose
    title says the database cannot be reached."""
    if a.status != 503 or a.seconds > bound or not a.headers or not a.headers.get("Retry-After"):
        return False
    t = a.title().lower()
    says = "basis data" in t or "database" in t
    if api:
        j = a.json()
        return "json" in a.ctype and isinstance(j, dict) and j.get("status") == 503 and says and bool(j.get("detail"))
    return "text/html" in a.ctype and says


# MARK: scenario 1: PostgreSQL goes away and comes back

def scenario_postgres(binary, args):
    fails = Failures("postgres")
    tmp = tempfile.mkdtemp(prefix="pantau-fault-pg-")
    port = free_port()
    while port == DEV_POSTGRES_PORT:
        port = free_port()
    cluster = PostgresCluster(tempfile.mkdtemp(prefix="pantau-fault-pgdata-"), port, "pantau_fault")  # handed to the postgres user
    server = None
    try:
        url = cluster.start()
        log("postgres", f"own PostgreSQL cluster on port {port} ({cluster.dir})")
        db = PostgresDB(url, "fault-test")
        work = os.path.join(tmp, "work")
        os.makedirs(work)
        # connect_timeout: how long a request waits for a connection (the server's default, written out).
        env = server_env(url + f"&connect_timeout={CONNECT_WAIT}", ADMIN_PASSWORD, "notice", PANTAU_AUTO_MIGRATE="true")
        server = Server(binary, env, work)
        took = server.start()
        pid = server.proc.pid
        log("postgres", f"server up at {server.base} after {took:.1f}s (pid {pid})")
        token = server.create_token("fault-test")
        sop, activities = sop_with_activities(server.base, token, "imunisasi")
        survey = db.value("SELECT code FROM surveys WHERE active = 1 ORDER BY id LIMIT 1")
        browser = Browser(server.base)
        r = browser.login()
        fails.check(r.status == 303, f"signed in as admin before the outage ({r.status})")
        senders = Senders(server.base, token, sop["id"], activities, f"ft{secrets.token_hex(3)}", n=args.senders)
        senders.start()
        time.sleep(3)
        before = len(senders.acked)
        fails.check(before > 0, f"{before} events acknowledged before the outage")

        # The outage.
        cluster.stop("immediate")
        t_down = time.time()
        log("postgres", f"PostgreSQL stopped with pg_ctl stop -m immediate; sending on for {args.outage:.0f}s")
        bound = CONNECT_WAIT + 3
        probes = {}

        def probe(name, fn):
            probes.setdefault(name, []).append(fn())

        checks = [("/health", lambda: request(server.base, "/health")),
                  ("/ready", lambda: request(server.base, "/ready")),
                  ("API read", lambda: request(server.base, "/api/v1/sops", headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})),
                  ("public page", lambda: request(server.base, f"/s/{survey}", headers={"Accept": "text/html"})),
                  ("public page (English)", lambda: request(server.base, f"/s/{survey}?lang=en", headers={"Accept": "text/html"})),
                  ("signed-in page", lambda: browser.get("/sops")),
                  ("signed-in page (English)", lambda: browser.get("/sops?lang=en"))]
        while time.time() - t_down < args.outage:
            # Every check at once (each waits for the connection wait), again and again while the outage lasts.
            ts = [threading.Thread(target=probe, args=c, daemon=True) for c in checks]
            for t in ts:
                t.start()
            for t in ts:
                t.join(timeout=120)
            time.sleep(0.3)
        t_up_start = time.time()
        outage_answers = [a for s, a in list(senders.answers) if t_down <= s < t_up_start]
        log("postgres", f"during the outage: event batches answered {statuses(outage_answers)}; "
                        + "; ".join(f"{k} {statuses(v)}" for k, v in probes.items()))
        for k, v in probes.items():
            log("postgres", f"  {k}: e.g. {v[-1].short()}")
        # A batch already inside its transaction when PostgreSQL went away may have been answered
        # before it noticed; every later one must be a clear 503.
        settled = [a for s, a in list(senders.answers) if t_down + 1 <= s < t_up_start]
        fails.check(len(settled) > 0 and all(is_clear_503(a, bound, api=True) for a in settled),
                    f"every event batch sent during the outage answered 503 + Retry-After + JSON problem within {bound}s "
                    f"({len([a for a in settled if is_clear_503(a, bound, True)])}/{len(settled)}; slowest "
                    f"{max([a.seconds for a in settled] or [0]):.1f}s)")
        fails.check(not any(a.status == 500 or (a.status and not a.body) for a in outage_answers),
                    "no 500 and no empty body among the batch answers")
        fails.check(all(a.status == 503 and (a.json() or {}).get("status") == "database unreachable" and a.seconds <= bound for a in probes["/ready"]),
                    f"/ready answered 503 'database unreachable' each time within {bound}s")
        fails.check(all(a.status == 200 and (a.json() or {}).get("status") == "ok" and a.seconds <= bound for a in probes["/health"]),
                    f"/health answered 200 'ok' (alive) each time within {bound}s: {statuses(probes['/health'])}")
        fails.check(all(is_clear_503(a, bound, api=True) for a in probes["API read"]), "an API read answered a clear 503 each time")
        id_title = probes["public page"][-1].title()
        fails.check(all(is_clear_503(a, bound, api=False) for a in probes["public page"]) and "Basis data" in id_title,
                    f"a public page answered a 503 page in Indonesian each time: {id_title!r}")
        en_title = probes["public page (English)"][-1].title()
        fails.check(all(is_clear_503(a, bound, api=False) for a in probes["public page (English)"]) and "database" in en_title.lower(),
                    f"the same page with ?lang=en answered in English: {en_title!r}")
        signed = probes["signed-in page"] + probes["signed-in page (English)"]
        fails.check(all(is_clear_503(a, bound, api=False) for a in signed),
                    f"a signed-in page answered a 503 page: {signed[-1].title()!r}")

        # PostgreSQL back.
        cluster.start()
        t_up = time.time()
        log("postgres", f"PostgreSQL started again after an outage of {t_up - t_down:.1f}s")
        ready_after = stored_after = None
        deadline = t_up + args.recovery_bound + 30
        while time.time() < deadline and (ready_after is None or stored_after is None):
            if ready_after is None and request(server.base, "/ready", timeout=30).status == 200:
                ready_after = time.time() - t_up
            if stored_after is None and senders.stored_since(t_up):
                stored_after = time.time() - t_up
            time.sleep(0.1)
        fails.check(server.proc.poll() is None and server.proc.pid == pid, f"the same server process (pid {pid}) is still running: no restart")
        fails.check(ready_after is not None and ready_after <= args.recovery_bound,
                    f"/ready said ready {'never' if ready_after is None else f'{ready_after:.1f}s'} after PostgreSQL came back "
                    f"(bound {args.recovery_bound:.0f}s)")
        fails.check(stored_after is not None and stored_after <= args.recovery_bound,
                    f"an event batch was stored again {'never' if stored_after is None else f'{stored_after:.1f}s'} after PostgreSQL came back")
        time.sleep(2)
        senders.finish()
        for ids, a, sent in senders.unanswered[:5]:
            log("postgres", f"  without an answer: sent {sent - t_down:+.1f}s from the stop, {a.seconds:.1f}s: {a.error}")
        log("postgres", f"senders: {len(senders.answers)} requests, {len(senders.events)} events sent, {len(senders.acked)} acknowledged, "
                        f"{len(senders.refused)} batches refused {statuses([a for _, a, _ in senders.refused])}, "
                        f"{len(senders.unanswered)} without an answer")
        page = browser.get("/sops")
        fails.check(page.status == 200, f"the admin's session works again without signing in anew ({page.status})")
        acked = len(senders.acked)
        batches = check_database(fails, db, senders, server)
        fails.figures = {"outage": round(t_up - t_down, 1), "ready_after": ready_after and round(ready_after, 1),
                         "stored_after": stored_after and round(stored_after, 1),
                         "slowest_outage_answer": round(max([a.seconds for a in outage_answers] or [0]), 1),
                         "probes": {k: statuses(v) for k, v in probes.items()},
                         "acked_before": before, "acked": acked, "refused": len(senders.refused),
                         "unanswered": len(senders.unanswered), "outage_answers": statuses(outage_answers), "batches": batches}
        log("postgres", "figures: " + json.dumps(fails.figures))
    except Exception as e:
        fails.append(f"error: {e}")
        log("postgres", f"error: {e}")
    finally:
        if server:
            if fails:
                log("postgres", "server log (last lines):\n" + server.tail(25))
            server.stop()
        cluster.destroy()
        shutil.rmtree(tmp, ignore_errors=True)
    return fails


# MARK: scenario 2: the disk fills up (SQLite)

def ignores_sigxfsz(pid):
    """Whether the process ignores SIGXFSZ (/proc/PID/status, SigIgn)."""
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("SigIgn:"):
                return bool(int(line.split()[1], 16) & (1 << (signal.SIGXFSZ - 1)))
    except OSError:
        pass
    return None


def scenario_disk(binary, args):
    fails = Failures("disk")
    tmp = tempfile.mkdtemp(prefix="pantau-fault-disk-")
    server = None
    try:
        path = os.path.join(tmp, "pantau.sqlite")
        db = SQLiteDB(path)
        env = server_env(path, ADMIN_PASSWORD, "notice", PANTAU_AUTO_MIGRATE="true")
        # The database built without a limit (demo data), then stopped (its WAL folded into the file).
        first = Server(binary, env, tmp)
        first.start()
        token = first.create_token("fault-test")
        first.stop()
        # The WAL folded into the file, whatever the stop left.
        con = sqlite3.connect(path)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()
        size = max(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p))
        limit = size + args.headroom * 1024
        log("disk", f"database {size / 1e6:.1f} MB; the server starts again with a file size limit of {limit / 1e6:.1f} MB "
                    f"(RLIMIT_FSIZE soft limit, {args.headroom} KiB above the file)")

        def limit_fsize():
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))

        server = Server(binary, env, tmp, preexec_fn=limit_fsize)
        server.start()
        pid = server.proc.pid
        fails.check(ignores_sigxfsz(pid) is True, "the server ignores SIGXFSZ (a write past the limit fails instead of killing it)")
        sop, activities = sop_with_activities(server.base, token, "imunisasi")
        survey = db.value("SELECT code FROM surveys WHERE active = 1 ORDER BY id LIMIT 1")
        # Served once before the fault, as a running server has (its first view stores the form's secret).
        warm = request(server.base, f"/s/{survey}", headers={"Accept": "text/html"})
        fails.check(warm.status == 200, f"the public survey page answers before the fault ({warm.status})")
        senders = Senders(server.base, token, sop["id"], activities, f"fd{secrets.token_hex(3)}", n=args.senders, batch=100)
        senders.start()
        t0 = time.time()
        while time.time() - t0 < 120 and not senders.refused and server.proc.poll() is None:
            time.sleep(0.05)
        t_full = time.time()
        acked_before_full = len(senders.acked)
        fails.check(bool(senders.refused), f"writes refused once the limit was reached ({len(senders.acked)} events acknowledged "
                                           f"in {t_full - t0:.1f}s before the first refusal)")
        # Smaller writes may still fit in what is left (as on a real disk): smaller batches, then
        # sign-ins (a session and an audit entry), until they are refused too.
        fill = {}
        for small in (20, 5, 1):
            refused_in_row = tries = 0
            while refused_in_row < 3 and tries < 400:
                a = senders.send(senders.n, small)
                tries += 1
                fill[small] = fill.get(small, 0) + (a.status == 200)
                refused_in_row = refused_in_row + 1 if a.status == 507 else 0
        logins = []
        while len(logins) < 100 and (not logins or logins[-1].status == 303):
            logins.append(Browser(server.base).login())
        login = logins[-1]
        time.sleep(args.outage)
        # Reads while the disk is full: an API read and a public page.
        api_read = request(server.base, "/api/v1/sops", headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})
        page_read = request(server.base, f"/s/{survey}", headers={"Accept": "text/html"})
        during = [a for s, a in list(senders.answers) if s >= t_full]
        log("disk", f"while full: event batches answered {statuses(during)}, e.g. {during[-1].short() if during else '-'}; "
                    f"batches of 20/5/1 events still stored after the first refusal: {fill}; {len(logins) - 1} sign-ins still fitted, "
                    f"then {login.short()}; API read {api_read.status}; public page {page_read.status}")
        fails.check(server.proc.poll() is None, "the server is still running")
        during = [a for a in during if a.status != 200]  # small batches that still fitted are acknowledged writes
        full_json = [a for a in during if a.status == 507 and "json" in a.ctype and (a.json() or {}).get("status") == 507
                     and "penuh" in a.title().lower() and (a.json() or {}).get("detail")]
        fails.check(len(during) > 0 and len(full_json) == len(during),
                    f"every batch refused while full answered 507 with a JSON problem ('{during[-1].title() if during else ''}'): "
                    f"{len(full_json)}/{len(during)}")
        fails.check(login.status == 507 and "text/html" in login.ctype and "penuh" in login.title().lower(),
                    f"signing in (a write) answered a 507 page in Indonesian: {login.title()!r}")
        fails.check(api_read.status == 200 and page_read.status == 200 and "<form" in page_read.body,
                    f"reads go on (API read {api_read.status}, public survey page {page_read.status})")

        # Space returns: the limit lifted on the running server.
        resource.prlimit(pid, resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        t_free = time.time()
        log("disk", f"limit lifted after {t_free - t_full:.1f}s of refusals")
        stored_after = None
        while time.time() - t_free < 60 and stored_after is None:
            if senders.stored_since(t_free):
                stored_after = time.time() - t_free
            time.sleep(0.05)
        fails.check(stored_after is not None and stored_after <= 10,
                    f"an event batch was stored again {'never' if stored_after is None else f'{stored_after:.2f}s'} after the limit was lifted")
        time.sleep(1)
        senders.finish()
        log("disk", f"senders: {len(senders.answers)} requests, {len(senders.events)} events sent, {len(senders.acked)} acknowledged, "
                    f"{len(senders.refused)} batches refused {statuses([a for _, a, _ in senders.refused])}, "
                    f"{len(senders.unanswered)} without an answer")
        login = Browser(server.base).login()
        fails.check(login.status == 303, f"signing in works again ({login.status})")
        fails.check(server.proc.pid == pid and server.proc.poll() is None, f"the same server process (pid {pid}): no restart")
        acked = len(senders.acked)
        batches = check_database(fails, db, senders, server)
        integrity = db.value("PRAGMA integrity_check")
        fails.check(integrity == "ok", f"PRAGMA integrity_check: {integrity}")
        server.stop()
        fails.check(server.proc.returncode == 0, f"the server stopped cleanly (exit {server.proc.returncode})")
        fails.figures = {"database_mb": round(size / 1e6, 1), "acked_before_full": acked_before_full, "refused_for_s": round(t_free - t_full, 1),
                         "stored_after": stored_after and round(stored_after, 2), "acked": acked,
                         "refused": len(senders.refused), "during": statuses(during), "fill": fill, "signins_fitted": len(logins) - 1,
                         "batches": batches}
        log("disk", "figures: " + json.dumps(fails.figures))
    except Exception as e:
        fails.append(f"error: {e}")
        log("disk", f"error: {e}")
    finally:
        if server:
            if fails:
                log("disk", "server log (last lines):\n" + server.tail(25))
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return fails


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("binary", nargs="?", default=".build/debug/pantau")
    ap.add_argument("--scenario", choices=["postgres", "disk", "both"], default="both")
    ap.add_argument("--outage", type=float, default=8, help="seconds the fault lasts while senders go on")
    ap.add_argument("--recovery-bound", type=float, default=20, help="seconds allowed from PostgreSQL's return to ready")
    ap.add_argument("--senders", type=int, default=3)
    ap.add_argument("--headroom", type=int, default=2048, help="KiB the file size limit leaves above the SQLite file")
    args = ap.parse_args()
    binary = os.path.abspath(args.binary)
    print(f"fault-test: binary {binary}", flush=True)
    failed = []
    t0 = time.time()
    if args.scenario in ("postgres", "both"):
        failed += [f"postgres: {f}" for f in scenario_postgres(binary, args)]
    if args.scenario in ("disk", "both"):
        failed += [f"disk: {f}" for f in scenario_disk(binary, args)]
    print(f"fault-test: {'passed' if not failed else 'FAILED: ' + '; '.join(failed)} in {time.time() - t0:.0f}s", flush=True)
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
