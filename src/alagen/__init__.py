"""alagen: the static site generator for the library association's public website."""

__version__ = "0.1.0"
__all__ = ["__version__"]
