from tests.conftest import login


def test_login_and_monitor(client, world):
    resp = login(client, "koordinator@example.org")
    assert resp.status_code == 302
    page = client.get("/monitor")
    assert page.status_code == 200
    assert "Pemantauan tenggat" in page.get_data(as_text=True)
