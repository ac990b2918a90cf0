"""The patient's own plan page, opened by a private link (no login): rehab.mine.views."""

from rehab.mine.views import bp  # noqa: F401
