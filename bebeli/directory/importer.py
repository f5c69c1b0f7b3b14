"""Bulk import of ASN from CSV or XLSX: read, validate every row, preview, confirm, write.

Reading turns a file into rows of text cells (directory/import_files.py). Planning checks every row with the same field
rules as the ASN form, and against the database loaded in bulk (never one query per row), and
decides what each row would do: create, update, leave unchanged, or nothing because it is
invalid. A preview is stored as an `AsnImportBatch`; nothing else is written until the admin
confirms. Confirming plans the stored cells again, refuses if the outcome changed meanwhile,
and writes every valid row with bulk INSERT/UPDATE statements in one transaction. Rows are
keyed by NIP, so importing the same file twice updates people instead of duplicating them.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import PurePath

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from bebeli.audit.models import AuditEvent
from bebeli.audit.services import client_ip, record
from bebeli.auth.models import Role, RoleAssignment, User, new_session_token
from bebeli.auth.services import UNUSABLE_PASSWORD
from bebeli.dates import jakarta_today
from bebeli.db import utcnow
from bebeli.directory.import_files import (
    COLUMN_BY_FIELD,
    COLUMN_BY_KEY,
    COLUMNS,
    ImportFileError,
    SourceRow,
    Table,
    read_table,
)
from bebeli.directory.models import Agency, AsnImportBatch, AsnProfile, Echelon
from bebeli.directory.normalize import clean_text
from bebeli.directory.permissions import can_change_login_email, can_use_import_batch
from bebeli.directory.services import USER_FIELDS, activity_until, changes_between, scope_of
from bebeli.errors import Conflict, NotFound, ValidationFailed
from bebeli.extensions import db
from bebeli.identity import IdentityError, parse_nip

Progress = Callable[[int], object] | None
CHUNK = 1000  # rows per bulk statement: well under SQLite's and PostgreSQL's parameter limits

PROFILE_FIELDS = ("agency_id", "is_pppk", "rank", "echelon", "position", "tpp_amount", "is_active")
# What a new ASN gets for a column the file does not have.
DEFAULTS = {"rank": None, "echelon": Echelon.STAF, "position": None, "tpp_amount": None, "is_pppk": False,
            "is_active": True}

CREATE, UPDATE, SAME, INVALID = "create", "update", "same", "invalid"


class PreviewOutdated(Conflict):
    code = "import_preview_outdated"
    default_message = _l("Data di sistem berubah sejak pratinjau dibuat. Pratinjau sudah diperbarui; periksa lagi "
                         "sebelum mengimpor.")


class ImportExpired(Conflict):
    code = "import_expired"
    default_message = _l("Pratinjau ini sudah kedaluwarsa. Unggah berkasnya lagi.")


# ---------------------------------------------------------------------------------------------
# Planning
# ---------------------------------------------------------------------------------------------

@dataclass
class RowPlan:
    line: int
    cells: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)  # column key -> message
    action: str = INVALID
    changed: list[str] = field(default_factory=list)      # column keys an update changes
    values: dict = field(default_factory=dict)            # attribute -> value to store
    changes: dict = field(default_factory=dict)           # attribute -> [old, new], for the audit log
    nip_fits_pns: bool = False
    existing: sa.Row | None = None

    def fail(self, column: str, message) -> None:
        self.errors.setdefault(column, str(message))

    def as_json(self) -> dict:
        return {"line": self.line, "cells": self.cells, "action": self.action, "errors": self.errors,
                "changed": self.changed}


@dataclass
class Plan:
    columns: list[str]
    ignored: list[str]
    fields: set[str]  # attributes the file sets
    rows: list[RowPlan]

    def with_action(self, action: str) -> list[RowPlan]:
        return [r for r in self.rows if r.action == action]

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def valid_count(self) -> int:
        return len(self.rows) - self.count(INVALID)

    def signature(self) -> list:
        return signature(r.as_json() for r in self.rows)


def signature(rows) -> list:
    """What the admin saw in a preview: each row's outcome, without the (translated) wording."""
    return [(r["line"], r["action"], sorted(r["errors"]), list(r["changed"])) for r in rows]


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


_SCIENTIFIC = re.compile(r"^\d+(?:[.,]\d+)?[eE]\+?\d+$")


def _read_nip(row: RowPlan) -> None:
    text = row.cells.get("nip", "")
    if _SCIENTIFIC.match(text.strip()):
        row.fail("nip", _l("NIP terbaca sebagai angka (%(text)s) sehingga digitnya hilang. Format kolom NIP "
                           "sebagai Teks lalu isi ulang.", text=text))
        return
    try:
        nip = parse_nip(text, allow_pppk=True)
    except IdentityError as error:
        row.fail("nip", error.message)
        return
    row.values["nip"] = nip.digits
    row.nip_fits_pns = not nip.is_pppk


@dataclass
class _Context:
    actor: object
    scope: set[int] | None
    agencies: dict[str, tuple[int, bool]]  # code -> (id, is_active)
    default_agency_id: int | None           # for an operator who manages exactly one agency


def _read_agency(row: RowPlan, ctx: _Context) -> None:
    code = clean_text(row.cells.get("kode_opd")).upper()
    if not code:
        if ctx.default_agency_id is None:
            row.fail("kode_opd", _l("Kode perangkat daerah wajib diisi."))
        else:
            row.values["agency_id"] = ctx.default_agency_id
        return
    agency_id, active = ctx.agencies.get(code, (None, False))
    if agency_id is None:
        row.fail("kode_opd", _l("Kode perangkat daerah %(code)s tidak dikenal.", code=code))
    elif not active:
        row.fail("kode_opd", _l("Perangkat daerah %(code)s tidak aktif.", code=code))
    elif ctx.scope is not None and agency_id not in ctx.scope:
        row.fail("kode_opd", _l("Anda hanya dapat mengimpor ASN untuk perangkat daerah Anda."))
    else:
        row.values["agency_id"] = agency_id


def _read_cells(row: RowPlan, columns: list[str], ctx: _Context) -> None:
    """Phase 1: every cell on its own, no database. Errors come in the file's column order."""
    for key in columns:
        column = COLUMN_BY_KEY[key]
        if key == "nip":
            _read_nip(row)
        elif key == "kode_opd":
            _read_agency(row, ctx)
        else:
            try:
                row.values[column.field] = column.rule(row.cells.get(key, ""))
            except ValidationFailed as error:
                row.fail(key, error.message)
    if "kode_opd" not in columns and ctx.default_agency_id is not None:
        row.values["agency_id"] = ctx.default_agency_id


_EXISTING_COLUMNS = (
    AsnProfile.id.label("profile_id"), AsnProfile.user_id, AsnProfile.nip, AsnProfile.agency_id, AsnProfile.is_pppk,
    AsnProfile.rank, AsnProfile.echelon, AsnProfile.position, AsnProfile.tpp_amount, AsnProfile.is_active,
    AsnProfile.active_until, User.name, User.email,
)


def _existing_by_nip(nips: list[str]) -> dict[str, sa.Row]:
    found = {}
    for chunk in _chunks(nips):
        stmt = db.select(*_EXISTING_COLUMNS).join(User, User.id == AsnProfile.user_id).where(AsnProfile.nip.in_(chunk))
        found.update((row.nip, row) for row in db.session.execute(stmt))
    return found


def _user_ids_by_email(emails: list[str]) -> dict[str, int]:
    found = {}
    for chunk in _chunks(emails):
        found.update(db.session.execute(db.select(User.email, User.id).where(User.email.in_(chunk))).all())
    return found


def _roles_by_user(user_ids: list[int]) -> dict[int, list[Role]]:
    roles: dict[int, list[Role]] = {}
    for chunk in _chunks(user_ids):
        stmt = db.select(RoleAssignment.user_id, RoleAssignment.role).where(RoleAssignment.user_id.in_(chunk))
        for user_id, role in db.session.execute(stmt):
            roles.setdefault(user_id, []).append(role)
    return roles


def _earlier_line(seen: dict, key, line: int) -> int | None:
    """The line where `key` first appeared in the file, if not this one."""
    first = seen.setdefault(key, line)
    return first if first != line else None


def _resolve(row: RowPlan, plan_fields: set[str], ctx: _Context, existing: dict, owners: dict, roles: dict,
             seen_nip: dict, seen_email: dict) -> None:
    """Phase 2: the row against the rest of the file and the database, then its action."""
    nip, email = row.values.get("nip"), row.values.get("email")
    old = existing.get(nip) if nip else None
    if nip:
        if earlier := _earlier_line(seen_nip, nip, row.line):
            row.fail("nip", _l("NIP sama dengan baris %(line)d.", line=earlier))
        is_pppk = row.values.get("is_pppk", old.is_pppk if old else False)
        if not is_pppk and not row.nip_fits_pns:
            try:
                parse_nip(row.cells["nip"])
            except IdentityError as error:
                row.fail("nip", _l("%(problem)s Jika ASN ini PPPK, isi kolom pppk dengan ya.", problem=error.message))
        if old is not None and ctx.scope is not None and old.agency_id not in ctx.scope:
            row.fail("nip", _l("NIP ini terdaftar di perangkat daerah lain; hubungi administrator untuk "
                               "memindahkannya."))
    if email:
        if earlier := _earlier_line(seen_email, email, row.line):
            row.fail("email", _l("Email sama dengan baris %(line)d.", line=earlier))
        owner = owners.get(email)
        if owner is not None and (old is None or owner != old.user_id):
            row.fail("email", _l("Email sudah dipakai akun lain."))
        elif (old is not None and email != old.email and ctx.scope is not None
              and not can_change_login_email(ctx.actor, roles.get(old.user_id, []))):
            row.fail("email", _l("Email akun ini hanya dapat diubah administrator, karena akun ini juga memiliki "
                                 "peran lain."))
    if row.errors:
        return
    row.existing = old
    if old is None:
        row.action = CREATE
        row.values = {**DEFAULTS, **row.values}
        return
    new = {f: row.values[f] for f in plan_fields}
    row.changes = changes_between({f: getattr(old, f) for f in plan_fields}, new)
    row.changed = [COLUMN_BY_FIELD[f].key for f in COLUMN_BY_FIELD if f in row.changes]
    row.action = UPDATE if row.changes else SAME


def _context(actor) -> _Context:
    scope = scope_of(actor)
    agencies = {code: (agency_id, active) for code, agency_id, active in
                db.session.execute(db.select(Agency.code, Agency.id, Agency.is_active))}
    default = next(iter(scope)) if scope is not None and len(scope) == 1 else None
    return _Context(actor=actor, scope=scope, agencies=agencies, default_agency_id=default)


def plan_import(table: Table, *, actor, progress: Progress = None) -> Plan:
    """Validate every row and decide what it would do. Reads the database, writes nothing."""
    ctx = _context(actor)
    required = [c.key for c in COLUMNS if c.required and not (c.key == "kode_opd" and ctx.default_agency_id)]
    missing = [key for key in required if key not in table.columns]
    if missing:
        raise ImportFileError(_l("Kolom wajib tidak ada: %(columns)s.", columns=", ".join(missing)))
    plan_fields = {COLUMN_BY_KEY[key].field for key in table.columns} - {"nip"}
    if ctx.default_agency_id is not None:
        plan_fields.add("agency_id")

    rows = [RowPlan(r.line, r.cells) for r in table.rows]
    for chunk in _chunks(rows):
        for row in chunk:
            _read_cells(row, table.columns, ctx)
        if progress:
            progress(len(chunk))

    existing = _existing_by_nip(sorted({r.values["nip"] for r in rows if "nip" in r.values}))
    owners = _user_ids_by_email(sorted({r.values["email"] for r in rows if "email" in r.values}))
    roles = _roles_by_user(sorted({row.user_id for row in existing.values()})) if ctx.scope is not None else {}
    seen_nip: dict[str, int] = {}
    seen_email: dict[str, int] = {}
    for row in rows:
        _resolve(row, plan_fields, ctx, existing, owners, roles, seen_nip, seen_email)
    return Plan(columns=table.columns, ignored=table.ignored, fields=plan_fields, rows=rows)


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------

def _insert_new(rows: list[RowPlan], now: datetime) -> list[int]:
    user_ids = db.session.scalars(
        sa.insert(User).returning(User.id, sort_by_parameter_order=True),
        [{"email": r.values["email"], "name": r.values["name"], "password_hash": UNUSABLE_PASSWORD,
          "session_token": new_session_token(), "is_active_account": True, "created_at": now, "updated_at": now}
         for r in rows],
    ).all()
    db.session.execute(sa.insert(RoleAssignment),
                       [{"user_id": uid, "role": Role.BUYER, "agency_id": None, "created_at": now} for uid in user_ids])
    return db.session.scalars(
        sa.insert(AsnProfile).returning(AsnProfile.id, sort_by_parameter_order=True),
        [{"user_id": uid, "nip": r.values["nip"], **{f: r.values[f] for f in PROFILE_FIELDS},
          "created_at": now, "updated_at": now} for r, uid in zip(rows, user_ids)],
    ).all()


def _update_existing(rows: list[RowPlan], plan_fields: set[str], now: datetime, today: date) -> None:
    user_fields = [f for f in USER_FIELDS if f in plan_fields]
    profile_fields = [f for f in PROFILE_FIELDS if f in plan_fields]
    if user_fields:
        db.session.execute(sa.update(User), [
            {"id": r.existing.user_id, **{f: r.values[f] for f in user_fields}, "updated_at": now} for r in rows])
    if profile_fields:
        db.session.execute(sa.update(AsnProfile), [
            {"id": r.existing.profile_id, **{f: r.values[f] for f in profile_fields},
             "active_until": activity_until(r.existing.is_active, r.values.get("is_active", r.existing.is_active),
                                            r.existing.active_until, today),
             "updated_at": now}
            for r in rows])


def _audit_rows(action: str, actor, pairs, now: datetime) -> None:
    """One audit event per ASN, like `record` writes, in one statement."""
    ip = client_ip()
    db.session.execute(sa.insert(AuditEvent), [
        {"at": now, "actor_id": getattr(actor, "id", None), "action": action, "object_type": "asn_profiles",
         "object_id": str(profile_id), "ip": ip, "details": details}
        for profile_id, details in pairs])


def apply_plan(plan: Plan, *, actor, source: str, batch_id: int | None = None,
               progress: Progress = None) -> tuple[int, int]:
    """Write every create and update row of `plan`; returns (created, updated). All or nothing:
    if someone registered one of these NIPs or emails meanwhile, nothing is written."""
    creates, updates = plan.with_action(CREATE), plan.with_action(UPDATE)
    now, today = utcnow(), jakarta_today()
    origin = {"source": "import", "batch": batch_id} if batch_id else {"source": "import"}
    try:
        with db.session.begin_nested():
            for chunk in _chunks(creates):
                ids = _insert_new(chunk, now)
                _audit_rows("directory.asn_created", actor, [
                    (pid, {**origin, "nip": r.values["nip"], "agency_id": r.values["agency_id"]})
                    for r, pid in zip(chunk, ids)], now)
                if progress:
                    progress(len(chunk))
            for chunk in _chunks(updates):
                _update_existing(chunk, plan.fields, now, today)
                _audit_rows("directory.asn_updated", actor,
                            [(r.existing.profile_id, {**origin, "changes": r.changes}) for r in chunk], now)
                if progress:
                    progress(len(chunk))
    except IntegrityError:
        raise Conflict(_l("Sebagian NIP atau email baru saja didaftarkan orang lain selama impor. Tidak ada yang "
                          "disimpan; unggah berkasnya lagi.")) from None
    record("directory.asn_imported", actor=actor, object_type="asn_import_batches", object_id=batch_id,
           filename=source, created=len(creates), updated=len(updates), unchanged=plan.count(SAME),
           skipped=plan.count(INVALID))
    return len(creates), len(updates)


# ---------------------------------------------------------------------------------------------
# Previews stored in the database
# ---------------------------------------------------------------------------------------------

def _store(batch: AsnImportBatch, plan: Plan) -> None:
    batch.rows = [r.as_json() for r in plan.rows]
    batch.total_count = len(plan.rows)
    batch.invalid_count = plan.count(INVALID)
    batch.new_count = plan.count(CREATE)
    batch.updated_count = plan.count(UPDATE)
    batch.unchanged_count = plan.count(SAME)


def purge_expired_batches() -> int:
    return db.session.execute(sa.delete(AsnImportBatch).where(AsnImportBatch.expires_at < utcnow())).rowcount


def stage_import(filename: str, data: bytes, *, actor) -> AsnImportBatch:
    """Read and check an uploaded file and keep the result as a preview; writes no ASN."""
    purge_expired_batches()
    table = read_table(filename, data, max_rows=current_app.config["ASN_IMPORT_MAX_ROWS"])
    plan = plan_import(table, actor=actor)
    batch = AsnImportBatch(
        created_by_id=actor.id,
        filename=PurePath(filename.replace("\\", "/")).name[:255],
        columns={"used": plan.columns, "ignored": plan.ignored},
        expires_at=utcnow() + timedelta(hours=current_app.config["ASN_IMPORT_BATCH_HOURS"]),
    )
    _store(batch, plan)
    db.session.add(batch)
    db.session.flush()
    return batch


def _check_open(batch: AsnImportBatch, actor) -> None:
    if not can_use_import_batch(actor, batch):
        raise NotFound()
    if batch.confirmed_at is not None:
        raise Conflict(_l("Berkas ini sudah diimpor."))
    if batch.expires_at <= utcnow():
        raise ImportExpired()


def confirm_import(batch: AsnImportBatch, *, actor, progress: Progress = None) -> AsnImportBatch:
    """Write the valid rows of a preview. Plans the stored cells again first: if the outcome
    differs from what the admin saw, the preview is refreshed and PreviewOutdated raised (the
    caller commits to keep the refreshed preview)."""
    # The row lock makes a double click wait, then find the batch already confirmed.
    batch = db.session.execute(
        db.select(AsnImportBatch).where(AsnImportBatch.id == batch.id).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    _check_open(batch, actor)
    table = Table(columns=batch.columns["used"], ignored=batch.columns["ignored"],
                  rows=[SourceRow(r["line"], r["cells"]) for r in batch.rows])
    plan = plan_import(table, actor=actor)
    if plan.signature() != signature(batch.rows):
        _store(batch, plan)
        raise PreviewOutdated()
    if not plan.valid_count:
        raise ValidationFailed(_l("Tidak ada baris valid untuk diimpor."))
    apply_plan(plan, actor=actor, source=batch.filename, batch_id=batch.id, progress=progress)
    batch.confirmed_at = utcnow()
    batch.rows = None
    return batch


def discard_import(batch: AsnImportBatch, *, actor) -> None:
    _check_open(batch, actor)
    db.session.delete(batch)
