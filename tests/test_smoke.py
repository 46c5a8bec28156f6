from tests.conftest import parse


def test_home_page_lists_projects(client):
    response = client.get("/")
    assert response.status_code == 200
    page = parse(response)
    assert page.find("h1").get_text(strip=True) == "Silvia Seceleanu"
