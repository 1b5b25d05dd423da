"""GigCX: open, self-hostable gig customer experience."""

__version__ = "0.1.0"
