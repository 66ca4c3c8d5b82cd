"""The learner directory's set-based lookups (one statement a chunk) answer as reading it row by row did."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, select

from adapters.bootstrap import System
from adapters.db.learner_directory_tables import learner_board_ids, learner_directory, learner_licences
from adapters.db.learner_directory_view import SqlLearnerDirectoryView

# Few values of each key, so that learners share names, NPIs, board IDs and licence numbers.
NAMES = st.sampled_from(["ann|lee", "bob|roe", "cy|woo"])
MDS = st.sampled_from(["0101", "0229"])
NPIS = st.none() | st.sampled_from(["1000000001", "1000000002"])
NUMBERS = st.sampled_from(["MD1", "MD2", "7"])
LEARNERS = st.lists(
    st.tuples(
        NAMES,
        MDS,
        NPIS,
        st.dictionaries(st.sampled_from(["TN", "KY", "CA"]), NUMBERS, max_size=3),
        st.dictionaries(st.sampled_from(["ABIM", "ABP"]), NUMBERS, max_size=2),
    ),
    max_size=8,
)


def reference(conn: Any, where: Any) -> list[dict[str, Any]]:
    """The directory read row by row as before: each learner's row, then its licences and board IDs."""
    d = learner_directory.c
    out = []
    for r in conn.execute(select(d.learner_id, d.name_key, d.birth_md, d.npi, d.doc).where(where)):
        licences = conn.execute(select(learner_licences).where(learner_licences.c.learner_id == r.learner_id))
        boards = conn.execute(select(learner_board_ids).where(learner_board_ids.c.learner_id == r.learner_id))
        out.append(
            {
                "learner_id": r.learner_id,
                "name_key": r.name_key,
                "birth_md": r.birth_md,
                "npi": r.npi,
                "licences": sorted((x.state, x.number_key) for x in licences),
                "board_ids": sorted((x.board, x.board_id_key) for x in boards),
                "doc": r.doc,
            }
        )
    return out


def keyed(entries: list[dict[str, Any]], docs: bool = True) -> dict[str, dict[str, Any]]:
    return {e["learner_id"]: {**e, "doc": e["doc"] if docs else None} for e in entries}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(learners=LEARNERS, docs=st.booleans())
def test_set_based_lookups_answer_as_the_row_by_row_read(any_system: System, learners: list[Any], docs: bool) -> None:
    view = SqlLearnerDirectoryView(any_system.db, "learner_directory")
    with any_system.db.engine.begin() as conn:
        for table in (learner_licences, learner_board_ids, learner_directory):
            conn.execute(delete(table))
        for n, (name, md, npi, licences, boards) in enumerate(learners):
            ident = f"L{n}"
            conn.execute(
                insert(learner_directory).values(
                    learner_id=ident, name_key=name, birth_md=md, npi=npi, doc={"learner_id": ident}
                )
            )
            for state, number in licences.items():
                conn.execute(insert(learner_licences).values(learner_id=ident, state=state, number_key=number))
            for board, key in boards.items():
                conn.execute(insert(learner_board_ids).values(learner_id=ident, board=board, board_id_key=key))
    d, lic, brd = learner_directory.c, learner_licences.c, learner_board_ids.c
    with any_system.db.engine.connect() as conn:
        everyone = keyed(reference(conn, d.learner_id.is_not(None)))
        holding: dict[str, set[str]] = defaultdict(set)
        for ident, number in conn.execute(select(lic.learner_id, lic.number_key)):
            holding[number].add(ident)
        boarded: dict[tuple[str, str], set[str]] = defaultdict(set)
        for ident, board, key in conn.execute(select(brd.learner_id, brd.board, brd.board_id_key)):
            boarded[(board, key)].add(ident)

    def only(ids: set[str]) -> dict[str, dict[str, Any]]:
        return {i: {**everyone[i], "doc": everyone[i]["doc"] if docs else None} for i in ids}

    for name in ["ann|lee", "bob|roe", "cy|woo"]:
        want = {i for i, e in everyone.items() if e["name_key"] == name}
        assert keyed(view.by_name_keys([name, "nobody|here"], docs=docs), docs) == only(want)
    npis = ["1000000001", "1000000002"]
    assert keyed(view.by_npis(npis, docs=docs), docs) == only({i for i, e in everyone.items() if e["npi"] in npis})
    pairs = [("ABIM", "MD1"), ("ABP", "7"), ("ABIM", "7")]
    assert keyed(view.by_board_ids(pairs, docs=docs), docs) == only(set().union(*(boarded[p] for p in pairs)))
    numbers = ["MD1", "7"]
    found = view.by_licence_numbers(numbers, docs=docs)
    assert len(found) == len({e["learner_id"] for e in found})  # a learner holding two of them, once
    assert keyed(found, docs) == only(holding["MD1"] | holding["7"])
    assert keyed(view.get_learners(["L0", "L3", "nobody"])) == {i: e for i, e in everyone.items() if i in ("L0", "L3")}
