"""Package names imported on first use, so importing a light submodule stays light.

A render worker that needs only `atelier.train.record_sources`, say, imports the packages
`atelier.train` and `atelier.pipelines` on the way; with their names exported lazily it does not
also import diffusers and transformers (about 4.5 s a process).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, homes: Mapping[str, str]) -> Callable[[str], Any]:
    """A module `__getattr__` that imports each exported name from its home module when asked.

    Args:
        package: the package's dotted name, for the error message.
        homes: exported name -> dotted name of the module that defines it.
    """

    def __getattr__(name: str) -> Any:
        if name not in homes:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(homes[name]), name)

    return __getattr__
