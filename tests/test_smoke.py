from tests.builders import World, auth


def test_me(client, session):
    w = World(session)
    r = client.get("/api/v1/auth/me", headers=auth(w.quality))
    assert r.status_code == 200, r.text
    assert r.json()["may"]["review"] is True
