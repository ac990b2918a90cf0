"""Exercise figures: a side-view stick figure in its start and finish positions.

    render_svg(figure, width=240, height=120) -> str        (web portal)
    render_drawing(figure, width, height) -> Drawing        (reportlab, PDF)

Both draw the same geometry (rehab.figures.geometry -> rehab.figures.scene),
cached per figure, so output is deterministic and cheap to repeat.
"""

from .drawing import render_drawing
from .geometry import pose_points, scene
from .svg import render_svg

__all__ = ["render_svg", "render_drawing", "pose_points", "scene"]
