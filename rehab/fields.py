"""Form pieces shared by the portal and the admin (one of each)."""

from __future__ import annotations

from typing import Callable, Iterable, Mapping

from wtforms import SelectMultipleField
from wtforms.fields import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget


def humanise(code: str) -> str:
    """hamstring_strain -> Hamstring strain."""
    return str(code).replace("_", " ").capitalize()


def choices(codes: Iterable[str], labels: Mapping[str, str] | Callable[[str], str] | None = None
            ) -> list[SelectChoice]:
    """Select choices for vocabulary codes; `labels` maps or turns a code into its words."""
    if labels is None:
        label = humanise
    elif callable(labels):
        label = labels
    else:
        label = lambda code: labels.get(code, humanise(code))  # noqa: E731
    return [SelectChoice(code, label(code)) for code in codes]


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes. With validate_choice=False, unknown values are kept for a
    schema to refuse with its own message (the admin's exercise form)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
