"""The exercise library as data: schema, loading and writing files. No Flask."""

from .schema import Exercise, Dosage, Figure, Pose  # noqa: F401
from .loader import LibraryError, load_library, load_exercise_file, dump_exercise  # noqa: F401
