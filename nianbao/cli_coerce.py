"""Plain command-line values converted without pydantic.

typer (0.29) converts every parameter's value, given or default, with a pydantic ``TypeAdapter``
built on the spot: importing pydantic and building the adapters of `nianbao audit`'s options is
55 ms of CPU on one core before the read workers can be forked, a third of the command's start-up
then.  Most values are plain: a string, a flag's True or False, a list of strings, a path, a whole or
decimal number within its bounds.  :func:`install` has typer convert those here, to exactly the value
its adapter gives, and hand everything else (another type, a value that is not plain, a number out
of bounds: the errors) to typer's own conversion, so that what is accepted, and every message, stays
typer's.

pydantic is still imported by the rule base (pandera), in a thread, while the read workers read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_INT = re.compile(r"[0-9]{1,18}")
_DECIMAL = re.compile(r"[0-9]{1,15}(?:\.[0-9]{1,15})?")
_NOT_PLAIN = object()
"""What :func:`plain_value` returns for a value it leaves to typer."""


def install() -> bool:
    """Have typer convert plain values here (idempotent); False when this typer is not the one it
    was written for (its own conversion then stays in place)."""
    try:
        from typer import core
        from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param
        from typer._param_types import coerce_cli_path
    except ImportError:
        return False
    current = getattr(core, "build_runtime_param", None)  # what _TyperParameter calls, looked up per call
    if getattr(current, "plain_values", False):
        return True
    if current is not build_runtime_param:
        return False

    @dataclass(frozen=True)
    class PlainRuntimeParam(RuntimeParam):
        """A parameter of a plain kind: its plain values converted here, the rest by typer."""

        kind: str
        descriptor: TypeDescriptor

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            if self.kind == "path" and isinstance(value, str) and value:
                # what typer does with the Path its adapter makes of the string: checks, resolve
                return coerce_cli_path(Path(value), self.parameter_info, path_type=Path, param=param, ctx=ctx)
            converted = plain_value(self.kind, value, self.parameter_info.min, self.parameter_info.max)
            if converted is not _NOT_PLAIN:
                return converted
            return build_runtime_param(self.descriptor)._coerce_value(value, param=param, ctx=ctx)

    def runtime_param(descriptor: TypeDescriptor) -> Any:
        kind = plain_kind(descriptor)
        if kind is None:
            return build_runtime_param(descriptor)
        return PlainRuntimeParam(descriptor.parameter_info, descriptor.annotation, kind, descriptor)

    runtime_param.plain_values = True  # type: ignore[attr-defined]
    core.build_runtime_param = runtime_param  # type: ignore[attr-defined]
    return True


def plain_kind(descriptor: Any) -> str | None:
    """The kind of a parameter whose plain values are converted here (str, bool, strs, int, float, path),
    or None: a parser, a file, a clamped number or any other type is typer's."""
    info = descriptor.parameter_info
    if info.parser is not None or descriptor.file_annotation is not None:
        return None
    annotation = descriptor.annotation
    if annotation in (str, bool):
        return annotation.__name__  # type: ignore[no-any-return]
    if annotation == list[str]:
        return "strs"
    if annotation in (int, float) and not info.clamp:
        return annotation.__name__  # type: ignore[no-any-return]
    if annotation is Path and getattr(info, "path_type", None) is None:
        return "path"
    return None


def plain_value(kind: str, value: Any, low: Any = None, high: Any = None) -> Any:
    """``value`` converted as typer's adapter for ``kind`` converts it, or ``_NOT_PLAIN`` to leave it
    to typer (paths: see :func:`install`)."""
    if kind in ("str", "bool"):
        return value if type(value).__name__ == kind else _NOT_PLAIN
    if kind == "strs":
        if isinstance(value, list | tuple) and all(type(item) is str for item in value):
            return list(value)
        return _NOT_PLAIN
    if kind == "int":
        number: Any = _number(value, int, _INT)
    elif kind == "float":
        number = _number(value, float, _DECIMAL)
    else:
        return _NOT_PLAIN
    if number is _NOT_PLAIN or (low is not None and number < low) or (high is not None and number > high):
        return _NOT_PLAIN  # typer says what is wrong
    return number


def _number(value: Any, kind: type[Any], pattern: re.Pattern[str]) -> Any:
    if type(value) is kind or (kind is float and type(value) is int):
        return kind(value)
    if type(value) is str and pattern.fullmatch(value):
        return kind(value)
    return _NOT_PLAIN
