#!/usr/bin/env python3
"""Drives the operator console in headless Chromium through Playwright (test tooling only, from PyPI).

Starts a real `renkei serve --demo` from the built binary (scripts/demo_serve.py: embedded cluster, a free port, a
throw-away data directory, the sample contracts with 017's webhook pointed at a local peer), seeds it through the
HTTP API with the provider's token — a bulk transfer of generated residents to `resident-register-daily`, and a few
`resident-change` events that the peer refuses with 422, so they dead-letter at once — and then, as the operator
`ops` in Debian's Chromium (never a downloaded one) at 1280×800: signs in with the keyboard, checks the linkage map,
finds a resident of the bulk transfer and exports their timeline, opens a dead letter (masked), dry-runs and replays
it and sees it leave the list, verifies the history, and takes the linkage page at 768×1024. It also checks what is
refused: a system's credentials at sign-in (403), a POST without or with a wrong CSRF field (403), a console page
without a session (303 to sign-in). A screenshot of each page goes to --screenshots.

Usage: check-console.py [--binary PATH] [--screenshots DIR] [--residents N]
Exit 0 when every step passes, 1 when one fails (the step, the page's URL and alert, and the server log's tail are
printed), 3 when Playwright or Chromium is missing (scripts/setup.sh --with-test-tools).
"""
import argparse
import csv
import importlib.util
import io
import json
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from demo_serve import ROOT, DemoServe, ServeFailed, demo_secret, request, token

CHROMIUM = Path("/usr/bin/chromium")
PROVIDER = ("sys-001", "001")
OPERATOR = ("ops", "ops")
BULK_LINKAGE = "resident-register-daily"
EVENT_LINKAGE = "resident-change"
PUSH_RECEIVER = "017"
EVENTS = 3
# The whole run, and any one wait in it (seconds).
RUN_LIMIT = 300
WAIT = 30
DESKTOP = {"width": 1280, "height": 800}
TABLET = {"width": 768, "height": 1024}
NAVIGATION = "コンソール / Console"


class Failure(Exception):
    """A step whose page or answer is not what the console's contract says."""


class Peer(BaseHTTPRequestHandler):
    """System 017's webhook (and 001's query endpoint). Pushes get `status`: 422 refuses them, which dead-letters a
    record at once (a 4xx other than 408/429 is a refusal); 204 takes them and counts them in `taken`."""

    status = 422
    taken = 0

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.endswith("/query"):
            answer, status = b"[]", 200
        else:
            answer, status = b"", Peer.status
            if 200 <= status < 300:
                Peer.taken += 1
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *arguments):
        pass


def until(what, probe, seconds=WAIT, every=0.5):
    """The first truthy answer of `probe`, or a Failure naming `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        answer = probe()
        if answer:
            return answer
        if time.monotonic() > deadline:
            raise Failure(f"{what}: not within {seconds} s")
        time.sleep(every)


class Seed:
    """The data the pages show, provided through the real HTTP API."""

    def __init__(self, server, binary, residents):
        self.server = server
        self.binary = binary
        self.residents = residents
        self.provider = token(server.base, PROVIDER)
        self.operator = token(server.base, OPERATOR)
        self.resident = None
        self.transfer = None
        self.dead_letters = []

    def generated(self, count, seed):
        return subprocess.run(
            [self.binary, "gen", "residents", "--count", str(count), "--seed", str(seed),
             "--contracts", str(self.server.scratch / "contracts")],
            check=True, capture_output=True, timeout=60).stdout

    def provide(self, path, body):
        status, answer = request(
            f"{self.server.base}{path}", data=body, timeout=120,
            headers={"Authorization": "Bearer " + self.provider, "Content-Type": "text/csv; charset=utf-8"})
        if status != 201:
            raise Failure(f"POST {path}: {status} {answer[:300]!r}")
        return json.loads(answer) if answer else {}

    def operations(self, path):
        status, answer = request(
            f"{self.server.base}/operations/{path}", headers={"Authorization": "Bearer " + self.operator})
        if status != 200:
            raise Failure(f"GET /operations/{path}: {status} {answer[:300]!r}")
        return json.loads(answer)

    def bulk_transfer(self):
        rows = self.generated(self.residents, seed=16)
        # A resident from the middle of the file: found only through the transfer's key list.
        records = list(csv.reader(io.StringIO(rows.decode())))
        self.resident = records[1 + self.residents // 2][records[0].index("宛名番号")]
        transfer = self.provide(f"/linkages/{BULK_LINKAGE}/transfers", rows)
        self.transfer = transfer["id"]
        if transfer.get("status") != "committed":
            raise Failure(f"bulk transfer {self.transfer}: {transfer.get('status')}, {transfer.get('problem')}")
        key = urllib.parse.quote(self.resident)
        until(
            f"the history index finding resident {self.resident} in transfer {self.transfer}",
            lambda: any(
                entry.get("linkage") == BULK_LINKAGE
                for entry in self.operations(f"history?key={key}").get("entries", [])))

    def refused_events(self):
        self.provide(f"/linkages/{EVENT_LINKAGE}/records", self.generated(EVENTS, seed=17))

        def listed():
            letters = self.operations(f"dead-letters?linkage={EVENT_LINKAGE}&receiver={PUSH_RECEIVER}")
            return [letter["reference"] for letter in letters["deadLetters"]] if len(
                letters["deadLetters"]) >= EVENTS else None

        self.dead_letters = until(f"{EVENTS} dead letters of {PUSH_RECEIVER} listed", listed, seconds=90)


class Browser:
    """The steps in Chromium, each timed and named; a screenshot of each page."""

    def __init__(self, playwright, base, screenshots):
        self.base = base
        self.screenshots = screenshots
        self.chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        self.context = self.new_context(DESKTOP)
        self.page = self.context.new_page()
        # Script errors and refusals by the Content-Security-Policy show up in the browser's console.
        self.console_errors = []
        self.page.on("console", self.console_message)
        self.page.on("pageerror", lambda error: self.console_errors.append(f"{self.page.url}: {error}"))
        self.current = "starting Chromium"

    def console_message(self, message):
        # The favicon nobody serves is the only error a console page may show.
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            self.console_errors.append(f"{self.page.url}: {message.text}")

    def new_context(self, viewport, **options):
        context = self.chromium.new_context(viewport=viewport, locale="ja-JP", **options)
        context.set_default_timeout(WAIT * 1000)
        return context

    def close(self):
        self.chromium.close()

    @contextmanager
    def step(self, name):
        self.current = name
        started = time.monotonic()
        yield
        print(f"check-console: ok  {name} ({time.monotonic() - started:.1f} s)", flush=True)

    def shot(self, name, page=None):
        (page or self.page).screenshot(path=str(self.screenshots / f"{name}.png"), full_page=True)

    def open(self, path, page=None):
        response = (page or self.page).goto(self.base + path)
        if response is None or response.status != 200:
            raise Failure(f"GET {path}: {response.status if response else 'no answer'}")
        return response

    def alerts(self):
        try:
            return self.page.locator("p[role=alert]").all_inner_texts()
        except Exception:
            return []


def expect_text(locator, *texts):
    from playwright.sync_api import expect
    for text in texts:
        expect(locator).to_contain_text(text)


def check_pages(browser, seed, peer_status):
    from playwright.sync_api import expect
    page = browser.page

    with browser.step("a console page without a session answers 303 to the sign-in"):
        answer = browser.context.request.get(browser.base + "/console/dead-letters", max_redirects=0)
        location = urllib.parse.urlsplit(answer.headers.get("location", ""))
        if answer.status != 303 or location.path != "/console/sign-in" or urllib.parse.parse_qs(
                location.query).get("next") != ["/console/dead-letters"]:
            raise Failure(f"GET /console/dead-letters without a cookie: {answer.status}, Location "
                          f"{answer.headers.get('location')!r}, wanted 303 to the sign-in, next=/console/dead-letters")

    with browser.step("sign in as ops with Tab and Enter only"):
        page.goto(browser.base + "/console/")
        expect(page).to_have_url(f"{browser.base}/console/sign-in?next=%2Fconsole%2F")
        expect(page.locator("html")).to_have_attribute("lang", "ja")
        expect(page.get_by_label("クライアントID")).to_be_visible()
        expect(page.get_by_label("クライアントシークレット")).to_have_attribute("type", "password")
        expect(page.locator("form#sign-in input[type=hidden][name=csrf]")).to_have_count(1)
        if not any(c["name"] == "renkei_console_signin" for c in browser.context.cookies()):
            raise Failure("the sign-in page set no renkei_console_signin cookie for its CSRF value")
        browser.shot("sign-in")
        # The field may have the focus already (autofocus); otherwise Tab moves to it (after a skip link, say).
        for _ in range(12):
            if page.evaluate("document.activeElement.name") == "client_id":
                break
            page.keyboard.press("Tab")
        else:
            raise Failure("12 presses of Tab never reached the client_id field")
        page.keyboard.type(OPERATOR[0])
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") != "client_secret":
            raise Failure("Tab from client_id does not reach client_secret")
        page.keyboard.type(demo_secret(OPERATOR[1]))
        page.keyboard.press("Enter")
        expect(page).to_have_url(f"{browser.base}/console/")
        cookie = next((c for c in browser.context.cookies() if c["name"] == "renkei_console"), None)
        if cookie is None or not cookie["httpOnly"] or cookie["sameSite"] != "Strict" or cookie["path"] != "/console":
            raise Failure(f"the session cookie is not HttpOnly, SameSite=Strict, Path=/console: {cookie}")

    with browser.step("linkages: the map and a row per linkage and receiver"):
        expect(page.locator("main#main")).to_be_visible()
        navigation = page.get_by_role("navigation", name=NAVIGATION)
        for label in ("リンケージ", "デッドレター", "住民", "稼働状況"):
            expect(navigation.get_by_role("link", name=label)).to_be_visible()
        expect(page.get_by_role("button", name="サインアウト / Sign out")).to_be_visible()
        expect(page.locator("svg#linkage-map[role=img]")).to_be_visible()
        rows = page.locator("table#linkages tr[data-linkage][data-receiver]")
        expect(rows.first).to_be_visible()
        bulk = page.locator(f'table#linkages tr[data-linkage="{BULK_LINKAGE}"]')
        expect(bulk).to_have_count(3)
        # The records provided today: the bulk transfer's, with or without a thousands separator.
        count = re.compile(r"today " + f"{seed.residents:,}".replace(",", ",?") + r"\b")
        expect(bulk.filter(has_text=count)).to_have_count(1)
        expect(page.locator(
            f'table#linkages tr[data-linkage="{EVENT_LINKAGE}"][data-receiver="{PUSH_RECEIVER}"]')).to_have_count(1)
        browser.shot("linkages")

    with browser.step(f"resident {seed.resident}: the timeline shows bulk transfer {seed.transfer}"):
        navigate(page, "住民")
        page.locator("#resident-form").get_by_label("宛名番号").fill(seed.resident)
        page.locator("#resident-form").get_by_label("宛名番号").press("Enter")
        entry = page.locator("table#timeline tr", has_text=seed.transfer)
        expect(entry.first).to_be_visible()
        expect_text(entry.first, BULK_LINKAGE, "一括転送")
        browser.shot("resident")
        href = page.locator("a#export-csv").get_attribute("href")
        export = browser.context.request.get(urllib.parse.urljoin(page.url, href))
        if export.status != 200 or not export.headers.get("content-type", "").startswith("text/csv") or (
                BULK_LINKAGE not in export.text()):
            raise Failure(f"GET {href}: {export.status} {export.headers.get('content-type')}, "
                          f"{'with' if BULK_LINKAGE in export.text() else 'without'} {BULK_LINKAGE}")
        expect(page.locator("a#export-print")).to_have_attribute(
            "href", f"/console/residents/print?key={seed.resident}")
        page.locator("a#export-print").click()
        expect(page.locator("table#timeline tr", has_text=seed.transfer).first).to_be_visible()
        expect(page.locator("nav")).to_have_count(0)
        browser.open("/console/residents?key=0000000000")
        expect(page.locator("#timeline-empty")).to_be_visible()

    reference = seed.dead_letters[0]
    with browser.step(f"dead letters: the {EVENTS} letters of {PUSH_RECEIVER}, one opened masked"):
        navigate(page, "デッドレター")
        fill(page.locator(f"#filter [name=linkage]"), EVENT_LINKAGE)
        fill(page.locator(f"#filter [name=receiver]"), PUSH_RECEIVER)
        page.locator("#filter [type=submit]").click()
        expect(page.locator("#replay-form #dry-run-all[name=all][value=true]")).to_have_count(1)
        for listed in seed.dead_letters:
            expect(page.locator(f'table#dead-letters tr[data-reference="{listed}"]')).to_have_count(1)
        browser.shot("dead-letters")
        page.locator(f'table#dead-letters tr[data-reference="{reference}"] a').first.click()
        expect(page.locator("dl#letter")).to_contain_text(EVENT_LINKAGE)
        expect(page.locator("pre#letter-value")).to_contain_text("***")
        expect(page.locator("#masked-note")).to_be_visible()
        browser.shot("dead-letter")
        page.go_back()

    with browser.step("a POST without the csrf field, or with a wrong one, is refused with 403"):
        # Sent with the browser's cookies (the session's), as a page of another origin cannot.
        for body in ({"reference": reference}, {"reference": reference, "csrf": "not-the-session-token"}):
            answer = browser.context.request.post(
                browser.base + "/console/dead-letters/dry-run", form=body, max_redirects=0)
            if answer.status != 403 or "CSRF" not in answer.text():
                raise Failure(f"POST /console/dead-letters/dry-run with {sorted(body)}: {answer.status}, "
                              f"{'with' if 'CSRF' in answer.text() else 'without'} CSRF in the page")

    with browser.step(f"dry run of {reference}: would be delivered to {PUSH_RECEIVER}"):
        # The checkboxes sit in the table's rows and belong to #replay-form through their `form` attribute.
        box = page.locator(f'table#dead-letters tr[data-reference="{reference}"] input[name=reference]')
        expect(box).to_have_attribute("value", reference)
        if box.evaluate("box => box.form && box.form.id") != "replay-form":
            raise Failure(f"the checkbox of {reference} is not part of #replay-form")
        box.check()
        page.locator("#dry-run-selected").click()
        row = page.locator(f'table#dry-run tr[data-reference="{reference}"]')
        expect(row).to_have_class(re.compile(r"\bwould-deliver\b"))
        expect_text(row, PUSH_RECEIVER)
        expect(page.locator('table#dry-run tr[data-reference]')).to_have_count(1)
        expect(page.locator("#execute-form #execute")).to_contain_text("Replay 1")
        browser.shot("dry-run")

    with browser.step("replay executed: progress, done, delivered to the peer"):
        peer_status(204)
        page.locator("#execute").click()
        expect(page).to_have_url(re.compile(r"/console/replays/[^/]+$"))
        expect(page.locator("progress#replay-progress")).to_be_attached()
        browser.shot("replay-progress")
        try:
            expect(page.locator("#replay-status")).to_contain_text("完了", timeout=60_000)
        except AssertionError:
            raise Failure(
                f"#replay-status still says {page.locator('#replay-status').inner_text()!r} after 60 s (the page "
                "polls its progress and reloads when done); the browser's console:\n    "
                + "\n    ".join(browser.console_errors[-4:] or ["(nothing)"])) from None
        expect(page.locator(f'table#replay-results tr[data-reference="{reference}"]')).to_have_count(1)
        browser.shot("replay-done")
        # What the page's script polls while a replay runs, asked from the page itself, so that the page's own
        # Content-Security-Policy applies as it does to the script.
        state = page.evaluate(
            """async () => {
                try {
                    const reply = await fetch(window.location.pathname + '/status.json');
                    return {status: reply.status, type: reply.headers.get('content-type'), text: await reply.text()};
                } catch (error) {
                    return {status: 0, type: null, text: String(error)};
                }
            }""")
        if state["status"] != 200 or json.loads(state["text"]) != {"done": 1, "total": 1, "finished": True}:
            why = " (the browser refused the fetch: the page's Content-Security-Policy?)" if not state["status"] else ""
            raise Failure(f"GET {page.url}/status.json from the replay page: {state['status']}, {state['type']}, "
                          f"{state['text'][:120]!r}{why}")
        until(f"the replayed letter pushed to {PUSH_RECEIVER}", lambda: Peer.taken >= 1)

    with browser.step(f"{reference} left the list, and is shown with replayed=include"):
        query = f"linkage={EVENT_LINKAGE}&receiver={PUSH_RECEIVER}"
        browser.open(f"/console/dead-letters?{query}")
        expect(page.locator(f'table#dead-letters tr[data-reference="{seed.dead_letters[1]}"]')).to_have_count(1)
        expect(page.locator(f'table#dead-letters tr[data-reference="{reference}"]')).to_have_count(0)
        browser.open(f"/console/dead-letters?{query}&replayed=include")
        expect(page.locator(f'table#dead-letters tr[data-reference="{reference}"]')).to_have_count(1)
        browser.open("/console/dead-letters?linkage=resident-query")
        expect(page.locator("#dead-letters-empty")).to_contain_text("No dead letters")

    with browser.step("health: ready, history verified intact"):
        navigate(page, "稼働状況")
        expect(page.locator("#readiness")).to_contain_text("ready")
        for part in ("#broker", "#storage", "#history-index", "#maintenance-form", "#verify-form"):
            expect(page.locator(part)).to_be_attached()
        expect(page.locator("#maintenance-form input[type=checkbox][name=confirm][required]")).to_have_count(1)
        browser.shot("health")
        page.locator("#verify").click()
        expect(page.locator("#verify-result")).to_contain_text("intact")
        expect(page.locator("#verify-result")).not_to_contain_text("NOT intact")
        browser.shot("verify")

    with browser.step("no script error or Content-Security-Policy refusal in the browser's console"):
        if browser.console_errors:
            raise Failure("the browser's console:\n    " + "\n    ".join(browser.console_errors))

    with browser.step("linkages on a tablet (768×1024)"):
        tablet = browser.new_context(TABLET, storage_state=browser.context.storage_state())
        try:
            tablet_page = tablet.new_page()
            browser.open("/console/", tablet_page)
            expect(tablet_page.locator("svg#linkage-map")).to_be_visible()
            browser.shot("tablet-linkages", tablet_page)
        finally:
            tablet.close()

    with browser.step("signed out: the console's pages lead to the sign-in again"):
        page.get_by_role("button", name="サインアウト / Sign out").click()
        expect(page).to_have_url(re.compile(r"/console/sign-in"))
        browser.open("/console/health")
        expect(page).to_have_url(f"{browser.base}/console/sign-in?next=%2Fconsole%2Fhealth")

    with browser.step(f"ops-mynumber sees {reference} unmasked"):
        personal = browser.new_context(DESKTOP)
        try:
            other = personal.new_page()
            browser.open("/console/sign-in", other)
            other.get_by_label("クライアントID").fill("ops-mynumber")
            other.get_by_label("クライアントシークレット").fill(demo_secret("ops-mynumber"))
            # The unmasking scope is asked for by name, as at the token endpoint: a box on the form.
            other.get_by_label("個人情報を表示する").check()
            other.get_by_role("button", name="サインイン / Sign in").click()
            expect(other).to_have_url(f"{browser.base}/console/")
            browser.open(f"/console/dead-letters/{reference}", other)
            expect(other.locator("pre#letter-value")).to_be_visible()
            expect(other.locator("pre#letter-value")).not_to_contain_text("***")
            expect(other.locator("#masked-note")).to_be_visible()
        finally:
            personal.close()

    with browser.step("sign-in refused: a system's credentials (403), a wrong secret (401)"):
        refused = browser.new_context(DESKTOP)
        try:
            other = refused.new_page()
            for client, secret, status, texts in (
                    ("sys-001", demo_secret("001"), 403, ("オペレーター", "operators only")),
                    ("ops", "not-the-secret", 401, ())):
                browser.open("/console/sign-in", other)
                other.get_by_label("クライアントID").fill(client)
                other.get_by_label("クライアントシークレット").fill(secret)
                with other.expect_response(lambda reply: reply.request.method == "POST") as posted:
                    other.get_by_role("button", name="サインイン / Sign in").click()
                if posted.value.status != status:
                    raise Failure(f"sign-in as {client}: {posted.value.status}, wanted {status}")
                alert = other.locator("p[role=alert].error")
                expect(alert).to_be_visible()
                expect_text(alert, *texts)
                expect(other.locator("form#sign-in")).to_be_visible()
                if any(c["name"] == "renkei_console" for c in refused.cookies()):
                    raise Failure(f"sign-in as {client} was refused but set a session cookie")
                if status == 403:
                    browser.shot("sign-in-refused", other)
        finally:
            refused.close()


def navigate(page, label):
    """Follows the link of the console's navigation whose text contains `label`."""
    page.get_by_role("navigation", name=NAVIGATION).get_by_role("link", name=label).click()


def fill(field, value):
    """A filter field, whether a text input or a select."""
    if field.evaluate("element => element.tagName") == "SELECT":
        field.select_option(value)
    else:
        field.fill(value)


def missing_tools():
    if importlib.util.find_spec("playwright") is None:
        return "Playwright is not installed"
    if not CHROMIUM.exists():
        return f"Chromium is not installed ({CHROMIUM})"
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", help="renkei executable (default: the debug build)")
    parser.add_argument("--screenshots", help="folder for the screenshots (default: a new temporary folder)")
    parser.add_argument("--residents", type=int, default=2000, help="residents in the bulk transfer")
    arguments = parser.parse_args()
    missing = missing_tools()
    if missing:
        print(f"check-console: {missing} (scripts/setup.sh --with-test-tools)", file=sys.stderr)
        return 3
    binary = str(Path(arguments.binary).resolve()) if arguments.binary else str(ROOT / ".build" / "debug" / "renkei")
    screenshots = Path(arguments.screenshots or tempfile.mkdtemp(prefix="renkei-console-shots-"))
    screenshots.mkdir(parents=True, exist_ok=True)

    def out_of_time(*_):
        raise Failure(f"the run took longer than {RUN_LIMIT} s")

    signal.signal(signal.SIGALRM, out_of_time)
    signal.alarm(RUN_LIMIT)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="renkei-console-") as scratch:
        peer = ThreadingHTTPServer(("127.0.0.1", 0), Peer)
        threading.Thread(target=peer.serve_forever, daemon=True).start()
        try:
            with DemoServe(binary, scratch, peer.server_address[1]) as server:
                status = run(server, binary, arguments.residents, screenshots, started)
                if status == 0 and server.stopped():
                    print(f"check-console: renkei serve stopped during the run:\n{server.tail()}", file=sys.stderr)
                    return 1
        finally:
            signal.alarm(0)
            peer.shutdown()
    if status == 0:
        print(f"check-console: every step passed in {time.monotonic() - started:.0f} s; screenshots in {screenshots}")
    return status


def run(server, binary, residents, screenshots, started):
    """0 when every step passes; 1 after reporting the first that fails."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    # Anything else is a fault of this script, and is reported with its traceback.
    failures = (Failure, ServeFailed, PlaywrightError, AssertionError, subprocess.SubprocessError, OSError)
    step = "starting renkei serve"
    try:
        server.wait_until_ready()
        step = f"seeding: a bulk transfer of {residents} residents"
        seed = Seed(server, binary, residents)
        seed.bulk_transfer()
        step = f"seeding: {EVENTS} events refused by {PUSH_RECEIVER}'s webhook"
        seed.refused_events()
        print(f"check-console: ok  seeded ({time.monotonic() - started:.1f} s since start)", flush=True)
        step = "starting Chromium"
        with sync_playwright() as playwright:
            browser = Browser(playwright, server.base, screenshots)
            try:
                check_pages(browser, seed, lambda status: setattr(Peer, "status", status))
            except failures as failure:
                report(browser.current, browser, failure, server, screenshots)
                return 1
            finally:
                browser.close()
    except failures as failure:
        report(step, None, failure, server, screenshots)
        return 1
    return 0


def report(step, browser, failure, server, screenshots):
    lines = [f"check-console: FAILED at step: {step}", f"  {type(failure).__name__}: {failure}".rstrip()]
    if browser is not None:
        lines.append(f"  page: {browser.page.url}")
        for alert in browser.alerts():
            lines.append(f"  alert: {alert}")
        try:
            browser.shot("failure")
            lines.append(f"  screenshot: {screenshots / 'failure.png'}")
        except Exception:
            pass
    lines.append(f"  serve log, last lines:\n{server.tail(30)}")
    print("\n".join(lines), file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
