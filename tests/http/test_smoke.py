def test_provider_round_trip_through_http(client, token):
    acc = token("accreditor")
    r = client.post("/api/v1/providers", headers=acc, json={
        "accme_id": "0001234", "name": "Acme CME", "accreditor": "ACCME",
        "primary_contact": {"name": "Ann Lee", "email": "ann@acme.org"}})
    assert r.status_code == 201, r.text
    prov = token("provider", provider="0001234")
    r = client.put("/api/v1/providers/0001234/contacts/website", headers=prov, json={"name": "Web", "email": "web@acme.org"})
    assert r.status_code == 200, r.text
    r = client.get("/api/v1/directory?q=acme")
    assert r.json()["data"][0]["contact"]["email"] == "web@acme.org"
    r = client.delete("/api/v1/providers/0001234/contacts/primary", headers=prov)
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json"
    r = client.get("/api/v1/providers/0001234/history", headers=prov)
    assert [e["type"] for e in r.json()["items"]] == ["Provider.Registered", "Provider.ContactAssigned"]
    assert client.get("/api/v1/providers/0001234", headers=token("provider", provider="0009999")).status_code == 404
    assert client.get("/api/v1/providers/0001234").status_code == 401
