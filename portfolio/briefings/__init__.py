"""The Frontier AI Paper Briefings explorer blueprint."""

from . import concepts, map_views  # noqa: F401  (they add /briefings/concepts and /briefings/map to the blueprint)
from . import exports  # noqa: F401  (registers the citation and export routes on bp)
from .views import bp

__all__ = ["bp"]
