#!/usr/bin/env python3
"""Backup test: `pantau backup` while the server writes, `pantau restore` into a new database, and the checks.

For each engine (SQLite in a temporary directory; PostgreSQL in fresh databases made on the server that
--postgres-url names, dropped afterwards) this
  1. starts `pantau serve --demo` on a free loopback port and creates an API token with `pantau token create`;
  2. runs concurrent senders that POST event batches to /api/v1/events (each batch stored and audited in one
     transaction) and records every event id acknowledged;
  3. while they write, runs `pantau backup FILE`; then lets them write on and stops them;
  4. checks the manifest (FILE.manifest.json): every event acknowledged before the backup started is counted in
     it, the live database has moved on past it;
  5. restores FILE into a new database with `pantau restore FILE` (which verifies the audit chain and compares
     every count with the manifest itself), then runs `pantau audit verify` against the restored database and
     compares every table's row count, read directly (sqlite3 / psql), with the manifest, and checks that every
     event acknowledged before the backup is in it;
  6. checks the refusals: a second restore into the restored database without --force; on SQLite a restore
     with --force into the database the running server holds open; a cut (damaged) copy of FILE, refused with
     the target unchanged; on PostgreSQL a restore into the live database without --force;
  7. where a tiny tmpfs can be mounted (root), a backup onto a full disk: a clear error and no file left.
Prints a summary per engine and exits non-zero on any failed check. Python 3 standard library only;
PostgreSQL checks use `psql`, and `pantau backup` / `restore` use `pg_dump` / `pg_restore` from PATH.

Usage: python3 scripts/backup-test.py [path/to/pantau] [--postgres-url URL] [--engine sqlite|postgres|both]
Environment: BACKUP_TEST_POSTGRES_URL (same as --postgres-url). Without a PostgreSQL URL only SQLite runs.
"""
import argparse, json, os, secrets, shutil, subprocess, sys, tempfile, threading, time
import urllib.error, urllib.request

from pantau_harness import PostgresDB, Server, SQLiteDB, server_env, sop_with_activities


def log(engine, msg):
    print(f"backup-test [{engine}] {msg}", flush=True)


class Senders:
    """Threads posting event batches; every acknowledged event id, with the time of its answer."""

    def __init__(self, base, token, sop_id, activities, prefix, n=3, batch=50):
        self.base, self.token, self.sop_id, self.activities, self.prefix, self.batch = base, token, sop_id, activities, prefix, batch
        self.lock = threading.Lock()
        self.acked = {}   # id -> time the answer arrived
        self.errors = []
        self.requests = 0
        self.stop_flag = threading.Event()
        self.t0 = time.time() - 10 * 86400
        self.threads = [threading.Thread(target=self.run, args=(k,), daemon=True) for k in range(n)]

    def stamp(self, seconds):
        t = time.gmtime(self.t0 + seconds + 7 * 3600)
        return time.strftime("%Y-%m-%dT%H:%M:%S", t) + "+07:00"

    def run(self, k):
        n = 0
        while not self.stop_flag.is_set():
            evs = []
            for _ in range(self.batch):
                c, step = n // len(self.activities), n % len(self.activities)
                evs.append({"event_id": f"{self.prefix}-s{k}-e{n}", "sop_id": self.sop_id, "case": f"{self.prefix}-s{k}-c{c}",
                            "activity": self.activities[step], "timestamp": self.stamp(k * 86400 + c * 900 + step * 60),
                            "resource": f"petugas-{k}"})
                n += 1
            req = urllib.request.Request(self.base + "/api/v1/events", data=json.dumps(evs).encode(), method="POST",
                                         headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(req, timeout=120) as resp:
                    answer = json.load(resp)
                now = time.time()
                with self.lock:
                    self.requests += 1
                    for r in answer.get("results", []):
                        if r.get("status") in ("stored", "duplicate"):
                            self.acked.setdefault(r["event_id"], now)
                        else:
                            self.errors.append(f"rejected {r}")
            except urllib.error.HTTPError as e:
                with self.lock:
                    self.errors.append(f"HTTP {e.code}: {e.read()[:200]!r}")
            except Exception as e:
                with self.lock:
                    self.errors.append(repr(e))

    def start(self):
        for t in self.threads:
            t.start()

    def wait_for(self, n, timeout=120):
        t0 = time.time()
        while len(self.acked) < n:
            if time.time() - t0 > timeout:
                raise RuntimeError(f"only {len(self.acked)} events acknowledged after {timeout}s: {self.errors[:3]}")
            time.sleep(0.05)

    def acked_before(self, t):
        with self.lock:
            return [i for i, at in self.acked.items() if at < t]

    def finish(self):
        self.stop_flag.set()
        for t in self.threads:
            t.join(timeout=150)


def output(r):
    return (r.stdout + r.stderr).strip()


def last_line(r):
    """The command's last line: of its output when it succeeded, of its error output when it failed."""
    text = r.stdout if r.returncode == 0 and r.stdout.strip() else (r.stderr.strip() or r.stdout)
    lines = text.strip().splitlines()
    return lines[-1] if lines else ""


def full_disk_check(engine, server, failures):
    """Backup onto a 256 KiB tmpfs: a clear error, nothing left there. Skipped where mounting is not allowed."""
    mnt = tempfile.mkdtemp(prefix="pantau-full-")
    try:
        m = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mnt], capture_output=True, text=True)
        if m.returncode != 0:
            log(engine, f"full disk: skipped (cannot mount a tmpfs here: {m.stderr.strip() or m.returncode})")
            return
        try:
            r = server.cli("backup", os.path.join(mnt, "b.backup"))
            left = os.listdir(mnt)
            msg = last_line(r)
            clear = any(w in msg.lower() for w in ("full", "no space"))
            log(engine, f"full disk: exit {r.returncode}, left {left}, message: {msg}")
            if r.returncode == 0 or left or not clear:
                failures.append(f"backup onto a full disk: exit {r.returncode}, files left {left}, message {msg!r}")
        finally:
            subprocess.run(["umount", mnt], capture_output=True)
    finally:
        shutil.rmtree(mnt, ignore_errors=True)


def run_engine(engine, binary, live_url, live_db, new_target, args):
    """new_target() -> (url, db, drop) for a fresh, empty restore target."""
    t_start = time.time()
    work = tempfile.mkdtemp(prefix=f"pantau-backup-{engine}-")
    env = server_env(live_url, "backup-test-Passw0rd-2026", "error", PANTAU_AUTO_MIGRATE="true")
    server = Server(binary, env, work)
    server.cli_timeout = 600  # a backup or restore of a large database
    failures, drops = [], []
    try:
        took = server.start()
        log(engine, f"server up at {server.base} after {took:.1f}s (fresh database, demo data)")
        token = server.create_token("backup-test")
        sop, activities = sop_with_activities(server.base, token)
        prefix = f"bt{secrets.token_hex(3)}"

        # 2-3: writes going on, a backup in the middle of them.
        baseline = live_db.counts().get("service_events", 0)  # the demo's own events
        senders = Senders(server.base, token, sop["id"], activities, prefix, n=args.senders, batch=args.batch)
        senders.start()
        senders.wait_for(args.batch * 10)
        file = os.path.join(work, f"pantau-{engine}.backup")
        t_backup = time.time()
        b = server.cli("backup", file)
        t_done = time.time()
        during = len([1 for at in senders.acked.values() if t_backup <= at <= t_done])
        senders.wait_for(len(senders.acked) + args.batch * 5)
        senders.finish()
        log(engine, f"backup: exit {b.returncode} in {t_done - t_backup:.2f}s while {args.senders} senders wrote "
                    f"({during} events acknowledged during it, {len(senders.acked)} in all, {senders.requests} requests)")
        for line in output(b).splitlines():
            log(engine, "  " + line)
        if b.returncode != 0:
            raise RuntimeError("pantau backup failed: " + output(b))
        if senders.errors:
            failures.append(f"{len(senders.errors)} sender errors, e.g. {senders.errors[:3]}")
        if during == 0:
            failures.append("no event was acknowledged while the backup ran: the backup did not overlap the writes")

        # 4: the manifest against what was acknowledged.
        manifest = json.load(open(file + ".manifest.json"))
        before = senders.acked_before(t_backup)
        in_backup_events = manifest["tables"].get("service_events", -1) - baseline
        live_counts = live_db.counts()
        log(engine, f"manifest: {sum(manifest['tables'].values())} rows in {len(manifest['tables'])} tables, test events "
                    f"{in_backup_events} (acknowledged before the backup began {len(before)}, live now {live_counts.get('service_events', 0) - baseline}), "
                    f"audit head #{manifest['audit_head']['seq']}, schema migration {manifest['schema_migration']}")
        if in_backup_events < len(before):
            failures.append(f"the backup counts {in_backup_events} events, but {len(before)} were acknowledged before it began")
        if live_counts.get("service_events", 0) - baseline <= in_backup_events:
            failures.append("the live database did not move on past the backup (writes stopped?)")
        if manifest["tables"].get("audit_log") != manifest["audit_head"]["seq"]:
            failures.append(f"manifest: audit_log {manifest['tables'].get('audit_log')} rows, head #{manifest['audit_head']['seq']}")

        # 5: restore into a new database, audit verify, counts read directly.
        target_url, target_db, drop = new_target()
        drops.append(drop)
        t0 = time.time()
        r = server.cli("restore", file, database=target_url)
        log(engine, f"restore into a new database: exit {r.returncode} in {time.time() - t0:.2f}s: {last_line(r)}")
        if r.returncode != 0:
            failures.append("pantau restore failed: " + output(r)[-2000:])
        else:
            v = server.cli("audit", "verify", database=target_url)
            log(engine, f"pantau audit verify on the restored database: exit {v.returncode}: {last_line(v)}")
            if v.returncode != 0:
                failures.append("pantau audit verify on the restored database failed: " + output(v))
            restored = target_db.counts()
            diff = {t: (manifest["tables"].get(t), restored.get(t)) for t in set(restored) | set(manifest["tables"])
                    if manifest["tables"].get(t) != restored.get(t)}
            log(engine, f"counts read from the restored database: {len(restored)} tables, {sum(restored.values())} rows; "
                        f"differing from the manifest: {len(diff)}")
            if diff:
                failures.append(f"restored counts differ from the manifest: {diff}")
            like = prefix + "-%"
            present = {row[0] for row in target_db.rows(f"SELECT client_id FROM service_events WHERE client_id LIKE '{like}'")}
            lost = [i for i in before if i not in present]
            if lost:
                failures.append(f"{len(lost)} events acknowledged before the backup are not in the restored database, e.g. {lost[:5]}")

            # 6: refusals.
            again = server.cli("restore", file, database=target_url)
            log(engine, f"restore again without --force: exit {again.returncode}: {last_line(again)[:200]}")
            if again.returncode == 0 or "--force" not in output(again):
                failures.append("a restore over a database holding data was not refused (or did not name --force)")
            cut = os.path.join(work, "cut.backup")
            data = open(file, "rb").read()
            open(cut, "wb").write(data[: len(data) // 2])
            counts_before = target_db.counts()
            bad = server.cli("restore", cut, "--force", "--no-manifest", database=target_url)
            log(engine, f"restore of a cut copy with --force: exit {bad.returncode}: {last_line(bad)[:200]}")
            if bad.returncode == 0 or target_db.counts() != counts_before:
                failures.append("a cut backup was restored, or the target changed")
        if engine == "sqlite":
            live = server.cli("restore", file, "--force")
            log(engine, f"restore --force into the database the server holds open: exit {live.returncode}: {last_line(live)[:200]}")
            if live.returncode == 0 or "in use" not in output(live) or not server.healthy():
                failures.append("a restore into the open database was not refused (or the server stopped answering)")
        else:
            live = server.cli("restore", file)
            log(engine, f"restore into the live database without --force: exit {live.returncode}: {last_line(live)[:200]}")
            if live.returncode == 0 or not server.healthy():
                failures.append("a restore into the live database without --force was not refused")

        # 7: a full disk.
        full_disk_check(engine, server, failures)

        secs = time.time() - t_start
        log(engine, f"{'PASS' if not failures else 'FAIL'}: backup during writes, restore, audit verify and counts; {secs:.0f}s")
        for f in failures:
            log(engine, "  FAILURE: " + f)
        if failures:
            log(engine, "server log (last lines):\n" + server.tail(40))
        return not failures
    finally:
        server.stop()
        for d in drops:
            try:
                d()
            except Exception as e:
                print(f"backup-test: cleanup failed: {e}", flush=True)
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("binary", nargs="?", default=".build/debug/pantau")
    ap.add_argument("--postgres-url", default=os.environ.get("BACKUP_TEST_POSTGRES_URL"),
                    help="a PostgreSQL server URL (its database is used only to create and drop fresh ones)")
    ap.add_argument("--engine", choices=["sqlite", "postgres", "both"], default=None,
                    help="default: both with --postgres-url, else sqlite")
    ap.add_argument("--senders", type=int, default=3)
    ap.add_argument("--batch", type=int, default=50)
    args = ap.parse_args()
    engines = ["sqlite", "postgres"] if (args.engine or ("both" if args.postgres_url else "sqlite")) == "both" else [args.engine or "sqlite"]
    if "postgres" in engines and not args.postgres_url:
        raise SystemExit("backup-test: --postgres-url (or BACKUP_TEST_POSTGRES_URL) is needed for PostgreSQL")
    binary = os.path.abspath(args.binary)
    print(f"backup-test: binary {binary}", flush=True)
    ok = True
    for engine in engines:
        if engine == "sqlite":
            tmp = tempfile.mkdtemp(prefix="pantau-backup-db-")

            def new_target(tmp=tmp):
                d = tempfile.mkdtemp(prefix="restored-", dir=tmp)
                path = os.path.join(d, "pantau.sqlite")
                return path, SQLiteDB(path), (lambda: None)

            path = os.path.join(tmp, "pantau.sqlite")
            try:
                ok = run_engine(engine, binary, path, SQLiteDB(path), new_target, args) and ok
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
        else:
            admin = PostgresDB(args.postgres_url, "backup-test")

            def make(kind):
                name, url = admin.create_database(f"pantau_{kind}_")
                return name, url, PostgresDB(url, "backup-test")

            def drop(name):
                admin.drop_database(name)

            def new_target():
                name, url, db = make("restore")
                return url, db, (lambda: drop(name))

            name, url, db = make("backup")
            try:
                ok = run_engine(engine, binary, url, db, new_target, args) and ok
            finally:
                try:
                    drop(name)
                except Exception as e:
                    print(f"backup-test: could not drop {name}: {e}", flush=True)
    print("backup-test: " + ("all engines passed" if ok else "FAILED"), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
