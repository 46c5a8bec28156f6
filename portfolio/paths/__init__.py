"""Following ideas through the corpus: reading paths and the path between two briefings."""

from .views import bp

__all__ = ["bp"]
