"""PDFs of saved versions and drafts, built from the frozen snapshot only."""

from __future__ import annotations

import datetime as dt

from rehab.library.schema import Figure
from rehab.models import Clinic, Patient, PlanVersion
from rehab.pdf import PrintDetails, render_plan, render_referral_letter
from rehab.pdf.details import ClinicContact
from rehab.portal.snapshot import plan_from_dict

ROLE_WORDS = {"clinician": "", "admin": ""}  # login roles are not job titles: nothing printed for them


def clinic_contact(clinic: Clinic) -> ClinicContact:
    """The clinic's settings as printed on every plan and letter."""
    return ClinicContact(name=clinic.name, address=clinic.address or "", phone=clinic.phone or "",
                         email=clinic.email or "", hours=clinic.hours or "",
                         out_of_hours=clinic.out_of_hours or "", logo=clinic.logo or None)


def details_for(patient: Patient, *, clinic: Clinic, clinician_name: str, clinician_role: str = "", plan_id,
                plan_version, plan_date: dt.date, side: str, page_size: str | None = None,
                large_print: bool = False, all_phases: bool = False, next_appointment: str = "") -> PrintDetails:
    return PrintDetails(clinic_name=clinic.name, clinic=clinic_contact(clinic), clinician_name=clinician_name,
                        clinician_role=clinician_role, patient_name=patient.full_name,
                        patient_reference=patient.reference, date_of_birth=patient.date_of_birth,
                        sex=patient.sex if patient.sex != "unspecified" else "",
                        plan_date=plan_date, side=side or "unspecified", plan_id=str(plan_id),
                        plan_version=plan_version, page_size=page_size or clinic.page_size or "A4",
                        large_print=large_print, all_phases=all_phases, next_appointment=next_appointment or "")


def version_document(version: PlanVersion, details: PrintDetails, link_url: str | None = None) -> tuple[bytes, str]:
    """(PDF bytes, kind): the plan (with the patient's link as a QR code when given), or the
    referral letter when the plan was refused."""
    plan = plan_from_dict(version.plan)
    if not plan.allowed:
        return referral_letter(version.plan, version.intake, details), "referral"
    figures = {slug: Figure.model_validate(data) for slug, data in (version.figures or {}).items()}
    return render_plan(plan, details, figures, link_url=link_url), "plan"


def referral_letter(plan: dict, intake: dict, details: PrintDetails) -> bytes:
    """The letter reads the whole intake: findings, Wells items, medicines, age and sex."""
    return render_referral_letter(plan_from_dict(plan), details, intake or {})
