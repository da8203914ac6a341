"""The review app in a real browser: Debian's Chromium driven by Playwright.

One inspector's and one trainer's session against a real ``conduct serve``:
log in, open the queue, open an interaction, click a finding and check the
player jumped to it, dismiss the finding and see the score change, open the
dashboard; as a trainer, search examples and download a training pack; be
refused without login and with the wrong role.

Screenshots go to ``$CONDUCT_SCREENSHOTS`` when set (README uses
``docs/screenshots``), else to the test's temporary folder.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from web_fixture import USERS, build_review_db, copy_db, running_server

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--autoplay-policy=no-user-gesture-required", "--mute-audio"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    review = build_review_db(tmp_path_factory.getbasetemp() / "review-db")
    db = copy_db(review, tmp_path_factory.mktemp("browser-db"))
    with running_server(db, review.recordings) as base:
        yield base, review


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; run `sudo bash .ci/deps`")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture()
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("CONDUCT_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def log_in(page, base: str, name: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", USERS[name][1])
    page.click("button[type=submit]")
    page.wait_for_load_state()


def snap(page, shots: Path, name: str, full_page: bool = False) -> None:
    path = shots / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    assert path.stat().st_size > 5000


def test_refused_without_login(site, browser) -> None:
    base, review = site
    page = browser.new_page()
    page.goto(base + "/queue")
    assert page.url.startswith(base + "/login?next=")
    assert page.locator("input[name=password]").count() == 1
    pk = review.pks["phone-audio-script"]
    assert page.request.get(f"{base}/audio/{pk}").status == 401
    page.goto(f"{base}/interactions/{pk}")
    assert "/login" in page.url and "下班了" not in page.content()
    page.close()


def test_inspector_reviews_a_call(site, browser, shots: Path) -> None:
    base, review = site
    page = browser.new_page(viewport={"width": 1280, "height": 860})
    log_in(page, base, "insp")
    assert page.url == base + "/queue"
    rows = page.locator("table.queue tbody tr")
    assert rows.count() >= 5
    snap(page, shots, "queue")

    page.click("text=phone-audio-script")
    page.wait_for_selector("#player")
    assert re.search(r"/interactions/\d+$", page.url)
    auto = page.inner_text("#auto-score")
    assert page.inner_text("#score") == auto
    page.wait_for_function("document.getElementById('player').readyState >= 1")
    finding = page.locator("article.finding[data-rule='A9-F-01']")
    start = float(finding.locator("button.play").get_attribute("data-start"))
    assert start > 5  # well into the call, so a jump is visible
    finding.locator("button.play").click()
    page.wait_for_function(f"document.getElementById('player').currentTime >= {start - 0.05}")
    current = page.evaluate("document.getElementById('player').currentTime")
    assert start - 0.05 <= current < start + 3
    snap(page, shots, "interaction")

    finding.locator("textarea[name=comment]").fill("同事间玩笑, 不是对服务对象说的")
    finding.locator("button.dismiss").click()
    page.wait_for_load_state()
    assert page.inner_text("#auto-score") == auto
    assert int(page.inner_text("#score")) > int(auto)
    card = page.locator("article.finding[data-rule='A9-F-01']")
    assert card.locator(".status").get_attribute("data-verdict") == "dismiss"
    assert "误报" in card.inner_text() and "insp" in card.inner_text()
    # styled as dismissed: greyed and struck through, its line no longer flagged
    assert "line-through" in card.locator(".status").evaluate(
        "e => getComputedStyle(e).textDecorationLine")
    assert card.evaluate("e => parseFloat(getComputedStyle(e).opacity)") < 1

    page.goto(base + "/dashboard")
    assert page.locator("svg.chart").count() == 2
    snap(page, shots, "dashboard", full_page=True)

    page.goto(base + "/examples")
    assert "403" in page.inner_text("h1")  # an inspector is not a trainer
    page.close()


def test_trainer_exports_a_pack(site, browser, shots: Path, tmp_path: Path) -> None:
    base, review = site
    page = browser.new_page(viewport={"width": 1280, "height": 860}, accept_downloads=True)
    log_in(page, base, "trainer")
    assert page.url == base + "/examples"
    page.goto(f"{base}/interactions/{review.pks['phone-audio-script']}")
    assert "403" in page.inner_text("h1") and "下班了" not in page.content()
    page.goto(base + "/queue")
    assert "403" in page.inner_text("h1")

    page.goto(base + "/examples")
    page.select_option("select[name=practice]", "good")
    page.click("#search button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("table.examples tbody tr.good").count() >= 2
    assert "13812345678" not in page.content()
    snap(page, shots, "examples")
    with page.expect_download() as info:
        page.click("#export")
    path = tmp_path / "pack.zip"
    info.value.save_as(path)
    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read("manifest.json"))["examples"]
        assert manifest and {m["practice"] for m in manifest} == {"good"}
        assert any(m["clip"] for m in manifest)
    page.close()


@pytest.fixture(scope="module")
def month_site(tmp_path_factory):
    """The review database served with a template that ranks everyone (tiny fixture)."""
    from analyzer.rules.score import load_template

    review = build_review_db(tmp_path_factory.getbasetemp() / "review-db")
    folder = tmp_path_factory.mktemp("browser-month")
    db = copy_db(review, folder)
    template = folder / "scoring.toml"
    template.write_text(load_template().text.split("[ranking]")[0] + "[ranking]\n"
                        "min_interactions = 1\nred_min_mean = 0\nblack_max_mean = 100\n"
                        "list_size = 3\n", "utf-8")
    with running_server(db, review.recordings, "--template", str(template)) as base:
        yield base, review, db


def test_supervisor_sees_staff_with_names_and_the_ranking(month_site, browser, shots: Path) -> None:
    base, review, _db = month_site
    page = browser.new_page(viewport={"width": 1280, "height": 860})
    log_in(page, base, "sup")
    page.goto(base + "/staff?period=2026-11")
    rows = page.locator("table.staff tbody tr")
    assert rows.count() >= 2
    assert page.locator("td.name", has_text="王小明").count() == 1  # names for supervisors
    snap(page, shots, "staff")
    page.click("text=S-0101")
    page.wait_for_selector("#mean-score")
    assert "王小明" in page.inner_text("#staff-title")
    assert page.locator("ul.worst a").count() >= 1
    page.goto(base + "/ranking?period=2026-11")
    assert page.locator("#red-staff tbody tr").count() >= 2
    assert page.locator("#black-staff tbody tr").count() >= 2
    red_first = page.locator("#red-staff tbody tr").first.inner_text()
    black_first = page.locator("#black-staff tbody tr").first.inner_text()
    assert red_first != black_first
    fingerprint = page.inner_text("#fingerprint")
    snap(page, shots, "ranking", full_page=True)
    with page.context.expect_page() as opened:
        page.click("#print-link")  # opens in a new tab of the same session
    printable = opened.value
    printable.wait_for_load_state()
    assert fingerprint in printable.content() and "红黑榜" in printable.title()
    assert printable.evaluate("document.scripts.length") == 0
    assert printable.evaluate("document.styleSheets.length") == 1  # inline, self-contained
    printable.close()
    page.close()
    inspector = browser.new_page()
    log_in(inspector, base, "insp")
    inspector.goto(base + "/staff?period=2026-11")
    assert "王小明" not in inspector.content()  # inspectors see staff ids only
    inspector.close()


def test_an_appeal_from_filing_to_ruling(month_site, browser, shots: Path) -> None:
    base, review, _db = month_site
    pk = review.pks["counter-pii"]
    inspector = browser.new_page(viewport={"width": 1280, "height": 860})
    log_in(inspector, base, "insp")
    inspector.goto(f"{base}/interactions/{pk}")
    card = inspector.locator("article.finding", has_text="A8-F-02")
    card.locator("button.confirm").click()
    inspector.wait_for_load_state()
    confirmed_score = int(inspector.inner_text("#score"))
    inspector.close()

    sup = browser.new_page(viewport={"width": 1280, "height": 860})
    log_in(sup, base, "sup")
    sup.goto(f"{base}/interactions/{pk}")
    card = sup.locator("article.finding", has_text="A8-F-02")
    assert card.locator("button.confirm").count() == 0  # supervisors do not review
    card.locator("textarea[name=reason]").fill("工作人员是在指引墙上的告示牌, 不是推诿")
    card.locator("button.file-appeal").click()
    sup.wait_for_load_state()
    assert "/appeals" in sup.url
    appeal = sup.locator("article.appeal").first
    assert "进行中" in appeal.inner_text() and "这是您提出的申诉" in appeal.inner_text()
    sup.close()

    chief = browser.new_page(viewport={"width": 1280, "height": 860})
    log_in(chief, base, "sup2")
    chief.goto(base + "/appeals?status=open")
    appeal = chief.locator("article.appeal").first
    appeal.locator("textarea[name=comment]").fill("录音复核: 确为指引告示")
    appeal.locator("button.overturn").click()
    chief.wait_for_load_state()
    appeal = chief.locator("article.appeal").first
    assert "已撤销" in appeal.inner_text()
    after = int(appeal.locator("span.after").inner_text())
    assert int(appeal.locator("span.before").inner_text()) == confirmed_score < after
    appeal.locator("details.trail summary").click()
    trail = appeal.locator("details.trail li")
    assert trail.count() == 2 and "sup2" in trail.nth(1).inner_text()
    snap(chief, shots, "appeal", full_page=True)
    chief.goto(f"{base}/interactions/{pk}")
    assert int(chief.inner_text("#score")) == after
    assert "已撤销" in chief.locator("article.finding", has_text="A8-F-02").inner_text()
    chief.close()


def test_inspector_searches_and_lands_on_the_second(month_site, browser, shots: Path) -> None:
    base, review, _db = month_site
    page = browser.new_page(viewport={"width": 1280, "height": 860})
    log_in(page, base, "insp")
    page.goto(base + "/search")
    page.fill("input[name=q]", "下班了")
    page.select_option("select[name=speaker]", "staff")
    page.click("#search-form button[type=submit]")
    page.wait_for_load_state()
    rows = page.locator("table.search tbody tr")
    assert rows.count() >= 1 and "下班了" in rows.first.inner_text()
    snap(page, shots, "search")
    page.locator("table.search a", has_text="phone-audio-script").first.click()
    page.wait_for_selector("#player")
    page.wait_for_function("document.getElementById('player').readyState >= 1")
    page.wait_for_function("document.getElementById('player').currentTime > 8")
    assert 8 < page.evaluate("document.getElementById('player').currentTime") < 10
    page.goto(base + "/search")
    page.fill("input[name=q]", "请您满走")  # 慢 man4 / 满 man3: the same sound
    page.check("input[name=pinyin]")
    page.click("#search-form button[type=submit]")
    page.wait_for_load_state()
    assert "请您慢走" in page.inner_text("table.search")
    page.close()


#: Every page an admin can open (an admin sees every link of the navigation).
MAIN_PAGES = {
    "queue": "/queue", "dashboard": "/dashboard", "staff": "/staff?period=2026-11",
    "ranking": "/ranking?period=2026-11", "appeals": "/appeals", "sampling": "/sampling",
    "search": "/search?q=您好", "examples": "/examples?practice=good&go=1", "users": "/admin/users",
    "errors": "/errors", "live": "/live", "rules": "/rules?period=2026-11",
}
#: Words a Chinese page may show as they are: commands, options and formats.
LATIN_OK = {"conduct", "serve", "live", "stream", "listen", "HOST", "PORT", "CSV", "zip",
            "boss", "insp", "trainer", "sup", "sup2", "newbie",
            "English",  # the language switch names English in English
            "XXX"}  # the seed code's own placeholder in a phrase (XXX号为您服务)


def english_words(text: str) -> set[str]:
    """Latin words of 3+ letters left once ids (A9-F-01, phone-audio-script, S-0101) are out."""
    text = re.sub(r"[A-Za-z0-9_.]+(?:[-/:@][A-Za-z0-9_.]+)+", " ", text)  # ids, rules, versions
    text = re.sub(r"\b[0-9a-f]{8,}\b", " ", text)  # checksums (the 红黑榜's 校验码)
    return {w for w in re.findall(r"[A-Za-z]{3,}", text)} - LATIN_OK


def fits(page) -> None:
    """The navigation fits the window: nothing scrolls sideways, no label or button wraps."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    heights = page.evaluate("""() => [...document.querySelectorAll(
        'header.top nav a, header.top button, header.top .who')].map(e => [e.textContent.trim(),
        e.getBoundingClientRect().height, parseFloat(getComputedStyle(e).lineHeight) || 21])""")
    wrapped = [name for name, height, line in heights if height > 1.6 * line + 8]
    assert not wrapped, f"wrapped in the navigation: {wrapped}"


def test_every_page_is_chinese_by_default_and_fits_1366(month_site, browser, shots) -> None:
    base, review, _db = month_site
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    log_in(page, base, "boss")
    pk = review.pks["phone-audio-script"]
    for name, path in {**MAIN_PAGES, "interaction": f"/interactions/{pk}"}.items():
        page.goto(base + path)
        page.wait_for_load_state()
        assert page.evaluate("document.documentElement.lang") == "zh-CN"
        # a measured finding's evidence sentence is written by the rules when the interaction
        # is analysed and stored with the report (English today; see issue 29's report)
        # and the lexicon's own wording (rule titles, seed phrases) is the lexicon's, as loaded
        page.evaluate("document.querySelectorAll('p.evidence, .finding p.title, .finding p.seed')"
                      ".forEach(e => e.style.display = 'none')")
        body = page.inner_text("body")
        found = english_words(body)
        assert not found, f"{name}: {sorted(found)} in " + " | ".join(
            line for line in body.splitlines() if english_words(line))
        assert not re.search(r"\d{2}:\d{2}(:\d{2})?(\+00:00|Z\b)|\bUTC\b", body), name
        fits(page)
        if name in ("queue", "interaction", "ranking", "staff", "dashboard"):
            snap(page, shots, f"{name}-zh", full_page=name != "interaction")
    # the hall's clock: the call that started 09:00 Beijing time says 09:00
    page.goto(f"{base}/interactions/{pk}")
    assert "2026-11-20 09:00" in page.inner_text("h1 .started")
    assert "+00:00" not in page.inner_text("dd.analyzed")
    page.close()


def test_the_language_is_each_users_choice(month_site, browser, shots) -> None:
    base, review, _db = month_site
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    log_in(page, base, "boss")
    page.goto(base + "/queue")
    assert page.inner_text("h1").startswith("待复核的服务记录")
    page.click("form.language button[value=en]")
    page.wait_for_load_state()
    assert page.url.endswith("/queue") and page.inner_text("h1").startswith("Flagged interactions")
    assert page.evaluate("document.documentElement.lang") == "en"
    pk = review.pks["phone-audio-script"]
    for name, path in {"queue": "/queue", "interaction": f"/interactions/{pk}",
                       "ranking": "/ranking?period=2026-11", "staff": "/staff?period=2026-11",
                       "dashboard": "/dashboard"}.items():
        page.goto(base + path)
        fits(page)
        snap(page, shots, f"{name}-en", full_page=name != "interaction")
    assert "Red list · best" in page.goto(base + "/ranking?period=2026-11").text() or \
        "Red list · best" in page.inner_text("body")
    # the choice belongs to the account: another browser logs in and gets English ...
    other = browser.new_context().new_page()
    log_in(other, base, "boss")
    assert other.inner_text("h1").startswith("Flagged interactions")
    # ... and another user keeps Chinese
    insp = browser.new_context().new_page()
    log_in(insp, base, "insp")
    assert insp.inner_text("h1").startswith("待复核的服务记录")
    other.click("form.language button[value=zh_CN]")
    other.wait_for_load_state()
    assert other.inner_text("h1").startswith("待复核的服务记录")
    for p in (page, other, insp):
        p.close()


def judge(page, base: str, pk: int, finding_id: int, which: str, reason: str = "") -> None:
    """Confirm or dismiss (with a reason) one finding on its interaction's page."""
    page.goto(f"{base}/interactions/{pk}")
    card = page.locator(f"article.finding#finding-{finding_id}")
    if reason:
        card.locator("select[name=reason]").select_option(reason)
    card.locator(f"button.{which}").click()
    page.wait_for_load_state()


def test_supervisor_sees_a_rules_precision_drop_after_dismissals(month_site, browser,
                                                                  shots: Path) -> None:
    """An inspector confirms a rule's findings, then dismisses one (saying why); the
    supervisor's rule health page shows the precision fall, the reason, and the 红黑榜
    marks that rule's findings as under review."""
    base, review, _db = month_site
    insp = browser.new_page(viewport={"width": 1280, "height": 860})
    log_in(insp, base, "insp")
    listed = insp.request.get(f"{base}/api/interactions?limit=500").json()["interactions"]
    findings = []
    for row in listed:
        if row["interaction_id"] in ("phone-audio-script", "counter-pii"):
            continue  # other tests review these
        data = insp.request.get(f"{base}/api/interactions/{row['id']}").json()
        findings += [(row["id"], f) for f in data["findings"] if f["verdict"] is None
                     and row["day"].startswith("2023-05")]  # one month, the page's
    by_rule: dict[str, list] = {}
    for pk, f in findings:
        by_rule.setdefault(f["rule"], []).append((pk, f))
    rule, pair = max(by_rule.items(), key=lambda kv: (len(kv[1]), kv[0]))
    # two findings: one confirmed, one dismissed (1/2); one finding: confirmed, then the
    # inspector changes their mind (0/1)
    first, second = pair[0], pair[1] if len(pair) > 1 else pair[0]
    expected = ("0.5000", "50%", 2) if len(pair) > 1 else ("0.0000", "0%", 1)

    def verdict(pk: int, finding_id: int, which: str, reason: str = "") -> None:
        judge(insp, base, pk, finding_id, which, reason)

    sup = browser.new_page(viewport={"width": 1366, "height": 860})
    log_in(sup, base, "sup")
    verdict(first[0], first[1]["id"], "confirm")
    sup.goto(base + "/rules?period=2023-05")
    assert sup.locator("table.rules tr.rule").count() >= 1
    row = sup.locator(f"tr#rule-{rule}")
    assert row.get_attribute("data-precision") == "1.0000"
    assert row.locator("td.precision").inner_text() == "100%"
    verdict(second[0], second[1]["id"], "dismiss", "misheard")
    sup.reload()
    row = sup.locator(f"tr#rule-{rule}")
    assert row.get_attribute("data-precision") == expected[0]
    assert row.locator("td.precision").inner_text() == expected[1]
    assert "听错（识别错误） ×1" in row.locator("td.reasons").inner_text()
    assert f"({expected[2]})" in row.inner_text()  # reviewed findings
    assert row.get_attribute("data-status") == "too_few"  # fewer reviewed than the bar's 20
    assert rule in sup.inner_text("#too-few")
    fits(sup)
    snap(sup, shots, "rule-health", full_page=True)
    sup.goto(base + "/ranking?period=2023-05")
    assert rule in sup.inner_text("#under-review")
    insp.close()
    sup.close()


def test_an_admin_backtests_new_rules_from_the_page(month_site, browser, shots: Path) -> None:
    """The admin pastes an override that disables a forbidden phrase; the page shows the
    findings that would disappear, and nothing is written."""
    base, _review, db = month_site
    page = browser.new_page(viewport={"width": 1366, "height": 860})
    log_in(page, base, "boss")
    page.goto(base + "/admin/backtest")
    page.fill("textarea[name=lexicon]", '[lexicon]\nname = "trial"\nversion = "t1"\n\n'
                                        '[[disable]]\nid = "A9-F-05"\nreason = "trial"\n')
    before = page.request.get(f"{base}/api/interactions?limit=500").json()
    page.click("#run-backtest")
    page.wait_for_selector("#backtest-result")
    assert int(page.inner_text("#disappeared b")) >= 1
    gone = page.locator("table.changes td.disappeared", has_text="A9-F-05")
    assert gone.count() >= 1
    assert "t1" in page.inner_text("#backtest-result")
    assert "A9-F-05" in page.inner_text("#analysed")  # only where the switched-off rule was
    fits(page)
    snap(page, shots, "backtest", full_page=True)
    after = page.request.get(f"{base}/api/interactions?limit=500").json()
    assert after == before  # read-only
    page.fill("textarea[name=lexicon]", '[lexicon]\nname = "trial"\nversion = "t2"\n\n'
                                        '[[disable]]\nid = "NO-SUCH-RULE"\nreason = "x"\n')
    page.click("#run-backtest")
    page.wait_for_load_state()
    error = page.inner_text("#backtest-error")
    assert "NO-SUCH-RULE" in error and error.startswith("new-lexicon.toml:") and "/tmp" not in error
    page.close()


def test_two_inspectors_review_the_same_sampled_interaction(month_site, browser,
                                                             shots: Path) -> None:
    """A supervisor samples the month with a calibration share: each sampled interaction
    goes to two inspectors; one confirms a finding, the other dismisses it on their own;
    the calibration page lists the disagreement and the pair's counts."""
    from analyzer.web import auth

    base, _review, db = month_site
    con = auth.connect(db)
    if "insp2" not in {u.name for u in auth.list_users(con)}:
        auth.add_user(con, "insp2", "inspector", "inspector-pass-2")
    con.close()
    sup = browser.new_page(viewport={"width": 1366, "height": 860})
    log_in(sup, base, "sup")
    sup.goto(base + "/sampling?period=2023-05")
    sup.fill("input[name=calibration]", "1")
    sup.click("#sample button[type=submit]")
    sup.wait_for_selector("#calibration-drawn")
    assert "insp2" in sup.inner_text("#calibration-drawn")

    def inspector(name: str, password: str):
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        page.goto(base + "/login")
        page.fill("input[name=name]", name)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        page.goto(base + "/queue")
        return page

    one = inspector("insp", USERS["insp"][1])
    two = inspector("insp2", "inspector-pass-2")
    marked = two.locator("#assigned tr", has=two.locator("span.calibration"))
    assert marked.count() >= 1  # the second inspector's queue holds the calibration items
    flagged = None
    for k in range(marked.count()):
        href = marked.nth(k).locator("a").first.get_attribute("href")
        pk = int(href.rsplit("/", 1)[1])
        found = two.request.get(f"{base}/api/interactions/{pk}").json()["findings"]
        if found:
            flagged = (pk, found[0]["id"], found[0]["rule"])
            break
    assert flagged is not None
    pk, finding_id, rule = flagged
    mine = {a.get_attribute("href") for a in one.locator("#assigned tr a").all()}
    assert f"/interactions/{pk}" in mine  # the same interaction, in both queues

    judge(one, base, pk, finding_id, "confirm")
    # blind: the other inspector sees none of the first one's verdicts before judging
    two.goto(f"{base}/interactions/{pk}")
    assert two.locator("#blind").is_visible()
    card = two.locator(f"article.finding#finding-{finding_id}")
    assert card.locator(".status").get_attribute("data-verdict") == "none"
    assert "· insp ·" not in card.inner_text()
    judge(two, base, pk, finding_id, "dismiss", "context")
    if len(found) == 1:  # judged: both reviews shown
        assert two.locator("#blind").count() == 0
        assert "· insp ·" in two.locator(f"article.finding#finding-{finding_id}").inner_text()
    sup.goto(f"{base}/interactions/{pk}")  # a supervisor sees both, always
    text = sup.locator(f"article.finding#finding-{finding_id}").inner_text()
    assert sup.locator("#blind").count() == 0 and "· insp ·" in text and "· insp2 ·" in text
    sup.goto(base + "/calibration?period=2023-05")
    item = sup.locator(f"ul.disagreements li#finding-{finding_id}")
    assert item.count() == 1
    text = item.inner_text()
    assert rule in text and "insp:" in text and "insp2:" in text
    pair = sup.locator("table.pairs tr.overall[data-a=insp][data-b=insp2]")
    assert pair.count() == 1 and int(pair.locator("td").nth(3).inner_text()) >= 1
    fits(sup)
    snap(sup, shots, "calibration", full_page=True)
    for page in (sup, one, two):
        page.close()
