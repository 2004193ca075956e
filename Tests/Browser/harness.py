"""What the browser tests stand on: a headless Chromium per language, waits that follow real page
loads, full-page screenshots, the catalog's strings, and the accessibility checks every page gets.

Started by Tests/Browser/run, which passes the running server and paths in SC_* variables.
"""

import base64
import json
import os
import shutil
import subprocess
import time
import traceback

from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BASE_URL = os.environ.get("SC_BASE_URL", "http://127.0.0.1:8080")
DATABASE = os.environ.get("SC_DATABASE", "")
MAILDIR = os.environ.get("SC_MAILDIR", "")
ADMIN = os.environ.get("SC_ADMIN", "contacts-admin")
SCREENSHOTS = os.environ.get("SC_SCREENSHOTS", "")
WAIT_SECONDS = 15


class CheckFailed(AssertionError):
    pass


def check(condition, message):
    if not condition:
        raise CheckFailed(message)


# --- The catalog ---------------------------------------------------------------------------------

def _load_catalog():
    with open(os.path.join(ROOT, "Templates", "Localizable.xcstrings"), encoding="utf-8") as f:
        strings = json.load(f)["strings"]
    table = {}
    for key, entry in strings.items():
        for language, localization in entry.get("localizations", {}).items():
            value = localization.get("stringUnit", {}).get("value")
            if value is not None:
                table.setdefault(key, {})[language] = value
    return table


CATALOG = _load_catalog()


# The BCP 47 tag pages carry for each language code (the catalog's Portuguese is European).
TAGS = {"pl": "pl", "pt": "pt-PT", "it": "it"}


def t(key, language):
    """The catalog's text for key in language."""
    try:
        return CATALOG[key][language]
    except KeyError:
        raise CheckFailed(f"the catalog has no {language} string {key}")


# --- Operator commands ---------------------------------------------------------------------------

def deliver_mail():
    """What the demo's mail loop does, once: the outbox becomes .eml files in MAILDIR."""
    result = subprocess.run([ADMIN, "deliver-mail", "--database", DATABASE, "--directory", MAILDIR],
                            capture_output=True, text=True, timeout=60)
    check(result.returncode == 0, f"deliver-mail failed ({result.returncode}): {result.stdout}{result.stderr}")
    return result.stdout


# --- The browser ---------------------------------------------------------------------------------

# axe-core, from the axe-selenium-python package that Tests/Browser/run installs (SC_AXE_JS).
AXE_SOURCE = open(os.environ["SC_AXE_JS"], encoding="utf-8").read() if os.environ.get("SC_AXE_JS") else ""

# Phones' widths: headless windows cannot be narrower than 500 px, Chromium's mobile emulation can.
# 390 px is today's common phone (the screenshots); 360 px the narrow Android ones still sold.
PHONE_WIDTH = 390
NARROW_PHONE_WIDTH = 360


def new_browser(language, phone=False, width=PHONE_WIDTH):
    """Headless Chromium whose Accept-Language is `language`, as a customer's browser would be;
    with `phone`, a touch screen `width` px wide."""
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1280,900", "--hide-scrollbars", "--force-device-scale-factor=1",
                     "--no-first-run", "--disable-extensions", "--disable-sync",
                     "--disable-background-networking", "--disable-component-update",
                     "--disable-features=Translate,MediaRouter,OptimizationHints",
                     f"--lang={language}"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": language})
    if phone:
        options.add_experimental_option("mobileEmulation", {
            "deviceMetrics": {"width": width, "height": 844, "pixelRatio": 1.0}})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(30)
    return driver


class Browser:
    """One customer's browser, speaking `language`; every page it loads is checked and kept as
    a screenshot named `<language>-<NN>-<name>.png`."""

    def __init__(self, language, phone=False, width=PHONE_WIDTH):
        self.language = language
        self.phone = phone
        self.driver = new_browser(language, phone, width)
        # A phone's screenshots are numbered after the desktop's, so both fit one index.
        self.shots = 50 if phone else 0
        self.keyboard_checked = set()

    def quit(self):
        try:
            self.driver.quit()
        except WebDriverException:
            pass

    # Finding things

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def text(self, css="main"):
        return self.find(css).text

    @property
    def path(self):
        url = self.driver.current_url
        return url[len(BASE_URL):] if url.startswith(BASE_URL) else url

    # Navigating, always waiting for the new document

    def _html(self):
        return self.driver.find_element(By.TAG_NAME, "html")

    def _mark_page(self):
        """Marks the document now shown, so that a new one can be told from it."""
        self.driver.execute_script("document.documentElement.dataset.browserTestOld = '1'")

    def _wait_for_new_page(self):
        """Until a new document has loaded. While the browser is between two documents, a script
        may fail in many ways ("document unloaded", "node does not belong to the document"...):
        that is the navigation happening, so keep polling."""
        def loaded(driver):
            try:
                return driver.execute_script(
                    "return document.readyState === 'complete'"
                    " && document.documentElement.dataset.browserTestOld === undefined")
            except WebDriverException:
                return False
        try:
            WebDriverWait(self.driver, WAIT_SECONDS, poll_frequency=0.05).until(loaded)
        except TimeoutException:
            raise CheckFailed(f"no new page within {WAIT_SECONDS} s (still at {self.path})")

    def get(self, path):
        self.driver.get(path if path.startswith("http") else BASE_URL + path)

    def click(self, element):
        """Clicks a link or button and waits for the page it leads to."""
        self._mark_page()
        element.click()
        self._wait_for_new_page()

    def press_enter(self, element):
        """Enter in a field or on a focused link or button: a keyboard user's submit."""
        self._mark_page()
        element.send_keys(Keys.ENTER)
        self._wait_for_new_page()

    def keys_to_focused(self, *keys):
        """Types into whatever has the focus, as a keyboard does."""
        ActionChains(self.driver).send_keys(*keys).perform()

    def focused(self):
        return self.driver.switch_to.active_element

    def tab_to(self, element, limit=200):
        """Presses Tab until `element` has the focus (from the top of a fresh page), as a keyboard
        user gets there."""
        for _ in range(limit):
            self.keys_to_focused(Keys.TAB)
            if self.driver.execute_script("return document.activeElement === arguments[0]", element):
                return
        raise CheckFailed(f"Tab never reached {element.get_attribute('outerHTML')[:120]}")

    # Every page: language, labels, title, errors, keyboard, screenshot

    def page(self, name, title_key, language=None, keyboard=True, shot=True):
        """Checks the page now shown and saves its screenshot (unless `shot` is false: a page
        already kept). `title_key`: the catalog key its <h1> must say, in `language` (the
        browser's language unless told otherwise)."""
        language = language or self.language
        html_lang = self._html().get_attribute("lang")
        check(html_lang == TAGS[language], f"{name}: <html lang=\"{html_lang}\">, expected \"{TAGS[language]}\" (at {self.path})")
        h1 = self.find("h1").text.strip()
        expected = t(title_key, language)
        check(h1 == expected, f"{name}: <h1> says {h1!r}, expected {expected!r} in {language} (at {self.path})")
        current = [a.get_attribute("lang") for a in self.find_all('nav.languages a[aria-current="true"]')]
        check(current == [TAGS[language]], f"{name}: the language switcher marks {current} as current, expected [{TAGS[language]!r}]")
        title = self.driver.title
        check(title.startswith(expected), f"{name}: <title> {title!r} does not start with the page's heading {expected!r}")
        self.check_labels(name)
        self.check_axe(name)
        self.check_console(name)
        if keyboard and (title_key, language) not in self.keyboard_checked:
            # Once per kind of page and language: the walk is the same on every visit.
            self.keyboard_checked.add((title_key, language))
            self.check_keyboard_reaches_everything(name)
        if shot:
            self.screenshot(name)

    def check_axe(self, name):
        """axe-core's WCAG 2.x A and AA rules on the page as shown: no violation. The script
        is handed to the page through WebDriver, which the page's CSP does not govern."""
        if not AXE_SOURCE:
            return
        self.driver.execute_script(AXE_SOURCE)
        result = self.driver.execute_async_script("""
            const done = arguments[arguments.length - 1];
            axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}})
               .then(r => done(r.violations.map(v => v.id + ' (' + v.impact + '): '
                   + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))))
               .catch(e => done(['axe failed: ' + e]));
        """)
        check(not result, f"{name}: accessibility violations (axe-core, WCAG 2 A and AA): {result} (at {self.path})")

    def check_labels(self, name):
        """Every input, select and textarea a person fills in has an accessible name from a label
        (label[for] or a label around it) or aria-label / aria-labelledby."""
        unlabelled = self.driver.execute_script("""
            const missing = [];
            for (const el of document.querySelectorAll('input, select, textarea')) {
                if (el.type === 'hidden') continue;
                const fromLabels = Array.from(el.labels || []).some(l => l.textContent.trim() !== '');
                const aria = (el.getAttribute('aria-label') || '').trim() !== '';
                const by = (el.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean)
                    .some(id => { const t = document.getElementById(id); return t && t.textContent.trim() !== ''; });
                if (!fromLabels && !aria && !by) missing.push(el.outerHTML.slice(0, 160));
            }
            return missing;
        """)
        check(not unlabelled, f"{name}: fields without a label: {unlabelled}")

    def check_console(self, name):
        """No error in the browser's console: a blocked resource (CSP), a failed load, a script error."""
        try:
            entries = self.driver.get_log("browser")
        except WebDriverException:
            return
        # Not counted: the browser's own request for /favicon.ico (the product has none: a 404),
        # and the page's own status (a form sent back with its errors is a 422 on purpose).
        page_url = self.driver.current_url.split("#")[0]
        ignored = (f"{BASE_URL}/favicon.ico ", f"{page_url} ")
        errors = [e["message"] for e in entries
                  if e.get("level") == "SEVERE" and not e["message"].startswith(ignored)]
        check(not errors, f"{name}: errors in the browser console: {errors}")

    def check_keyboard_reaches_everything(self, name):
        """From the top of the page, Tab alone focuses every link, button and field, in page order
        (no positive tabindex, nothing unreachable), and each shows that it has the focus."""
        self.driver.execute_script("""
            window.__focusable = Array.from(document.querySelectorAll(
                'a[href], button, input, select, textarea, [tabindex]')).filter(el => {
                    if (el.type === 'hidden' || el.disabled) return false;
                    if (el.getAttribute('tabindex') === '-1') return false;
                    if (el.closest('[inert], [hidden]')) return false;
                    const style = getComputedStyle(el);
                    return style.visibility !== 'hidden' && style.display !== 'none'
                        && (el.getClientRects().length > 0 || el.matches('.skip-link'));
                });
            // Start from the top whatever had the focus: a focus point before everything else.
            const start = document.createElement('span');
            start.id = '__keyboard_start';
            start.tabIndex = -1;
            document.body.prepend(start);
            start.focus();
            window.__reached = [];
            window.__unmarked = [];
            document.addEventListener('focusin', e => {
                const i = window.__focusable.indexOf(e.target);
                window.__reached.push(i >= 0 ? i : (e.target.outerHTML || '').slice(0, 80));
                if (window.__showsFocus(e.target) !== true) window.__unmarked.push(e.target);
            });
            // Where the focus is must show: an outline or a shadow. When the window itself has
            // lost the focus for a moment, :focus does not match and nothing can be told.
            window.__showsFocus = el => {
                if (!el.matches(':focus')) return null;
                const style = getComputedStyle(el);
                const outlined = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
                return outlined || style.boxShadow !== 'none';
            };
            window.scrollTo(0, 0);
        """)
        positive = self.driver.execute_script(
            "return Array.from(document.querySelectorAll('[tabindex]')).filter(e => e.tabIndex > 0).map(e => e.outerHTML.slice(0, 80))")
        check(not positive, f"{name}: positive tabindex changes the keyboard order: {positive}")
        count = self.driver.execute_script("return window.__focusable.length")
        check(count > 0, f"{name}: nothing on the page can take the focus")
        # Radio groups and selects take one Tab each; a few more presses than elements is plenty.
        chain = ActionChains(self.driver)
        for _ in range(count + 3):
            chain.send_keys(Keys.TAB)
        chain.perform()
        reached = self.driver.execute_script("return window.__reached")
        indices = [r for r in reached if isinstance(r, int)]
        missed = self.driver.execute_script(
            "return window.__focusable.filter((e, i) => !arguments[0].includes(i)).map(e => e.outerHTML.slice(0, 120))",
            indices)
        check(not missed, f"{name}: Tab never reaches {missed}")
        unmarked = self.driver.execute_script("""
            // Those that could not be told during the walk: once more, focused directly.
            return window.__unmarked.filter(el => { el.focus(); return window.__showsFocus(el) === false; })
                .map(el => el.outerHTML.slice(0, 80));
        """)
        check(not unmarked, f"{name}: no visible focus indicator on {unmarked}")
        first_pass = []
        for i in indices:
            if i in first_pass:
                break
            first_pass.append(i)
        check(first_pass == sorted(first_pass), f"{name}: Tab order differs from the page order: {first_pass}")
        self.driver.execute_script("""
            document.getElementById('__keyboard_start').remove();
            if (document.activeElement) document.activeElement.blur();
            window.scrollTo(0, 0);
        """)

    def screenshot(self, name):
        """The whole page, not only the window, through the DevTools protocol."""
        if not SCREENSHOTS:
            return
        self.shots += 1
        metrics = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        width = int(size["width"]) if self.phone else max(1280, int(size["width"]))
        height = min(max(844 if self.phone else 900, int(size["height"])), 2400)
        shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
        })
        path = os.path.join(SCREENSHOTS, f"{self.language}-{self.shots:02d}-{name}.png")
        with open(path, "wb") as f:
            f.write(base64.b64decode(shot["data"]))

    def failure_screenshot(self, test_name):
        if not SCREENSHOTS:
            return None
        try:
            slug = "".join(c if c.isalnum() else "-" for c in test_name).strip("-")
            path = os.path.join(SCREENSHOTS, f"FAILED-{self.language}-{slug}.png")
            self.driver.save_screenshot(path)
            return path
        except WebDriverException:
            return None


def copy_for_docs(source, destination):
    """The screenshots for docs/screenshots/: with Pillow (python3-pil), reduced to a 64-colour
    palette, a third of the size and still crisp for text and flat colours; otherwise as taken."""
    try:
        from PIL import Image
    except ImportError:
        Image = None
    os.makedirs(destination, exist_ok=True)
    for old in os.listdir(destination):
        if old.endswith(".png"):
            os.remove(os.path.join(destination, old))
    names = sorted(n for n in os.listdir(source) if n.endswith(".png") and not n.startswith("FAILED-"))
    for name in names:
        if Image is None:
            shutil.copyfile(os.path.join(source, name), os.path.join(destination, name))
            continue
        with Image.open(os.path.join(source, name)) as image:
            image.convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE) \
                .save(os.path.join(destination, name), optimize=True)
    write_docs_index(destination, names)
    return len(names)


def write_docs_index(destination, names):
    """docs/screenshots/README.md: one row a step of the run, one column a language."""
    rows, languages = {}, []
    for name in names:
        language, number, step = name[:-len(".png")].split("-", 2)
        if language not in languages:
            languages.append(language)
        if step[-3:-2] == "-" and step[-2:] in ("pl", "pt", "it"):
            step = step[:-3] + " (another language)"
        row = rows.setdefault(int(number), {"step": step})
        row[language] = name
    languages.sort(key=lambda code: ["pl", "pt", "it"].index(code) if code in ("pl", "pt", "it") else 9)
    lines = [
        "# Screenshots",
        "",
        "Every page of Service Contacts in each language, as a headless Chromium shows it during the",
        "browser tests (`Tests/Browser/run`; `Tests/Browser/run --update-docs` replaces this set and",
        "this index). Where a step shows another language (the profile saved with another preferred",
        "language, the language switcher), the file's name ends with the language shown.",
        "",
        "| step | " + " | ".join(languages) + " |",
        "|---|" + "---|" * len(languages),
    ]
    for number in sorted(rows):
        row = rows[number]
        cells = [f"[{row[code][:-4]}]({row[code]})" if code in row else "" for code in languages]
        lines.append(f"| {number} {row['step']} | " + " | ".join(cells) + " |")
    with open(os.path.join(destination, "README.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


# --- Running tests -------------------------------------------------------------------------------

class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.failures = []

    def run(self, name, function, *arguments, browser=None):
        started = time.monotonic()
        try:
            function(*arguments)
        except Exception as error:  # a failed check, a missing element, a timeout: all failures
            self.failed += 1
            if isinstance(error, CheckFailed):
                detail = str(error)
            else:
                # Where in the test, and what went wrong, without chromedriver's native stack.
                frames = [f for f in traceback.extract_tb(error.__traceback__) if "Tests/Browser" in f.filename]
                where = "".join(f"\n      {os.path.basename(f.filename)}:{f.lineno} {f.line}" for f in frames[-3:])
                message = getattr(error, "msg", None) or str(error)
                detail = f"{type(error).__name__}: {message.splitlines()[0] if message else ''}{where}"
            shot = browser.failure_screenshot(name) if browser else None
            where = f" (at {browser.path})" if browser else ""
            self.failures.append(f"{name}: {detail.strip()}{where}" + (f"\n    screenshot: {shot}" if shot else ""))
            print(f"FAIL  {name} ({time.monotonic() - started:.1f} s)\n      {detail.strip()}{where}", flush=True)
            return False
        self.passed += 1
        print(f"ok    {name} ({time.monotonic() - started:.1f} s)", flush=True)
        return True

    def skip_as_failed(self, name, reason):
        self.failed += 1
        self.failures.append(f"{name}: not run, {reason}")
        print(f"FAIL  {name}: not run, {reason}", flush=True)
