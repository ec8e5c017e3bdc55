import pytest
from django.utils import translation


@pytest.fixture
def english(settings):
    """Messages in English, so assertions survive the Chinese catalog: in the test's own code and in every
    request the test client makes (it sends no Accept-Language, so LocaleMiddleware uses LANGUAGE_CODE)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
