"""Admin fixtures: logged-in clients, a small library in the database, and the
fields a browser would submit for a page's form."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from rehab.library.schema import Exercise as ExerciseSchema


class _FormParser(HTMLParser):
    """Collect what a browser submits for the first <form> matching `selector_class`."""

    def __init__(self, form_class: str):
        super().__init__(convert_charrefs=True)
        self.form_class = form_class
        self.depth = 0  # > 0 while inside the wanted form
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._select_value: str | None = None
        self._select_first: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            if self.depth:
                self.depth += 1
            elif self.form_class in (a.get("class") or "").split() and not self.fields:
                self.depth = 1
            return
        if not self.depth:
            return
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = a.get("type", "text")
            if kind in ("submit", "button", "image", "reset"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((name, a.get("value", "on")))
            else:
                self.fields.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select, self._select_value, self._select_first = name, None, None
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a:
                self._select_value = value
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_endtag(self, tag):
        if tag == "form" and self.depth:
            self.depth -= 1
        elif tag == "select" and self._select is not None:
            value = self._select_value if self._select_value is not None else self._select_first
            self.fields.append((self._select, value or ""))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            for newline in ("\r\n", "\n"):  # browsers drop one newline right after <textarea>
                if text.startswith(newline):
                    text = text[len(newline):]
                    break
            self.fields.append((self._textarea, text))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)


class Submission:
    """A form's fields as a browser would send them; edit, then `.data` for client.post."""

    def __init__(self, fields: list[tuple[str, str]]):
        self.fields = list(fields)

    def __getitem__(self, name: str) -> str:
        return next(v for k, v in self.fields if k == name)

    def __setitem__(self, name: str, value) -> None:
        """Set a field; a list sets every value of a multi-valued field (checkboxes)."""
        values = value if isinstance(value, list) else [value]
        self.fields = [(k, v) for k, v in self.fields if k != name] + [(name, str(v)) for v in values]

    def getlist(self, name: str) -> list[str]:
        return [v for k, v in self.fields if k == name]

    def add(self, name: str, value: str) -> None:
        self.fields.append((name, value))

    def remove(self, name: str, value: str | None = None) -> None:
        self.fields = [(k, v) for k, v in self.fields if not (k == name and (value is None or v == value))]

    @property
    def data(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for k, v in self.fields:
            out.setdefault(k, []).append(v)
        return out


class _ErrorParser(HTMLParser):
    """Errors shown in each `.field` container, by the names of the inputs inside it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[dict | None] = []  # open div/fieldset; a dict for .field containers
        self.errors: dict[str, list[str]] = {}
        self._error: list[str] | None = None

    def _top(self) -> dict | None:
        return next((c for c in reversed(self.stack) if c is not None), None)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag in ("div", "fieldset"):
            self.stack.append({"names": set(), "errors": []} if "field" in classes else None)
        elif tag in ("input", "select", "textarea") and a.get("name") and self._top() is not None:
            self._top()["names"].add(a["name"])
        elif tag == "p" and "error" in classes:
            self._error = []

    def handle_endtag(self, tag):
        if tag in ("div", "fieldset") and self.stack:
            container = self.stack.pop()
            if container is not None:
                for name in container["names"]:
                    self.errors.setdefault(name, []).extend(container["errors"])
        elif tag == "p" and self._error is not None:
            if self._top() is not None:
                self._top()["errors"].append("".join(self._error).strip())
            self._error = None

    def handle_data(self, data):
        if self._error is not None:
            self._error.append(data)


@pytest.fixture
def errors_at():
    """errors_at(response) -> {input name: [error messages shown at its field]}."""

    def parse(response) -> dict[str, list[str]]:
        parser = _ErrorParser()
        parser.feed(response.get_data(as_text=True))
        return {name: errors for name, errors in parser.errors.items() if errors}

    return parse


@pytest.fixture
def form_of():
    """form_of(response) -> Submission of the page's exercise form."""

    def parse(response, form_class: str = "exercise-form") -> Submission:
        parser = _FormParser(form_class)
        parser.feed(response.get_data(as_text=True))
        assert parser.fields, f"no form.{form_class} on the page"
        return Submission(parser.fields)

    return parse


@pytest.fixture
def admin_client(app, admin, login):
    client = app.test_client()
    login(client, admin)
    return client


@pytest.fixture
def second_admin(make_user):
    return make_user("admin2@test.example", "admin", name="Second Admin")


@pytest.fixture
def clinician_client(app, clinician, login):
    client = app.test_client()
    login(client, clinician)
    return client


@pytest.fixture
def small_library(app, exercise_files):
    """Three linked exercises in the database (independent of the real exercises/)."""
    from rehab.catalog import load_into_db

    data = {
        "test_heel_dig": exercise_files.data("test_heel_dig", harder="test_bridge"),
        "test_bridge": exercise_files.data(
            "test_bridge", name="Test bridge", category="strengthening_concentric",
            tags=["supine_position"], easier="test_heel_dig",
            suits={"hamstring_strain": ["P2", "P3"], "proximal_hamstring_tendinopathy": ["P2"]},
            steps=["Lie on your back, knees bent.", "Lift your hips.", "Lower slowly."],
            figure={"start": {"body": "supine", "hip": 60, "knee": 90},
                    "end": {"body": "supine", "hip": 0, "knee": 90, "lift": True}, "move": "hip"}),
        "test_walk": exercise_files.data(
            "test_walk", name="Test brisk walk", category="mobility", tags=[],
            suits={"sciatica_lumbar_radiculopathy": ["P1", "P2"]},
            dosage={"duration_min": 20, "per_day": 1, "effort": "comfortable pace"},
            steps=["Walk on flat ground.", "Keep a steady pace.", "Stop if the leg pain spreads."],
            figure={"start": {"body": "standing"}, "end": {"body": "standing", "hip": 20}, "move": "foot"}),
    }
    library = {slug: ExerciseSchema.model_validate(d) for slug, d in data.items()}
    with app.app_context():
        load_into_db(library)
    return library


@pytest.fixture
def get_row(app):
    """get_row(slug) -> the Exercise row, read fresh, with its revisions loaded."""
    from rehab.extensions import db
    from rehab.models import Exercise

    def get(slug: str):
        with app.app_context():
            row = db.session.execute(db.select(Exercise).filter_by(slug=slug)).scalar_one()
            _ = [(r.version, r.action, r.diff, r.user_id) for r in row.revisions]
            db.session.expunge(row)
            return row

    return get
