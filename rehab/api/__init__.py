"""JSON API: the planner contract over HTTP (422 with the field for bad input)."""

from rehab.api.views import bp  # noqa: F401
