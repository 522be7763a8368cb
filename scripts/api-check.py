#!/usr/bin/env python3
"""API contract check: the OpenAPI document is valid and the running server keeps it.

Starts `pantau serve --demo` on a free loopback port with a fresh SQLite database, creates an API
token for the demo's top unit, then
  1. validates GET /api/v1/openapi.json with openapi-spec-validator (OpenAPI 3.1), and
  2. runs schemathesis against the server with `Authorization: Bearer <token>`: every operation,
     bounded (--max-examples, default 20), loopback only. Checks: no server error (5xx), every
     response's status code, content type and body conform to the document.
Exits non-zero when either step fails. Builds nothing: pass the pantau binary, as for
Tests/e2e/browser_test.py. Installs schemathesis and openapi-spec-validator with pip if missing.

Usage: python3 scripts/api-check.py [path/to/pantau] [--max-examples N] [--seed N] [--report-dir DIR]
Environment: API_CHECK_MAX_EXAMPLES, API_CHECK_SEED (same as the options).

The API token comes from `pantau token create` (as an operator would make one); the admin
session for the second run is written into the temporary database the way sign-in stores it (only
the SHA-256 of the cookie value).
"""
import argparse, hashlib, json, os, secrets, shutil, socket, sqlite3, subprocess, sys, tempfile, time, urllib.parse, urllib.request

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


def log(msg):
    print(f"api-check: {msg}", flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def ensure_tools():
    missing = []
    try:
        import openapi_spec_validator  # noqa: F401
    except ImportError:
        missing.append("openapi-spec-validator")
    if not shutil.which("schemathesis") and not shutil.which("st"):
        missing.append("schemathesis")
    if missing:
        log("installing " + " ".join(missing))
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", *missing], check=True)


def create_token(binary, env, cwd):
    """An API token for the top unit (the whole demo agency), made with `pantau token create`."""
    r = subprocess.run([binary, "token", "create", "--name", "api-check", "--unit", "PEMKOT"], env=env, cwd=cwd,
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise SystemExit("api-check: pantau token create failed:\n" + r.stderr)
    return r.stdout.strip().splitlines()[-1]


def create_admin_session(db_path):
    """Writes a session for `admin` (as the login does) and returns (cookie value, CSRF token)."""
    cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    now = time.time()
    con = sqlite3.connect(db_path, timeout=30)
    try:
        user = con.execute("SELECT id FROM users WHERE username = 'admin'").fetchone()
        con.execute("INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (hashlib.sha256(cookie.encode()).hexdigest(), user[0], csrf, now, now + 3600, now))
        con.commit()
    finally:
        con.close()
    return cookie, csrf


def summarize(who, report_dir, spec):
    """Prints the calls schemathesis made, by operation and status (from its HAR report)."""
    import re
    patterns = [(m.upper(), p, re.compile("^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(p)) + "$"))
                for p, ops in spec["paths"].items() for m in ops]
    counts, total = {}, 0
    for name in os.listdir(report_dir):
        if not name.startswith("har"):
            continue
        for e in json.load(open(os.path.join(report_dir, name)))["log"]["entries"]:
            path = urllib.parse.urlsplit(e["request"]["url"]).path
            op = next((f"{m} {p}" for m, p, rx in patterns if m == e["request"]["method"] and rx.match(path)), "(methods and paths not in the document)")
            counts.setdefault(op, {}).setdefault(e["response"]["status"], 0)
            counts[op][e["response"]["status"]] += 1
            total += 1
    log(f"[{who}] {total} calls to {len(counts)} operations; by status:")
    for op in sorted(counts):
        log(f"    {op:55s} " + "  ".join(f"{s}×{n}" for s, n in sorted(counts[op].items())))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("binary", nargs="?", default=".build/debug/pantau")
    ap.add_argument("--max-examples", type=int, default=int(os.environ.get("API_CHECK_MAX_EXAMPLES", "20")))
    ap.add_argument("--seed", type=int, default=int(os.environ.get("API_CHECK_SEED", "7")))
    ap.add_argument("--checks", default=os.environ.get("API_CHECK_CHECKS", CHECKS), help=f"schemathesis checks (default {CHECKS})")
    ap.add_argument("--report-dir", default=None, help="keep schemathesis' JUnit report here")
    args = ap.parse_args()

    ensure_tools()
    work = tempfile.mkdtemp(prefix="pantau-api-check-")
    port = free_port()
    db = os.path.join(work, "pantau.sqlite")
    env = dict(os.environ, PANTAU_DATABASE_URL=db, PANTAU_ADMIN_PASSWORD="api-check-Passw0rd-2026",
               PANTAU_HOST="127.0.0.1", PANTAU_PORT=str(port), PANTAU_LOG_LEVEL="error")
    if not env.get("PANTAU_AUDIT_KEY_FILE") and not env.get("PANTAU_AUDIT_KEY"):
        env["PANTAU_AUDIT_KEY"] = secrets.token_hex(32)  # a throwaway key for the throwaway database
    server_log = open(os.path.join(work, "server.log"), "wb")
    server = subprocess.Popen([os.path.abspath(args.binary), "serve", "--demo"], cwd=work, env=env,
                              stdout=server_log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    status = 1
    try:
        for _ in range(300):
            if server.poll() is not None:
                break
            try:
                urllib.request.urlopen(base + "/health", timeout=1)
                break
            except Exception:
                time.sleep(0.2)
        else:
            server.kill()
        if server.poll() is not None:
            server_log.flush()
            raise SystemExit("api-check: server did not start:\n" + open(os.path.join(work, "server.log"), errors="replace").read())
        log(f"server up at {base} (database {db})")
        token = create_token(os.path.abspath(args.binary), env, work)

        # 1. The document is a valid OpenAPI 3.1 document.
        from openapi_spec_validator import validate
        from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
        spec = json.load(urllib.request.urlopen(base + "/api/v1/openapi.json", timeout=10))
        try:
            validate(spec)
        except OpenAPIValidationError as e:
            log(f"openapi-spec-validator: INVALID: {e}")
            return 1
        ops = sum(1 for p in spec["paths"].values() for m in p if m in ("get", "put", "post", "delete", "patch"))
        log(f"openapi-spec-validator: valid OpenAPI {spec['openapi']} document, {len(spec['paths'])} paths, {ops} operations")

        # 2. The server keeps the document: once as an integration (API token: reads and survey
        # submissions; writes must answer 403), once as the admin's browser session (every write).
        cookie, csrf = create_admin_session(db)
        st = shutil.which("schemathesis") or shutil.which("st")
        status = 0
        for who, headers in [("API token", [f"Authorization: Bearer {token}"]),
                             ("admin session", [f"Cookie: pantau_session={cookie}", f"X-CSRF-Token: {csrf}"])]:
            cmd = [st, "run", base + "/api/v1/openapi.json", "--checks", args.checks,
                   "--max-examples", str(args.max_examples), "--seed", str(args.seed),
                   "--workers", "1", "--request-timeout", "20", "--no-color", "--output-truncate", "false", "--warnings", "off"]
            for h in headers:
                cmd += ["--header", h]
            report_dir = os.path.join(os.path.abspath(args.report_dir or work), who.replace(" ", "-"))
            cmd += ["--report", "junit,har", "--report-dir", report_dir]
            shown = [c.split(":")[0] + ": …" if c in headers else c for c in cmd]
            log(f"[{who}] running: " + " ".join(shown[1:]))
            t0 = time.time()
            rc = subprocess.run(cmd, cwd=work, env=dict(os.environ, NO_COLOR="1")).returncode
            log(f"[{who}] schemathesis exited {rc} after {time.time() - t0:.0f}s")
            summarize(who, report_dir, spec)
            status = status or rc
        if status != 0:
            server_log.flush()
            errors = [l for l in open(os.path.join(work, "server.log"), errors="replace") if "error" in l.lower()]
            if errors:
                log("server errors logged:\n" + "".join(errors[-20:]))
        return status
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except Exception:
            server.kill()
        server_log.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
