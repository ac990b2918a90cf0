"""The PSFS (Patient-Specific Functional Scale) asked on the wizard's findings step, at the
first visit and each reassessment: up to three activities the patient names, each scored
0 (unable to do it) to 10 (as before the problem). Its own form, posted with the step's form
(which carries the CSRF token); kept in the draft and stored as PsfsScore(source="clinic")
when the version is saved (operations.save_draft)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import StringField
from wtforms.validators import Length, NumberRange, Optional

from rehab.portal.forms import WholeNumberField
from rehab.portal.progress import latest_activities

STEP = "findings"  # the wizard step that asks it (rehab.portal.wizard.STEPS)
ROWS = (1, 2, 3)
ACTIVITY_LENGTH = 80


def _activity(n: int):
    return StringField(f"Activity {n}", validators=[Optional(), Length(
        max=ACTIVITY_LENGTH, message=f"Describe the activity in at most {ACTIVITY_LENGTH} characters.")],
        filters=[lambda text: " ".join(text.split()) if text else text])


def _score(n: int):
    return WholeNumberField(f"Score for activity {n} (0 to 10)", validators=[Optional(), NumberRange(
        0, 10, message="Enter a score from 0 (unable to do it) to 10 (as before the problem).")])


class PsfsForm(FlaskForm):
    class Meta:
        csrf = False  # posted inside the findings step's form, whose token covers it

    activity_1, score_1 = _activity(1), _score(1)
    activity_2, score_2 = _activity(2), _score(2)
    activity_3, score_3 = _activity(3), _score(3)

    def validate(self, extra_validators=None) -> bool:
        """An activity without a score is not rated at this visit (a reassessment prefills
        the last activities: the scale is optional), never an error; a score without its
        activity, or out of range, is."""
        ok = super().validate(extra_validators)
        for n in ROWS:
            activity, score = self[f"activity_{n}"], self[f"score_{n}"]
            if activity.errors or score.errors:
                continue
            if score.data is not None and not activity.data:
                activity.errors = [*activity.errors, "Name the activity this score is for."]
                ok = False
        return ok

    def items(self) -> list[dict]:
        """The activities scored at this visit (an unscored one is left out: not rated)."""
        return [{"activity": self[f"activity_{n}"].data, "score": self[f"score_{n}"].data}
                for n in ROWS if self[f"activity_{n}"].data and self[f"score_{n}"].data is not None]



def typed_names() -> list[str]:
    """The posted names of the PSFS boxes (kept with the step's own when going "Back")."""
    return [f"psfs-{kind}_{n}" for n in ROWS for kind in ("activity", "score")]


def form_for(step: str, draft, posted: bool) -> PsfsForm | None:
    """The PSFS form of the step (None on other steps): as posted, else as typed before going
    "Back", else the draft's answers, else the activities of the patient's latest PSFS to
    score again."""
    if step != STEP:
        return None
    if posted:
        return PsfsForm(prefix="psfs")
    typed = draft.typed.get(step) if isinstance(draft.typed, dict) else None
    if isinstance(typed, dict) and any(name in typed for name in typed_names()):
        return PsfsForm(prefix="psfs", formdata=MultiDict(
            [(name, str(v)) for name in typed_names() if isinstance(typed.get(name), list)
             for v in typed[name]]))
    data = {}
    for n, item in zip(ROWS, draft.psfs or [{"activity": a} for a in latest_activities(draft.patient_id)]):
        data[f"activity_{n}"], data[f"score_{n}"] = item.get("activity"), item.get("score")
    return PsfsForm(prefix="psfs", data=data)


def accept(psfs_form: PsfsForm | None, draft, step_form) -> bool:
    """Keep the posted PSFS in the draft; when it is wrong, check the step's own form too so
    every error shows at once (nothing is stored then)."""
    if psfs_form is None:
        return True
    if psfs_form.validate():
        draft.psfs = psfs_form.items()
        return True
    step_form.validate()
    return False
