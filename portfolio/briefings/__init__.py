"""The Frontier AI Paper Briefings explorer blueprint."""

from .views import bp

__all__ = ["bp"]
