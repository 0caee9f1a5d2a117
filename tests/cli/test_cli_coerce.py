"""Plain command-line values converted without pydantic (nianbao/cli_coerce.py): the same value as
typer's own conversion, typer's errors for the rest, and no pydantic imported by `nianbao audit`
before its read workers are forked."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from typer._coercion import build_runtime_param, resolve_type_descriptor
from typer.models import ArgumentInfo, OptionInfo

import nianbao.cli  # noqa: F401 - installs the plain conversion
from nianbao.cli_coerce import install, plain_kind

CASES: list[tuple[Any, Any, list[Any]]] = [
    (str, OptionInfo(), ["json,html", "", " a ", "错误", b"bytes", 3, None]),
    (bool, OptionInfo(), [True, False, "true", "0", "no", 1]),
    (list[str], ArgumentInfo(), [("a", "b/c"), ["x"], (), ("a", 3), (b"x",)]),
    (
        int,
        OptionInfo(min=1),
        ["1", "2", "007", "0", "-1", "+2", " 3", "3.0", "1_000", "abc", "", "２", 5, 0, 2.0, True],
    ),
    (int, OptionInfo(min=0), ["0", "2048", 2048, "99999999999999999999"]),
    (
        float,
        OptionInfo(min=0.1),
        ["30", "0.5", "0.05", "0", "1e3", "nan", "inf", ".5", "5.", "x", 30.0, 2, "  2"],
    ),
    (Path, OptionInfo(), ["reports_out", "a/b", "", ".", "/tmp", Path("x"), 3]),
    (Path, OptionInfo(exists=True), ["/nonexistent-nianbao-x", "/tmp"]),
    (Path, OptionInfo(resolve_path=True, dir_okay=False), ["/tmp", "a/../b", "-"]),
]


def _outcome(runtime: Any, value: Any) -> tuple[str, Any]:
    try:
        converted = runtime.coerce(value, param=None, ctx=None)
    except Exception as exc:  # noqa: BLE001 - the outcome compared is the error's kind and message
        return "error", (type(exc).__name__, str(exc))
    return "ok", (type(converted), converted)


@pytest.mark.parametrize(("annotation", "info", "values"), CASES)
def test_plain_values_convert_exactly_as_typer_does(annotation: Any, info: Any, values: list[Any]) -> None:
    assert install()
    descriptor = resolve_type_descriptor(annotation, info)
    assert plain_kind(descriptor) is not None
    ours, typers = typer.core.build_runtime_param(descriptor), build_runtime_param(descriptor)
    assert type(ours) is not type(typers)  # the plain conversion is in place
    for value in values:
        assert _outcome(ours, value) == _outcome(typers, value), value


def test_other_kinds_are_left_to_typer() -> None:
    assert plain_kind(resolve_type_descriptor(int, OptionInfo(min=1, clamp=True))) is None
    assert plain_kind(resolve_type_descriptor(list[int], OptionInfo())) is None
    assert plain_kind(resolve_type_descriptor(str, OptionInfo(parser=str.upper))) is None
    assert plain_kind(resolve_type_descriptor(Path, OptionInfo(path_type=str))) is None
    assert install()  # a second time changes nothing
    assert getattr(typer.core.build_runtime_param, "plain_values", False)


def test_bad_values_keep_typers_messages(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    (tmp_path / "r.txt").write_text("x", encoding="utf-8")
    result = CliRunner().invoke(nianbao.cli.app, ["audit", str(tmp_path / "r.txt"), "--workers", "0"])
    assert result.exit_code == 2
    assert "--workers" in result.output and "1" in result.output


def test_audit_forks_its_read_workers_without_pydantic(tmp_path: Path) -> None:
    """pydantic (typer's conversion) is imported by the rule base's thread, not before the fork."""
    (tmp_path / "r.txt").write_text("关于2022年政府信息公开工作的报告\n", encoding="utf-8")
    probe = (
        "import sys\n"
        "import nianbao.audit_run as ar\n"
        "seen = []\n"
        "orig = ar.read_batch\n"
        "def read_batch(*a):\n"
        "    seen.append('pydantic' in sys.modules)\n"
        "    return orig(*a)\n"
        "ar.read_batch = read_batch\n"
        "from nianbao.cli import main\n"
        f"sys.argv = ['nianbao', 'audit', {str(tmp_path / 'r.txt')!r}, '--out', {str(tmp_path / 'out')!r},"
        " '--format', 'json', '--workers', '1', '--doc-timeout', '20']\n"
        "import atexit\n"
        "atexit.register(lambda: print('PYDANTIC-BEFORE-FORK', seen))\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    assert "PYDANTIC-BEFORE-FORK [False]" in done.stdout, done.stderr
    assert (tmp_path / "out" / "findings.json").is_file()
