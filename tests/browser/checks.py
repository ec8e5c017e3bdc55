"""The checks every page the browser tests visit must pass (#15 items 4 and 5).

- **Accessibility**: axe-core (vendored in `vendor/axe.min.js`, its licence beside it) with the WCAG 2.0/2.1 A and
  AA rules; any violation of impact "serious" or "critical" fails the test.
- **Chinese in Chinese**: on a page whose `<html lang>` is Chinese, the visible text of its navigation bar and
  `<main>` holds no word of two or more Latin letters but those of `ALLOWED_WORDS` (formats, brands, the language
  switch's own "English").

`PageChecks.attach(context)` checks every document of a browser context just before it is left (a route handler on
every navigation request of a main frame: the old document is still there while the request waits) and, at the
end of the test, the pages still open. `PageChecks.assert_clean()` fails with one line per problem: the URL, the
rule and where on the page.
"""

import json
import re
from pathlib import Path

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"serious", "critical"}

# Latin words a Chinese page may show: file formats, product and brand names, units and abbreviations Chinese
# text uses as they are, and the language switch's "English" (a language is named in its own language).
ALLOWED_WORDS = frozenset(
    {
        "PDF",
        "Excel",
        "CSV",
        "XLSX",
        "Word",
        "WPS",
        "ID",
        "SMS",
        "App",
        "APP",
        "QQ",
        "PNG",
        "JPG",
        "JPEG",
        "JSON",
        "Wi",
        "Fi",
        "WiFi",
        "GPS",
        "KB",
        "MB",
        "GB",
        "English",
    }
)
WORD = re.compile(r"[A-Za-z]{2,}")
# A Latin word glued to more letters or digits (a username "teacher01", a code "A3F9KQ") is data, not wording.
TOKEN = re.compile(r"[A-Za-z0-9_.@-]+")
# An address written out for the reader to type (the letter's link to the public disclosure) is not wording.
URL = re.compile(r"https?://\S+")


def ascii_words(text: str, allowed=ALLOWED_WORDS) -> list[str]:
    """The Latin words of `text` a Chinese page must not show: runs of two or more Latin letters, outside
    `allowed`, that are not part of a code or account name (a token that also holds digits, `@`, `_`)."""
    found = []
    for token in TOKEN.findall(URL.sub(" ", text)):
        if re.search(r"[0-9_@]", token):
            continue  # an account name, a code, an e-mail address: data the user typed or was given
        for word in WORD.findall(token):
            if word not in allowed and word not in found:
                found.append(word)
    return found


# Run in every document of the context (an init script: Content-Security-Policy does not apply to it): on load,
# axe-core with the WCAG A/AA rules and the visible text of the navigation and <main>, reported to Python.
_RUNNER = """
(function () {
  const tags = %s;
  async function check() {
    if (window.__xijiChecked || !document.querySelector('main, nav') || location.pathname.includes('/admin/')) return null;
    window.__xijiChecked = true;
    const result = await window.axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
    return {
      url: location.href,
      lang: document.documentElement.lang || '',
      text: [...document.querySelectorAll('nav, main')].map((e) => e.innerText).join('\\n'),
      violations: result.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => ({target: n.target.join(' '), summary: (n.failureSummary || '').split('\\n').slice(1, 3).join(' ')})),
      })),
    };
  }
  window.__xijiCheck = check;
  window.addEventListener('load', () => { check().then((found) => found && window.__xijiReport(found)); });
})();
"""


def _skipped(url: str) -> bool:
    """Not a page of the service: blank pages, downloads, and Django's admin — a maintenance tool for the
    county's superusers, outside the service's own interface, in Django's own English-first templates and
    colours (translating or restyling it is Django's business, not ours)."""
    return not url.startswith("http") or "/admin/" in url or url.endswith(".pdf")


class PageChecks:
    def __init__(self):
        self.problems: list[str] = []
        self.loaded: list[str] = []
        self.checked: list[str] = []

    def attach(self, context) -> None:
        context.expose_binding("__xijiReport", lambda source, found: self.record(found))
        context.add_init_script(script=AXE.read_text(encoding="utf-8") + _RUNNER % json.dumps(AXE_TAGS))
        context.on("page", self._watch)

    def _watch(self, page) -> None:
        page.on("load", lambda p: self.loaded.append(p.url))

    def record(self, found: dict) -> None:
        url = found["url"]
        self.checked.append(url)
        for v in found["violations"]:
            if v["impact"] in FAILING_IMPACTS:
                where = "; ".join(f"{n['target']} ({n['summary']})" for n in v["nodes"])
                self.problems.append(f"{url}: axe {v['impact']} {v['id']} — {v['help']}: {where}")
        if found["lang"].lower().startswith("zh"):
            words = ascii_words(found["text"])
            if words:
                self.problems.append(f"{url}: English words on a Chinese page: {', '.join(words)}")

    def check_open_pages(self, context) -> None:
        """The pages still open at the end of the test: checked now, if their load's check has not reported."""
        for page in context.pages:
            if page.is_closed() or _skipped(page.url):
                continue
            try:
                found = page.evaluate("() => window.__xijiCheck ? window.__xijiCheck() : null")
            except Exception:  # noqa: S112 — a page that went away while closing: nothing to check
                continue
            if found:
                self.record(found)

    def assert_clean(self) -> None:
        assert not self.problems, "pages failing the accessibility and wording checks:\n" + "\n".join(self.problems)
