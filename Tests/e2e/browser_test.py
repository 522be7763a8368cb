#!/usr/bin/env python3
"""End-to-end test in a real browser (headless Chromium through Selenium).

Starts `pantau serve --demo` on a fresh SQLite database, then, as the admin: logs in, opens the
SOP list, opens an SOP and checks its flowchart, edits a step's time standard, saves and checks
that a new version appears. Then it runs axe-core (axe-selenium-python) on a page of every family
(public, sign-in, SOPs, surveys, admin, audit) and fails on any serious or critical accessibility
violation, and opens the public pages and an SOP at phone width. Then it walks the whole evaluation
cycle of the demo's immunisation SOP as the demo users would, in Bahasa Indonesia (issue 9, "Done
when"; docs/evaluation-walkthrough.md): indicators with computed realisations, Tabel 7 pre-filled and
signed, Tabel 8 (the 7 criteria) signed by executor and evaluator, a quiz taken on a phone, findings
generated with evidence and an uploaded file, a recommendation turned into a "revise the SOP" action,
the revised version submitted and approved (which closes the action), the before/after page showing
the wait before vaccination falling from 40 to 15 minutes, the periodic report printed to PDF, the
LKj table (XLSX) and the Zona Integritas pack (ZIP, SHA-256 manifest checked) downloaded. Fails on any browser console error
or page error. Keeps a screenshot of every page it visits in SCREENSHOT_DIR (default: ./screenshots).

Usage: python3 Tests/e2e/browser_test.py [path/to/pantau]
Prints "N passed, N failed" and exits non-zero on failure.
"""
import csv, datetime, hashlib, io, os, re, shutil, socket, subprocess, sys, tempfile, time, traceback, urllib.request, zipfile

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

try:
    from axe_selenium_python import Axe
except ImportError:  # pragma: no cover - .ci/run installs it
    Axe = None

BINARY = sys.argv[1] if len(sys.argv) > 1 else ".build/debug/pantau"
SHOTS = os.environ.get("SCREENSHOT_DIR", "screenshots")
PASSWORD = "e2e-kata-sandi-2026"
# The demo accounts (Sources/PantauStore/DemoAgency.swift `users`) and the name the top bar shows.
NAMES = {"admin": "Administrator", "kepala.puskesmas": "dr. Ratna Dewi Anggraini", "bidan.sri": "Sri Wahyuni",
         "evaluator.ortala": "Hendra Gunawan", "inspektorat": "Dian Permatasari"}
IMMUNISATION = "Pelayanan Imunisasi Dasar dan Lanjutan"


def tiny_pdf(path, text):
    """Writes a small valid one-page PDF (an evidence file a user would upload)."""
    stream = f"BT /F1 14 Tf 72 770 Td ({text}) Tj ET".encode("latin-1")
    objs = [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
            b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>",
            b"<</Length %d>>stream\n" % len(stream) + stream + b"\nendstream",
            b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    with open(path, "wb") as f:
        f.write(out)
    return path


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
    # The demo users (kepala.puskesmas, bidan.sri, evaluator.ortala, ...) exist only after
    # `pantau demo`; the server then creates no admin (the database is no longer empty), so the
    # admin is created the way an operator would, with `pantau user create`.
    for args in (["demo", "--password", PASSWORD],
                 ["user", "create", "--username", "admin", "--name", "Administrator", "--role", "admin", "--password", PASSWORD]):
        subprocess.run([os.path.abspath(BINARY)] + args, cwd=work, env=env, check=True, stdout=subprocess.DEVNULL)
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

        def login(username="admin"):
            """Signs in through the form, as a person would; the top bar then names the person."""
            driver.get(base + "/login")
            driver.find_element(By.ID, "username").send_keys(username)
            driver.find_element(By.ID, "password").send_keys(PASSWORD)
            driver.find_element(By.CSS_SELECTOR, "form.form button[type=submit]").click()
            wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".userbox .who")))
            who = driver.find_element(By.CSS_SELECTOR, ".userbox .who").text
            assert NAMES[username] in who, f"signed in as {username}, the top bar shows {who!r}"
            assert "/account/password" not in driver.current_url, "demo users need no password change"

        def logout():
            """The Keluar button of the top bar (a POST form)."""
            if not driver.find_elements(By.CSS_SELECTOR, ".userbox form"):
                driver.get(base + "/")  # a print view has no top bar: back to the application first
            driver.find_element(By.XPATH, "//div[@class='userbox']//form//button[normalize-space()='Keluar']").click()
            wait.until(lambda d: not d.find_elements(By.CSS_SELECTOR, ".userbox .who"))

        def switch(username):
            logout()
            login(username)

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

        # ---- The evaluation cycle of the immunisation SOP (issue 9 "Done when") ----------------
        today = datetime.date.today()
        year = today.year
        semester = f"{year}-S{1 if today.month <= 6 else 2}"
        quarter = f"{year}-Q{(today.month - 1) // 3 + 1}"
        files = {"finding": tiny_pdf(os.path.join(work, "berita-acara-observasi-imunisasi.pdf"),
                                     "Berita acara observasi layanan imunisasi"),
                 "action": tiny_pdf(os.path.join(work, "notulen-revisi-sop-imunisasi.pdf"),
                                    "Notulen rapat revisi SOP imunisasi")}
        cyc = {}

        def text():
            return driver.find_element(By.TAG_NAME, "main").text

        def flash(contains=None):
            msg = ""
            for _ in range(5):  # the page may still be replacing itself: find the message again
                try:
                    msg = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".flash"))).text
                    break
                except WebDriverException:
                    time.sleep(0.2)
            if contains:
                assert contains in msg, f"flash says {msg!r}, expected {contains!r}"
            return msg

        def submit(form_css, label=None):
            """Clicks the submit button of a form (by its visible label when given)."""
            form = driver.find_element(By.CSS_SELECTOR, form_css)
            buttons = form.find_elements(By.CSS_SELECTOR, "button[type=submit], button:not([type])")
            if label:
                buttons = [b for b in buttons if b.text.strip() == label]
            assert buttons, f"no button {label!r} in {form_css}"
            driver.execute_script("arguments[0].scrollIntoView({block:'center'})", buttons[0])
            buttons[0].click()
            wait.until(lambda d: gone(form))  # the answer page has loaded

        def click_then_flash(element, contains=None):
            """Clicks a button that posts a form, waits for the next page (the old one may show a
            message too), then returns that page's message."""
            page = driver.find_element(By.TAG_NAME, "html")
            element.click()
            wait.until(lambda d: gone(page))
            return flash(contains)

        def gone(element):
            try:
                element.is_enabled()
                return False
            except WebDriverException:  # stale, or no longer in the document
                return True

        def choose(radio_css):
            """Ticks a radio button or checkbox through its label, as a click would."""
            box = driver.find_element(By.CSS_SELECTOR, radio_css)
            label = box.find_element(By.XPATH, "ancestor::label[1]")
            driver.execute_script("arguments[0].scrollIntoView({block:'center'})", label)
            label.click()
            assert box.is_selected(), f"{radio_css} not ticked"

        def sop_path():
            return f"/sops/{cyc['sop']}"

        def c_find_sop():
            # An earlier check switched the interface to English (/?lang=en): back to Bahasa Indonesia.
            lang = driver.find_element(By.CSS_SELECTOR, ".userbox a.lang")
            if lang.get_attribute("hreflang") == "id":
                lang.click()
                wait.until(EC.presence_of_element_located((By.XPATH, "//div[@class='userbox']//button[normalize-space()='Keluar']")))
            switch("kepala.puskesmas")
            driver.find_element(By.LINK_TEXT, "SOP").click()
            link = wait.until(EC.presence_of_element_located((By.LINK_TEXT, IMMUNISATION)))
            cyc["sop"] = re.search(r"/sops/(\d+)", link.get_attribute("href")).group(1)
            link.click()
            wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "svg.sop-flowchart")))
            head = driver.find_element(By.CSS_SELECTOR, ".pagehead").text
            assert "Berlaku" in head and "v2" in head, f"the demo's immunisation SOP is in force at v2: {head!r}"

        def c_indicators():
            driver.find_element(By.LINK_TEXT, "Indikator").click()
            wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "table.indicators")))
            rows = {r.find_element(By.TAG_NAME, "td").text: r for r in driver.find_elements(By.CSS_SELECTOR, "table.indicators tbody tr")}
            for code in ["IKU-IMN-1", "IKU-IMN-2", "IKU-IMN-3", "IKU-IMN-4"]:
                assert code in rows, f"{code} missing from /indikator"
                cells = [c.text for c in rows[code].find_elements(By.CSS_SELECTOR, "td.num")]
                assert cells[1] not in ("", "–") and re.search(r"\d", cells[1]), f"{code} has no computed realisation: {cells}"
                assert "manual" not in cells[1], f"{code} realisation should be computed, not manual: {cells}"
            assert "Tercapai" in rows["IKU-IMN-1"].text
            rows["IKU-IMN-1"].find_element(By.LINK_TEXT, "Persentase layanan imunisasi sesuai SOP").click()
            wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "table.indicator-periods")))
            cyc["indicator"] = driver.current_url.replace(base, "")
            body = text()
            assert "IKU-IMN-1" in body and "Persentase kasus sesuai SOP" in body
            assert "dihitung" in body and re.search(r"n = \d+", body), "no computed realisation with its case count"
            assert driver.find_elements(By.CSS_SELECTOR, "figure.chart svg"), "trend chart missing"
            run.shot("indicator-IKU-IMN-1")

        def c_tabel7():
            switch("evaluator.ortala")
            driver.get(base + sop_path())
            driver.find_element(By.ID, "sop-monev-monitoring").click()
            wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "table.monev-records")))
            assert "Monitoring SOP (Tabel 7)" in text()
            Select(driver.find_element(By.ID, "period")).select_by_value(semester)
            choose("#methods input[value=observation]")
            choose("#methods input[value=executor_interview]")
            submit("form[action$='/monitoring-sop']", "Buat dan isi otomatis")
            wait.until(EC.url_matches(r"/monitoring-sop/\d+$"))
            flash("Catatan dibuat")
            cyc["t7"] = driver.current_url.replace(base, "")
            figures = driver.find_element(By.CSS_SELECTOR, "ul.monev-figures").text
            assert re.search(r"\d+ kasus pada periode ini; [\d,]+% sesuai SOP", figures), f"no case figures: {figures!r}"
            assert "IKM" in figures, f"no IKM in the figures: {figures!r}"
            rows = driver.find_elements(By.CSS_SELECTOR, "#monev-form table.monev-table tbody tr")
            assert len(rows) == 11, f"expected the whole SOP plus its 10 steps, got {len(rows)} rows"
            # Pre-filled: every row has an assessment ticked and a note with figures from the cases.
            for i in range(len(rows)):
                assert driver.find_elements(By.CSS_SELECTOR, f"input[name='rows[{i}][assessment]']:checked"), f"row {i} not assessed"
            note7 = driver.find_element(By.ID, "rows-7-note")
            assert "melebihi standar waktu 3 menit" in note7.get_attribute("value"), note7.get_attribute("value")
            assert "Menyiapkan vaksin" in rows[7].text
            # The evaluator confirms, and adds what the observation showed.
            note7.send_keys(" Observasi: vaksin baru diambil dari lemari pendingin setelah anak dipanggil.")
            driver.find_element(By.ID, "general_note").send_keys("Monitoring semester dengan observasi dan wawancara bidan.")
            submit("#monev-form", "Simpan")
            flash()
            assert "Observasi: vaksin baru diambil" in driver.find_element(By.ID, "rows-7-note").get_attribute("value")
            submit("#evaluator_sign form", "Bubuhkan paraf sebagai penilai")
            wait.until(EC.presence_of_element_located((By.XPATH, "//p[strong[starts-with(., 'Paraf penilai')]]")))
            assert "Hendra Gunawan" in text()
            assert "Sudah diparaf penilai" in driver.find_element(By.CSS_SELECTOR, ".pagehead").text
            assert not driver.find_elements(By.CSS_SELECTOR, "#evaluator_sign form"), "sign button still offered"

        def c_tabel8():
            driver.get(base + sop_path())
            driver.find_element(By.ID, "sop-monev-evaluation").click()
            wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "table.monev-records")))
            Select(driver.find_element(By.ID, "period")).select_by_value(str(year))
            submit("form[action$='/evaluasi-sop']", "Buat")
            wait.until(EC.url_matches(r"/evaluasi-sop/\d+$"))
            cyc["t8"] = driver.current_url.replace(base, "")
            criteria = driver.find_elements(By.CSS_SELECTOR, "#monev-form table.monev-table tbody tr")
            assert len(criteria) == 7, f"Tabel 8 has {len(criteria)} criteria, expected 7"
            assert "Mudah dipahami" in criteria[1].text and "Sinergi satu dengan lainnya" in criteria[6].text
            for n in range(1, 8):
                choose(f"input[name='answers[{n}][answer]'][value={'tidak' if n == 5 else 'ya'}]")
            driver.find_element(By.ID, "answers-5-note").send_keys("Penundaan imunisasi belum diatur jelas bila vaksin belum siap.")
            choose("input[name=activities_without_sop][value=tidak]")
            driver.find_element(By.ID, "general_note").send_keys("Evaluasi tahunan penerapan SOP imunisasi.")
            submit("#monev-form", "Simpan")
            flash()
            assert "(6/7)" in text(), "share of Ya should be 6 of 7"
            # The executor (the SOP's unit head) signs first, then the evaluator.
            switch("kepala.puskesmas")
            driver.get(base + cyc["t8"])
            submit("#executor_sign form", "Tanda tangani sebagai pelaksana SOP")
            wait.until(EC.text_to_be_present_in_element((By.ID, "executor_sign"), "dr. Ratna Dewi Anggraini"))
            assert not driver.find_elements(By.CSS_SELECTOR, "#evaluator_sign form"), "the unit head may not sign as evaluator"
            switch("evaluator.ortala")
            driver.get(base + cyc["t8"])
            submit("#evaluator_sign form", "Bubuhkan paraf sebagai penilai")
            wait.until(EC.text_to_be_present_in_element((By.ID, "evaluator_sign"), "Hendra Gunawan"))
            assert "Sudah diparaf penilai" in driver.find_element(By.CSS_SELECTOR, ".pagehead").text

        def c_quiz():
            switch("bidan.sri")
            driver.set_window_size(390, 844)
            try:
                driver.get(base + sop_path())
                ack = driver.find_element(By.ID, "ack-button")
                assert "versi 2" in ack.text
                driver.execute_script("arguments[0].scrollIntoView({block:'center'})", ack)
                click_then_flash(ack)
                driver.find_element(By.ID, "quiz-link").click()
                wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "fieldset.q")))
                questions = driver.find_elements(By.CSS_SELECTOR, "fieldset.q")
                assert len(questions) >= 10, f"only {len(questions)} questions drafted"
                run.shot("quiz-phone")
                for q in questions:
                    first = q.find_element(By.CSS_SELECTOR, "label.choice")
                    driver.execute_script("arguments[0].scrollIntoView({block:'center'})", first)
                    first.click()
                submit("form.public-form", "Kirim jawaban")
                wait.until(EC.url_contains("percobaan="))
                m = re.search(r"(\d+) dari (\d+) benar \(([\d,]+)%\)", text())
                assert m and int(m.group(2)) == len(questions), f"no score shown: {text()[:300]!r}"
                cyc["quiz"] = m.group(3) + "%"
                width = driver.execute_script("return document.documentElement.scrollWidth")
                assert width <= 400, f"quiz result scrolls sideways on a phone: {width}px"
            finally:
                driver.set_window_size(1366, 900)

        def c_quiz_indicator():
            switch("evaluator.ortala")
            driver.find_element(By.LINK_TEXT, "Indikator").click()
            row = wait.until(EC.presence_of_element_located((By.XPATH, "//table[contains(@class,'indicators')]//tr[td[1]='IKU-IMN-5']")))
            assert cyc["quiz"] in row.text, f"IKU-IMN-5 should show the quiz score {cyc['quiz']}: {row.text!r}"
            row6 = driver.find_element(By.XPATH, "//table[contains(@class,'indicators')]//tr[td[1]='IKU-IMN-6']")
            share = row6.find_elements(By.CSS_SELECTOR, "td.num")[1].text
            assert re.match(r"[1-9]\d*,\d%", share), f"bidan.sri's acknowledgement is not counted in IKU-IMN-6: {share!r}"

        def c_findings():
            driver.get(base + sop_path())
            driver.find_element(By.ID, "sop-findings").click()
            period = wait.until(EC.presence_of_element_located((By.ID, "fd-f-period")))
            period.clear()
            period.send_keys(quarter)
            submit("form.filters", "Tampilkan")
            submit("form[action$='/temuan/bangkitkan']", "Bangkitkan temuan dari data")
            msg = flash("Temuan dibangkitkan")
            assert re.search(r"[1-9]\d* baru", msg), msg
            kinds = driver.find_element(By.CSS_SELECTOR, "table.findings").text
            for kind in ["Langkah melebihi standar waktu", "Tabel 7: tidak berjalan dengan baik", "Indikator di bawah target"]:
                assert kind in kinds, f"no finding of kind {kind!r}"
            driver.find_element(By.XPATH, "//table[contains(@class,'findings')]//a[contains(., 'Menyiapkan vaksin') and contains(., 'melebihi standar waktu')]").click()
            wait.until(EC.url_matches(r"/temuan/\d+$"))
            cyc["finding"] = driver.current_url.replace(base, "")
            cyc["finding_title"] = driver.find_element(By.TAG_NAME, "h1").text
            evidence = driver.find_element(By.XPATH, "//section[h2='Bukti']")
            assert re.search(r"\d+ dari \d+ pelaksanaan terukur", evidence.text), evidence.text
            assert evidence.find_elements(By.CSS_SELECTOR, "a[href^='/kasus/']"), "no cases behind the finding"
            driver.find_element(By.ID, "evidence").send_keys(files["finding"])
            submit("form[action$='/bukti']", "Unggah bukti")
            flash()
            assert "berita-acara-observasi-imunisasi.pdf" in text(), "uploaded evidence not listed"
            rec = driver.find_element(By.CSS_SELECTOR, ".recommendation").text
            assert "revisi SOP" in rec, f"the drafted recommendation: {rec!r}"

        def c_action():
            driver.find_element(By.XPATH, "//summary[normalize-space()='Tambah tindak lanjut']").click()
            driver.find_element(By.ID, "act-title").send_keys("Revisi SOP: standar waktu penyiapan vaksin")
            Select(driver.find_element(By.ID, "act-kind")).select_by_visible_text("Revisi SOP")
            owner = Select(driver.find_element(By.ID, "act-owner_id"))
            owner.select_by_visible_text(next(o.text for o in owner.options if o.text.startswith("dr. Ratna Dewi Anggraini")))
            due = (today + datetime.timedelta(days=30)).isoformat()
            driver.execute_script("arguments[0].value = arguments[1]", driver.find_element(By.ID, "act-due_date"), due)
            submit("form[action$='/tindak-lanjut']", "Simpan")
            wait.until(EC.url_matches(r"/tindak-lanjut/\d+$"))
            flash()
            cyc["action"] = driver.current_url.replace(base, "")
            head = driver.find_element(By.CSS_SELECTOR, "main h1 + p").text
            assert "Direncanakan" in head and "Revisi SOP v3" in head and "dr. Ratna Dewi Anggraini" in head, head

        def c_revise():
            switch("kepala.puskesmas")
            driver.get(base + "/tindak-lanjut")
            driver.find_element(By.LINK_TEXT, "Revisi SOP: standar waktu penyiapan vaksin").click()
            wait.until(EC.url_contains(cyc["action"]))
            Select(driver.find_element(By.ID, "status")).select_by_visible_text("Sedang berjalan")
            driver.find_element(By.ID, "progress_note").send_keys("Draf revisi disusun bersama bidan; standar waktu penyiapan vaksin disesuaikan.")
            driver.find_element(By.ID, "evidence").send_keys(files["action"])
            submit("form[action$='" + cyc["action"] + "']", "Simpan")
            flash()
            assert "Sedang berjalan" in text() and "notulen-revisi-sop-imunisasi.pdf" in text()
            driver.find_element(By.LINK_TEXT, "Buka SOP dan draf revisinya").click()
            driver.find_element(By.XPATH, "//section[@id='versions']//a[.='v3']").click()
            wait.until(EC.url_contains("v=3"))
            assert "Draf" in driver.find_element(By.CSS_SELECTOR, ".pagehead").text
            driver.find_element(By.ID, "edit-sop").click()
            field = wait.until(EC.presence_of_element_located((By.NAME, "steps[6][time]")))
            assert driver.find_element(By.NAME, "steps[6][activity]").get_attribute("value").startswith("Menyiapkan vaksin")
            assert field.get_attribute("value") == "3 menit"
            field.clear()
            field.send_keys("5 menit")
            driver.find_element(By.ID, "change_note").send_keys(" (standar waktu penyiapan vaksin 5 menit)")
            driver.find_element(By.ID, "save-sop").click()
            wait.until(EC.url_contains("?v=3"))
            assert "5 menit" in driver.find_element(By.CSS_SELECTOR, "svg.sop-flowchart").get_attribute("innerHTML")
            click_then_flash(driver.find_element(By.XPATH, "//div[@class='lifecycle']//button[normalize-space()='Ajukan untuk direviu']"))
            assert "v3" in driver.find_element(By.CSS_SELECTOR, ".pagehead").text

        def c_approve():
            switch("admin")
            driver.get(base + sop_path() + "?v=3")
            click_then_flash(driver.find_element(By.XPATH, "//div[@class='lifecycle']//button[normalize-space()='Sahkan']"), "SOP disahkan dan berlaku")
            head = driver.find_element(By.CSS_SELECTOR, ".pagehead").text
            assert "Berlaku" in head and "v3" in head, head
            driver.get(base + cyc["action"])
            status = driver.find_element(By.CSS_SELECTOR, "main h1 + p .badge").text
            assert status == "Selesai", f"the approval should close the action, it shows {status!r}"
            switch("evaluator.ortala")
            driver.get(base + cyc["action"])
            click_then_flash(driver.find_element(By.ID, "verified_by"))
            assert "Diverifikasi oleh Hendra Gunawan" in text()

        def c_before_after():
            driver.get(base + sop_path() + "/sebelum-sesudah")
            Select(driver.find_element(By.ID, "version")).select_by_value("2")
            submit("form.filters", "Tampilkan")
            wait.until(EC.url_contains("version=2"))
            sentences = driver.find_element(By.CSS_SELECTOR, "ul.ba-sentences").text
            assert re.search(r"Waktu tunggu sebelum langkah \d+ \(Memberikan imunisasi\) turun dari 40 menit menjadi 15 menit, p < 0,001", sentences), sentences
            assert "Kepatuhan terhadap SOP naik" in sentences, sentences
            assert driver.find_elements(By.CSS_SELECTOR, "figure.ba-chart svg"), "before/after chart missing"
            run.shot("before-after")

        def c_report():
            driver.get(base + sop_path() + "/laporan-monev?periode=" + semester)
            heads = [h.text for h in driver.find_elements(By.TAG_NAME, "h2")]
            for letter in "ABCDEF":
                assert any(h.startswith(letter + ".") for h in heads), f"section {letter} missing: {heads}"
            body = driver.find_element(By.TAG_NAME, "body").text
            assert "Versi 3" in body, "the report names the revised version in force"
            assert "Observasi: vaksin baru diambil" in body, "the report's Tabel 7 is not ours"
            assert "Penundaan imunisasi belum diatur jelas" in body, "the report's Tabel 8 is not ours"
            assert cyc["finding_title"] in body, "our finding is missing from the report"
            actions = driver.find_element(By.XPATH, "//h2[starts-with(., 'E.')]/following::table[1]").text
            assert "Revisi SOP: standar waktu penyiapan vaksin" in actions, f"our action is missing from section E: {actions!r}"
            assert "Terverifikasi" in actions and "Hendra Gunawan" in actions, f"section E should show the action verified: {actions!r}"
            f_text = driver.find_element(By.XPATH, "//h2[starts-with(., 'F.')]/following::p[1]").text
            assert "versi 3" in f_text, f"section F should compare around the new revision: {f_text!r}"
            pdf = __import__("base64").b64decode(driver.print_page())
            assert pdf.startswith(b"%PDF") and len(pdf) > 10000, "printing the report gave no PDF"
            with open(os.path.join(SHOTS, "laporan-monev.pdf"), "wb") as f:
                f.write(pdf)
            cyc["zip"] = driver.find_element(By.LINK_TEXT, "Paket bukti Zona Integritas (ZIP)").get_attribute("href")
            driver.find_element(By.PARTIAL_LINK_TEXT, "← ").click()  # back to the SOP page
            wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".userbox .who")))

        def download(url):
            cookie = driver.get_cookie("pantau_session")
            assert cookie, "no session cookie in the browser"
            req = urllib.request.Request(url, headers={"Cookie": f"pantau_session={cookie['value']}"})
            with urllib.request.urlopen(req, timeout=60) as r:
                return r.headers, r.read()

        def c_lkj():
            if not driver.find_elements(By.LINK_TEXT, "Indikator"):
                driver.get(base + sop_path())
            driver.find_element(By.LINK_TEXT, "Indikator").click()
            year_box = Select(wait.until(EC.presence_of_element_located((By.ID, "lkj-year"))))
            year_box.select_by_value(str(year))
            form = driver.find_element(By.XPATH, "//select[@id='lkj-year']/ancestor::form")
            url = form.get_attribute("action") + "?unit=&tahun=" + str(year)
            headers, data = download(url)
            assert "spreadsheetml" in headers.get("Content-Type", ""), headers.get("Content-Type")
            z = zipfile.ZipFile(io.BytesIO(data))
            assert z.testzip() is None and "xl/workbook.xml" in z.namelist()
            strings = z.read("xl/sharedStrings.xml").decode()
            for code in ["IKU-IMN-1", "IKU-IMN-2", "Persentase layanan imunisasi sesuai SOP"]:
                assert code in strings, f"{code} missing from the LKj table"
            with open(os.path.join(SHOTS, f"iku-lkj-{year}.xlsx"), "wb") as f:
                f.write(data)

        def c_zi_pack():
            headers, data = download(cyc["zip"])
            assert headers.get("Content-Type", "").startswith("application/zip"), headers.get("Content-Type")
            z = zipfile.ZipFile(io.BytesIO(data))
            assert z.testzip() is None
            names = z.namelist()
            assert "manifest-sha256.csv" in names, names
            manifest = list(csv.reader(io.StringIO(z.read("manifest-sha256.csv").decode("utf-8-sig")), delimiter=";"))
            listed = {row[0]: row[-1] for row in manifest[1:] if row}
            assert listed, "empty manifest"
            for name, sha in listed.items():
                assert name in names, f"manifest lists {name}, not in the ZIP"
                assert hashlib.sha256(z.read(name)).hexdigest() == sha.lower(), f"SHA-256 of {name} does not match"
            assert set(names) - {"manifest-sha256.csv"} <= set(listed) | {"BACA-SAYA.txt"}, f"files outside the manifest: {set(names) - set(listed)}"
            t7 = [n for n in names if "tabel7" in n and n.endswith(".html")]
            t8 = [n for n in names if "tabel8" in n and n.endswith(".html")]
            assert t7 and t8, f"Tabel 7/8 missing: {names}"
            assert "Hendra Gunawan" in z.read(t7[0]).decode(), "the Tabel 7 in the pack is not the signed one"
            sops = sorted(n for n in names if n.startswith("1-sop/"))
            assert len(sops) == 2 and listed[sops[0]] != listed[sops[1]], f"SOP before and after revision should differ: {sops}"
            evidence = [n for n in names if n.endswith(".pdf")]
            assert any("notulen-revisi-sop-imunisasi" in n for n in evidence), f"the action's evidence file is missing: {names}"
            with open(os.path.join(SHOTS, "paket-zi.zip"), "wb") as f:
                f.write(data)

        def survey_paper_import():
            """An office's own spreadsheet of paper forms: its education labels (D3, SLTA, Sarjana), an
            extra `respondent` column, dates in another quarter; ignored on request, previewed per
            period, then stored."""
            last_quarter = datetime.date.today().replace(day=1) - datetime.timedelta(days=100)
            day = last_quarter.replace(day=10).isoformat()
            rows = ["respondent,tanggal,jenis_kelamin,pendidikan,u1,u2,u3,u4,u5,u6,u7,u8,u9"]
            for i, edu in enumerate(["D3", "SLTA", "Sarjana"]):
                rows.append(f"R{i + 1},{day},{'LP'[i % 2]},{edu},4,3,4,3,4,4,3,4,3")
            path = os.path.join(tempfile.mkdtemp(), "kuesioner-kertas.csv")
            with open(path, "w") as f:
                f.write("\n".join(rows) + "\n")
            driver.get(base + f"/surveys/{state['survey']}/import")
            driver.find_element(By.ID, "csv-file").send_keys(path)
            driver.find_element(By.ID, "ignore_unknown").click()
            driver.find_element(By.CSS_SELECTOR, "button[value=preview]").click()
            wait.until(EC.presence_of_element_located((By.ID, "preview-rows")))
            assert driver.find_element(By.ID, "preview-rows").text.strip() == "3", driver.find_element(By.ID, "preview-rows").text
            periods = [r.get_attribute("data-period") for r in driver.find_elements(By.CSS_SELECTOR, "table.import-periods tbody tr")]
            assert len(periods) == 1, f"the rows fall in one period: {periods}"
            assert "respondent" in [c.text for c in driver.find_elements(By.CSS_SELECTOR, "code.ignored-column")]
            run.shot("survey-import-preview")
            driver.find_element(By.CSS_SELECTOR, "button[value=confirm]").click()
            wait.until(lambda d: "Kuesioner diimpor" in d.page_source)

        steps = [("log in", login), ("open the SOP list", sop_list), ("open an SOP and see its flowchart", open_sop),
                 ("edit a step's time standard and save", edit_time), ("see the new version", new_version),
                 ("open the SOP's monitoring page and a case", monitoring), ("find the demo survey", survey_code),
                 ("survey paper import: an office's own file, previewed per period, then stored", survey_paper_import)]
        for name, fn in steps:
            run.step(name, fn)
        sop = state.get("url", base + "/sops").replace(base, "")
        survey = state.get("survey", "1")
        for path in ["/", "/sops", sop, sop + "/edit", "/sops/import", "/surveys", f"/surveys/{survey}", f"/surveys/{survey}/followups", f"/surveys/{survey}/import",
                     "/units", "/users", "/tokens", "/audit", "/account/password", "/transparansi", "/?lang=en",
                     sop + "/pemantauan", sop + "/pemantauan/pengaturan", sop + "/kasus", state.get("case", "/")]:
            run.step(f"accessible {path}", accessible(path))
        run.step("phone: SOP document", phone(sop, "Penerbitan Izin Usaha"))
        run.step("phone: SOP monitoring", phone(sop + "/pemantauan", "id=\"monitoring\""))
        run.step("phone: a case", phone(state.get("case", "/"), "case-timeline"))
        cycle = [("cycle: kepala.puskesmas finds the immunisation SOP", c_find_sop),
                 ("cycle: indicators with computed realisations", c_indicators),
                 ("cycle: Tabel 7 pre-filled, corrected, signed by evaluator.ortala", c_tabel7),
                 ("cycle: Tabel 8, the 7 criteria, signed by executor and evaluator", c_tabel8),
                 ("cycle: bidan.sri reads the SOP and takes the quiz on a phone", c_quiz),
                 ("cycle: the quiz score and the acknowledgement reach the indicators", c_quiz_indicator),
                 ("cycle: findings generated, evidence shown, a file uploaded", c_findings),
                 ("cycle: the recommendation becomes a revise-the-SOP action", c_action),
                 ("cycle: kepala.puskesmas reports progress, revises the draft, submits it", c_revise),
                 ("cycle: admin approves v3, the action is done and verified", c_approve),
                 ("cycle: before/after shows 40 to 15 minutes", c_before_after),
                 ("cycle: the periodic report has sections A-F and prints", c_report),
                 ("cycle: the LKj table downloads as XLSX", c_lkj),
                 ("cycle: the ZI pack downloads with a matching SHA-256 manifest", c_zi_pack)]
        for name, fn in cycle:
            run.step(name, fn)
        run.step("sign in again as admin", lambda: switch("admin"))
        sp = "/sops/" + cyc.get("sop", "1")
        for path in ["/indikator", cyc.get("indicator", "/indikator/1"), "/dasbor-pimpinan", sp + "/monitoring-sop",
                     cyc.get("t7", sp + "/monitoring-sop"), sp + "/evaluasi-sop", cyc.get("t8", sp + "/evaluasi-sop"),
                     sp + "/temuan", cyc.get("finding", sp + "/temuan"), cyc.get("action", "/tindak-lanjut"), "/tindak-lanjut",
                     sp + "/kuis", sp + "/sebelum-sesudah?version=2", sp + "/laporan-monev"]:
            run.step(f"accessible {path}", accessible(path))
        run.step("phone: indicators", phone("/indikator", "IKU-IMN-1"))
        run.step("phone: leadership dashboard", phone("/dasbor-pimpinan", IMMUNISATION))
        run.step("phone: quiz", phone(sp + "/kuis", "Kuis pemahaman SOP"))
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
