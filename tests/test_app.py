def test_home_page_is_french_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b'<html lang="fr">' in response.data


def test_unknown_url_gives_404_page(client):
    response = client.get("/nowhere")
    assert response.status_code == 404


def test_dates_are_localised_with_the_french_ordinal(app):
    from datetime import date

    from participation.templating import localdate

    # A fresh app context each time: Flask-Babel keeps the locale on ``g``.
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "fr"}):
        assert localdate(date(2018, 12, 1)) == "1er décembre 2018"
        assert localdate(date(2018, 12, 11)) == "11 décembre 2018"
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "en"}):
        assert localdate(date(2018, 12, 11)) == "December 11, 2018"
