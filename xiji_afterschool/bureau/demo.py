"""The county console's part of the demo county (see xiji_afterschool/demo.py for the contract): nothing to play
yet (the bureau's calendar and plan reviews are played by schools.demo, as the bureau's login)."""

from xiji_afterschool.demo import DemoCounty


def play(county: DemoCounty, phase: str) -> list[str]:
    return []
