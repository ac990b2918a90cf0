"""Exercise figures: a side-view figure with rounded limbs and a trunk, in its start
and finish (or "Hold") positions.

    render_svg(figure, width=240, height=120, side=None) -> str        (web portal)
    render_drawing(figure, width, height, side=None) -> Drawing        (reportlab, PDF)

side="left" / "right" colours the working leg and mirrors the figure when needed
so that it is the patient's affected leg; None keeps both legs neutral. Labels are
8.4 pt when the figure is shown 45 mm wide, in DejaVu Sans.

Both draw the same geometry (rehab.figures.geometry -> rehab.figures.scene),
cached per figure, so output is deterministic and cheap to repeat.
python -m rehab.figures.contact_sheet draws every figure beside its steps for review.
"""

from .drawing import render_drawing
from .geometry import pose_points, scene
from .svg import render_svg

__all__ = ["render_svg", "render_drawing", "pose_points", "scene"]
