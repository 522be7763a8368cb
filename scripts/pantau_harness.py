"""What the server test scripts share: a free port, `pantau serve` started with its environment and
waited for, an API token, the database read directly (sqlite3 / psql), fresh PostgreSQL databases
and a throw-away PostgreSQL cluster.

Used by scripts/kill-test.py, scripts/multi-instance-test.py, scripts/backup-test.py and
scripts/fault-test.py. Python 3 standard library only; PostgreSQL access goes through `psql` (and
the cluster through scripts/start-postgres.sh and `pg_ctl`).
"""
import glob, json, os, secrets, shutil, signal, socket, sqlite3, subprocess, time, urllib.error, urllib.parse, urllib.request

SEP = "\x1f"
SCRIPTS = os.path.dirname(os.path.abspath(__file__))


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def postgres_bin(tool, who="pantau-harness"):
    """The path of a PostgreSQL program (psql, pg_ctl, …): from PATH, else the newest /usr/lib/postgresql/*/bin."""
    p = shutil.which(tool)
    if p:
        return p
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{tool}"), key=lambda x: [int(n) if n.isdigit() else n for n in x.split("/")])
    if not found:
        raise SystemExit(f"{who}: {tool} not found (apt-get install postgresql-client)")
    return found[-1]


def find_psql(who="pantau-harness"):
    return postgres_bin("psql", who)


def with_database(url, name):
    """The URL with its database name replaced."""
    u = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((u.scheme, u.netloc, "/" + name, u.query, u.fragment))


def server_env(database_url, admin_password, log_level="error", **extra):
    """The environment of a test server: this one's, plus the database, the first admin's password,
    loopback only, a fresh random audit key (never a key file from the caller's environment) and `extra`."""
    env = dict(os.environ, PANTAU_DATABASE_URL=database_url, PANTAU_ADMIN_PASSWORD=admin_password, PANTAU_HOST="127.0.0.1",
               PANTAU_LOG_LEVEL=log_level, PANTAU_AUDIT_KEY=secrets.token_hex(32))
    env.pop("PANTAU_AUDIT_KEY_FILE", None)
    env.update({k: str(v) for k, v in extra.items()})
    return env


# MARK: the database, read directly

class SQLiteDB:
    def __init__(self, path):
        self.path = path

    def rows(self, sql):
        con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30)
        try:
            return [tuple(r) for r in con.execute(sql).fetchall()]
        finally:
            con.close()

    def value(self, sql):
        rows = self.rows(sql)
        return rows[0][0] if rows else None

    def counts(self):
        """Rows per table."""
        names = [r[0] for r in self.rows("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")]
        return {n: int(self.rows(f'SELECT COUNT(*) FROM "{n}"')[0][0]) for n in names}


class PostgresDB:
    def __init__(self, url, who="pantau-harness"):
        self.url = url
        self.psql = find_psql(who)

    def run(self, sql, url=None, timeout=120):
        r = subprocess.run([self.psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", "-F", SEP, "-d", url or self.url, "-c", sql],
                           capture_output=True, text=True, timeout=timeout)
        if r.returncode != 0:
            raise RuntimeError(f"psql failed ({sql[:80]}…): {r.stderr.strip()}")
        return r.stdout

    def rows(self, sql):
        return [tuple(line.split(SEP)) for line in self.run(sql).splitlines() if line != ""]

    def value(self, sql):
        rows = self.rows(sql)
        return rows[0][0] if rows else None

    def counts(self):
        """Rows per table of the current schema."""
        names = [r[0] for r in self.rows("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
                                         "AND table_type = 'BASE TABLE'")]
        return {n: int(self.rows(f'SELECT COUNT(*) FROM "{n}"')[0][0]) for n in names}

    def create_database(self, prefix):
        """A new, empty database on this server named `prefix` + random hex: (name, url)."""
        name = f"{prefix}{secrets.token_hex(4)}"
        self.run(f"CREATE DATABASE {name}")
        return name, with_database(self.url, name)

    def drop_database(self, name):
        self.run(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


class PostgresCluster:
    """A throw-away PostgreSQL server of its own (scripts/start-postgres.sh: trust authentication,
    127.0.0.1 only, fsync off) that a test can stop and start again."""

    def __init__(self, directory, port=None, dbname="pantau_fault"):
        self.dir, self.port, self.dbname = directory, port or free_port(), dbname
        self.url = None

    def start(self):
        r = subprocess.run([os.path.join(SCRIPTS, "start-postgres.sh"), self.dir, str(self.port), self.dbname],
                           capture_output=True, text=True, timeout=180)
        if r.returncode != 0:
            raise RuntimeError(f"start-postgres.sh failed: {(r.stdout + r.stderr).strip()[-1500:]}")
        self.url = r.stdout.strip().splitlines()[-1]
        return self.url

    def stop(self, mode="fast"):
        """`pg_ctl stop -m MODE`: `immediate` ends every server process at once (like a crash or a
        pulled cable: no shutdown checkpoint, clients see their connections reset)."""
        cmd = [postgres_bin("pg_ctl"), "-D", self.dir, "-m", mode, "-w", "stop"]
        if os.getuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            raise RuntimeError(f"pg_ctl stop -m {mode} failed: {(r.stdout + r.stderr).strip()}")

    def running(self):
        return os.path.exists(os.path.join(self.dir, "postmaster.pid"))

    def destroy(self):
        subprocess.run([os.path.join(SCRIPTS, "stop-postgres.sh"), self.dir], capture_output=True, timeout=120)
        shutil.rmtree(self.dir, ignore_errors=True)


# MARK: the server

class Server:
    """One `pantau serve` on a loopback port, its output in WORK/server.log (or server-NAME.log).

    With `port=None` every start takes a new free port (a restarted server never meets a client of
    the old one); `fixed_port=True` picks one port at creation and keeps it. `start()` waits until
    /health answers and returns the seconds it took."""

    def __init__(self, binary, env, work, name=None, demo=True, fixed_port=False, preexec_fn=None):
        self.binary, self.env, self.work, self.name, self.demo = binary, dict(env), work, name, demo
        self.preexec_fn = preexec_fn
        self.proc, self.base, self.port, self.starts = None, None, None, 0
        self.fixed_port = fixed_port
        self.cli_timeout = 300
        self.log_path = os.path.join(work, f"server-{name}.log" if name else "server.log")
        if fixed_port:
            self._use_port(free_port())

    def _use_port(self, port):
        self.port = port
        self.env["PANTAU_PORT"] = str(port)
        self.base = f"http://127.0.0.1:{port}"

    @property
    def label(self):
        return f"instance {self.name}" if self.name else "server"

    def start(self, timeout=180, wait_path="/health"):
        if not self.fixed_port:
            self._use_port(free_port())
        self.starts += 1
        with open(self.log_path, "ab") as f:
            f.write(f"\n===== start {self.starts} on port {self.port} =====\n".encode())
        logf = open(self.log_path, "ab")
        t0 = time.time()
        args = [self.binary, "serve"] + (["--demo"] if self.demo else [])
        self.proc = subprocess.Popen(args, cwd=self.work, env=self.env, stdout=logf, stderr=subprocess.STDOUT, preexec_fn=self.preexec_fn)
        logf.close()
        while time.time() - t0 < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.label} exited with {self.proc.returncode} during start:\n{self.tail()}")
            try:
                urllib.request.urlopen(self.base + wait_path, timeout=2)
                return time.time() - t0
            except Exception:
                time.sleep(0.1)
        self.proc.kill()
        raise RuntimeError(f"{self.label} did not answer {wait_path} within {timeout}s:\n{self.tail()}")

    def healthy(self):
        try:
            return urllib.request.urlopen(self.base + "/health", timeout=5).status == 200
        except Exception:
            return False

    def kill9(self):
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def tail(self, n=30):
        try:
            return "".join(open(self.log_path, errors="replace").readlines()[-n:])
        except OSError:
            return ""

    def cli(self, *args, database=None, timeout=None):
        """`pantau ARGS` against the server's database (or `database`); at most `timeout` (or
        `cli_timeout`) seconds."""
        env = dict(self.env)
        if database is not None:
            env["PANTAU_DATABASE_URL"] = database
        return subprocess.run([self.binary, *args], cwd=self.work, env=env, capture_output=True, text=True, timeout=timeout or self.cli_timeout)

    def create_token(self, name, unit="PEMKOT"):
        """A new API token (`pantau token create`) scoped to `unit`."""
        r = self.cli("token", "create", "--name", name, "--unit", unit)
        if r.returncode != 0:
            raise RuntimeError("pantau token create failed:\n" + (r.stdout + r.stderr).strip())
        return r.stdout.strip().splitlines()[-1]


def get_json(base, path, token, timeout=30):
    req = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.load(r)


def sop_with_activities(base, token, title_contains=None):
    """A SOP of the demo agency (the first whose title contains `title_contains`, or the first) and
    the activities of its effective version's steps."""
    sops = get_json(base, "/api/v1/sops?per_page=100", token)["items"]
    sop = next(s for s in sops if title_contains is None or title_contains in s["title"].lower())
    doc = get_json(base, f"/api/v1/sops/{sop['id']}", token)["effective"]["document"]
    return sop, [s["kegiatan"] for s in doc["langkah"] if s.get("kegiatan")]
