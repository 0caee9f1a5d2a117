"""The ``python`` shape: a short function ``check(ctx, params)`` in a module beside the rule file."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterable

from auditor.engine.api import Context, Outcome
from auditor.engine.shapes.base import CompiledShape, Params


def python(params: Params) -> CompiledShape:
    """Load ``file`` (default ``<ID>.py`` beside the rule) and call its ``check(ctx, params)``;
    every other parameter is passed on in ``params``.  A module that defines ``PARAMS`` (a pydantic
    model of its parameters) has them checked when the rule is loaded; one that defines ``REQUIRES``
    (a tuple of requirements, ``("T2 readable",)``) has them added to the rule's ``requires`` where
    the rule file leaves them out."""
    name = params.get("file", str, f"{params.rule_id}.py")
    path = params.folder / name
    if not path.is_file():
        raise ValueError(f"python file {name} not found beside the rule")
    module_name = "nianbao_rules." + path.stem.replace("-", "_")
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ValueError(f"cannot load {name}")
    module = importlib.util.module_from_spec(spec)
    # registered while it runs, as an import would: @dataclass and typing.get_type_hints look a class's
    # module up in sys.modules (a later folder's rule of the same id takes the name over; what was
    # defined keeps its own module's namespace)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # noqa: BLE001 - a broken rule module is reported and skipped
        sys.modules.pop(module_name, None)
        raise ValueError(f"{name}: {type(exc).__name__}: {exc}") from None
    function = getattr(module, "check", None)
    if not callable(function):
        raise TypeError(f"{name} has no function check(ctx, params)")
    options = {k: v for k, v in params.values.items() if k != "file"}
    declared = getattr(module, "PARAMS", None)
    if declared is not None:
        # the module states its parameters as a pydantic model: the file's options are checked against it
        from auditor.engine.schema import validate_params

        try:
            # its own names resolve the model's postponed annotations (a later rule may hold the name)
            declared.model_rebuild(_types_namespace=vars(module))
        except Exception as exc:  # noqa: BLE001 - a broken PARAMS is reported and the rule skipped
            raise ValueError(f"{name}: PARAMS is not a usable pydantic model: {type(exc).__name__}") from None
        validate_params("python", dict(params.values), declared)

    def check(ctx: Context) -> Iterable[Outcome]:
        outcomes: Iterable[Outcome] = function(ctx, options)
        return outcomes

    needs = getattr(module, "REQUIRES", ())
    if not isinstance(needs, tuple) or not all(isinstance(n, str) for n in needs):
        raise TypeError(f"{name}: REQUIRES must be a tuple of requirements")
    return CompiledShape(check, needs=needs)
