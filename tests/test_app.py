def test_home_page_is_french_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b'<html lang="fr">' in response.data


def test_unknown_url_gives_404_page(client):
    response = client.get("/nowhere")
    assert response.status_code == 404
