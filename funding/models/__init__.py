"""funding models, one module per concern; everything is importable from `funding.models`."""

from .claims import Claim, ClaimEvent, ClaimLine
from .disclosure import Disclosure
from .ledger import HALF_FEN, MONEY, ZERO, Category, Fund, LedgerEntry
from .model_classes import Criterion, ModelClass, ModelClassEvent
from .pay import PERFORMANCE_CEILING, PERFORMANCE_FLOOR, PayRun, PayRunEvent, PayScheme, PaySchemeEvent, PayShare
from .settlement import Settlement, SettlementEvent, SettlementLine
from .spending import SpendingPlan, SpendingPlanEvent, minutes_path

__all__ = [
    "HALF_FEN",
    "MONEY",
    "PERFORMANCE_CEILING",
    "PERFORMANCE_FLOOR",
    "ZERO",
    "Category",
    "Claim",
    "ClaimEvent",
    "ClaimLine",
    "Criterion",
    "Disclosure",
    "Fund",
    "LedgerEntry",
    "ModelClass",
    "ModelClassEvent",
    "PayRun",
    "PayRunEvent",
    "PayScheme",
    "PaySchemeEvent",
    "PayShare",
    "Settlement",
    "SettlementEvent",
    "SettlementLine",
    "SpendingPlan",
    "SpendingPlanEvent",
    "minutes_path",
]
