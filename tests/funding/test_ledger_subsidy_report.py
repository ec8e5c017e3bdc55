"""`manage.py subsidy_report`: an auditor recomputes every claim line, claim and settlement figure from the output."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from funding.models import Claim
from funding.services.settlement import settlement_file
from schools.models import Stage, SubsidyRate
from xiji_afterschool.money import yuan

from ..access.hours import make_service_class, make_session
from .builders_settlement import claim, past_year

D = datetime.date


@pytest.fixture
def audited(world, rate):
    """2024–2025 at school_a: an annual claim (two stages, approved with a reduction), an allocated supplementary
    claim, a draft supplementary claim, and a filed settlement with a rate change (30 → 35 on 2025-03-01)."""
    w = world
    SubsidyRate.objects.create(amount=Decimal("35.00"), effective_from=D(2025, 3, 1))
    w.year = past_year()
    annual = claim(
        w, w.school_a, w.year, lines=[(Stage.PRIMARY, 12, 166, 2), (Stage.JUNIOR, 8, 166, 2)], approved="199000.00"
    )
    claim(w, w.school_a, w.year, lines=[(Stage.PRIMARY, 2, 80, 2)], supplements=annual)
    claim(w, w.school_a, w.year, lines=[(Stage.JUNIOR, 1, 40, 2)], supplements=annual, status=Claim.Status.DRAFT)
    claim(w, w.school_b, w.year)  # another school's claim stays out
    service_class = make_service_class(w.school_a, school_year=w.year, teacher=w.service_teacher, name="三年级A班")
    make_session(service_class, D(2024, 9, 10), class_hours="1.5", present=20)
    make_session(service_class, D(2025, 3, 10), present=20)
    settlement_file(actor=w.school_admin, school=w.school_a, school_year=w.year)
    return w


def run(*args) -> str:
    out = io.StringIO()
    call_command("subsidy_report", *args, stdout=out)
    return out.getvalue()


def test_json_report_lets_an_auditor_recompute_every_figure(audited):
    w = audited
    report = json.loads(run("--school", w.school_a.code, "--year", "2024", "--format", "json"))
    assert report["school"] == {"code": w.school_a.code, "name": w.school_a.name}
    assert report["school_year"]["start_date"] == "2024-08-01"
    claims = report["claims"]
    assert [(c["kind"], c["status"]) for c in claims] == [
        ("annual", "allocated"),
        ("supplementary", "allocated"),
        ("supplementary", "draft"),
    ]
    totals = {"requested": Decimal("0.00"), "approved": Decimal("0.00"), "allocated": Decimal("0.00")}
    for c in claims:
        assert c["rate"] == "30.00" and c["rate_date"] == "2024-09-01" and c["from_date"] == "2024-09-01"
        assert c["class_hours_per_day"] == 2
        for line in c["lines"]:
            assert line["class_hours"] == line["service_classes"] * line["planned_days"] * line["class_hours_per_day"]
            assert Decimal(line["amount"]) == yuan(line["class_hours"] * Decimal(line["rate"]))
        assert Decimal(c["requested_amount"]) == sum((Decimal(line["amount"]) for line in c["lines"]), Decimal(0))
        totals["requested"] += Decimal(c["requested_amount"])
        if c["status"] in ("approved", "allocated"):
            assert Decimal(c["approved_amount"]) <= Decimal(c["requested_amount"])
            totals["approved"] += Decimal(c["approved_amount"])
        if c["status"] == "allocated":
            totals["allocated"] += Decimal(c["approved_amount"])
            assert c["allocated_on"] == "2024-09-01" and c["voucher_no"].startswith("XJCZ-2024-")
            assert c["submitted_by"] and c["first_reviewed_by"] and c["approved_by"] and c["allocated_by"]
            assert len({c["submitted_by"], c["first_reviewed_by"], c["approved_by"]}) == 3
    annual = claims[0]
    assert annual["requested_amount"] == "199200.00"  # (12 + 8) × 166 × 2 × 30
    assert annual["approved_amount"] == "199000.00" and annual["reduction_reason"] == "按实际班数核减"
    assert claims[1]["supplements"] == annual["id"] and claims[1]["reason"]
    assert claims[2]["approved_amount"] is None and claims[2]["submitted_by"] is None
    assert {k: Decimal(v) for k, v in report["totals"].items()} == totals
    assert totals == {
        "requested": Decimal("211200.00"),
        "approved": Decimal("208600.00"),
        "allocated": Decimal("208600.00"),
    }
    settlement = report["settlement"]
    assert settlement["status"] == "filed"
    assert [(x["sessions"], x["class_hours"], x["rate"], x["amount"]) for x in settlement["lines"]] == [
        (1, "1.5", "30.00", "45.00"),
        (1, "2.0", "35.00", "70.00"),
    ]
    for line in settlement["lines"]:
        assert Decimal(line["amount"]) == yuan(Decimal(line["class_hours"]) * Decimal(line["rate"]))
    delivered = sum((Decimal(x["amount"]) for x in settlement["lines"]), Decimal(0))
    assert Decimal(settlement["delivered_amount"]) == delivered == Decimal("115.00")
    assert Decimal(settlement["delivered_class_hours"]) == sum(Decimal(x["class_hours"]) for x in settlement["lines"])
    assert Decimal(settlement["allocated_amount"]) == totals["allocated"]
    assert Decimal(settlement["difference"]) == delivered - totals["allocated"] == Decimal("-208485.00")
    assert settlement["outcome"] == "surplus"


def test_xlsx_report_holds_the_same_totals_as_the_json(audited, tmp_path, monkeypatch):
    w = audited
    report = json.loads(run("--school", w.school_a.code, "--year", "2024"))
    monkeypatch.chdir(tmp_path)
    printed = run("--school", w.school_a.code, "--year", "2024", "--format", "xlsx").strip()
    expected = tmp_path / f"subsidy-{w.school_a.code}-2024.xlsx"
    assert printed == str(expected) and expected.exists()
    workbook = load_workbook(expected)
    summary = {row[0]: row[1] for row in workbook["Summary"].iter_rows(min_row=2, values_only=True)}
    for name, value in report["totals"].items():
        assert Decimal(str(summary[f"claims_{name}"])) == Decimal(value)
    for key in ("delivered_amount", "allocated_amount", "difference", "delivered_class_hours"):
        assert Decimal(str(summary[f"settlement_{key}"])) == Decimal(report["settlement"][key])
    lines = list(workbook["Claim lines"].iter_rows(min_row=2, values_only=True))
    assert len(lines) == sum(len(c["lines"]) for c in report["claims"]) == 4
    assert sum(Decimal(str(row[-1])) for row in lines) == sum(Decimal(c["requested_amount"]) for c in report["claims"])
    settlement_rows = list(workbook["Settlement lines"].iter_rows(min_row=2, values_only=True))
    assert sum(Decimal(str(row[-1])) for row in settlement_rows) == Decimal(report["settlement"]["delivered_amount"])
    other = tmp_path / "out" / "audit.xlsx"
    other.parent.mkdir()
    assert run("--school", w.school_a.code, "--year", "2024", "--format", "xlsx", "--output", str(other)).strip() == (
        str(other)
    )
    assert load_workbook(other)["Summary"]["B3"].value == w.school_a.name


def test_a_school_without_claims_reports_empty_lists(world):
    w = world
    past_year()
    report = json.loads(run("--school", w.school_b.code, "--year", "2024", "--format", "json"))
    assert report["claims"] == [] and report["settlement"] is None
    assert report["totals"] == {"requested": "0.00", "approved": "0.00", "allocated": "0.00"}


@pytest.mark.parametrize(
    "args, message",
    [
        (["--school", "NOPE", "--year", "2024"], "No school has the code 'NOPE'"),
        (["--year", "1999"], "No school year starts in 1999"),
        (["--year", "24"], "four-digit year"),
        (["--year", "2024", "--format", "csv"], "Unknown format 'csv': use json or xlsx"),
    ],
)
def test_bad_arguments_stop_with_a_clear_message(world, args, message):
    past_year()
    if "--school" not in args:
        args = ["--school", world.school_a.code, *args]
    with pytest.raises(CommandError, match=message):
        run(*args)


# ---------------------------------------------------------------- the same report on the web (issue #12)


def test_auditor_downloads_any_schools_report_from_the_web_same_as_the_command(client, audited, tmp_path):
    w = audited
    report = json.loads(run("--school", w.school_a.code, "--year", "2024"))
    client.force_login(w.auditor)
    response = client.get(reverse("funding:subsidy-report", args=[w.school_a.pk, w.year.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert f"subsidy-{w.school_a.code}-2024.xlsx" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    summary = {row[0]: row[1] for row in workbook["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["school_name"] == w.school_a.name
    for name, value in report["totals"].items():
        assert Decimal(str(summary[f"claims_{name}"])) == Decimal(value)
    assert Decimal(str(summary["settlement_delivered_amount"])) == Decimal("115.00")
    path = tmp_path / "cli.xlsx"
    run("--school", w.school_a.code, "--year", "2024", "--format", "xlsx", "--output", str(path))
    cli = load_workbook(path)
    assert [list(s.values) for s in cli.worksheets] == [list(s.values) for s in workbook.worksheets]
    client.force_login(w.other_school_admin)  # another school's admin: outside their scope
    assert client.get(reverse("funding:subsidy-report", args=[w.school_a.pk, w.year.pk])).status_code == 404
    assert client.get(reverse("funding:subsidy-report", args=[w.school_b.pk, w.year.pk])).status_code == 200


def test_the_report_is_linked_from_the_auditors_home_and_the_settlement_pages(client, audited):
    w = audited
    client.force_login(w.auditor)
    home = client.get(reverse("funding:auditor-home")).content.decode()
    assert 'data-link="subsidy-reports"' in home
    url = reverse("funding:subsidy-report", args=[w.school_a.pk, w.year.pk])
    listing = client.get(reverse("funding:settlement-list"), {"year": w.year.pk}).content.decode()
    assert url in listing
    detail = client.get(reverse("funding:settlement-detail", args=[w.school_a.pk, w.year.pk])).content.decode()
    assert url in detail
    client.force_login(w.inspector)  # reads settlements, not the audit report
    assert url not in client.get(reverse("funding:settlement-list"), {"year": w.year.pk}).content.decode()
