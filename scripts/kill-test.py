#!/usr/bin/env python3
"""Kill test: no acknowledged event is lost or stored twice when the server dies mid-ingestion.

For each engine (SQLite in a temporary directory; PostgreSQL in a fresh database made on the server
that --postgres-url names, dropped afterwards) this
  1. starts `pantau serve --demo` on a free loopback port and creates an API token with
     `pantau token create` against the same database;
  2. runs several concurrent senders that POST batches to /api/v1/events (JSON arrays and NDJSON;
     new event ids, ids repeated within a batch, ids already sent by itself or another sender,
     events of shared cases) and records every event id the server acknowledged (stored or
     duplicate) in a 2xx answer;
  3. after a random 1-3 s, kills the server with SIGKILL while requests are in flight;
  4. restarts it on the same database and, before sending anything, checks in the database that
     every event acknowledged so far is present exactly once with the case and activity sent,
     that no event id is stored twice, that every case with events has its analysis stored
     (service_cases.analysed_at set, its event count equal to its stored events) and that
     `pantau audit verify` passes;
  5. resends every event that was sent but not acknowledged, and a sample of acknowledged ones:
     an acknowledged event answered `stored` again would mean it had been lost;
  6. repeats 2-5 for --kills rounds, then checks that every event ever sent is present once.
Prints a summary per engine and exits non-zero on any loss, duplicate, unexpected rejection,
server error, or failed audit check. Python 3 standard library only; PostgreSQL checks use `psql`.

Usage: python3 scripts/kill-test.py [path/to/pantau] [--postgres-url URL] [--engine sqlite|postgres|both]
                                    [--kills N] [--senders N] [--batch N] [--seed N]
Environment: KILL_TEST_POSTGRES_URL (same as --postgres-url). Without a PostgreSQL URL only SQLite runs
(unless --engine postgres, which then fails).
"""
import argparse, json, os, random, secrets, shutil, sys, tempfile, threading, time
import urllib.error, urllib.request

from pantau_harness import PostgresDB, Server, SQLiteDB, server_env, sop_with_activities


def log(engine, msg):
    print(f"kill-test [{engine}] {msg}", flush=True)


# MARK: events and senders

class Ledger:
    """Every event sent, and what the server answered about it."""

    def __init__(self, prefix, sop_id, activities, rng, batch):
        self.prefix, self.sop_id, self.activities, self.rng, self.batch = prefix, sop_id, activities, rng, batch
        self.lock = threading.Lock()
        self.events = {}          # id -> event (the same body on every send)
        self.order = []           # ids in the order first sent
        self.acked = {}           # id -> first acknowledgement: "stored" or "duplicate"
        self.counters = {}        # per sender: events generated
        self.t0 = time.time() - 20 * 86400  # events lie in the last three weeks (never in the future)
        self.requests = 0
        self.http_errors = []     # (status, body excerpt) of non-2xx answers
        self.rejected = []        # (id, errors)
        self.stored_again = []    # acknowledged ids answered "stored" again later (a lost event)
        self.bad_answers = []     # answers that do not match the request

    def _stamp(self, seconds):
        t = time.gmtime(self.t0 + seconds + 7 * 3600)  # written in WIB (+07:00)
        return time.strftime("%Y-%m-%dT%H:%M:%S", t) + "+07:00"

    def _new_event(self, k):
        n = self.counters.get(k, 0)
        self.counters[k] = n + 1
        eid = f"{self.prefix}-s{k}-e{n}"
        if self.rng.random() < 0.1:
            # A case shared by all senders (concurrent writes to one case).
            c = self.rng.randrange(20)
            case, step, start = f"{self.prefix}-shared-{c}", self.rng.randrange(len(self.activities)), c * 5400
        else:
            c = n // 6
            case, step, start = f"{self.prefix}-s{k}-c{c}", n % 6, (k * 7919 + c * 613) % (18 * 86400)
        ev = {"event_id": eid, "sop_id": self.sop_id, "case": case, "activity": self.activities[step % len(self.activities)],
              "timestamp": self._stamp(start + step * 420 + self.rng.randrange(60)), "resource": f"petugas-{k}"}
        if n % 11 == 0:
            ev["attributes"] = {"loket": str(k), "kill_test": "1"}
        self.events[eid] = ev
        self.order.append(eid)
        return eid

    def next_batch(self, k):
        """Ids of the next batch of sender k: mostly new, some repeated (earlier or in this batch)."""
        with self.lock:
            ids = [self._new_event(k) for _ in range(int(self.batch * 0.88))]
            if self.order:
                ids += [self.rng.choice(self.order) for _ in range(self.batch - len(ids) - 2)]
            ids += self.rng.sample(ids, 2)
            self.rng.shuffle(ids)
            return ids

    def unacked(self):
        with self.lock:
            return [i for i in self.order if i not in self.acked]

    def record(self, ids, answer, resend=False):
        with self.lock:
            results = answer.get("results", [])
            if len(results) != len(ids):
                self.bad_answers.append(f"{len(ids)} events sent, {len(results)} results")
            for r in results:
                idx = r.get("index", 0) - 1
                eid = r.get("event_id")
                if not (0 <= idx < len(ids)) or ids[idx] != eid:
                    self.bad_answers.append(f"result {r.get('index')} names {eid!r}, not {ids[idx] if 0 <= idx < len(ids) else '?'}")
                    continue
                st = r.get("status")
                if st in ("stored", "duplicate"):
                    # Stored twice, or stored by a resend (no sender running) after any acknowledgement:
                    # the event had been lost. (While senders run, a `duplicate` may be recorded
                    # before the `stored` of the request that committed first.)
                    if st == "stored" and (self.acked.get(eid) == "stored" or (resend and eid in self.acked)):
                        self.stored_again.append(eid)
                    if st == "stored" or eid not in self.acked:
                        self.acked[eid] = st
                else:
                    self.rejected.append((eid, r.get("errors")))


def post(base, token, ids, ledger, ndjson, timeout=120):
    evs = [ledger.events[i] for i in ids]
    if ndjson:
        body, ctype = "".join(json.dumps(e) + "\n" for e in evs).encode(), "application/x-ndjson"
    else:
        body, ctype = json.dumps(evs).encode(), "application/json"
    req = urllib.request.Request(base + "/api/v1/events", data=body, method="POST",
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": ctype, "Accept": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.load(resp)


def sender(k, ledger, base, token, stop, state):
    n = 0
    while not stop.is_set():
        ids = ledger.next_batch(k)
        n += 1
        with ledger.lock:
            state["inflight"] += 1
            ledger.requests += 1
        try:
            answer = post(base, token, ids, ledger, ndjson=(n % 3 == 0))
            ledger.record(ids, answer)
        except urllib.error.HTTPError as e:
            if not stop.is_set():
                with ledger.lock:
                    ledger.http_errors.append((e.code, e.read()[:300].decode(errors="replace")))
        except Exception as e:  # connection reset or refused: the kill
            if not stop.is_set():
                with ledger.lock:
                    state["errors_before_kill"].append(repr(e))
                time.sleep(0.05)
        finally:
            with ledger.lock:
                state["inflight"] -= 1


# MARK: checks

def check_database(engine, db, ledger, must_have):
    """Problems found in the database: ids in must_have missing or different, any event id stored
    twice, cases of the test without a stored analysis or with a stale one."""
    problems = []
    like = ledger.prefix + "-%"
    rows = db.rows(f"""SELECT e.client_id, c.reference, e.activity FROM service_events e JOIN service_cases c ON c.id = e.case_id
                       WHERE e.sop_id = {ledger.sop_id} AND e.client_id LIKE '{like}'""")
    count, content = {}, {}
    for cid, ref, act in rows:
        count[cid] = count.get(cid, 0) + 1
        content[cid] = (ref, act)
    missing = [i for i in must_have if i not in count]
    twice = {i: n for i, n in count.items() if n > 1}
    unknown = [i for i in count if i not in ledger.events]
    wrong = [i for i in must_have if i in content and content[i] != (ledger.events[i]["case"], ledger.events[i]["activity"])]
    dup_rows = db.rows("SELECT sop_id, client_id, COUNT(*) FROM service_events GROUP BY sop_id, client_id HAVING COUNT(*) > 1")
    if missing:
        problems.append(f"{len(missing)} acknowledged events missing, e.g. {missing[:10]}")
    if twice:
        problems.append(f"{len(twice)} events stored more than once: {dict(list(twice.items())[:10])}")
    if dup_rows:
        problems.append(f"GROUP BY sop_id, client_id HAVING COUNT(*) > 1 is not empty: {dup_rows[:10]}")
    if unknown:
        problems.append(f"{len(unknown)} stored ids never sent, e.g. {unknown[:10]}")
    if wrong:
        problems.append(f"{len(wrong)} events stored with another case or activity than sent, e.g. {wrong[:5]}")
    cases = db.rows(f"""SELECT c.reference, CASE WHEN c.analysed_at IS NULL THEN 0 ELSE 1 END, c.events,
                               (SELECT COUNT(*) FROM service_events e WHERE e.case_id = c.id)
                        FROM service_cases c WHERE c.sop_id = {ledger.sop_id} AND c.reference LIKE '{like}'""")
    unanalysed = [r[0] for r in cases if int(r[3]) > 0 and int(r[1]) == 0]
    stale = [(r[0], int(r[2]), int(r[3])) for r in cases if int(r[1]) == 1 and int(r[2]) != int(r[3])]
    glob_unanalysed = db.rows("""SELECT COUNT(*) FROM service_cases c WHERE c.analysed_at IS NULL
                                 AND EXISTS (SELECT 1 FROM service_events e WHERE e.case_id = c.id)""")[0][0]
    if unanalysed or int(glob_unanalysed):
        problems.append(f"{max(len(unanalysed), int(glob_unanalysed))} cases with events but no stored analysis, e.g. {unanalysed[:10]}")
    if stale:
        problems.append(f"{len(stale)} cases whose stored analysis counts other events than stored (reference, analysed, stored): {stale[:10]}")
    stats = {"present": sum(1 for i in must_have if i in count), "rows": len(rows), "twice": len(twice),
             "cases": len(cases), "analysed": sum(1 for r in cases if int(r[1]) == 1)}
    return problems, stats


def audit_verify(server):
    r = server.cli("audit", "verify")
    line = (r.stdout.strip().splitlines() or [r.stderr.strip()])[-1] if (r.stdout or r.stderr) else ""
    return r.returncode == 0, line


# MARK: one engine

def run_engine(engine, binary, db_url, db, args, rng):
    t_start = time.time()
    work = tempfile.mkdtemp(prefix=f"pantau-kill-{engine}-")
    env = server_env(db_url, "kill-test-Passw0rd-2026", "error", PANTAU_AUTO_MIGRATE="true")
    server = Server(binary, env, work)
    failures = []
    in_flight_total = committed_unanswered = 0
    try:
        took = server.start()
        log(engine, f"server up at {server.base} after {took:.1f}s (fresh database, demo data)")
        token = server.create_token("kill-test")
        sop, activities = sop_with_activities(server.base, token, "imunisasi")
        prefix = f"kt{secrets.token_hex(3)}"
        ledger = Ledger(prefix, sop["id"], activities, rng, args.batch)
        log(engine, f"SOP {sop['id']} ({sop['title']}), {len(activities)} activities; event ids {prefix}-…; "
                    f"{args.senders} senders, {args.batch} events a batch")

        for round_no in range(1, args.kills + 1):
            # Senders until the kill.
            stop = threading.Event()
            state = {"inflight": 0, "errors_before_kill": []}
            acked_before = len(ledger.acked)
            req_before = ledger.requests
            threads = [threading.Thread(target=sender, args=(k, ledger, server.base, token, stop, state), daemon=True)
                       for k in range(args.senders)]
            for t in threads:
                t.start()
            delay = rng.uniform(1.0, 3.0)
            time.sleep(delay)
            with ledger.lock:
                inflight = state["inflight"]
                stop.set()  # set under the lock: an answer parsed after this still counts, none can arrive after the kill
            server.kill9()
            for t in threads:
                t.join(timeout=130)
            if any(t.is_alive() for t in threads):
                failures.append(f"round {round_no}: a sender did not finish after the kill")
            if state["errors_before_kill"]:
                failures.append(f"round {round_no}: {len(state['errors_before_kill'])} requests failed before the kill: {state['errors_before_kill'][:3]}")
            acked_now = dict(ledger.acked)
            sent = len(ledger.order)
            log(engine, f"kill {round_no}: SIGKILL after {delay:.1f}s with {inflight} requests in flight; "
                        f"{ledger.requests - req_before} requests this round; {sent} distinct events sent so far, "
                        f"{len(acked_now)} acknowledged (+{len(acked_now) - acked_before})")
            if inflight == 0:
                failures.append(f"round {round_no}: no request was in flight at the kill")

            # Restart and check before sending anything.
            took = server.start()
            problems, st = check_database(engine, db, ledger, list(acked_now))
            ok, line = audit_verify(server)
            if not ok:
                problems.append(f"pantau audit verify failed: {line}")
            log(engine, f"restart {round_no} after {took:.1f}s: acknowledged present {st['present']}/{len(acked_now)}, "
                        f"stored twice {st['twice']}, test events in the database {st['rows']} "
                        f"(so {st['rows'] - st['present']} committed without an answer), cases analysed {st['analysed']}/{st['cases']}; "
                        f"audit: {line}")
            failures += [f"after kill {round_no}: {p}" for p in problems]
            in_flight_total += inflight
            committed_unanswered += st["rows"] - st["present"]

            # Resend what was not acknowledged, and some that were.
            pending = ledger.unacked()
            again = rng.sample(list(acked_now), min(len(acked_now), max(1, len(pending) // 10)))
            ids = pending + again
            rng.shuffle(ids)
            before_stored_again = len(ledger.stored_again)
            outcome = {"stored": 0, "duplicate": 0}
            for j in range(0, len(ids), args.batch):
                chunk = ids[j:j + args.batch]
                try:
                    answer = post(server.base, token, chunk, ledger, ndjson=(j // args.batch) % 2 == 1)
                except urllib.error.HTTPError as e:
                    ledger.http_errors.append((e.code, e.read()[:300].decode(errors="replace")))
                    continue
                ledger.record(chunk, answer, resend=True)
                outcome["stored"] += answer.get("stored", 0)
                outcome["duplicate"] += answer.get("duplicates", 0)
            log(engine, f"resend {round_no}: {len(pending)} unacknowledged + {len(again)} acknowledged -> "
                        f"{outcome['stored']} stored, {outcome['duplicate']} duplicate; still unacknowledged {len(ledger.unacked())}")
            if len(ledger.stored_again) > before_stored_again:
                log(engine, f"resend {round_no}: acknowledged events stored again (they had been lost): "
                            f"{ledger.stored_again[before_stored_again:][:10]}")

        # Final state: every event ever sent is acknowledged and present exactly once.
        problems, st = check_database(engine, db, ledger, list(ledger.order))
        left = ledger.unacked()
        if left:
            problems.append(f"{len(left)} events never acknowledged, e.g. {left[:10]}")
        server.stop()
        ok, line = audit_verify(server)
        if not ok:
            problems.append(f"pantau audit verify failed: {line}")
        failures += [f"final: {p}" for p in problems]
        if ledger.stored_again:
            failures.append(f"{len(ledger.stored_again)} acknowledged events answered `stored` again (lost before, or stored twice): "
                            f"{ledger.stored_again[:10]}")
        if ledger.rejected:
            failures.append(f"{len(ledger.rejected)} events rejected, e.g. {ledger.rejected[:3]}")
        if ledger.http_errors:
            codes = {}
            for c, _ in ledger.http_errors:
                codes[c] = codes.get(c, 0) + 1
            failures.append(f"{len(ledger.http_errors)} non-2xx answers {codes}, e.g. {ledger.http_errors[:2]}")
        if ledger.bad_answers:
            failures.append(f"{len(ledger.bad_answers)} answers not matching their request, e.g. {ledger.bad_answers[:3]}")
        secs = time.time() - t_start
        verdict = "PASS" if not failures else "FAIL"
        log(engine, f"{verdict}: {args.kills} kills ({in_flight_total} requests in flight, {committed_unanswered} events committed "
                    f"but unanswered), {ledger.requests} requests, {len(ledger.order)} distinct events sent, "
                    f"{len(ledger.order) - len(left)} acknowledged, {st['present']} present, {st['twice']} stored twice, "
                    f"{st['cases']} cases ({st['analysed']} analysed), audit: {line}; {secs:.0f}s")
        for f in failures:
            log(engine, "  FAILURE: " + f)
        if failures:
            log(engine, "server log (last lines):\n" + server.tail(40))
        return not failures
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("binary", nargs="?", default=".build/debug/pantau")
    ap.add_argument("--postgres-url", default=os.environ.get("KILL_TEST_POSTGRES_URL"),
                    help="a PostgreSQL server URL (its database is used only to create and drop a fresh one)")
    ap.add_argument("--engine", choices=["sqlite", "postgres", "both"], default=None,
                    help="default: both with --postgres-url, else sqlite")
    ap.add_argument("--kills", type=int, default=3)
    ap.add_argument("--senders", type=int, default=3)
    ap.add_argument("--batch", type=int, default=200)
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args()
    engines = ["sqlite", "postgres"] if (args.engine or ("both" if args.postgres_url else "sqlite")) == "both" else [args.engine or "sqlite"]
    if "postgres" in engines and not args.postgres_url:
        raise SystemExit("kill-test: --postgres-url (or KILL_TEST_POSTGRES_URL) is needed for PostgreSQL")
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 30)
    binary = os.path.abspath(args.binary)
    print(f"kill-test: seed {seed} (repeat with --seed {seed}), binary {binary}", flush=True)
    ok = True
    for engine in engines:
        rng = random.Random(f"{seed}-{engine}")
        if engine == "sqlite":
            tmp = tempfile.mkdtemp(prefix="pantau-kill-db-")
            path = os.path.join(tmp, "pantau.sqlite")
            try:
                ok = run_engine(engine, binary, path, SQLiteDB(path), args, rng) and ok
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
        else:
            admin = PostgresDB(args.postgres_url, "kill-test")
            name, url = admin.create_database("pantau_kill_")
            try:
                ok = run_engine(engine, binary, url, PostgresDB(url, "kill-test"), args, rng) and ok
            finally:
                try:
                    admin.drop_database(name)
                except Exception as e:
                    print(f"kill-test: could not drop {name}: {e}", flush=True)
    print("kill-test: " + ("all engines passed" if ok else "FAILED"), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
