"""Printed documents: the patient's plan and the referral letter (reportlab only;
no Flask, no database)."""

from .details import PrintDetails
from .letter import render_referral_letter
from .plan import render_plan

__all__ = ["PrintDetails", "render_plan", "render_referral_letter"]
