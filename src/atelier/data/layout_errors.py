"""The one error a dataset-layout reader raises: which file is missing or malformed, and why."""

from __future__ import annotations

import os


class DatasetLayoutError(ValueError):
    """A dataset tree does not have the layout its reader expects.

    The message names the offending file and, where a list file (a pairs file, a captions
    file, a JSON-lines file) pointed at it, the list file and its line or entry.

    Attributes:
        path: the file or folder that is missing or malformed.
        problem: what is wrong with it, without the path.
        listed_in: the list file that named `path`, or None.
        line: 1-based line (or entry) of `listed_in`, or None.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        problem: str,
        *,
        listed_in: str | os.PathLike | None = None,
        line: int | None = None,
    ):
        self.path = str(path)
        self.problem = problem
        self.listed_in = None if listed_in is None else str(listed_in)
        self.line = line
        message = f"{self.path}: {problem}"
        if self.listed_in is not None:
            where = f"line {line} of " if line is not None else ""
            message += f" (named on {where}{self.listed_in})"
        super().__init__(message)
