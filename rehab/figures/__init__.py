"""Exercise figures: a side-view figure with rounded limbs and a trunk, in its start
and finish (or "Hold") positions.

    render_svg(figure, width=240, height=120, side=None) -> str        (web portal)
    render_drawing(figure, width, height, side=None) -> Drawing        (reportlab, PDF)
    drawing_size(figure, width, labels=True) -> (width, height)         (a height that fits the pose)
    figure_labels(figure) -> ("Start", "Finish"), ("Start", "Hold") or ("Hold",)

side="left" / "right" colours the working leg and mirrors the figure when needed
so that it is the patient's affected leg; None keeps both legs neutral. Labels are
8.4 pt when the figure is shown 45 mm wide, in DejaVu Sans.

Both draw the same geometry (rehab.figures.geometry -> rehab.figures.scene),
cached per figure, so output is deterministic and cheap to repeat.
python -m rehab.figures.contact_sheet draws every figure beside its steps for review.
"""

from .drawing import render_drawing
from .geometry import figure_key, pose_points, scene
from .scene import LABELS, fitted_height, labels_for
from .svg import render_svg


def drawing_size(figure, width: float = 240, labels: bool = True) -> tuple[float, float]:
    """(width, height) for a start/finish pair `width` wide, without empty bands: low for a
    body lying down, taller for one standing. A static hold is one picture, half as wide.
    `labels=False` when the caller prints its own captions."""
    if scene(figure).single:
        width = width / 2
    return float(width), fitted_height(figure_key(figure), width, labels=labels)


def figure_labels(figure) -> tuple[str, ...]:
    """The captions the figure's panels carry: one "Hold" for a static hold (drawn once),
    else Start and Finish, with "Hold" for a held end position."""
    sc = scene(figure)
    labels = labels_for(sc.held, LABELS, sc.single)
    return (labels[1],) if sc.single else labels


__all__ = ["render_svg", "render_drawing", "drawing_size", "figure_labels", "pose_points", "scene"]
