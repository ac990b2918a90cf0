"""Admin: edit the exercise library (admin role only), with history, revert and retire."""

from rehab.admin.views import bp  # noqa: F401
