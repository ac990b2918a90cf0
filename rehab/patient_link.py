"""The patient's private link to a saved plan version (the QR code on the printed plan).

A token is HMAC-SHA256(SECRET_KEY, "patient-link:" + salt), written in URL-safe base64
(256 bits). The database keeps the random salt and the token's SHA-256 only: the token
can be shown and printed again for as long as the link lives (a reprinted sheet carries
a working QR code), yet the database alone never gives a working link. A new SECRET_KEY
ends every link. One live link per version: "Give the patient a link" shows the live one
when there is one; "Revoke" ends every link of the version.

A link works until it is revoked, until it expires (REHAB_PATIENT_LINK_WEEKS, 12 by
default) or until a newer version of any of the patient's plans is saved: a new version of
the same plan, a new plan, or a refused (red-flag) plan alike, so a patient has at most one
live plan link (`resolve` says which). "Newer" is the larger PlanVersion id: ids are given
in saving order, and timestamps can tie.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Any, NamedTuple

import limits

from rehab.extensions import db
from rehab.models import Clinic, Patient, PatientLink, Plan, PlanVersion, utcnow
from rehab.portal.operations import VersionHead  # id, plan_id, number, created_at

TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}")  # 32 bytes of URL-safe base64 without padding


def _key(secret_key: str | bytes) -> bytes:
    return secret_key.encode() if isinstance(secret_key, str) else secret_key


def token_for(secret_key: str | bytes, salt: str) -> str:
    digest = hmac.new(_key(secret_key), b"patient-link:" + salt.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def form_token(secret_key: str | bytes, link) -> str:
    """The patient's form token (CSRF): bound to this link, useless on any other."""
    message = f"patient-form:{link.id}:{link.token_hash}".encode()
    return hmac.new(_key(secret_key), message, hashlib.sha256).hexdigest()


def form_token_ok(secret_key: str | bytes, link, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(form_token(secret_key, link), str(given))


def live_link(version_id: int, now: dt.datetime | None = None) -> PatientLink | None:
    """The version's newest live link, if any."""
    now = now or utcnow()
    return db.session.execute(
        db.select(PatientLink).where(PatientLink.version_id == version_id, PatientLink.revoked_at.is_(None),
                                     PatientLink.expires_at > now)
        .order_by(PatientLink.id.desc()).limit(1)).scalar_one_or_none()


class LinkState(NamedTuple):
    """A version's link panel: its newest live link (its expires_at; None: none) and whether a
    newer version of any of the patient's plans was saved (the link has then ended, none can
    be given). Read with the version page's head (rehab.portal.operations.get_version_head)."""
    link: Any
    superseded: bool


def give(version: PlanVersion, patient_id: int, user_id: int | None, weeks: int,
         secret_key: str | bytes) -> tuple[PatientLink, bool]:
    """(the version's live link, whether it was made now); the caller commits."""
    link = live_link(version.id)
    if link is not None:
        return link, False
    salt, now = secrets.token_hex(16), utcnow()
    link = PatientLink(patient_id=patient_id, version_id=version.id, salt=salt,
                       token_hash=token_hash(token_for(secret_key, salt)), created_by_id=user_id,
                       created_at=now, expires_at=now + dt.timedelta(weeks=weeks))
    db.session.add(link)
    db.session.flush()
    return link, True


def revoke(version_id: int, user_id: int | None) -> int:
    """End every live link of the version; returns how many; the caller commits."""
    links = db.session.execute(db.select(PatientLink).where(
        PatientLink.version_id == version_id, PatientLink.revoked_at.is_(None))).scalars().all()
    now = utcnow()
    for link in links:
        link.revoked_at, link.revoked_by_id = now, user_id
    return len(links)


class LinkHead(NamedTuple):
    id: int
    token_hash: str
    expires_at: dt.datetime
    revoked_at: dt.datetime | None


class PatientHead(NamedTuple):
    id: int
    first_name: str


class ClinicContact(NamedTuple):
    name: str
    phone: str
    hours: str
    out_of_hours: str


@dataclass
class Resolved:
    """What a token opens. status: "ok", "unknown", "revoked", "expired" or "superseded"
    (a newer version of any of the patient's plans was saved). The clinic is known for
    every status but "unknown"."""

    status: str
    link: LinkHead | None = None
    version: VersionHead | None = None
    patient: PatientHead | None = None
    clinic: ClinicContact | None = None


def newer_exists(version_id, plan_id):
    """EXISTS: a version of any plan of the plan's patient saved after `version_id`. The
    statements using it are built once, at import: building them (aliases) costs more than
    running them."""
    # one level deep (no nested scalar subquery), so `version_id` and `plan_id` correlate
    # with the enclosing query's version when they are its columns
    newer, newer_plan, own_plan = db.aliased(PlanVersion), db.aliased(Plan), db.aliased(Plan)
    return (db.select(newer.id).select_from(own_plan)
            .join(newer_plan, newer_plan.patient_id == own_plan.patient_id)
            .join(newer, newer.plan_id == newer_plan.id)
            .where(own_plan.id == plan_id, newer.id > version_id).exists())


# One query: the link, its version's head, the patient's id and first name, the clinic's
# contact lines, and whether a newer version of any of the patient's plans exists (no
# snapshot, no logo). The patient's page adds its own columns to it (rehab.mine.reads).
BY_HASH = (db.select(PatientLink.id, PatientLink.token_hash, PatientLink.expires_at, PatientLink.revoked_at,
                     PlanVersion.id, PlanVersion.plan_id, PlanVersion.number, PlanVersion.created_at,
                     Patient.id, Patient.first_name, Clinic.name, Clinic.phone, Clinic.hours, Clinic.out_of_hours,
                     newer_exists(PlanVersion.id, PlanVersion.plan_id))
           .join(PlanVersion, PlanVersion.id == PatientLink.version_id)
           .join(Patient, Patient.id == PatientLink.patient_id)
           .join(Clinic, Clinic.id == Patient.clinic_id)
           .where(PatientLink.token_hash == db.bindparam("token_hash")))


def resolve(token: str, now: dt.datetime | None = None) -> Resolved:
    """Find the link for a token, in one query."""
    if not TOKEN_RE.fullmatch(token or ""):
        return Resolved("unknown")
    return resolved_from(db.session.execute(BY_HASH, {"token_hash": token_hash(token)}).first(), now)


def resolved_from(row, now: dt.datetime | None = None) -> Resolved:
    """What a row of BY_HASH (its first 15 columns; None: no such link) opens."""
    if row is None:
        return Resolved("unknown")
    link, version = LinkHead(*row[0:4]), VersionHead(*row[4:8])
    patient, clinic = PatientHead(*row[8:10]), ClinicContact(*(value or "" for value in row[10:14]))
    now = now or utcnow()
    if link.revoked_at is not None:
        status = "revoked"
    elif link.expires_at <= now:
        status = "expired"
    elif row[14]:
        status = "superseded"
    else:
        status = "ok"
    return Resolved(status, link, version, patient, clinic)


_LINKS = PatientLink.__table__
_FRESH = db.or_(_LINKS.c.writes_from.is_(None), _LINKS.c.writes_from <= db.bindparam("window_start"))
_COUNT_WRITE = (
    db.update(_LINKS).where(_LINKS.c.token_hash == db.bindparam("hash"), _LINKS.c.revoked_at.is_(None),
                            _LINKS.c.expires_at > db.bindparam("now"))
    .values(writes_from=db.case((_FRESH, db.bindparam("now")), else_=_LINKS.c.writes_from),
            writes=db.case((_FRESH, 1), (_LINKS.c.writes > db.bindparam("most"), _LINKS.c.writes),
                           else_=_LINKS.c.writes + 1))
    .returning(_LINKS.c.writes))


def count_write(token: str, limit: str, now: dt.datetime | None = None) -> bool | None:
    """Count one of the patient's writes (a log or PSFS post) on the token's link row, in the
    caller's transaction; False when the link has already had `limit`'s number ("30 per
    hour": the limits package's notation) in the current window; None when there is no such
    link, or it is revoked or expired (also when that happened while this write waited for
    the row). A window starts with the first write after the last one ended. Counted in the
    database, so every worker and host shares it; the row stays locked until the caller's
    commit or rollback, so one write of the link runs at a time: it is a write's first
    statement, and what the write reads comes after it (rehab.mine.reads.read_for_write).
    The caller rolls back a write that does not go ahead (a bad form token, a link that has
    ended, over the limit); committed, it would count."""
    if not TOKEN_RE.fullmatch(token or ""):
        return None
    item, now = limits.parse(limit), now or utcnow()
    written = db.session.execute(_COUNT_WRITE, {
        "hash": token_hash(token), "now": now, "window_start": now - dt.timedelta(seconds=item.get_expiry()),
        "most": item.amount}).scalar()
    return None if written is None else written <= item.amount


_NEWER = db.select(newer_exists(db.bindparam("version_id"), db.bindparam("plan_id")))


def newer_version_exists(version) -> bool:
    """Whether any of the patient's plans (this one or another, allowed or refused) has a
    version saved after this one (`version`: anything with id and plan_id): the rule
    `resolve` applies, so a link that ends there is never printed or given."""
    return bool(db.session.execute(_NEWER, {"version_id": version.id, "plan_id": version.plan_id}).scalar())


def version_of(clinic_id: int, plan_id: int, number: int) -> tuple[PlanVersion, Patient, int] | None:
    """(version, patient, latest number) when the version belongs to the clinic, else None."""
    row = db.session.execute(
        db.select(PlanVersion, Patient).join(Plan, Plan.id == PlanVersion.plan_id)
        .join(Patient, Patient.id == Plan.patient_id)
        .where(PlanVersion.plan_id == plan_id, PlanVersion.number == number,
               Patient.clinic_id == clinic_id)).first()
    if row is None:
        return None
    latest = db.session.execute(db.select(db.func.max(PlanVersion.number)).where(
        PlanVersion.plan_id == plan_id)).scalar_one()
    return row[0], row[1], latest


def public_url(base: str, path: str) -> str:
    """`path` on the configured public address (REHAB_PUBLIC_URL), else on `base`, the
    request's own host URL: never a guessed host or port."""
    return base.rstrip("/") + path


def patient_has_live_link(patient_id: int, now: dt.datetime | None = None) -> bool:
    """Whether one of the patient's links still works: neither revoked nor expired, and on
    the patient's newest version (saving a newer one ends it; the clinician is told so then)."""
    return db.session.execute(_LIVE_LINK_OF_PATIENT,
                              {"patient_id": patient_id, "now": now or utcnow()}).first() is not None


_LIVE_LINK_OF_PATIENT = (
    db.select(PatientLink.id).join(PlanVersion, PlanVersion.id == PatientLink.version_id)
    .where(PatientLink.patient_id == db.bindparam("patient_id"), PatientLink.revoked_at.is_(None),
           PatientLink.expires_at > db.bindparam("now"), ~newer_exists(PlanVersion.id, PlanVersion.plan_id))
    .limit(1))
