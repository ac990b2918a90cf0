"""Who and where a printed document is for: everything the plan itself does not hold."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from reportlab.lib.pagesizes import A4, LETTER

PAGE_SIZES = {"A4": A4, "Letter": LETTER}


@dataclass(frozen=True)
class ClinicContact:
    """How the patient reaches the clinic; printed on every plan and letter."""

    name: str
    address: str = ""
    phone: str = ""
    email: str = ""
    hours: str = ""
    out_of_hours: str = ""
    logo: bytes | None = None  # PNG or JPEG, already checked and re-encoded by whoever stored it

    def lines(self) -> list[str]:
        """The contact lines under the clinic's name, blank ones left out."""
        out = [self.address.replace("\n", ", ")]
        out.append(" · ".join(p for p in (f"Phone {self.phone}" if self.phone else "",
                                          self.email) if p))
        out.append(f"Open {self.hours}" if self.hours else "")
        return [line for line in out if line.strip()]


@dataclass(frozen=True)
class PrintDetails:
    clinic_name: str
    clinician_name: str
    patient_name: str
    patient_reference: str
    plan_date: dt.date
    side: str  # left, right, bilateral, unspecified
    plan_id: str
    plan_version: int | str
    date_of_birth: dt.date | None = None
    page_size: Literal["A4", "Letter"] = "A4"
    large_print: bool = False
    clinician_role: str = ""
    clinic: ClinicContact | None = None  # None: the name alone
    next_appointment: str = ""  # free text set when the version was saved
    all_phases: bool = False  # clinician's option: every later phase in full, with doses and figures
    # The PDF's creation date; None means now. Fixed only by tests, for repeatable bytes.
    created: dt.datetime | None = None
    # Patient facts for the referral letter (not printed on the plan).
    sex: str = ""
    age: int | None = None

    def __post_init__(self):
        if self.page_size not in PAGE_SIZES:
            raise ValueError(f"page_size must be one of {', '.join(PAGE_SIZES)}, not {self.page_size!r}")

    @property
    def pagesize(self) -> tuple[float, float]:
        return PAGE_SIZES[self.page_size]

    @property
    def contact(self) -> ClinicContact:
        return self.clinic or ClinicContact(self.clinic_name)

    @property
    def clinician(self) -> str:
        """'Alex Morgan, physiotherapist': the name with the role when there is one."""
        return ", ".join(p for p in (self.clinician_name.strip(), self.clinician_role.strip()) if p)

    def age_on(self, day: dt.date | None = None) -> int | None:
        """Age in whole years on `day` (the plan date), from the date of birth, else `age`."""
        if self.date_of_birth is None or not isinstance(self.plan_date, dt.date):
            return self.age
        d, b = day or self.plan_date, self.date_of_birth
        return d.year - b.year - ((d.month, d.day) < (b.month, b.day))
