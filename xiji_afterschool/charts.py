"""Charts drawn on the server as inline SVG: no script, no CDN, readable on a cheap phone and in a printout.

Each function takes plain numbers and returns safe markup. A chart scales with its container (`viewBox`, width 100%)
and carries a `<title>` and a `<desc>` that say in words what it shows, so a screen reader and a clerk who cannot
see the colours read the same thing; the page keeps its table of the same numbers beside it. Labels are escaped.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

# Colours with at least 4.5:1 against white (WCAG AA for the text drawn in them).
INK = "#212529"
MUTED = "#5c636a"
PRIMARY = "#0b5394"
SECOND = "#8a5a00"
GRID = "#dee2e6"
WARN = "#b02a37"


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | int | float | None
    url: str = ""
    note: str = ""  # shown after the value, e.g. "12/30"
    warn: bool = False  # drawn in the warning colour (below target, behind)


def _number(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        value = Decimal(str(value))
    if isinstance(value, Decimal):
        text = f"{value.quantize(Decimal('0.1')):f}"
        return text[:-2] if text.endswith(".0") else text
    return str(value)


CAPTION = 24  # the visible title's band above the drawing


def _svg(width: int, height: int, title: str, desc: str, body: list[str]) -> SafeString:
    """The chart: its title written at the top (and as <title>), the drawing below it."""
    # role="figure", not "img": a chart's bars may be links, and an image may not hold anything focusable.
    head = format_html(
        '<svg class="xiji-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="100%" role="figure" '
        'preserveAspectRatio="xMinYMin meet" font-family="inherit" font-size="13"><title>{}</title><desc>{}</desc>'
        '<text x="4" y="16" font-weight="600" fill="{}">{}</text><g transform="translate(0,{})">',
        width,
        height + CAPTION,
        title,
        desc,
        INK,
        title,
        CAPTION,
    )
    return mark_safe(head + "".join(body) + "</g></svg>")  # noqa: S308 — every piece is built by format_html or escape


def bar_chart(bars: list[Bar], *, title: str, unit: str = "", scale_max=None, target=None) -> SafeString:
    """Horizontal bars, one per row (township, priority group…), the value written at the bar's end.

    `scale_max` fixes the axis (100 for per cent); by default the largest value. `target` draws a dashed line (e.g.
    the county's goal). A row with no value (None) shows a dash and no bar. A bar with a url is a link.
    """
    label_w, bar_w, value_w, row_h = 150, 330, 120, 26
    width = label_w + bar_w + value_w
    height = max(row_h * len(bars), row_h) + 8
    top = max([b.value for b in bars if b.value is not None] + [scale_max or 0, target or 0, 1])
    top = Decimal(str(top))
    body = []
    for i, bar in enumerate(bars):
        y = 4 + i * row_h
        label = format_html(
            '<text x="{}" y="{}" text-anchor="end" fill="{}">{}</text>', label_w - 8, y + 17, INK, bar.label[:16]
        )
        shown = _number(bar.value) + (unit if bar.value is not None else "") + (f" {bar.note}" if bar.note else "")
        length = 0 if bar.value is None else int(Decimal(str(bar.value)) / top * bar_w)
        rect = format_html(
            '<rect x="{}" y="{}" width="{}" height="{}" rx="2" fill="{}"></rect>',
            label_w,
            y + 4,
            max(length, 1 if bar.value else 0),
            row_h - 8,
            WARN if bar.warn else PRIMARY,
        )
        value = format_html('<text x="{}" y="{}" fill="{}">{}</text>', label_w + length + 6, y + 17, INK, shown)
        row = label + rect + value
        if bar.url:
            row = format_html('<a href="{}">{}</a>', bar.url, row)
        body.append(row)
    if target is not None:
        x = label_w + int(Decimal(str(target)) / top * bar_w)
        body.append(
            format_html(
                '<line x1="{}" y1="2" x2="{}" y2="{}" stroke="{}" stroke-dasharray="4 3"></line>',
                x,
                x,
                height - 2,
                MUTED,
            )
        )
    desc = "; ".join(f"{b.label}: {_number(b.value)}{unit if b.value is not None else ''}" for b in bars)
    return _svg(width, height, title, desc, body)


@dataclass(frozen=True)
class Week:
    label: str  # e.g. "9/1" — the Monday
    planned: Decimal | int
    delivered: Decimal | int


def weekly_chart(
    weeks: list[Week], *, title: str, planned_label: str, delivered_label: str, behind_label: str = ""
) -> SafeString:
    """Class-hours per week: delivered as columns, planned as a stepped line over them; a week delivered below its
    plan is drawn in the warning colour. Labels every fourth week so 42 weeks fit on a phone."""
    left, plot_w, plot_h = 34, 600, 150
    col_w = min(plot_w // max(len(weeks), 1), 28)  # a fixed width: a semester and a whole year read at one size
    width = left + plot_w + 8
    height = plot_h + 20 + 52
    top = max([Decimal(str(w.planned)) for w in weeks] + [Decimal(str(w.delivered)) for w in weeks] + [Decimal(1)])

    def y(value) -> int:
        return 20 + plot_h - int(Decimal(str(value)) / top * plot_h)

    body = [
        format_html('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"></line>', left, y(0), width - 4, y(0), GRID),
        format_html(
            '<text x="{}" y="{}" text-anchor="end" fill="{}">{}</text>', left - 4, y(top) + 4, MUTED, _number(top)
        ),
        format_html('<text x="{}" y="{}" text-anchor="end" fill="{}">0</text>', left - 4, y(0) + 4, MUTED),
    ]
    steps = []
    for i, week in enumerate(weeks):
        x = left + i * col_w
        behind = Decimal(str(week.delivered)) < Decimal(str(week.planned))
        body.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {} / {}</title></rect>',
                x + 2,
                y(week.delivered),
                col_w - 4,
                y(0) - y(week.delivered),
                WARN if behind else PRIMARY,
                week.label,
                _number(week.delivered),
                _number(week.planned),
            )
        )
        steps.append(f"{x},{y(week.planned)} {x + col_w},{y(week.planned)}")
        if i % max(1, 56 // col_w) == 0:
            body.append(
                format_html('<text x="{}" y="{}" fill="{}" font-size="11">{}</text>', x, y(0) + 16, MUTED, week.label)
            )
    if steps:
        body.append(
            format_html(
                '<polyline points="{}" fill="none" stroke="{}" stroke-width="2"></polyline>', " ".join(steps), SECOND
            )
        )
    legend_y = height - 4
    body.append(
        format_html(
            '<rect x="{}" y="{}" width="10" height="10" fill="{}"></rect><text x="{}" y="{}" fill="{}">{}</text>'
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2"></line><text x="{}" y="{}" fill="{}">{}</text>',
            left,
            legend_y - 9,
            PRIMARY,
            left + 14,
            legend_y,
            INK,
            delivered_label,
            left + 120,
            legend_y - 4,
            left + 134,
            legend_y - 4,
            SECOND,
            left + 138,
            legend_y,
            INK,
            planned_label,
        )
    )
    if behind_label:  # the warning colour's meaning, beside the other two
        body.append(
            format_html(
                '<rect x="{}" y="{}" width="10" height="10" fill="{}"></rect><text x="{}" y="{}" fill="{}">{}</text>',
                left + 240,
                legend_y - 9,
                WARN,
                left + 254,
                legend_y,
                INK,
                behind_label,
            )
        )
    desc = "; ".join(f"{w.label}: {_number(w.delivered)} / {_number(w.planned)}" for w in weeks)
    return _svg(width, height, title, desc, body)
