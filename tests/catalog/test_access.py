"""The access policy (catalog/access.py): its answers for every open class × dataset state, and its SQL form
checked against its Python form over a catalog holding every combination (the oracle: a listing built with
``listed_clause()`` must hold exactly the datasets ``listed()`` says yes to)."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import pytest
from sqlmodel import select

from catalog import access
from catalog.access import DatasetNotFound, DatasetWithdrawn, Visibility
from catalog.config import PiiPolicy
from catalog.db import session_scope
from catalog.models import Dataset, Department
from catalog.vocabulary import DatasetState, OpenClass, PiiStatus

SAMPLE = 20

# (open class, state) → (visibility, listed, metadata shown, data readable, public sample rows)
EXPECTED = {
    (OpenClass.open, DatasetState.active): (Visibility.shown, True, True, True, SAMPLE),
    (OpenClass.conditional, DatasetState.active): (Visibility.shown, True, True, False, SAMPLE),
    (OpenClass.closed, DatasetState.active): (Visibility.hidden, False, False, False, 0),
    (OpenClass.open, DatasetState.withdrawn): (Visibility.withdrawn, False, False, False, 0),
    (OpenClass.conditional, DatasetState.withdrawn): (Visibility.withdrawn, False, False, False, 0),
    (OpenClass.closed, DatasetState.withdrawn): (Visibility.hidden, False, False, False, 0),  # never "withdrawn"
}


@dataclass
class Doc:
    """Anything with an open class and a state is governed: a row, a search document, a plain str pair."""

    open_class: str
    state: str


def test_every_combination_is_expected():
    assert set(EXPECTED) == set(product(OpenClass, DatasetState))


@pytest.mark.parametrize(("open_class", "state"), list(EXPECTED))
def test_answers_for_every_open_class_and_state(open_class, state):
    want_visibility, want_listed, want_metadata, want_data, want_sample = EXPECTED[(open_class, state)]
    for subject in (Dataset(open_class=open_class, state=state), Doc(str(open_class), str(state))):
        decided = access.decide(subject, sample_rows=SAMPLE)
        assert decided == access.Access(want_visibility, want_listed, want_metadata, want_data, want_sample)
        assert access.listed(subject) is want_listed
        assert access.metadata_shown(subject) is want_metadata
        assert access.data_readable(subject) is want_data
        assert access.public_sample_rows(subject, SAMPLE) == want_sample


@pytest.mark.parametrize(("open_class", "state"), list(EXPECTED))
def test_require_metadata_raises_what_the_routes_answer(open_class, state):
    subject = Doc(open_class, state)
    expected = {Visibility.shown: None, Visibility.hidden: DatasetNotFound, Visibility.withdrawn: DatasetWithdrawn}
    error = expected[EXPECTED[(open_class, state)][0]]
    if error is None:
        access.require_metadata(subject, name="x")
    else:
        with pytest.raises(error):
            access.require_metadata(subject, name="x")


@pytest.mark.parametrize(("open_class", "state"), list(EXPECTED))
def test_a_dataset_the_pii_policy_blocks_is_not_found_whatever_its_class_and_state(open_class, state):
    from catalog.search.base import SearchDocument

    for subject in (Dataset(open_class=open_class, state=state, pii_status=PiiStatus.blocked),
                    SearchDocument(name="x", title="x", open_class=open_class, state=state, pii_status="blocked")):
        assert access.decide(subject, sample_rows=SAMPLE) == access.Access(Visibility.hidden, False, False, False, 0)
        with pytest.raises(DatasetNotFound):
            access.require_metadata(subject, name="x")
    flagged = Dataset(open_class=open_class, state=state, pii_status=PiiStatus.flagged)
    assert access.decide(flagged, sample_rows=SAMPLE) == access.Access(*EXPECTED[(open_class, state)])


def test_only_open_data_with_personal_data_is_blocked_and_only_under_block():
    blocked = {(c, has, policy) for c, has, policy in product(OpenClass, (True, False), PiiPolicy)
               if access.blocked_by_pii_policy(Doc(c, DatasetState.active), has, policy)}
    assert blocked == {(OpenClass.open, True, PiiPolicy.block)}


def test_the_public_sample_is_masked_only_for_callers_who_may_not_read_the_data():
    report = {"columns": [{"column": "id_number", "kind": "resident_id", "flagged": True},
                          {"column": "permit_no", "kind": "resident_id", "flagged": False}]}
    conditional, open_ = Doc(OpenClass.conditional, DatasetState.active), Doc(OpenClass.open, DatasetState.active)
    assert access.masked_sample_columns(conditional, report) == {"id_number": "resident_id"}
    assert access.masked_sample_columns(open_, report) == {}  # the sample is no more than a download gives
    assert access.masked_sample_columns(conditional, None) == {}


def test_the_public_sample_never_goes_negative():
    assert access.public_sample_rows(Doc(OpenClass.open, DatasetState.active), -3) == 0


def test_search_documents_ask_the_policy():
    from catalog.search.base import SearchDocument

    for open_class, state in EXPECTED:
        doc = SearchDocument(name="x", title="x", open_class=open_class, state=state)
        assert doc.searchable is EXPECTED[(open_class, state)][1]


def test_sql_clause_selects_exactly_what_the_python_form_lists(settings):
    """Oracle: over every open class × state (twice each), ``listed_clause()`` and ``listed()`` agree."""
    with session_scope(settings) as session:
        department = Department(name="jtw", title="交通委")
        session.add(department)
        session.flush()
        for i, (open_class, state, pii) in enumerate(product(OpenClass, DatasetState, PiiStatus)):
            for copy in range(2):
                session.add(Dataset(name=f"d-{i}-{copy}", title="t", domain_code="transport",
                                    department_id=department.id, open_class=open_class, state=state,
                                    pii_status=pii))
        session.commit()
    with session_scope(settings) as session:
        every = session.exec(select(Dataset)).all()
        assert len(every) == 2 * len(EXPECTED) * len(PiiStatus)
        by_python = {ds.name for ds in every if access.listed(ds)}
        by_sql = set(session.exec(select(Dataset.name).where(access.listed_clause())).all())
        assert by_sql == by_python
        assert len(by_python) == 8  # open and conditional, active, clean or flagged: the oracle is not vacuous
        # Read back, the columns hold the enums' members (and their plain string values in the database).
        assert {type(ds.open_class) for ds in every} == {OpenClass}
        assert {type(ds.state) for ds in every} == {DatasetState}


def test_a_value_outside_the_enum_is_refused_at_write(settings):
    with session_scope(settings) as session:
        department = Department(name="jtw", title="交通委")
        session.add(department)
        session.flush()
        session.add(Dataset(name="typo", title="t", domain_code="transport", department_id=department.id,
                            open_class="opne"))
        with pytest.raises(Exception, match="opne"):
            session.flush()
        session.rollback()
