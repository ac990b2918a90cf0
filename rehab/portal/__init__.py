"""Clinician portal: patients, the plan wizard, review, saving and printing."""

from rehab.portal.views import bp  # noqa: F401
