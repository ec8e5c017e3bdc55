"""enrollment models, one module per concern; everything is importable from `enrollment.models`."""

from .agreements import Agreement, AgreementText
from .applications import Application, ApplicationEvent
from .consents import Consent, ConsentEvent, ConsentKind, ConsentText
from .data_requests import DataRequest, DataRequestEvent
from .letters import LetterBatch

__all__ = [
    "Agreement",
    "AgreementText",
    "Application",
    "ApplicationEvent",
    "Consent",
    "ConsentEvent",
    "ConsentKind",
    "ConsentText",
    "DataRequest",
    "DataRequestEvent",
    "LetterBatch",
]
