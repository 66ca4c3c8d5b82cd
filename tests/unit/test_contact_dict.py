"""Contact.as_dict is spelled out for speed: it must still hold every field, as dataclasses.asdict would."""

from __future__ import annotations

from dataclasses import asdict

from domain.provider import Contact


def test_a_contact_as_a_dict_holds_every_field() -> None:
    contact = Contact(name=" Pat Lee ", email="Pat@Acme.org", title="Director", phone="615-555-0100")
    assert contact.as_dict() == asdict(contact)
    assert Contact(name="Pat", email="pat@acme.org").as_dict() == asdict(Contact(name="Pat", email="pat@acme.org"))
