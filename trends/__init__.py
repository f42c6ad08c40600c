"""trends: count-data trend analytics for civilian harm in conflict."""

from __future__ import annotations

__version__ = "0.1.0"
