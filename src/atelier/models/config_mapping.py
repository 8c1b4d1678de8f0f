"""Typed config dataclasses from nested mappings (YAML files, checkpoint metadata), with errors
that name the offending key.

Run configs of try-on training (`atelier.train.run_config`) and of retrieval training
(`atelier.retrieval.training_config`) both read YAML into trees of dataclasses; this is the one
reader. It imports nothing heavy, so the retrieval side loads without the diffusion stack.
"""

from __future__ import annotations

import re
import types
import typing
from dataclasses import MISSING, asdict, fields, is_dataclass
from typing import Any, TypeVar

T = TypeVar("T")

# YAML 1.1 (PyYAML) reads 3e-4 as a string: it wants a dot before the exponent (3.0e-4). In a
# config file or on a command line 3e-4 is what people write for a learning rate.
_EXPONENT_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+")


def build_config(cls: type[T], values: Any, error: type[ValueError] = ValueError, where: str = "") -> T:
    """`cls(**values)`, converting nested mappings into the dataclasses the type hints name.

    Args:
        cls: a dataclass whose fields are annotated with int, float, str, bool, Any, dicts,
            tuples (fixed length or `tuple[X, ...]`), optional types or other such dataclasses.
        values: the mapping to read.
        error: the ValueError subclass raised for anything wrong.
        where: dotted path of `values` inside the whole config, for messages.

    Returns:
        the dataclass instance.

    Raises:
        error: not a mapping, unknown or missing keys, a value of the wrong type (the message
            names the key), or a value the dataclass itself refuses.
    """
    if not isinstance(values, dict):
        raise error(f"{where or cls.__name__} must be a mapping, got {type(values).__name__}")
    hints = typing.get_type_hints(cls)
    known = {item.name for item in fields(cls)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise error(f"unknown key(s) {unknown} in {where or cls.__name__}; known: {sorted(known)}")
    missing = [
        item.name
        for item in fields(cls)
        if item.name not in values and item.default is MISSING and item.default_factory is MISSING
    ]
    if missing:
        raise error(f"missing key(s) {missing} in {where or cls.__name__}")
    converted = {name: _convert(hints[name], value, f"{where}{name}", error) for name, value in values.items()}
    try:
        return cls(**converted)
    except error:
        raise
    except (TypeError, ValueError) as refused:  # the dataclass's own checks (__post_init__)
        raise error(f"{where or cls.__name__}: {refused}") from None


def _convert(hint: Any, value: Any, where: str, error: type[ValueError]) -> Any:
    origin, arguments = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in arguments:
            return None
        (inner,) = [argument for argument in arguments if argument is not type(None)]
        return _convert(inner, value, where, error)
    if is_dataclass(hint):
        return build_config(hint, value, error, f"{where}.")
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            raise error(f"{where} must be a list, got {value!r}")
        if len(arguments) == 2 and arguments[1] is Ellipsis:
            return tuple(_convert(arguments[0], item, where, error) for item in value)
        if len(value) != len(arguments):
            raise error(f"{where} must have {len(arguments)} values, got {value!r}")
        return tuple(_convert(a, item, where, error) for a, item in zip(arguments, value, strict=True))
    if origin is dict:
        if not isinstance(value, dict):
            raise error(f"{where} must be a mapping, got {value!r}")
        return dict(value)
    if hint is float and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if hint is float and isinstance(value, str) and _EXPONENT_NUMBER.fullmatch(value.strip()):
        return float(value)
    if hint in (int, str, bool) and isinstance(value, hint) and not (hint is int and isinstance(value, bool)):
        return value
    if hint is Any:
        return value
    raise error(f"{where} must be {getattr(hint, '__name__', hint)}, got {value!r}")


def config_to_dict(config: Any) -> dict[str, Any]:
    """A config dataclass (nested ones too) as plain JSON-ready values: tuples become lists.
    `build_config(type(config), config_to_dict(config))` gives the config back."""
    return _plain(asdict(config))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value
