"""Log in and out, change one's password, end every session; the role checks every other
blueprint uses.

A session cookie holds only the login: the user's id and `sv`, the user's session
version when it was signed (rehab/__init__.py's user loader refuses an older one). The
session is emptied at login and at logout, which also gives a new CSRF token.
"""

from __future__ import annotations

from functools import lru_cache, wraps
from urllib.parse import urlsplit

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request, session,
                   url_for)
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from rehab import audit, throttle
from rehab.extensions import db
from rehab.models import User, utcnow
from rehab.passwords import MAX_LENGTH, password_problem

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_LENGTH)])


def check_new_password(form, field) -> None:
    """A WTForms validator applying rehab.passwords' rule."""
    problem = password_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


class NewPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[DataRequired(), check_new_password],
                             description="At least 12 characters; a phrase of unrelated words is easy "
                                         "to remember and hard to guess.")
    confirm = PasswordField("New password again", validators=[
        DataRequired(), EqualTo("password", message="The two passwords are not the same.")])


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=MAX_LENGTH)])


def admin_required(view):
    """Like login_required, and the user must have the admin role (403 otherwise)."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def _safe_next(target: str | None) -> str | None:
    """A local path to go to after login; None for another site or a malformed value."""
    if not target or len(target) > 2000 or any(ord(c) < 32 or c == "\\" for c in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc and target.startswith("/") \
        and not target.startswith("//") else None


@lru_cache(maxsize=4)
def _dummy_hash(method: str) -> str:
    return generate_password_hash("not a real password", method=method)


def _check_login(email: str, password: str) -> User | None:
    """The active user with this email and password, else None; as slow for an unknown
    email as for a known one (a dummy hash is checked), so timing tells nothing."""
    user = db.session.execute(db.select(User).filter_by(email=email)).scalar_one_or_none()
    if user is None:
        check_password_hash(_dummy_hash(current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")), password)
        return None
    return user if user.check_password(password) and user.active else None


def start_session(user: User) -> None:
    """Log the user in on a fresh session (nothing of the previous one survives)."""
    session.clear()
    session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME without a request
    login_user(user)
    session["sv"] = user.session_version


def _too_many():
    return render_template("errors/error.html", code=429, title="Too many attempts",
                           message="Please wait a few minutes before trying again."), 429


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Email and password; limited per client address and per account (rehab.throttle)."""
    if current_user.is_authenticated:
        return redirect(url_for("index"))
    form = LoginForm()
    if request.method == "POST" and not throttle.hit(throttle.address_key()):
        return _too_many()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        account = throttle.account_key(email)
        if not throttle.allowed(account):
            audit.record("login_refused", "user", "", commit=True, reason="account limit")
            return _too_many()
        user = _check_login(email, form.password.data)
        if user is not None:
            start_session(user)
            user.last_login_at = utcnow()
            audit.record("login", "user", user.id, user_id=user.id, commit=True)
            if user.must_change_password:
                return redirect(url_for("auth.change_password"))
            return redirect(_safe_next(request.args.get("next")) or url_for("index"))
        throttle.hit(account)
        known = db.session.execute(db.select(User.id).filter_by(email=email)).scalar_one_or_none()
        # filed under the account tried (if there is one), so its trail shows attacks on it
        audit.record("login_failed", "user", known or "", user_id=known, commit=True)
        form.password.errors.append("Email or password is not right.")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@bp.route("/account/logout-everywhere", methods=["POST"], endpoint="logout_everywhere")
@login_required
def logout():
    """Log out, on every browser: a cookie cannot be taken back, so the user's session version
    moves on and every cookie signed before it (a copy included) stops working."""
    user = db.session.get(User, current_user.id)
    user.end_sessions()
    audit.record("logout", "user", user.id, commit=True)
    logout_user()
    session.clear()
    flash("You are logged out (on every browser).", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """A new password ends the user's other sessions; this one goes on."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = db.session.get(User, current_user.id)
        if not user.check_password(form.current.data):
            form.current.errors.append("This is not your current password.")
        elif form.password.data == form.current.data:
            form.password.errors.append("Choose a password different from the current one.")
        else:
            user.set_password(form.password.data)
            user.must_change_password = False
            audit.record("password_change", "user", user.id)
            db.session.commit()
            start_session(user)
            flash("Your password is changed; your other sessions are ended.", "success")
            return redirect(url_for("index"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/password.html", form=form), status


@bp.before_app_request
def _password_change_first():
    """A user whose password an admin reset must choose a new one before anything else."""
    from rehab import PUBLIC_ASSETS  # never read the session there: no cookie, no Vary on a cached asset

    if request.endpoint in PUBLIC_ASSETS:
        return None
    if (current_user.is_authenticated and current_user.must_change_password
            and request.endpoint not in ("auth.change_password", "auth.logout")):
        if request.path.startswith("/api/"):
            abort(403)
        flash("Choose a new password before going on.", "info")
        return redirect(url_for("auth.change_password"))
    return None


@bp.app_context_processor
def _inject_roles():
    return {"current_user": current_user}
