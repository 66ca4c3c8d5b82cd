def test_provider_round_trip_through_http(client, token):
    acc = token("accreditor")
    r = client.post(
        "/api/v1/providers",
        headers=acc,
        json={
            "accme_id": "0001234",
            "name": "Acme CME",
            "accreditor": "ACCME",
            "primary_contact": {"name": "Ann Lee", "email": "ann@acme.org"},
        },
    )
    assert r.status_code == 201, r.text
    prov = token("provider", provider="0001234")
    r = client.put(
        "/api/v1/providers/0001234/contacts/website", headers=prov, json={"name": "Web", "email": "web@acme.org"}
    )
    assert r.status_code == 200, r.text
    r = client.get("/api/v1/directory?q=acme")
    assert r.json()["data"][0]["contact"]["email"] == "web@acme.org"
    r = client.delete("/api/v1/providers/0001234/contacts/primary", headers=prov)
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json"
    r = client.get("/api/v1/providers/0001234/history", headers=prov)
    assert [e["type"] for e in r.json()["items"]] == ["Provider.Registered", "Provider.ContactAssigned"]
    assert client.get("/api/v1/providers/0001234", headers=token("provider", provider="0009999")).status_code == 404
    assert client.get("/api/v1/providers/0001234").status_code == 401


def test_a_revoked_provider_token_is_refused(client, token):
    acc = token("accreditor")
    client.post(
        "/api/v1/providers",
        headers=acc,
        json={
            "accme_id": "0000042",
            "name": "Zero CME",
            "accreditor": "TN",
            "primary_contact": {"name": "Zed", "email": "zed@zero.org"},
        },
    )
    prov = token("provider", provider="0000042")
    made = client.post("/api/v1/providers/0000042/tokens", headers=prov, json={"label": "LMS"})
    assert made.status_code == 201, made.text
    lms = {"Authorization": f"Bearer {made.json()['token']}"}
    assert client.get("/api/v1/providers/0000042", headers=lms).status_code == 200
    assert (
        client.delete(
            f"/api/v1/providers/0000042/tokens/{made.json()['token_id']}", headers=token("accreditor", state="NC")
        ).status_code
        == 404
    )
    assert client.delete(f"/api/v1/providers/0000042/tokens/{made.json()['token_id']}", headers=acc).status_code == 204
    refused = client.get("/api/v1/providers/0000042", headers=lms)
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
    listed = client.get("/api/v1/providers/0000042/tokens", headers=prov).json()
    assert listed[0]["label"] == "LMS" and listed[0]["revoked_at"] and "token" not in listed[0]
