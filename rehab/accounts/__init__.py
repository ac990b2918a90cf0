"""Admin: the clinic's user accounts and the audit trail (admin role, own clinic only)."""

from rehab.accounts.views import bp  # noqa: F401
