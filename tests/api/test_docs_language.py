"""The documentation page speaks the visitor's language; the OpenAPI document stays in English."""

from markupsafe import escape

API = "/api/v1"
# The same word in both languages.
SAME_IN_FRENCH = {"OK"}


def descriptions(value, key=None) -> set[str]:
    """Every description and summary of an OpenAPI document."""
    if isinstance(value, dict):
        return set().union(*(descriptions(v, k) for k, v in value.items()))
    if isinstance(value, list):
        return set().union(*(descriptions(v, key) for v in value))
    if key in {"description", "summary"} and isinstance(value, str) and value:
        return {value}
    return set()


def test_openapi_document_stays_in_english(client):
    english = descriptions(client.get(f"{API}/openapi.json").get_json())
    french = descriptions(
        client.get(f"{API}/openapi.json", headers={"Accept-Language": "fr"}).get_json()
    )
    assert french == english
    assert "Neighbourhood slug." in english
    assert "All consultation rounds, newest first." in english


def test_documentation_page_shows_french_descriptions(client):
    english_texts = descriptions(client.get(f"{API}/openapi.json").get_json()) - SAME_IN_FRENCH
    english = client.get(f"{API}/docs", headers={"Accept-Language": "en"}).get_data(as_text=True)
    response = client.get(f"{API}/docs", headers={"Accept-Language": "fr"})
    assert response.status_code == 200
    french = response.get_data(as_text=True)
    shown = {text for text in english_texts if str(escape(text)) in english}
    # The English page shows the descriptions of the fields, parameters and operations...
    assert {"Neighbourhood slug.", "All consultation rounds, newest first."} <= shown
    assert len(shown) > 30
    # ... and the French page none of them.
    assert [text for text in shown if str(escape(text)) in french] == []
    assert "Identifiant (slug) du quartier." in french
    assert "Toutes les consultations, de la plus récente à la plus ancienne." in french
    assert "Taille de la page, 100 au plus." in french
    assert "Réponse d’erreur par défaut" in french
