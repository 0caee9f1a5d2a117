"""The browser tests' own promise: without Chromium they fail and say why, they never skip."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_missing_chromium_fails_with_a_clear_message(tmp_path: Path) -> None:
    env = {**os.environ, "NIANBAO_CHROMIUM": str(tmp_path / "no-chromium")}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/web/test_browser.py::test_pages_work_without_javascript"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False,
    )
    assert done.returncode != 0
    assert "Chromium not found" in done.stdout and "apt-get install -y chromium" in done.stdout
    assert "skipped" not in done.stdout.splitlines()[-1]
