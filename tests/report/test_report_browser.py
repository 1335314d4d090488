"""The HTML report, opened in a real headless Chromium (Debian package, driven by Playwright)."""

import json

import pytest

from glassml.cli import main

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    assert main(["run", "fitting", "--quick", "--out", str(out)]) == 0
    return out


def test_results_json_has_every_experiment(report_dir):
    payload = json.loads((report_dir / "results.json").read_text())
    names = {e["name"] for e in payload["experiments"]}
    assert {"polynomial_under_overfit", "bias_variance_tradeoff"} <= names
    assert all(e["status"] == "passed" for e in payload["experiments"])
    assert all(
        e["claims"] and all(c.startswith("CL-") for c in e["claims"])
        for e in payload["experiments"]
    )


@pytest.mark.slow
def test_page_loads_without_errors_and_shows_every_figure(report_dir):
    from playwright.sync_api import sync_playwright

    payload = json.loads((report_dir / "results.json").read_text())
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        errors = []
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto((report_dir / "index.html").as_uri())
        page.wait_for_load_state("load")
        articles = page.locator("article")
        assert articles.count() == len(payload["experiments"])
        for exp in payload["experiments"]:
            art = page.locator(f"article#{exp['name']}")
            assert art.is_visible()
            assert exp["title"] in art.inner_text()
            img = art.locator("img")
            assert img.count() == 1
            width = img.evaluate("el => el.complete ? el.naturalWidth : 0")
            assert width > 100, f"figure of {exp['name']} did not render"
        assert "experiments" in page.locator("header").inner_text()
        browser.close()
    assert errors == []
