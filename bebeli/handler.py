"""One commit per request: a view hands its step to `perform`, which commits once when the
step goes through or rolls back and says why when a business rule refuses it.

Like indico's request handler: the step runs in the request's one transaction, and the
commit or rollback happens here, not in each view.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import flash

from bebeli.errors import DomainError
from bebeli.extensions import db


def flash_error(error: DomainError) -> None:
    """The default way to say no: the service's reason, flashed above the next page."""
    flash(str(error.message), "error")


def form_errors(form) -> Callable[[DomainError], None]:
    """Say no on the form itself: on the field the error names, else above the form."""
    def attach(error: DomainError) -> None:
        name = error.details.get("field")
        if name and name in form:
            form[name].errors = [*form[name].errors, str(error.message)]
        else:
            form.form_errors.append(str(error.message))
    return attach


def perform(step: Callable[[], object], *, done: str | None = None,
            fail: Callable[[DomainError], None] | None = None) -> bool:
    """Run `step()`; commit and flash `done`, or on a DomainError roll back and call `fail`
    (by default: flash the error). True when the step was committed."""
    try:
        step()
    except DomainError as error:
        db.session.rollback()
        (fail or flash_error)(error)
        return False
    db.session.commit()
    if done:
        flash(done, "success")
    return True
