"""Who and where a printed document is for: everything the plan itself does not hold."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from reportlab.lib.pagesizes import A4, LETTER

PAGE_SIZES = {"A4": A4, "Letter": LETTER}


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
    portal_url: str | None = None  # encoded in a QR code when given
    page_size: Literal["A4", "Letter"] = "A4"
    large_print: bool = False

    def __post_init__(self):
        if self.page_size not in PAGE_SIZES:
            raise ValueError(f"page_size must be one of {', '.join(PAGE_SIZES)}, not {self.page_size!r}")

    @property
    def pagesize(self) -> tuple[float, float]:
        return PAGE_SIZES[self.page_size]
