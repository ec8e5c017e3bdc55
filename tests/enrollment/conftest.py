import pytest
from django.utils import translation


@pytest.fixture
def english():
    """Messages in English, so assertions survive the Chinese catalog."""
    with translation.override("en"):
        yield
