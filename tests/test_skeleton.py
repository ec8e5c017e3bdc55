"""Every app has the one skeleton of docs/architecture.md: its layer packages, its app-level declarations (access.py,
privacy.py, demo.py) and Django's own modules, nothing else at the top. A module that belongs to one concern goes in
that concern's layer, under its name; a new kind of top-level module is a change to the skeleton, made in the docs
first."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APPS = ["schools", "enrollment", "funding", "safety", "xiji_afterschool/bureau"]
DECLARATIONS = {"access.py", "privacy.py", "demo.py"}  # each app registers with the one engine, register, demo county
DJANGO = {"__init__.py", "admin.py", "apps.py", "urls.py", "tasks.py", "signals.py"}
LAYERS = {"models", "services", "selectors", "forms", "views", "reports", "rules"}
DJANGO_PACKAGES = {"migrations", "management", "templatetags"}


@pytest.mark.parametrize("app", APPS)
def test_the_app_has_the_skeleton_and_nothing_else_at_its_top(app):
    folder = ROOT / app
    modules = {p.name for p in folder.glob("*.py")}
    packages = {p.name for p in folder.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert DECLARATIONS <= modules, f"{app} lacks {DECLARATIONS - modules}"
    assert modules - DECLARATIONS - DJANGO == set(), f"{app}: modules outside the skeleton"
    assert LAYERS <= packages, f"{app} lacks {LAYERS - packages}"
    assert packages - LAYERS - DJANGO_PACKAGES == set(), f"{app}: packages outside the skeleton"
