"""The inputs of `nianbao audit`: a folder's files in the order of ``sorted(folder.rglob("*"))``,
hidden files and the output folder left out, files that are no report by their name skipped with why
— the same list as rglob and resolve() give, walked without them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nianbao.audit_run import IMAGE_SUFFIXES, list_inputs, skip_reason

NAMES = [
    "a.txt", "a-b.txt", "a/b.txt", "a/c/d.md", "A.TXT", "z.PDF", "img.JPG", "x.exe", "noext", "dot.",
    ".hidden.txt", ".hid/in.txt", "b/.h/c.txt", "out/findings.html", "out/sub/r.txt", "a b/c.txt",
    "a0/x.txt", "a.b/y.txt", "ü/ä.txt", "x.tar.gz", "deep/1/2/3/4.docx", "empty-dir/",
]  # fmt: skip


Listed = tuple[list[tuple[str, bool]], list[tuple[str, str]]]


def _reference(paths: list[str], exclude: Path | None) -> Listed:
    """What list_inputs gave when it walked with rglob and resolved every file."""
    found: list[tuple[str, bool]] = []
    skipped: list[tuple[str, str]] = []
    skip_dir = exclude.resolve() if exclude is not None else None
    for p in paths:
        if p.startswith(("http://", "https://")):
            found.append((p, False))
            continue
        path = Path(p)
        if path.is_dir():
            for f in sorted(path.rglob("*")):
                if not f.is_file() or any(part.startswith(".") for part in f.relative_to(path).parts):
                    continue
                if skip_dir is not None and skip_dir in f.resolve().parents:
                    continue
                reason = skip_reason(f)
                if reason is None:
                    found.append((str(f), True))
                else:
                    skipped.append((str(f), reason))
        else:
            reason = skip_reason(path) if path.suffix.lower() in IMAGE_SUFFIXES else None
            if reason is None:
                found.append((str(path), False))
            else:
                skipped.append((str(path), reason))
    return found, skipped


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "in"
    for name in NAMES:
        target = root / name
        if name.endswith("/"):
            target.mkdir(parents=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"x")
    os.symlink(root / "a.txt", root / "link.txt")  # a file by a symbolic link: read
    os.symlink(root / "out" / "findings.html", root / "link-out.html")  # into the output folder: not
    os.symlink(root / "a", root / "linkdir")  # a folder by a symbolic link: not followed
    os.symlink(root / "missing", root / "broken.txt")
    os.symlink(root / "a.txt", root / "out" / "back.txt")  # in the output folder, a report elsewhere
    return root


def test_a_folder_lists_as_rglob_and_resolve_listed_it(tree: Path, monkeypatch: pytest.MonkeyPatch):
    out = tree / "out"
    cases: list[tuple[list[str], Path | None]] = [
        ([str(tree)], out),
        ([str(tree)], None),
        ([str(tree) + "/"], out),
        ([str(out)], out),
        ([str(tree / "a"), str(tree / "a.txt"), "https://example.org/r.html", str(tree / "img.JPG")], out),
    ]
    monkeypatch.chdir(tree)
    cases += [(["."], Path("out")), (["a"], Path("out")), (["./a/"], Path("elsewhere"))]
    for paths, exclude in cases:
        found, skipped = list_inputs(paths, exclude=exclude)
        got = [(i.source, i.in_folder) for i in found], [(s.source, s.reason) for s in skipped]
        assert got == _reference(paths, exclude), (paths, exclude)
    found, skipped = list_inputs([str(tree)], exclude=out)
    names = [Path(i.source).relative_to(tree).as_posix() for i in found]
    assert names[:4] == ["A.TXT", "a/b.txt", "a/c/d.md", "a b/c.txt"]  # by parts, not by the whole text
    assert "out/back.txt" in names and "link-out.html" not in names and "linkdir/b.txt" not in names
    assert not any(part.startswith(".") for n in names for part in n.split("/"))
    assert {Path(s.source).name for s in skipped} == {"img.JPG", "x.exe", "x.tar.gz"}
