"""nianbao.console's stderr: a plain line written without rich is exactly what rich writes."""

from __future__ import annotations

import io
import random
import sys

import pytest
from rich.console import Console

from nianbao import console as console_module
from nianbao.console import StderrConsole

ALPHABET = "ab z0[]/\\:：.-_ 审查报告（）“”\t\r\n\x07\x1b\u3000\u200b😀*#|~"
LINES = [
    "审查 3 份报告：错误 1，警告 0，提示 2。 输出：out/findings.json",
    "nianbao: out/x.txt: 文件或目录不存在",
    "a/b.pdf: 已跳过 — 图片/扫描件，无法读取文字",
    "trailing spaces   ",
    "[bold]not markup[/bold]",
    ":smile: looks like an emoji code",
    "https://example.org/a:b",
    "tab\tinside",
    "bell\x07and\rreturn",
    "ideographic\u3000space",
    "",
]


def _rich_writes(text: str, **options: object) -> str:
    out = io.StringIO()
    Console(file=out, soft_wrap=True).print(text, **options)  # type: ignore[arg-type]
    return out.getvalue()


def _plain_writes(text: str, monkeypatch: pytest.MonkeyPatch, **options: object) -> tuple[str, bool]:
    """What StderrConsole writes to a non-terminal stderr, and whether it made a rich console."""
    out = io.StringIO()
    monkeypatch.setattr(sys, "stderr", out)
    console = StderrConsole(soft_wrap=True)
    console.print(text, **options)
    return out.getvalue(), console._rich is not None


@pytest.fixture(autouse=True)
def _no_terminal_switches(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in console_module._TERMINAL_SWITCHES:
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("text", LINES)
def test_a_line_is_written_as_rich_writes_it(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    written, _ = _plain_writes(text, monkeypatch, markup=False, highlight=False)
    assert written == _rich_writes(text, markup=False, highlight=False)


def test_random_lines_are_written_as_rich_writes_them(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(12)
    plain = 0
    for _ in range(400):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 30)))
        written, made_rich = _plain_writes(text, monkeypatch, markup=False, highlight=False)
        assert written == _rich_writes(text, markup=False, highlight=False), repr(text)
        plain += not made_rich
    assert plain > 20  # the plain path was taken, not only rich's


def test_a_plain_line_needs_no_rich_console(monkeypatch: pytest.MonkeyPatch) -> None:
    _, made_rich = _plain_writes("审查 1 份报告：错误 0", monkeypatch, markup=False, highlight=False)
    assert not made_rich


@pytest.mark.parametrize(
    ("text", "options"),
    [
        ("[bold]x[/bold]", {}),  # markup
        ("a 12 b", {"markup": False}),  # highlighting
        ("a:smile:b", {"markup": False, "highlight": False}),  # an emoji code
        ("a\tb", {"markup": False, "highlight": False}),
        ("x", {"markup": False, "highlight": False, "style": "red"}),
    ],
)
def test_anything_else_goes_to_rich(
    text: str, options: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    written, made_rich = _plain_writes(text, monkeypatch, **options)
    assert made_rich
    assert written == _rich_writes(text, **options)


def test_a_terminal_is_rich_s(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    console = StderrConsole(soft_wrap=True)
    assert console.is_terminal
    assert console._rich is not None


def test_no_terminal_needs_no_rich(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    console = StderrConsole(soft_wrap=True)
    assert not console.is_terminal
    assert console._rich is None


def test_the_command_line_imports_no_rich() -> None:
    import subprocess

    probe = "import sys, nianbao.cli; print(sorted(m for m in sys.modules if m.split('.')[0] == 'rich'))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
