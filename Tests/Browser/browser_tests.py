#!/usr/bin/env python3
"""Service Contacts in a real headless Chromium, once in each of Polish, Portuguese and Italian:
sign in, the contacts table (page size, Next, role and text filters), the edit page reached with
the keyboard alone, the owner's details (service page, form, preview, save, the link to a new
address), the whole confirmation flow through the emailed links (delivered by
`contacts-admin deliver-mail`, opened from /demo/mailbox), the requests page, the profile, the
language switcher and signing out. Every page is checked for its language, its labels, its
console and keyboard reach, and saved as a screenshot.

Run it with Tests/Browser/run, which prepares the database and starts nginx and contacts-fcgi.
`browser_tests.py --setup-lines` prints the accounts and services that script creates.
"""

import os
import sqlite3
import sys
import time
from urllib.parse import parse_qs, urlsplit

from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (BASE_URL, DATABASE, NARROW_PHONE_WIDTH, PHONE_WIDTH, Browser, CheckFailed, Results,  # noqa: E402
                     TAGS, check, copy_for_docs, deliver_mail, t)

# Per language: the demo account that asks for the change, the account it names as the new
# technical contact, the service's current technical contact, the service the flow changes, and
# the prefix of the extra services that give the demo account a second page of contacts.
WORLDS = {
    "pl": dict(demo="pl100001-ovh", password="demo-Katarzyna-1",
               newcomer="pl910001-ovh", newcomer_name="Zbigniew Łęcki",
               old_tech="pl910002-ovh", old_tech_name="Halina Żurawska",
               service="kwiaciarnia-różana.pl", prefix="strona-klienta", other="pt",
               owned="zazolc-gesla-jazn.pl", country="pl", bad_postal="00950-1",
               owner_form=("ul. Żurawia 6/12", "00-503", "Warszawa", "+48 22 628 12 34")),
    "pt": dict(demo="pt200002-ovh", password="demo-Joao-2",
               newcomer="pt920001-ovh", newcomer_name="Gonçalo Simões",
               old_tech="pt920002-ovh", old_tech_name="Leonor Magalhães",
               service="pastelaria-belém.pt", prefix="site-cliente", other="it",
               owned="padaria-lisboa.pt", country="pt", bad_postal="1100",
               owner_form=("Rua da Prata 80, 3.º", "1100-420", "Lisboa", "912 345 678")),
    "it": dict(demo="it300003-ovh", password="demo-Giulia-3",
               newcomer="it930001-ovh", newcomer_name="Niccolò Ferrà",
               old_tech="it930002-ovh", old_tech_name="Chiara Pellegrini",
               service="gelateria-città.it", prefix="sito-cliente", other="pl",
               owned="analisi-vendite.sql.example", country="it", bad_postal="0018",
               owner_form=("Via Nazionale 194", "00184", "Roma", "+39 06 1234 5678")),
}
EXTRA_SERVICES = 26


def password_of(account_id):
    """The password Tests/Browser/run gives the accounts it adds."""
    return "browser-Test-" + account_id[: -len("-ovh")]


def email_of(account_id):
    """An account's email address as the database has it (demo data decides the demo accounts')."""
    with sqlite3.connect(f"file:{DATABASE}?mode=ro", uri=True) as db:
        row = db.execute("SELECT email FROM account WHERE id = ?", (account_id,)).fetchone()
    check(row is not None, f"no account {account_id} in the database")
    return row[0]


class Flow:
    """One language's run: its browser and what the steps hand on to each other."""

    def __init__(self, language):
        self.language = language
        self.world = WORLDS[language]
        self.browser = Browser(language)
        self.request_path = None

    # Shared moves

    def sign_in(self, account_id, password, typed_id=None, name="sign-in", shot=True):
        """On the sign-in page: keyboard only, Enter submits."""
        b = self.browser
        check(b.path.startswith("/sign-in"), f"expected the sign-in page, at {b.path}")
        b.page(name, "signin_title", shot=shot)
        field = b.find("#customer_id")
        b.tab_to(field)
        b.keys_to_focused(typed_id or account_id, Keys.TAB)
        check(b.driver.execute_script("return document.activeElement.id") == "password",
              "Tab from the customer ID does not lead to the password")
        b.keys_to_focused(password)
        b.press_enter(b.focused())
        if password == "not-the-password":
            return
        check(not b.path.startswith("/sign-in"), f"signing in as {account_id} failed: {b.text()[:300]}")

    def as_demo(self):
        """Signed in as this language's demo account, whatever an earlier failed step left."""
        b = self.browser
        b.get("/contacts")
        if not (b.path.startswith("/contacts") and self.world["demo"] in b.text("header .who")):
            if b.find_all("form.sign-out button"):
                self.sign_out()
                b.get("/contacts")
            self.sign_in(self.world["demo"], self.world["password"], shot=False)
        if b.find("html").get_attribute("lang") != TAGS[self.language]:
            b.click(b.find(f'nav.languages a[lang="{TAGS[self.language]}"]'))

    def sign_out(self):
        b = self.browser
        b.click(b.find("form.sign-out button"))
        check(b.path == "/sign-in?notice=signed-out", f"signing out leads to {b.path}")
        check(t("signin_signed_out", self.language) in b.text(".notice-box"), "no signed-out notice")

    def rows(self):
        """The contacts table's rows, read in one go: the service's name, each cell's text, and
        whether the cell is marked as the signed-in account's ("mine")."""
        return self.browser.driver.execute_script("""
            return Array.from(document.querySelectorAll('table.contacts tbody tr')).map(tr => {
                const cells = Array.from(tr.querySelectorAll('th, td'));
                return {name: cells[0].textContent.trim(),
                        texts: cells.map(c => c.innerText.trim()),
                        mine: cells.map(c => c.classList.contains('mine'))};
            });
        """)

    def filter_contacts(self, text="", role="", size=None):
        """Fills the filters form as a person does and applies it."""
        b = self.browser
        field = b.find("#q")
        field.clear()
        if text:
            field.send_keys(text)
        Select(b.find("#role")).select_by_value(role)
        if size is not None:
            Select(b.find("#size")).select_by_value(str(size))
        b.click(b.find("form.filters button[type=submit]"))
        check(b.path.startswith("/contacts?"), f"the filters lead to {b.path}")

    def mailbox_links(self, account_id):
        """The code links in the mailbox's emails to `account_id` about this flow's service,
        newest first, as elements of the page."""
        b = self.browser
        address = email_of(account_id)
        links = []
        for article in b.find_all("article.mail"):
            facts = [dd.text.strip() for dd in article.find_elements("css selector", "dl.facts dd")]
            if len(facts) < 3 or facts[1] != address or self.world["service"] not in facts[2]:
                continue
            links += [a for a in article.find_elements("css selector", "pre a") if "code=" in (a.get_attribute("href") or "")]
        return links

    # The tests

    def test_sign_in(self):
        b = self.browser
        b.get("/contacts")
        check(b.path == "/sign-in?next=%2Fcontacts", f"/contacts signed out leads to {b.path}")
        # The first Tab reaches the skip link; Enter on it moves the focus to the content.
        b.keys_to_focused(Keys.TAB)
        check(b.driver.execute_script("return document.activeElement.classList.contains('skip-link')"),
              "the first Tab does not reach the skip link")
        b.keys_to_focused(Keys.ENTER)
        check(b.driver.execute_script("return document.activeElement.id") == "content",
              "the skip link does not move the focus to the content")
        b.get("/sign-in?next=%2Fcontacts")
        # A wrong password: the form comes back with a message, the customer ID kept.
        self.sign_in(self.world["demo"], "not-the-password")
        check(b.path.startswith("/sign-in"), f"a wrong password leads to {b.path}")
        check(b.find_all(".error-box[role=alert]"), "no error message for a wrong password")
        check(b.find("#customer_id").get_attribute("value") == self.world["demo"], "the customer ID is not kept")
        b.page("sign-in-error", "signin_title")
        b.get("/sign-in?next=%2Fcontacts")
        # Any letter case and spaces around: accepted.
        self.sign_in(self.world["demo"], self.world["password"], typed_id=f"  {self.world['demo'].upper()} ", shot=False)
        check(b.path == "/contacts", f"after signing in: {b.path}, expected /contacts")
        check(self.world["demo"] in b.text("header .who"), "the header does not name the signed-in account")
        b.page("contacts", "contacts_title")

    def test_contacts_table(self):
        b = self.browser
        self.as_demo()
        w = self.world
        b.get("/contacts")
        everything = self.rows()
        total = len(everything)
        all_names = sorted(r["name"] for r in everything)
        expected_tech = sum(1 for r in everything if r["mine"][3])
        check(total >= EXTRA_SERVICES + 1, f"{total} rows, expected every service of {w['demo']} on one page of 50")
        check(not b.find_all('nav.pagination a[rel="next"]'), "a Next link when everything fits on the page")

        # 25 a page: the Next link leads to the rest, nothing twice, nothing lost.
        self.filter_contacts(size=25)
        first = [r["name"] for r in self.rows()]
        check(len(first) == 25, f"{len(first)} rows with 25 a page")
        b.page("contacts-25-a-page", "contacts_title")
        next_links = b.find_all('nav.pagination a[rel="next"]')
        check(len(next_links) == 1, "no Next link on the first of two pages")
        check(next_links[0].text.strip() == t("page_next", self.language), f"the Next link says {next_links[0].text!r}")
        b.click(next_links[0])
        second = [r["name"] for r in self.rows()]
        check(len(second) == total - 25, f"page 2 has {len(second)} rows, expected {total - 25}")
        check(not set(first) & set(second), f"rows on both pages: {set(first) & set(second)}")
        check(sorted(first + second) == all_names, "the two pages do not add up to the whole list")
        check(b.find_all('nav.pagination a[rel="prev"]'), "no Previous link on page 2")
        check(not b.find_all('nav.pagination a[rel="next"]'), "a Next link on the last page")
        check(Select(b.find("#size")).first_selected_option.get_attribute("value") == "25", "page 2 forgot the page size")
        b.page("contacts-page-2", "contacts_title")

        # By role: only rows where the signed-in account is the technical contact.
        b.get("/contacts")
        self.filter_contacts(role="tech")
        tech_rows = self.rows()
        check(0 < len(tech_rows) < total, f"{len(tech_rows)} rows for the technical role out of {total}")
        check(len(tech_rows) == expected_tech, f"{len(tech_rows)} rows for the technical role, the full table marks {expected_tech}")
        for row in tech_rows:
            check(row["mine"][3], f"{row['name']}: not the technical contact")
            check(t("role_tech", self.language) in row["texts"][5], f"{row['name']}: own roles {row['texts'][5]!r}")
        check(Select(b.find("#role")).first_selected_option.get_attribute("value") == "tech", "the role filter forgot its value")
        b.page("contacts-role-filter", "contacts_title")

        # By text: the services whose names hold it, and a way back to everything.
        self.filter_contacts(text=f"{w['prefix']}-1")
        names = [r["name"] for r in self.rows()]
        expected = sorted(f"{w['prefix']}-{n}.example" for n in range(10, 20))
        check(sorted(names) == expected, f"text filter shows {names}, expected {expected}")
        check(b.find("#q").get_attribute("value") == f"{w['prefix']}-1", "the text filter forgot its value")
        b.page("contacts-text-filter", "contacts_title")
        self.filter_contacts(text="zzz-nothing-like-this")
        check(not self.rows(), "rows for a text that matches nothing")
        check(b.text("p.empty") == t("contacts_empty_filtered", self.language), f"empty list says {b.text('p.empty')!r}")
        reset = b.find("form.filters .actions a")
        b.click(reset)
        check(len(self.rows()) == total, "the reset link does not show everything again")

    def test_edit_page(self):
        """Keyboard only: the filter, the pencil, the new technical contact, Enter."""
        b = self.browser
        self.as_demo()
        w = self.world
        b.get("/contacts")
        b.tab_to(b.find("#q"))
        b.keys_to_focused(w["service"])
        b.press_enter(b.focused())
        rows = self.rows()
        check([r["name"] for r in rows] == [w["service"]], f"filtering on {w['service']} shows {[r['name'] for r in rows]}")
        check(rows[0]["texts"][3].startswith(w["old_tech"]), f"technical contact before: {rows[0]['texts'][3]!r}")
        pencil = b.find("table.contacts tbody tr td.actions-cell a")
        check(w["service"] in (pencil.get_attribute("aria-label") or ""), "the pencil's label does not name the service")
        b.tab_to(pencil)
        b.press_enter(b.focused())
        check(b.path.endswith("/edit"), f"the pencil leads to {b.path}")
        b.page("edit", "edit_title")
        check(w["service"] in b.text("p.lead"), "the edit page does not name the service")
        b.tab_to(b.find("#new_tech"))
        b.keys_to_focused(f" {w['newcomer'].upper()} ")
        b.press_enter(b.focused())
        check(b.path.endswith("/edit?notice=registered"), f"sending the request leads to {b.path}: {b.text()[:400]}")
        check(t("edit_success", self.language) in b.text(".notice-box"), "no green box saying the request is registered")
        check(not b.find_all("#new_tech"), "the technical field is still editable with a request open")
        b.page("edit-registered", "edit_title")

    def test_confirmation_flow(self):
        b = self.browser
        w = self.world
        deliver_mail()
        b.get("/demo/mailbox")
        b.page("mailbox", "mailbox_title")
        mine = self.mailbox_links(w["demo"])
        theirs = self.mailbox_links(w["newcomer"])
        check(len(mine) == 1 and len(theirs) == 1,
              f"expected one code link each for {w['demo']} and {w['newcomer']}, found {len(mine)} and {len(theirs)}")
        my_url, their_url = urlsplit(mine[0].get_attribute("href")), urlsplit(theirs[0].get_attribute("href"))
        check(f"{my_url.scheme}://{my_url.netloc}" == BASE_URL, f"the link is not built from the public base URL: {my_url.geturl()}")
        check(my_url.path == their_url.path, "the two confirmers' links lead to different requests")
        my_code = parse_qs(my_url.query)["code"][0]
        their_code = parse_qs(their_url.query)["code"][0]
        check(my_code != their_code, "both confirmers have the same code")
        self.request_path = my_url.path

        # The asker follows its own link: the code is filled in; Accept.
        b.click(mine[0])
        check(b.path == f"{my_url.path}?code={my_code}", f"the link leads to {b.path}")
        check(b.find("#code").get_attribute("value") == my_code, "the request page does not fill in the code")
        check(b.find(".state").get_attribute("class").split()[-1] == "state-waiting", "the request is not waiting")
        b.page("request-code-filled", "request_title")
        b.click(b.find("form button.primary"))
        check(b.path == f"{my_url.path}?notice=accepted", f"accepting leads to {b.path}")
        check(t("request_notice_accepted", self.language) in b.text(".notice-box"), "no notice that the acceptance is recorded")
        check(w["newcomer"] in b.text("dl.facts"), "the page does not say who is still awaited")
        check(not b.find_all("#code"), "the code field is still offered after accepting")
        b.page("request-accepted", "request_title")

        # The new contact, in the same browser after signing out: its link asks it to sign in
        # first, then opens with its code filled in.
        self.sign_out()
        b.get("/demo/mailbox")
        b.click(self.mailbox_links(w["newcomer"])[0])
        check(b.path.startswith("/sign-in?next="), f"a code link signed out leads to {b.path}")
        self.sign_in(w["newcomer"], password_of(w["newcomer"]), name="sign-in-to-confirm", shot=False)
        check(b.path == f"{my_url.path}?code={their_code}", f"after signing in the link leads to {b.path}")
        check(b.find("#code").get_attribute("value") == their_code, "the code is not filled in after signing in")
        b.page("request-newcomer", "request_title")
        b.click(b.find("form button.primary"))
        check(b.path == f"{my_url.path}?notice=done", f"the last acceptance leads to {b.path}")
        check(t("request_notice_done", self.language) in b.text(".notice-box"), "no notice that the change is made")
        check("state-done" in b.find(".state").get_attribute("class"), "the request is not done")
        b.page("request-done", "request_title")

        # Everybody involved is told: the asker, the new and the old technical contact.
        deliver_mail()
        b.get("/demo/mailbox")
        for account in (w["demo"], w["newcomer"], w["old_tech"]):
            address = email_of(account)
            told = [a for a in b.find_all("article.mail")
                    if a.find_elements("css selector", "dl.facts dd")[1].text.strip() == address
                    and w["service"] in a.find_elements("css selector", "dl.facts dd")[2].text
                    and "code=" not in a.find_element("css selector", "pre").text]
            check(told, f"no email to {account} ({address}) saying the change is made")

        # Back as the asker: the contacts table shows the new technical contact.
        self.sign_out()
        b.get("/contacts?q=" + w["service"])
        self.sign_in(w["demo"], w["password"], shot=False)
        rows = self.rows()
        check([r["name"] for r in rows] == [w["service"]], f"{w['service']} not found after the change")
        check(rows[0]["texts"][3].startswith(w["newcomer"]), f"technical contact after the change: {rows[0]['texts'][3]!r}")
        check(w["newcomer_name"] in rows[0]["texts"][3], "the new technical contact's name is not shown")
        b.page("contacts-changed", "contacts_title")

    def test_requests_page(self):
        b = self.browser
        self.as_demo()
        w = self.world
        b.click(b.find('nav.main-nav a[href="/requests"]'))
        check(b.path == "/requests", f"the requests tab leads to {b.path}")
        b.page("requests", "requests_title")
        links = [a for a in b.find_all("table.requests tbody th a") if a.text.strip() == w["service"]]
        check(len(links) == 1, f"{len(links)} rows for {w['service']} on the requests page")
        row = links[0].find_element("xpath", "ancestor::tr")
        check(row.find_elements("css selector", ".state.state-done"), "the request is not shown as done")
        check(w["newcomer"] in row.text and w["old_tech"] in row.text, f"the row does not name both contacts: {row.text!r}")
        # Filtered by state: done shows it, waiting does not.
        Select(b.find("#state")).select_by_value("waiting")
        b.click(b.find("form.filters button"))
        check(w["service"] not in b.text(), "a done request listed among the waiting ones")
        Select(b.find("#state")).select_by_value("done")
        b.click(b.find("form.filters button"))
        check(w["service"] in b.text(), "the done request is missing from the done ones")
        b.page("requests-done", "requests_title")
        b.click([a for a in b.find_all("table.requests tbody th a") if a.text.strip() == w["service"]][0])
        check(b.path == self.request_path, f"the row leads to {b.path}, expected {self.request_path}")
        events = b.find_all("table.events tbody tr")
        check(len(events) >= 6, f"{len(events)} events in the history")
        check(not b.find_all("#code"), "a finished request still asks for a code")
        b.page("request-history", "request_title")

    def test_profile(self):
        b = self.browser
        self.as_demo()
        w = self.world
        other = w["other"]
        b.click(b.find('nav.main-nav a[href="/profile"]'))
        check(b.path == "/profile", f"the profile link leads to {b.path}")
        b.page("profile", "profile_title")
        check(w["demo"] in b.text("dl.facts"), "the profile does not show the customer ID")
        new_email = f"{w['demo'].replace('-', '.')}.new@example.net"
        old_email = email_of(w["demo"])
        email = b.find("#email")
        email.clear()
        email.send_keys(new_email)
        # A new address takes the current password.
        b.find("#password").send_keys(w["password"])
        Select(b.find("#language")).select_by_value(other)
        b.click(b.find("main form button.primary"))
        check(b.path == "/profile?notice=email-sent", f"saving the profile leads to {b.path}: {b.text()[:300]}")
        # The page now speaks the new preferred language; the new address waits for its link.
        check(new_email in b.text(".notice-box"), f"no notice in {other} that a link went to {new_email}")
        check(b.find("#email").get_attribute("value") == old_email, "the address changed before its link was followed")
        check(new_email in b.text("section.pending-email"), "the pending address is not shown")
        check(Select(b.find("#language")).first_selected_option.get_attribute("value") == other, "the language is not saved")
        b.page(f"profile-pending-{other}", "profile_title", language=other)
        check(email_of(w["demo"]) == old_email, "the new email address is stored before it is confirmed")
        # The old address is told; the new one gets the link, which opens a page with a button.
        deliver_mail()
        b.get("/demo/mailbox")
        told, links = [], []
        for article in b.find_all("article.mail"):
            facts = [dd.text.strip() for dd in article.find_elements("css selector", "dl.facts dd")]
            if len(facts) < 3:
                continue
            if facts[1] == old_email and facts[2] == t("email_address_notice_subject", other):
                told.append(article)
            if facts[1] == new_email:
                links += [a.get_attribute("href") for a in article.find_elements("css selector", "pre a")
                          if "/profile/email/confirm?token=" in (a.get_attribute("href") or "")]
        check(told, f"no email to the old address {old_email} about the change")
        check(len(links) == 1, f"expected one confirmation link to {new_email}, found {len(links)}")
        link = urlsplit(links[0])
        check(f"{link.scheme}://{link.netloc}" == BASE_URL, f"the link is not built from the public base URL: {links[0]}")
        b.get(f"{link.path}?{link.query}")
        b.page(f"email-confirm-{other}", "address_change_title", language=other)
        check(email_of(w["demo"]) == old_email, "opening the link changed the address without the button")
        b.click(b.find("main form button.primary"))
        check(b.path == "/profile?notice=email-changed", f"confirming leads to {b.path}: {b.text()[:300]}")
        check(b.find("#email").get_attribute("value") == new_email, "the new email address is not shown")
        check(email_of(w["demo"]) == new_email, "the new email address is not stored")
        # And back to the first language: no password for that.
        Select(b.find("#language")).select_by_value(self.language)
        b.click(b.find("main form button.primary"))
        check(b.path == "/profile?notice=saved", f"saving the profile again leads to {b.path}")
        check(t("profile_saved", self.language) in b.text(".notice-box"), "no notice that the profile is saved")
        b.page("profile-back", "profile_title", keyboard=False, shot=False)

    def test_api_token(self):
        """A token made on the profile with the password: shown once, listed, revoked."""
        b = self.browser
        self.as_demo()
        w = self.world
        b.get("/profile")
        b.find("#token_name").send_keys("nightly sync")
        Select(b.find("#token_scope")).select_by_value("read-write")
        b.find("#token_password").send_keys(w["password"])
        b.click(b.find("section.api-tokens form.form button.primary"))
        check(b.path == "/profile/tokens", f"creating a token leads to {b.path}: {b.text()[:300]}")
        token = b.text("code.new-token").strip()
        check(token.startswith("sct_") and len(token) == 47, f"no new token shown: {token!r}")
        check(t("profile_token_created", self.language) in b.text("section.api-tokens"), "no word that the token is shown once")
        b.page("profile-token", "profile_title")
        b.get("/profile")
        check(token not in b.text(), "the token is shown again")
        check("nightly sync" in b.text("table.tokens"), "the new token is not listed")
        b.click(b.find("table.tokens button"))
        check(b.path == "/profile?notice=token-revoked", f"revoking leads to {b.path}")
        check(t("profile_token_revoked", self.language) in b.text(".notice-box"), "no notice that the token is revoked")

    def test_phone(self):
        """The same pages on a 390 px and a 360 px phone: one card per service and request,
        nothing wider than the screen, every control reachable (screenshots at 390 px)."""
        for width in (PHONE_WIDTH, NARROW_PHONE_WIDTH):
            self.phone_pages(width, shots=width == PHONE_WIDTH)

    def phone_pages(self, width, shots):
        b = Browser(self.language, phone=True, width=width)
        try:
            b.get("/sign-in")
            b.find("#customer_id").send_keys(self.world["demo"])
            b.find("#password").send_keys(self.world["password"])
            b.press_enter(b.find("#password"))
            check(b.path.startswith("/contacts"), f"signing in on a phone leads to {b.path}")
            if b.find("html").get_attribute("lang") != TAGS[self.language]:
                b.click(b.find(f'nav.languages a[lang="{TAGS[self.language]}"]'))
            edit = [a.get_attribute("href") for a in b.find_all("td.actions-cell a")][:1]
            service = [a.get_attribute("href") for a in b.find_all("table.contacts tbody th a")][:1]
            pages = [("/contacts?size=25", "contacts", "contacts_title"), ("/requests", "requests", "requests_title"),
                     (self.request_path, "request", "request_title"), ("/profile", "profile", "profile_title")]
            if edit:
                pages.append((edit[0][len(BASE_URL):], "edit", "edit_title"))
            if service:
                pages.append((service[0][len(BASE_URL):], "service", "service_title"))
            for path, name, title_key in pages:
                if not path:
                    continue
                b.get(path)
                widths = b.driver.execute_script(
                    "return [document.documentElement.scrollWidth, window.innerWidth]")
                check(widths[1] == width, f"the emulated phone is {widths[1]} px wide, not {width}")
                check(widths[0] <= widths[1], f"{path} on a {width} px phone is {widths[0]} px wide")
                b.page(f"phone-{name}", title_key, keyboard=False, shot=shots)
        finally:
            b.quit()

    def test_owner_details(self):
        """The service page from the contacts table, the owner form with a refused postal code,
        the preview of old against new, the save, and the new address confirmed through the
        link emailed to it."""
        b = self.browser
        self.as_demo()
        w = self.world
        self.filter_contacts(text=w["owned"])
        links = [a for a in b.find_all("table.contacts tbody th a") if a.text.strip() == w["owned"]]
        check(len(links) == 1, f"no link to the service page of {w['owned']} in the contacts table")
        b.click(links[0])
        service_path = b.path
        check(service_path.startswith("/services/"), f"the service name leads to {service_path}")
        b.page("service", "service_title")
        check(t("owner_title", self.language) in b.text(), "the service page does not show the owner's details")
        b.click(b.find("main a.button.primary"))
        check(b.path == service_path + "/owner", f"the update link leads to {b.path}")
        b.page("owner-form", "owner_update_title")
        check(t("owner_fixed_note", self.language) in b.text(), "the form does not say why the name cannot change")
        street, postal, city, phone = w["owner_form"]
        new_email = f"owner.{self.language}@example.net"
        values = {"owner_street": street, "owner_postal_code": w["bad_postal"], "owner_city": city,
                  "owner_phone": phone, "owner_email": new_email}
        for name, value in values.items():
            field = b.find(f"#{name}")
            field.clear()
            field.send_keys(value)
        b.click(b.find("main form button.primary"))
        error = t(f"owner_error_postal_code_{w['country']}", self.language)
        check(error in b.text("#owner_postal_code_error"), f"no message naming the postal code's form: {b.text()[:300]}")
        check(b.find("#owner_street").get_attribute("value") == street, "the form does not keep what was typed")
        b.page("owner-form-error", "owner_update_title", keyboard=False)
        field = b.find("#owner_postal_code")
        field.clear()
        field.send_keys(postal)
        b.click(b.find("main form button.primary"))
        b.page("owner-preview", "owner_preview_title")
        table = b.text("table.owner-preview")
        check(street in table and new_email in table, "the preview does not show the new details")
        # A new owner address takes the password again.
        b.find("#password").send_keys(w["password"])
        b.click(b.find("main form button.primary"))
        check(b.path == service_path + "?notice=owner-saved", f"saving leads to {b.path}: {b.text()[:300]}")
        check(t("owner_saved", self.language) in b.text(".notice-box"), "no notice that the details are saved")
        check(street in b.text("dl.owner-details"), "the new street is not shown")
        check(new_email not in b.text("dl.owner-details"), "the new address is in force before its link was followed")
        b.page("service-saved", "service_title", keyboard=False)
        deliver_mail()
        b.get("/demo/mailbox")
        links = []
        for article in b.find_all("article.mail"):
            facts = [dd.text.strip() for dd in article.find_elements("css selector", "dl.facts dd")]
            if len(facts) >= 2 and facts[1] == new_email:
                links += [a.get_attribute("href") for a in article.find_elements("css selector", "pre a")
                          if "/owner-email/confirm?token=" in (a.get_attribute("href") or "")]
        check(len(links) == 1, f"expected one link to {new_email}, found {len(links)}")
        link = urlsplit(links[0])
        b.get(f"{link.path}?{link.query}")
        b.page("owner-email-confirm", "owner_link_title")
        b.click(b.find("main form button.primary"))
        check(new_email in b.text(".notice-box"), f"no notice that {new_email} is confirmed: {b.text()[:300]}")
        b.page("owner-email-confirmed", "owner_link_title", keyboard=False)
        b.get(service_path)
        check(new_email in b.text("dl.owner-details"), "the confirmed address is not the owner's")

    def test_language_switcher(self):
        b = self.browser
        self.as_demo()
        b.get("/requests")
        for language in [code for code in WORLDS if code != self.language] + [self.language]:
            b.click(b.find(f'nav.languages a[lang="{TAGS[language]}"]'))
            check(b.path == "/requests", f"switching to {language} leads to {b.path}, expected to stay on /requests")
            b.page(f"requests-in-{language}" if language != self.language else "requests-switched-back",
                   "requests_title", language=language,
                   keyboard=language != self.language, shot=language != self.language)
        # An explicit choice sticks: the next page is in the same language.
        b.click(b.find('nav.main-nav a[href="/contacts"]'))
        b.page("contacts-after-switch", "contacts_title", keyboard=False, shot=False)

    def test_sign_out(self):
        b = self.browser
        self.as_demo()
        w = self.world
        b.get("/contacts")
        self.sign_out()
        b.page("signed-out", "signin_title")
        # Back, as on a shared computer: the browser must not show the signed-in page again.
        b.driver.back()
        WebDriverWait(b.driver, 10).until(lambda d: d.execute_script("return document.readyState") == "complete")
        check(w["demo"] not in b.find("body").text,
              f"Back after signing out shows the account's page again (at {b.path})")
        b.get("/contacts")
        check(b.path == "/sign-in?next=%2Fcontacts", f"/contacts after signing out leads to {b.path}")
        b.get(self.request_path or "/requests")
        check(b.path.startswith("/sign-in?next="), f"a request page after signing out leads to {b.path}")


STEPS = [
    # name, method, the step it needs
    ("sign in (keyboard, Enter submits)", Flow.test_sign_in, None),
    ("contacts table: page size, Next, role and text filters", Flow.test_contacts_table, "sign in (keyboard, Enter submits)"),
    ("edit page: pencil, new technical contact (keyboard only)", Flow.test_edit_page, "sign in (keyboard, Enter submits)"),
    ("confirmation through the emailed links, both confirmers", Flow.test_confirmation_flow, "edit page: pencil, new technical contact (keyboard only)"),
    ("requests page and the request's history", Flow.test_requests_page, "confirmation through the emailed links, both confirmers"),
    ("profile: email (password, link) and language", Flow.test_profile, "sign in (keyboard, Enter submits)"),
    ("profile: an API token made, shown once, revoked", Flow.test_api_token, "sign in (keyboard, Enter submits)"),
    ("phone: every page fits 390 and 360 px, cards instead of tables", Flow.test_phone, "requests page and the request's history"),
    ("owner's details: service page, form, preview, save, link", Flow.test_owner_details, "sign in (keyboard, Enter submits)"),
    ("language switcher", Flow.test_language_switcher, "sign in (keyboard, Enter submits)"),
    ("sign out", Flow.test_sign_out, "sign in (keyboard, Enter submits)"),
]


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--docs":
        print(f"{copy_for_docs(sys.argv[2], sys.argv[3])} screenshots in {sys.argv[3]}")
        return 0
    if "--setup-lines" in sys.argv:
        for language, w in WORLDS.items():
            print("|".join([language, w["demo"], w["newcomer"], w["newcomer_name"], w["old_tech"],
                            w["old_tech_name"], w["service"], w["prefix"], str(EXTRA_SERVICES)]))
        return 0

    languages = [code.strip() for code in os.environ.get("SC_LANGUAGES", "pl,pt,it").split(",") if code.strip()]
    unknown = [code for code in languages if code not in WORLDS]
    results = Results()
    if unknown:
        results.skip_as_failed("languages", f"unknown language(s) {unknown}")
    started = time.monotonic()
    for language in [code for code in languages if code in WORLDS]:
        try:
            flow = Flow(language)
        except Exception as error:
            for name, _, _ in STEPS:
                results.skip_as_failed(f"[{language}] {name}", f"Chromium did not start: {error}")
            continue
        passed = set()
        try:
            for name, method, needs in STEPS:
                full = f"[{language}] {name}"
                if needs and needs not in passed:
                    results.skip_as_failed(full, f"it needs '{needs}', which failed")
                    continue
                if results.run(full, method, flow, browser=flow.browser):
                    passed.add(name)
        finally:
            flow.browser.quit()

    print(f"\nbrowser tests: {results.passed + results.failed} tests in {time.monotonic() - started:.0f} s")
    if results.failures:
        print("Failures:")
        for failure in results.failures:
            print("  - " + failure.replace("\n", "\n    "))
    path = os.environ.get("SC_RESULTS")
    if path:
        with open(path, "w") as f:
            f.write(f"{results.passed} {results.failed}\n")
    print(f"{results.passed} passed, {results.failed} failed")
    return 0 if results.failed == 0 and results.passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
