#!/usr/bin/env python3
"""Drives surfrender's QC page (index.html) in a real headless Chromium through Selenium.

Run by tests/report_browser.rs on a report of three figures and one failed subject:
    report_check.py PAGE SCREENSHOT VIEWPORT_JSON DOWNLOADS
It checks that every thumbnail loads, that the arrow keys move the selection, that p/f/u
mark the selected figure, that typing a note triggers no shortcut, that marks survive a
reload (localStorage on file://), that window.qcCsv() and the exported file hold exactly
the marks, that the filter hides what does not match, and that the full figure opens; then
it writes a screenshot and the viewport's size. Any failed check raises (exit status 1).
Standard library and selenium only.
"""

import csv
import io
import json
import pathlib
import sys
import tempfile
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

WIDTH, HEIGHT = 1280, 900
EVIL = 'sub-03 <"&>'
NOTE = 'thin, "odd" pfu'


def browser(profile, downloads):
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu",
                f"--window-size={WIDTH},{HEIGHT}", f"--user-data-dir={profile}",
                "--hide-scrollbars", "--force-device-scale-factor=1"):
        opts.add_argument(arg)
    opts.add_experimental_option("prefs", {
        "download.default_directory": str(downloads),
        "download.prompt_for_download": False,
    })
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)


def keys(driver, *ks):
    ActionChains(driver).send_keys(*ks).perform()


def selected(driver):
    return driver.execute_script(
        "const c = document.querySelector('.card.selected');"
        "return c ? c.querySelector('.name').textContent : null;")


def badges(driver):
    return driver.execute_script(
        "return [...document.querySelectorAll('.card')].map(c =>"
        " [c.querySelector('.name').textContent, c.querySelector('.badge').textContent]);")


def expect(what, got, want):
    if got != want:
        raise AssertionError(f"{what}: got {got!r}, want {want!r}")
    print(f"ok: {what}")


def thumbnails_load(driver):
    """Scrolls every card's image into view (they load lazily) and waits for it."""
    result = driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const imgs = [...document.querySelectorAll('.card img')];
        (async () => {
          for (const img of imgs) {
            img.scrollIntoView();
            for (let t = 0; t < 100 && !img.complete; t++) await new Promise(r => setTimeout(r, 50));
          }
          window.scrollTo(0, 0);
          done(imgs.map(i => [i.getAttribute('src'), i.complete, i.naturalWidth]));
        })();""")
    return result


def main():
    page, shot, viewport, downloads = map(pathlib.Path, sys.argv[1:5])
    with tempfile.TemporaryDirectory() as profile:
        driver = browser(profile, downloads)
        try:
            check(driver, page, shot, viewport, downloads)
        finally:
            driver.quit()
    print("all browser checks passed")


def check(driver, page, shot, viewport, downloads):
    driver.set_script_timeout(30)
    driver.get(page.resolve().as_uri())

    imgs = thumbnails_load(driver)
    expect("thumbnail count", len(imgs), 3)
    for src, complete, width in imgs:
        if not (src.startswith("thumbs/") and complete and width > 0):
            raise AssertionError(f"thumbnail {src} did not load (complete {complete}, width {width})")
    print("ok: every thumbnail loads")
    names = [n for n, _ in badges(driver)]
    expect("subjects in order", names, ["sub-01", "sub-02", EVIL])

    # Moving.
    expect("first selected", selected(driver), "sub-01")
    keys(driver, Keys.ARROW_RIGHT)
    expect("ArrowRight", selected(driver), "sub-02")
    keys(driver, Keys.ARROW_LEFT)
    expect("ArrowLeft", selected(driver), "sub-01")
    keys(driver, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)
    expect("ArrowRight stops at the last", selected(driver), EVIL)
    keys(driver, Keys.HOME)

    # Marking.
    keys(driver, "p", Keys.ARROW_RIGHT, "f", Keys.ARROW_RIGHT, "u")
    marks = [["sub-01", "pass"], ["sub-02", "fail"], [EVIL, "unsure"]]
    expect("p / f / u mark the selected", badges(driver), marks)
    pressed = driver.execute_script(
        "return document.querySelector('button[data-rating=unsure]').getAttribute('aria-pressed')")
    expect("the unsure button shows the mark", pressed, "true")

    # A note: its letters and arrows are typing, not shortcuts.
    keys(driver, "n")
    expect("n focuses the note", driver.execute_script("return document.activeElement.id"), "note")
    keys(driver, NOTE, Keys.ARROW_LEFT, Keys.ARROW_LEFT)
    expect("typing a note marks nothing", badges(driver), marks)
    expect("typing a note moves nothing", selected(driver), EVIL)
    keys(driver, Keys.ESCAPE)
    expect("Esc leaves the note", driver.execute_script("return document.activeElement.id"), "")
    expect("count", driver.find_element("id", "count").text.split(" · ")[0], "3 / 3 marked")

    want_csv = [["subject", "rating", "note"], ["sub-01", "pass", ""], ["sub-02", "fail", ""],
                [EVIL, "unsure", NOTE]]
    read_csv = lambda text: list(csv.reader(io.StringIO(text)))
    expect("qcCsv() holds the marks", read_csv(driver.execute_script("return qcCsv()")), want_csv)

    # Marks outlive a reload.
    driver.refresh()
    expect("marks after reload", badges(driver), marks)
    expect("qcCsv() after reload", read_csv(driver.execute_script("return qcCsv()")), want_csv)

    # The exported file.
    driver.execute_cdp_cmd("Browser.setDownloadBehavior",
                           {"behavior": "allow", "downloadPath": str(downloads)})
    driver.find_element("id", "export").click()
    files = []
    for _ in range(100):
        files = [f for f in downloads.glob("*.csv")]
        if files:
            break
        time.sleep(0.05)
    expect("one CSV downloaded", len(files), 1)
    time.sleep(0.2)
    expect("the exported CSV holds the marks", read_csv(files[0].read_text(encoding="utf-8")), want_csv)

    # Filtering: keys typed in the filter mark nothing.
    visible = lambda: driver.execute_script(
        "return [...document.querySelectorAll('.card')].filter(c => !c.hidden)"
        ".map(c => c.querySelector('.name').textContent)")
    keys(driver, "/")
    keys(driver, "02")
    expect("filter hides the rest", visible(), ["sub-02"])
    expect("filter selects what it shows", selected(driver), "sub-02")
    keys(driver, Keys.BACKSPACE, Keys.BACKSPACE, "<\"&")
    expect("filter on an odd name", visible(), [EVIL])
    keys(driver, Keys.BACKSPACE * 3, "pfu")
    expect("filter with no match", visible(), [])
    expect("no match says so", driver.find_element("id", "empty").is_displayed(), True)
    expect("filter typing marks nothing", badges(driver), marks)
    keys(driver, Keys.BACKSPACE * 3, Keys.ESCAPE)
    expect("empty filter shows all", len(visible()), 3)

    # The failure and the full figure.
    failure = driver.find_element("css selector", "#failures tr.failure").text
    if "sub-04" not in failure or "truncated overlay" not in failure:
        raise AssertionError(f"failure row: {failure!r}")
    print("ok: the failed subject is listed with its error")
    keys(driver, Keys.HOME, Keys.ENTER)
    full = driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const img = document.querySelector('#lightbox img');
        const wait = () => img.complete ? done([!document.getElementById('lightbox').hidden,
            img.getAttribute('src'), img.naturalWidth]) : setTimeout(wait, 50);
        wait();""")
    expect("Enter opens the full figure", full[:2], [True, "sub-01.png"])
    if full[2] <= 0:
        raise AssertionError("the full figure did not load")
    keys(driver, Keys.ESCAPE)
    expect("Esc closes it", driver.find_element("id", "lightbox").is_displayed(), False)

    driver.save_screenshot(str(shot))
    size = driver.execute_script(
        "return {width: innerWidth, height: innerHeight, dpr: devicePixelRatio}")
    viewport.write_text(json.dumps(size))
    print(f"ok: screenshot {shot} of {size}")


if __name__ == "__main__":
    main()
