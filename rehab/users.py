"""User accounts: create, reset a password, change role or clinic, deactivate.

The one place the `users` commands, the admin's user pages, the demo and the tests change
accounts. Each change is audited; a new password and deactivation end the user's sessions.
Raises UserError (a message for the person at the keyboard) for anything refused.
"""

from __future__ import annotations

from flask import current_app

from rehab import audit
from rehab.extensions import db
from rehab.models import ROLES, Clinic, User
from rehab.passwords import password_problem


class UserError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


def normal_email(email: str) -> str:
    return email.strip().lower()


def find(email: str) -> User | None:
    return db.session.execute(db.select(User).filter_by(email=normal_email(email))).scalar_one_or_none()


def get_clinic(name: str | None, create: bool = True) -> Clinic:
    name = (name or current_app.config["CLINIC_NAME"]).strip()
    clinic = db.session.execute(db.select(Clinic).filter_by(name=name)).scalar_one_or_none()
    if clinic is None:
        if not create:
            raise UserError("clinic", f"there is no clinic called {name[:120]!r}")
        first = current_app.config["CLINIC_DEFAULTS"]  # REHAB_CLINIC_*: the installation's own clinic
        clinic = Clinic(**first) if name == first["name"] else Clinic(name=name[:120])
        db.session.add(clinic)
        db.session.flush()
    return clinic


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise UserError("role", f"must be one of {', '.join(ROLES)}")


def _check_password(password: str) -> None:
    problem = password_problem(password)
    if problem:
        raise UserError("password", problem)


def _by(actor_id: int | None) -> dict:
    return {"user_id": actor_id} if actor_id else {}


def create(email: str, password: str, role: str, name: str = "", clinic_name: str | None = None, *,
           actor_id: int | None = None, must_change_password: bool = False) -> User:
    """A new account; refuses an email already in use (reset_password changes a password)."""
    _check_role(role)
    _check_password(password)
    email = normal_email(email)
    if not email or "@" not in email or len(email) > 254:
        raise UserError("email", "is not an email address")
    if find(email) is not None:
        raise UserError("email", f"{email} already has an account (to give it a new password, use "
                                 "--reset-password; to change its role or clinic, users set-role / set-clinic)")
    clinic = get_clinic(clinic_name)
    user = User(email=email, role=role, name=(name or email.split("@")[0])[:120], clinic_id=clinic.id,
                must_change_password=must_change_password)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record("user_create", "user", user.id, **_by(actor_id), role=role, clinic_id=clinic.id)
    db.session.commit()
    return user


def reset_password(user: User, password: str, *, actor_id: int | None = None,
                   must_change_password: bool = False) -> None:
    """A new password (ends the user's sessions); must_change_password: the user picks their own
    at the next login (an admin's reset)."""
    _check_password(password)
    user.set_password(password)
    user.must_change_password = must_change_password
    audit.record("user_password_reset", "user", user.id, **_by(actor_id), forced_change=must_change_password)
    db.session.commit()


def set_role(user: User, role: str, *, actor_id: int | None = None) -> None:
    _check_role(role)
    if role != user.role:
        audit.record("user_role", "user", user.id, **_by(actor_id), before=user.role, after=role)
        user.role = role
        user.end_sessions()
        db.session.commit()


def set_clinic(user: User, clinic_name: str, *, actor_id: int | None = None, create_clinic: bool = False) -> None:
    clinic = get_clinic(clinic_name, create=create_clinic)
    if clinic.id != user.clinic_id:
        audit.record("user_clinic", "user", user.id, **_by(actor_id), before=user.clinic_id, after=clinic.id)
        user.clinic_id = clinic.id
        user.end_sessions()
        db.session.commit()


def set_active(user: User, active: bool, *, actor_id: int | None = None) -> None:
    """Deactivate (ends every session at once) or reactivate an account."""
    if active != user.active:
        user.active = active
        if not active:
            user.end_sessions()
        audit.record("user_activate" if active else "user_deactivate", "user", user.id, **_by(actor_id))
        db.session.commit()
