"""Clinician portal: patients, the plan wizard, review, saving and printing."""

from rehab.portal.views import bp  # noqa: F401
from rehab.portal import template_views  # noqa: F401,E402 (the clinic templates' routes on bp)
from rehab.portal import links  # noqa: F401,E402  (the patient link's routes, on the same blueprint)
