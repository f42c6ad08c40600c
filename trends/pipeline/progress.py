"""The one progress display: a callback, a rich progress bar, or nothing."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

__all__ = ["Progress", "interactive"]


def interactive() -> bool:
    """True when standard error is a terminal (a progress bar can be drawn).

    Returns
    -------
    bool
    """
    try:
        return bool(sys.stderr.isatty())
    except (AttributeError, ValueError):  # pragma: no cover - closed or replaced stream
        return False


class Progress:
    """Reports ``(done, total)`` to a callback and/or a rich progress bar.

    Parameters
    ----------
    progress : bool, callable or None
        ``callable(done, total)``; ``True`` / ``False`` force a bar on / off; ``None``: a bar
        when standard error is a terminal.
    total : int
        Number of items.
    description : str
        Text of the bar.
    """

    def __init__(self, progress: Any, total: int, description: str = "working") -> None:
        self.total = total
        self.done = 0
        self.callback: Callable[[int, int], None] | None = None
        self.bar: Any = None
        self.task: Any = None
        if callable(progress):
            self.callback = progress
            return
        use_bar = bool(progress) if progress is not None else interactive()
        if use_bar and total:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )
            from rich.progress import Progress as RichProgress

            self.bar = RichProgress(
                "[progress.description]{task.description}",
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task(description, total=total)

    def advance(self, n: int) -> None:
        """Count ``n`` more items done.

        Parameters
        ----------
        n : int
            Items just finished.
        """
        self.done += n
        if self.callback is not None:
            self.callback(self.done, self.total)
        if self.bar is not None:
            self.bar.update(self.task, completed=self.done)

    def close(self) -> None:
        """Remove the bar (if any)."""
        if self.bar is not None:
            self.bar.stop()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
