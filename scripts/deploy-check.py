#!/usr/bin/env python3
"""Checks the deployment files against the built binary (docs/operations.md, "Deploying").

    python3 scripts/deploy-check.py .build/debug/pantau

- the resource bundle the Dockerfile and the docs copy (pantau_PantauWeb.resources) is the one the
  build makes beside the binary;
- deploy/compose.yaml parses and gives the Pantau services the secrets and *_FILE settings;
- deploy/pantau.service passes `systemd-analyze verify` (when systemd-analyze is installed);
- the binary started as the unit and the image start it: database URL from a file
  (PANTAU_DATABASE_URL_FILE), JSON logs, listening on 0.0.0.0: /health answers, the request log
  line is JSON with the request id the answer carries and no query string, /metrics has the
  Prometheus names; PANTAU_DATABASE_URL together with its _FILE is refused.

The Docker image itself is not built here (no Docker engine on the project's machines).
Exits 1 on the first failed check.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def fail(msg):
    print("deploy-check FAILED: " + msg)
    sys.exit(1)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def main():
    if len(sys.argv) != 2:
        fail("usage: deploy-check.py PATH/TO/pantau")
    binary = os.path.abspath(sys.argv[1])
    bundle = os.path.join(os.path.dirname(binary), "pantau_PantauWeb.resources")
    if not os.path.isdir(bundle):
        fail(f"no {bundle}: the Dockerfile copies this bundle beside the binary")
    dockerfile = open(os.path.join(ROOT, "Dockerfile")).read()
    for needle in ["pantau_PantauWeb.resources", "--static-swift-stdlib", "USER pantau", "VOLUME", "HEALTHCHECK", 'ENTRYPOINT ["pantau"]']:
        if needle not in dockerfile:
            fail(f"Dockerfile lacks {needle}")
    print("bundle and Dockerfile: ok")

    compose = yaml.safe_load(open(os.path.join(ROOT, "deploy/compose.yaml")))
    svc = compose["services"]["pantau"]
    env = svc["environment"]
    for k in ["PANTAU_DATABASE_URL_FILE", "PANTAU_AUDIT_KEY_FILE"]:
        secret = env[k].removeprefix("/run/secrets/")
        if secret not in svc["secrets"] or secret not in compose["secrets"]:
            fail(f"compose: {k} names secret {secret}, not given to the service")
    if svc["depends_on"]["postgres"]["condition"] != "service_healthy" or "healthcheck" not in compose["services"]["postgres"]:
        fail("compose: pantau must wait for a healthy postgres")
    print("compose.yaml: ok")

    if shutil.which("systemd-analyze"):
        with tempfile.TemporaryDirectory() as d:
            unit = open(os.path.join(ROOT, "deploy/pantau.service")).read().replace("/usr/local/bin/pantau serve", binary + " serve")
            path = os.path.join(d, "pantau.service")
            open(path, "w").write(unit)
            r = subprocess.run(["systemd-analyze", "verify", path], capture_output=True, text=True)
            if r.returncode != 0 or r.stderr.strip():
                fail("systemd-analyze verify: " + r.stderr)
        print("pantau.service: systemd-analyze verify ok")
    else:
        print("pantau.service: systemd-analyze not installed, not verified")

    with tempfile.TemporaryDirectory() as d:
        url_file = os.path.join(d, "pantau-database-url")
        with open(url_file, "w") as f:
            f.write("sqlite://" + os.path.join(d, "pantau.sqlite") + "\n")
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("PANTAU_")}
        env.update({"PANTAU_DATABASE_URL_FILE": url_file, "PANTAU_LOG_FORMAT": "json", "PANTAU_HOST": "0.0.0.0",
                    "PANTAU_PORT": str(port), "PANTAU_ALERT_INTERVAL": "0", "PANTAU_ADMIN_PASSWORD": "deploy-check-password-1"})
        both = subprocess.run([binary, "serve"], env=dict(env, PANTAU_DATABASE_URL="x.sqlite"), capture_output=True, text=True, timeout=60)
        if both.returncode == 0 or "are both set" not in both.stderr:
            fail("PANTAU_DATABASE_URL with PANTAU_DATABASE_URL_FILE was not refused: " + both.stderr)
        log = open(os.path.join(d, "stderr.log"), "w+")
        p = subprocess.Popen([binary, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=log, cwd=d)
        try:
            deadline = time.time() + 120
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health?probe=secret-query", timeout=5) as r:
                        rid = r.headers["X-Request-Id"]
                        health = json.load(r)
                    break
                except OSError:
                    if time.time() > deadline or p.poll() is not None:
                        log.seek(0)
                        fail("server did not answer /health:\n" + log.read())
                    time.sleep(0.5)
            if health.get("status") != "ok" or health.get("database") != "sqlite":
                fail(f"/health: {health}")
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
                metrics = r.read().decode()
            for name in ["http_server_requests_total", "http_server_request_duration_seconds", "pantau_failed_logins_total",
                         "pantau_events_ingested_total", "pantau_analysis_lag_seconds"]:
                if f"# TYPE {name} " not in metrics:
                    fail(f"/metrics lacks {name}")
            time.sleep(0.5)
            log.seek(0)
            lines = [l for l in log.read().splitlines() if l.startswith("{")]
            objects = [json.loads(l) for l in lines]
            req = [o for o in objects if o.get("request_id") == rid and o.get("path") == "/health"]
            if len(req) != 1 or req[0].get("status") != "200" or req[0].get("level") != "info":
                fail(f"no JSON request log line for request {rid}: {lines}")
            if any("secret-query" in l for l in lines):
                fail("the query string was logged")
            print(f"serve with PANTAU_DATABASE_URL_FILE and JSON logs: ok ({len(objects)} JSON lines, request {rid})")
        finally:
            p.terminate()
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
    print("deploy-check: all checks passed (the Docker image is not built here)")


if __name__ == "__main__":
    main()
