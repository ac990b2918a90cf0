"""PDFs of saved versions and drafts, built from the frozen snapshot only."""

from __future__ import annotations

import datetime as dt

from rehab.library.schema import Figure
from rehab.models import Patient, PlanVersion
from rehab.pdf import PrintDetails, render_plan, render_referral_letter
from rehab.portal.snapshot import plan_from_dict


def details_for(patient: Patient, *, clinic_name: str, clinician_name: str, plan_id, plan_version,
                plan_date: dt.date, side: str, portal_url: str | None, page_size: str = "A4",
                large_print: bool = False) -> PrintDetails:
    return PrintDetails(clinic_name=clinic_name, clinician_name=clinician_name, patient_name=patient.full_name,
                        patient_reference=patient.reference, date_of_birth=patient.date_of_birth,
                        plan_date=plan_date, side=side or "unspecified", plan_id=str(plan_id),
                        plan_version=plan_version, portal_url=portal_url, page_size=page_size,
                        large_print=large_print)


def version_document(version: PlanVersion, details: PrintDetails) -> tuple[bytes, str]:
    """(PDF bytes, kind): the plan, or the referral letter when the plan was refused."""
    plan = plan_from_dict(version.plan)
    if not plan.allowed:
        return referral_letter(version.plan, version.intake, details), "referral"
    figures = {slug: Figure.model_validate(data) for slug, data in (version.figures or {}).items()}
    return render_plan(plan, details, figures), "plan"


def referral_letter(plan: dict, intake: dict, details: PrintDetails) -> bytes:
    return render_referral_letter(plan_from_dict(plan), details, (intake or {}).get("findings") or {})
