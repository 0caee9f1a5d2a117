"""The layers hold (issue 10 item 3): `lint-imports` keeps every contract of pyproject.toml, and each
contract breaks when a tiny package tree commits exactly the import it forbids."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

# A tree shaped like the project, importing only downwards: nianbao.cli -> crawler.fetch -> auditor.pipeline
# -> auditor.engine, nianbao.cli -> nianbao.audit_run, crawler.sites -> crawler.fetch.
GOOD_TREE = {
    "nianbao/__init__.py": "",
    "nianbao/cli.py": "import crawler.fetch\nimport nianbao.audit_run\n",
    "nianbao/audit_run.py": "import auditor.pipeline\n",
    "crawler/__init__.py": "",
    "crawler/fetch.py": "import auditor.pipeline\n",
    "crawler/sites.py": "import crawler.fetch\n",
    "auditor/__init__.py": "",
    "auditor/pipeline.py": "import auditor.engine\n",
    "auditor/engine/__init__.py": "",
}


def contracts() -> dict[str, str]:
    """id -> name of the contracts in pyproject.toml."""
    table = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["importlinter"]
    return {c["id"]: c["name"] for c in table["contracts"]}


def lint(config: Path, cwd: Path, pythonpath: Path | None = None) -> tuple[int, str]:
    """Run lint-imports on ``config``; the exit code and its output with line wrapping undone."""
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)  # the tree shadows the installed packages of the same names
    proc = subprocess.run([str(LINT_IMPORTS), "--no-cache", "--no-logo", str(config)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    return proc.returncode, " ".join((proc.stdout + proc.stderr).split())


def test_the_project_keeps_every_contract() -> None:
    names = contracts()
    assert {"layers", "auditor-alone", "crawler-below-commands", "auditor-acyclic",
            "crawler-acyclic"} <= set(names)
    code, out = lint(PYPROJECT, ROOT)
    assert code == 0, out
    assert f"Contracts: {len(names)} kept, 0 broken." in out
    for name in names.values():
        assert f"{name} KEPT" in out


def _tree(root: Path, changes: dict[str, str]) -> Path:
    """GOOD_TREE with ``changes`` appended to its files, and a copy of the project's contracts."""
    for rel, text in GOOD_TREE.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + changes.get(rel, ""), encoding="utf-8")
    config = root / "pyproject.toml"
    config.write_text(PYPROJECT.read_text(encoding="utf-8"), encoding="utf-8")
    return config


def test_a_tree_importing_downwards_keeps_them(tmp_path: Path) -> None:
    config = _tree(tmp_path, {})
    code, out = lint(config, tmp_path, tmp_path)
    assert code == 0, out


@pytest.mark.parametrize(("changes", "broken"), [
    ({"auditor/pipeline.py": "import crawler.fetch\n"}, {"layers", "auditor-alone"}),
    # crawler.fetch reaches nianbao through auditor too: forbidden contracts follow indirect imports
    ({"auditor/engine/__init__.py": "import nianbao.cli\n"},
     {"layers", "auditor-alone", "crawler-below-commands"}),
    ({"crawler/fetch.py": "import nianbao.cli\n"}, {"layers", "crawler-below-commands"}),
    ({"auditor/engine/__init__.py": "import auditor.pipeline\n"}, {"auditor-acyclic"}),
    ({"nianbao/audit_run.py": "import nianbao.cli\n"}, {"nianbao-acyclic"}),
    ({"crawler/fetch.py": "import crawler.sites\n"}, {"crawler-acyclic"}),
], ids=["auditor-imports-crawler", "auditor-imports-commands", "crawler-imports-commands",
        "auditor-cycle", "commands-cycle", "crawler-cycle"])
def test_a_forbidden_import_breaks_its_contract(tmp_path: Path, changes: dict[str, str],
                                                broken: set[str]) -> None:
    names = contracts()
    config = _tree(tmp_path, changes)
    code, out = lint(config, tmp_path, tmp_path)
    assert code != 0, out
    for contract_id, name in names.items():
        assert f"{name} {'BROKEN' if contract_id in broken else 'KEPT'}" in out, (contract_id, out)
