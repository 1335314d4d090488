"""The HTML report of executed experiments (``glassml run`` writes it)."""

from .html import render_report, write_report

__all__ = ["render_report", "write_report"]
