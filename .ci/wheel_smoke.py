"""Drive an installed ``conduct`` the way a new user would, outside the checkout.

Run by ``.ci/wheel`` with the fresh virtual environment's Python, in an empty
folder: analyze the bundled examples, show the lexicon, batch the examples into
a database, then serve it and record a verdict as a logged-in inspector.
Exits non-zero, saying which step failed, on the first problem.
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

CONDUCT = str(Path(sys.executable).with_name("conduct"))


def step(name: str, *args: str, stdin: str | None = None) -> str:
    """Run ``conduct ARGS``; fail loudly unless it exits 0."""
    print(f"--- {name}: conduct {' '.join(args)}", flush=True)
    done = subprocess.run([CONDUCT, *args], input=stdin, capture_output=True, text=True,
                          timeout=900)
    if done.returncode != 0:
        sys.exit(f"{name} failed (exit {done.returncode}):\n{done.stdout[-3000:]}\n"
                 f"{done.stderr[-3000:]}")
    return done.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def verdict_over_http(db: Path) -> None:
    """Log in to a real ``conduct serve``, confirm one finding, open the examples page."""
    step("add an admin", "users", "add", "ines", "--role", "admin", "--db", str(db),
         "--password-stdin", stdin="smoke-test-password\n")
    port = free_port()
    server = subprocess.Popen([CONDUCT, "serve", "--db", str(db), "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    jar = http.cookiejar.CookieJar()
    web = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    try:
        for _ in range(120):
            try:
                login_page = web.open(f"{base}/login", timeout=5).read().decode()
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.5)
        else:
            sys.exit("conduct serve did not answer")
        token = re.search(r'name="csrf_token" value="([^"]+)"', login_page).group(1)
        form = {"name": "ines", "password": "smoke-test-password", "csrf_token": token,
                "next": "/queue"}
        web.open(f"{base}/login", urllib.parse.urlencode(form).encode(), timeout=30).read()
        listing = json.load(web.open(f"{base}/api/interactions", timeout=30))
        flagged = [r for r in listing["interactions"] if r["n_findings"]]
        if not flagged:
            sys.exit("no interaction with findings in the served database")
        pk = flagged[0]["id"]
        page = web.open(f"{base}/interactions/{pk}", timeout=30).read().decode()
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        finding = json.load(web.open(f"{base}/api/interactions/{pk}", timeout=30))["findings"][0]
        body = urllib.parse.urlencode({"verdict": "confirm", "csrf_token": csrf}).encode()
        answer = web.open(urllib.request.Request(
            f"{base}/findings/{finding['id']}/verdict", body,
            headers={"Accept": "application/json"}), timeout=30)
        if answer.status != 200:
            sys.exit(f"verdict POST answered {answer.status}")
        after = json.load(web.open(f"{base}/api/interactions/{pk}", timeout=30))
        verdicts = [f["verdict"] for f in after["findings"] if f["id"] == finding["id"]]
        if verdicts != ["confirm"]:
            sys.exit(f"the verdict was not kept: {verdicts}")
        print(f"--- verdict recorded on finding {finding['id']} of interaction {pk}", flush=True)
        if web.open(f"{base}/examples", timeout=30).status != 200:
            sys.exit("the examples page did not answer 200")
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    repo = Path(sys.argv[1]).resolve()
    here = Path.cwd()
    if here == repo or repo in here.parents:
        sys.exit("run this outside the checkout")
    examples = here / "examples"
    shutil.copytree(repo / "examples", examples)
    text = step("analyze the bundled examples", "analyze", str(examples), "--format", "text")
    if text.count("== ") < 7:
        sys.exit(f"expected 7 reports, got:\n{text}")
    shown = step("show the lexicon", "lexicon", "show")
    if "A9-F-05" not in shown:
        sys.exit("the shipped lexicon was not shown")
    if "A9-F" not in step("match a sentence", "lexicon", "match", "你去投诉好了"):
        sys.exit("the forbidden phrase was not matched")
    override = examples.parent / "county.toml"
    shutil.copy(repo / "lexicons" / "examples" / "county-override.toml", override)
    step("check a hall's lexicon", "lexicon", "check", str(override))
    db = here / "results.sqlite"
    step("batch the examples", "batch", str(examples), "--db", str(db), "--no-progress")
    found = step("search training examples", "examples", "search", "--db", str(db),
                 "--practice", "bad")
    if not found.strip():
        sys.exit("no training example found in the batch database")
    page = step("write the report page", "report", "--db", str(db), "--format", "html")
    if "<svg" not in page or "按大厅" not in page:  # Chinese: the compiled catalogue shipped
        sys.exit("the report page (a packaged template, in Chinese) was not rendered")
    english = step("write the report in English", "report", "--db", str(db), "--lang", "en")
    if "Per hall" not in english:
        sys.exit("--lang en did not give the English report")
    verdict_over_http(db)
    print("wheel smoke test passed", flush=True)


if __name__ == "__main__":
    main()
