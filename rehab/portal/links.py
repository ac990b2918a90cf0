"""The clinician's controls for a patient's private plan link (rehab.patient_link): give it
(show the link and its QR code on screen, for the patient to scan in the room) and revoke it.

Routes on the portal blueprint: login required there, the version looked up within the
user's clinic (another clinic's gets 404), CSRF on both forms, every action audited.
"""

from __future__ import annotations

import segno
from flask import abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from rehab import audit, patient_link
from rehab.extensions import db
from rehab.portal.views import bp


def link_url(link) -> str:
    """The link's full address: REHAB_PUBLIC_URL, else this request's own host."""
    token = patient_link.token_for(current_app.config["SECRET_KEY"], link.salt)
    base = current_app.config.get("PUBLIC_URL") or request.host_url
    return patient_link.public_url(base, url_for("mine.page", token=token))


def qr_svg(url: str) -> Markup:
    """The address as an inline SVG QR code (segno draws it from the URL alone)."""
    return Markup(segno.make(url, error="m").svg_inline(scale=6, border=4, omitsize=True,
                                                        title="QR code of the patient's plan link"))


def print_url(version_id: int) -> str | None:
    """The address the printed plan's QR code carries: the version's live link, if any (an
    older version's link has ended: its print carries none)."""
    link = patient_link.live_link(version_id)
    if link is None or patient_link.newer_version_exists(link.version):
        return None
    return link_url(link)


def _version(plan_id: int, number: int):
    found = patient_link.version_of(current_user.clinic_id, plan_id, number)
    if found is None:
        abort(404)
    return found


@bp.route("/plans/<int:plan_id>/versions/<int:number>/link", methods=["POST"])
def link_give(plan_id: int, number: int):
    """Give the patient a link to this version (the live one, if there is one)."""
    version, patient, latest = _version(plan_id, number)
    if number != latest or not version.plan.get("allowed") or patient_link.newer_version_exists(version):
        abort(400, "Only the patient's newest plan version, when allowed, can be given to the patient.")
    link, made = patient_link.give(version, patient.id, current_user.id,
                                   current_app.config["PATIENT_LINK_WEEKS"], current_app.config["SECRET_KEY"])
    if made:
        audit.record("patient_link_create", "plan", plan_id, patient_id=patient.id, version=number, link=link.id)
    db.session.commit()
    return redirect(url_for("portal.link_show", plan_id=plan_id, number=number), 303)


@bp.route("/plans/<int:plan_id>/versions/<int:number>/link")
def link_show(plan_id: int, number: int):
    """The live link and its QR code, large, for the patient to scan."""
    version, patient, latest = _version(plan_id, number)
    link = patient_link.live_link(version.id)
    if link is None or number != latest or patient_link.newer_version_exists(version):
        return redirect(url_for("portal.version", plan_id=plan_id, number=number))
    url = link_url(link)
    page = render_template("portal/patient_link.html", version=version, patient=patient, link=link, url=url,
                           qr=qr_svg(url))
    audit.record("patient_link_show", "plan", plan_id, patient_id=patient.id, commit=True, version=number,
                 link=link.id)
    return page


@bp.route("/plans/<int:plan_id>/versions/<int:number>/link/revoke", methods=["POST"])
def link_revoke(plan_id: int, number: int):
    """Switch off every link of this version at once."""
    version, patient, _ = _version(plan_id, number)
    ended = patient_link.revoke(version.id, current_user.id)
    audit.record("patient_link_revoke", "plan", plan_id, patient_id=patient.id, version=number, links=ended)
    db.session.commit()
    return redirect(url_for("portal.version", plan_id=plan_id, number=number), 303)
