"""The safety part of the demo county (see xiji_afterschool/demo.py for the contract): nothing to play yet."""

from xiji_afterschool.demo import DemoCounty


def play(county: DemoCounty, phase: str) -> list[str]:
    return []
