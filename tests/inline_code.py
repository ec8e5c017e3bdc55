"""What a Content-Security-Policy without 'unsafe-inline' refuses, found in HTML (tests/test_headers.py, and every
page the access matrix renders)."""

import re
from html.parser import HTMLParser


class _InlineCode(HTMLParser):
    """Collects what a strict policy refuses: style="" and on…="" attributes, <style> blocks, <script> without src."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        names = {name for name, _ in attrs}
        line = self.getpos()[0]
        if "style" in names:
            self.found.append((line, f'<{tag} style="…">'))
        self.found.extend((line, f'<{tag} {name}="…">') for name in sorted(names) if re.fullmatch(r"on[a-z]+", name))
        if tag == "style":
            self.found.append((line, "<style> block"))
        if tag == "script" and "src" not in names:
            self.found.append((line, "<script> without src"))


def inline_code(html: str) -> list[tuple[int, str]]:
    """(line, what) for each piece of inline code in `html`: empty when a policy without 'unsafe-inline' allows it."""
    parser = _InlineCode()
    parser.feed(html)
    parser.close()
    return parser.found
