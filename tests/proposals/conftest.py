import pytest


@pytest.fixture
def client(app):
    """Requests in English, so that tests read the English text whatever the catalogue holds."""
    c = app.test_client()
    c.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return c
