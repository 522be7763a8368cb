#!/usr/bin/env python3
"""End-to-end test in a real browser (headless Chromium through Selenium).

Starts `pantau serve --demo` on a fresh SQLite database, then, as the admin: logs in, opens the
SOP list, opens an SOP and checks its flowchart, edits a step's time standard, saves and checks
that a new version appears. Then it runs axe-core (axe-selenium-python) on a page of every family
(public, sign-in, SOPs, surveys, admin, audit) and fails on any serious or critical accessibility
violation, and opens the public pages and an SOP at phone width. Fails on any browser console error
or page error. Keeps a screenshot of every page it visits in SCREENSHOT_DIR (default: ./screenshots).

Usage: python3 Tests/e2e/browser_test.py [path/to/pantau]
Prints "N passed, N failed" and exits non-zero on failure.
"""
import os, shutil, socket, subprocess, sys, tempfile, time, traceback, urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

try:
    from axe_selenium_python import Axe
except ImportError:  # pragma: no cover - .ci/run installs it
    Axe = None

BINARY = sys.argv[1] if len(sys.argv) > 1 else ".build/debug/pantau"
SHOTS = os.environ.get("SCREENSHOT_DIR", "screenshots")
PASSWORD = "e2e-kata-sandi-2026"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def find(name, *candidates):
    for c in candidates:
        if c and shutil.which(c):
            return shutil.which(c)
    raise SystemExit(f"{name} not found: install Debian's chromium and chromium-driver")


class Run:
    def __init__(self, driver, base):
        self.d, self.base, self.passed, self.failed, self.n = driver, base, 0, 0, 0

    def shot(self, name):
        self.n += 1
        path = os.path.join(SHOTS, f"{self.n:02d}-{name}.png")
        self.d.save_screenshot(path)
        return path

    def page_errors(self):
        errors = [e for e in self.d.get_log("browser") if e["level"] == "SEVERE"]
        return errors

    def step(self, name, fn):
        try:
            fn()
            errors = self.page_errors()
            if errors:
                raise AssertionError(f"browser errors: {errors}")
            self.passed += 1
            print(f"ok   {name}")
        except Exception:
            self.failed += 1
            print(f"FAIL {name}")
            traceback.print_exc()
        finally:
            try:
                self.shot("".join(c if c.isalnum() else "-" for c in name))
            except Exception:
                pass


def main():
    os.makedirs(SHOTS, exist_ok=True)
    work = tempfile.mkdtemp(prefix="pantau-e2e-")
    port = free_port()
    env = dict(os.environ, PANTAU_DATABASE_URL=os.path.join(work, "pantau.sqlite"),
               PANTAU_ADMIN_PASSWORD=PASSWORD, PANTAU_PORT=str(port))
    server = subprocess.Popen([os.path.abspath(BINARY), "serve", "--demo"], cwd=work, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/health", timeout=1)
                break
            except Exception:
                time.sleep(0.2)
        else:
            raise SystemExit("server did not start: " + server.stdout.read().decode(errors="replace"))

        opts = webdriver.ChromeOptions()
        for a in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1366,900", "--lang=id"]:
            opts.add_argument(a)
        opts.binary_location = find("chromium", "chromium", "chromium-browser")
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        driver = webdriver.Chrome(options=opts, service=Service(find("chromedriver", "chromedriver")))
        wait = WebDriverWait(driver, 10)
        run = Run(driver, base)
        state = {}

        def login():
            driver.get(base + "/login")
            driver.find_element(By.ID, "username").send_keys("admin")
            driver.find_element(By.ID, "password").send_keys(PASSWORD)
            driver.find_element(By.CSS_SELECTOR, "form.form button[type=submit]").click()
            wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".userbox .who")))
            assert "Administrator" in driver.find_element(By.CSS_SELECTOR, ".userbox .who").text

        def sop_list():
            driver.find_element(By.LINK_TEXT, "SOP").click()
            wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "table.sops")))
            rows = driver.find_elements(By.CSS_SELECTOR, "table.sops tbody tr")
            assert len(rows) == 3, f"expected the 3 demo SOPs, got {len(rows)}"
            box = driver.find_element(By.ID, "q")
            box.send_keys("izin")
            box.submit()
            wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "table.sops tbody tr")) == 1)

        def open_sop():
            driver.find_element(By.LINK_TEXT, "Penerbitan Izin Usaha").click()
            svg = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "svg.sop-flowchart")))
            state["url"] = driver.current_url.split("?")[0]
            assert "Verifikasi Administrasi" in driver.page_source
            symbols = driver.find_elements(By.CSS_SELECTOR, "svg.sop-flowchart [class*=sop-sym], svg.sop-flowchart rect, svg.sop-flowchart polygon")
            assert len(symbols) > 10, "flowchart has no symbols"
            driver.execute_script("arguments[0].scrollIntoView()", svg)
            assert "Ya" in svg.get_attribute("innerHTML") and "Tidak" in svg.get_attribute("innerHTML")

        def edit_time():
            driver.get(state["url"])
            driver.find_element(By.ID, "edit-sop").click()
            field = wait.until(EC.presence_of_element_located((By.NAME, "steps[1][time]")))
            assert field.get_attribute("value") == "1 jam"
            field.clear()
            field.send_keys("45 menit")
            driver.find_element(By.ID, "change_note").send_keys("Uji e2e: verifikasi dipercepat")
            driver.find_element(By.ID, "save-sop").click()
            wait.until(EC.url_contains("?v=2"))

        def new_version():
            assert "v2" in driver.find_element(By.CSS_SELECTOR, ".pagehead").text
            assert "Draf" in driver.find_element(By.CSS_SELECTOR, ".pagehead").text
            rows = driver.find_elements(By.CSS_SELECTOR, "#versions tbody tr")
            assert len(rows) == 2, f"expected 2 versions, got {len(rows)}"
            assert "45 menit" in driver.find_element(By.CSS_SELECTOR, "svg.sop-flowchart").get_attribute("innerHTML")
            driver.find_element(By.LINK_TEXT, "Bandingkan dengan versi sebelumnya").click()
            wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "table.diff")))
            assert "› Waktu" in driver.page_source, "the diff names the changed field by its label"

        def accessible(path):
            """axe-core on one page: no serious or critical violation."""
            def check():
                if Axe is None:
                    raise AssertionError("axe-selenium-python is not installed (pip install axe-selenium-python)")
                driver.get(base + path)
                axe = Axe(driver)
                axe.inject()
                results = axe.run()
                bad = [v for v in results["violations"] if v.get("impact") in ("serious", "critical")]
                if bad:
                    lines = [f"{v['impact']}: {v['id']}: {v['help']} ({len(v['nodes'])}x, e.g. {v['nodes'][0]['target']})" for v in bad]
                    raise AssertionError(f"{path}: " + "; ".join(lines))
            return check

        def survey_code():
            driver.get(base + "/surveys")
            href = driver.find_element(By.CSS_SELECTOR, "table a[href^='/surveys/']").get_attribute("href")
            state["survey"] = href.split("/surveys/")[1].split("/")[0].split("?")[0]
            driver.get(href)
            code_link = driver.find_element(By.CSS_SELECTOR, "a[href*='/s/']")
            state["code"] = code_link.get_attribute("href").split("/s/")[1].split("/")[0].split("?")[0]
            assert state["code"]

        def phone(path, must_contain):
            def check():
                driver.set_window_size(390, 844)
                try:
                    driver.get(base + path)
                    assert must_contain in driver.page_source, f"{path}: '{must_contain}' missing"
                    width = driver.execute_script("return document.documentElement.scrollWidth")
                    assert width <= 400, f"{path} scrolls sideways on a phone: {width}px wide"
                    run.shot("phone" + path.replace("/", "-").replace("?", "-"))
                finally:
                    driver.set_window_size(1366, 900)
            return check

        def monitoring():
            driver.get(state["url"])
            driver.find_element(By.ID, "sop-monitoring").click()
            wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#monitoring .tiles")))
            assert "Pemantauan pelaksanaan" in driver.page_source
            assert driver.find_elements(By.CSS_SELECTOR, "figure.process-map svg"), "process map missing"
            assert "dilewati pada" in driver.page_source or "diulang pada" in driver.page_source, "no deviation in words"
            # The live stream opened (JavaScript enhancement).
            wait.until(lambda d: d.find_element(By.ID, "mon-live").is_displayed())
            run.shot("monitoring")
            link = driver.find_element(By.CSS_SELECTOR, "a[href^='/kasus/']")
            state["case"] = link.get_attribute("href").replace(base, "")
            link.click()
            wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "figure.case-timeline svg")))
            run.shot("case")

        steps = [("log in", login), ("open the SOP list", sop_list), ("open an SOP and see its flowchart", open_sop),
                 ("edit a step's time standard and save", edit_time), ("see the new version", new_version),
                 ("open the SOP's monitoring page and a case", monitoring), ("find the demo survey", survey_code)]
        for name, fn in steps:
            run.step(name, fn)
        sop = state.get("url", base + "/sops").replace(base, "")
        survey = state.get("survey", "1")
        for path in ["/", "/sops", sop, sop + "/edit", "/sops/import", "/surveys", f"/surveys/{survey}", f"/surveys/{survey}/followups",
                     "/units", "/users", "/tokens", "/audit", "/account/password", "/transparansi", "/?lang=en",
                     sop + "/pemantauan", sop + "/pemantauan/pengaturan", sop + "/kasus", state.get("case", "/")]:
            run.step(f"accessible {path}", accessible(path))
        run.step("phone: SOP document", phone(sop, "Penerbitan Izin Usaha"))
        run.step("phone: SOP monitoring", phone(sop + "/pemantauan", "id=\"monitoring\""))
        run.step("phone: a case", phone(state.get("case", "/"), "case-timeline"))
        # Signed out: the public pages.
        driver.delete_all_cookies()
        code = state.get("code", "")
        for path in ["/", "/login", f"/s/{code}", "/transparansi"]:
            run.step(f"accessible signed out {path}", accessible(path))
        run.step("phone: public survey form", phone(f"/s/{code}", "name=\"_t\""))
        run.step("phone: transparency page", phone("/transparansi", "IKM"))
        driver.quit()
        print(f"screenshots in {os.path.abspath(SHOTS)}")
        print(f"{run.passed} passed, {run.failed} failed")
        return 0 if run.failed == 0 else 1
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except Exception:
            server.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
