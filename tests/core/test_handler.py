"""bebeli.handler.perform: one commit per request, nothing written when a rule says no."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import get_flashed_messages

from bebeli.catalog.models import Category
from bebeli.errors import NotAllowed
from bebeli.extensions import db
from bebeli.handler import form_errors, perform


@pytest.fixture
def request_ctx(data_app):
    with data_app.test_request_context():
        yield
        db.session.rollback()


@pytest.fixture
def commits(request_ctx):
    seen = []

    def count(session):
        seen.append(session)

    session = db.session()
    sa.event.listen(session, "after_commit", count)
    yield seen
    sa.event.remove(session, "after_commit", count)


def _categories() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Category))


def _write_then(refuse: bool):
    def step():
        db.session.add(Category(name="Kopi", slug="kopi"))
        db.session.flush()
        if refuse:
            raise NotAllowed("Tidak boleh.")
    return step


def test_a_refused_step_leaves_no_write_and_flashes_the_error(commits):
    assert perform(_write_then(refuse=True), done="Tersimpan.") is False
    assert commits == []
    assert _categories() == 0
    assert get_flashed_messages(with_categories=True) == [("error", "Tidak boleh.")]


def test_an_accepted_step_commits_once_and_flashes_success(commits):
    assert perform(_write_then(refuse=False), done="Tersimpan.") is True
    assert len(commits) == 1
    db.session.remove()
    assert _categories() == 1
    assert get_flashed_messages(with_categories=True) == [("success", "Tersimpan.")]


def test_a_refusal_can_go_on_the_form_instead(request_ctx):
    class Form:
        def __init__(self):
            self.form_errors = []

        def __contains__(self, name):
            return False

    form = Form()
    assert perform(_write_then(refuse=True), fail=form_errors(form)) is False
    assert form.form_errors == ["Tidak boleh."]
    assert get_flashed_messages() == []
    assert _categories() == 0
