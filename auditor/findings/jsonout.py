"""findings.json as fixed by shared/spec/CONTRACT.md, and atomic file writing for every output.

findings.json is written as the results arrive (:class:`FindingsJsonStream`), one report at a time,
into a temporary file moved into place when the run ends: memory stays flat whatever the number of
reports, and readers see either the previous file or the whole new one.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Iterable, Sequence
from json.encoder import encode_basestring
from pathlib import Path
from typing import IO, Any, Protocol, Self

from auditor import __version__
from auditor.findings.model import ReportResult
from auditor.findings.sanitize import UTF8_UNSAFE, Sanitizer


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see either the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are meant to be shared
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class AtomicFile:
    """A file written in pieces under a temporary name and moved into place by :meth:`commit`.

    :meth:`abort` (or an exception inside ``with``) removes the temporary file and leaves any previous
    file as it was.
    """

    def __init__(self, path: Path, *, text: bool = True) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are meant to be shared
        self.tmp = Path(tmp)
        self.fh: IO[Any] = (
            os.fdopen(fd, "w", encoding="utf-8", newline="") if text else os.fdopen(fd, "wb")
        )

    def write(self, data: Any) -> None:
        self.fh.write(data)

    def commit(self) -> Path:
        """Flush, sync and move the file into place; returns its path.

        A library that writes the file by name (openpyxl) closes :attr:`fh` first and writes to
        :attr:`tmp`; the file is synced all the same."""
        if self.fh.closed:
            with self.tmp.open("rb") as fh:
                os.fsync(fh.fileno())
        else:
            self.fh.flush()
            os.fsync(self.fh.fileno())
            self.fh.close()
        os.replace(self.tmp, self.path)
        return self.path

    def abort(self) -> None:
        """Drop the temporary file (also when closing it fails: a full disk fails the buffer's flush)."""
        try:
            if not self.fh.closed:
                self.fh.close()
        except OSError:
            pass
        finally:
            self.tmp.unlink(missing_ok=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        if exc_type is not None:
            self.abort()
        elif self.tmp.exists():
            self.commit()


class ReportStream(Protocol):
    """A writer fed one report at a time: every format's stream (findings.json, CSV, XLSX, SARIF, HTML)."""

    def add(self, result: ReportResult) -> None: ...

    def close(self) -> Path: ...

    def abort(self) -> None: ...


def drain(stream: ReportStream, results: Iterable[ReportResult]) -> Path:
    """Feed every result to ``stream`` and close it; on any failure the stream is aborted (its file is
    never left half written) and the error goes on."""
    try:
        for result in results:
            stream.add(result)
        return stream.close()
    except BaseException:
        stream.abort()
        raise


def pretty_json(value: Any, level: int = 0) -> str:
    """``value`` as ``json.dumps(value, ensure_ascii=False, indent=2)`` writes it, its lines continued
    at nesting ``level`` (two spaces a level); the same text in half the time.

    The standard library encodes indented JSON in Python, one generator step per token; this builds
    the text in one list, strings escaped by the same C function.  Anything that is not JSON data
    (str, int, float, bool, None, list, tuple, dict) is handed to json.dumps, which raises."""
    out: list[str] = []
    _pretty(value, "\n" + "  " * level, out)
    return "".join(out)


def entry_bytes(text: str) -> str | bytes:
    """A findings.json entry (:func:`pretty_json`'s text) as :meth:`FindingsJsonStream.add_entry`
    writes it, made where the entry is rendered: its UTF-8, or the text itself when it holds a lone
    surrogate (the stream replaces it and counts it).  Bytes also cross a pipe or a spool at less cost
    than text, which pickle encodes and decodes."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return text


def _scalar(value: Any) -> str | None:
    """The JSON text of a scalar as json writes it, or None for a container (or not JSON data)."""
    if isinstance(value, str):
        return encode_basestring(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return float.__repr__(value)
    return None


def _key(key: Any) -> str:
    if isinstance(key, str):
        return encode_basestring(key)
    text = _scalar(key)
    if text is None:
        json.dumps({key: None})  # raises json's own TypeError for a key it cannot write
    return encode_basestring(str(text))


def _pretty(value: Any, newline: str, out: list[str]) -> None:
    kind = type(value)
    if kind is dict:
        _pretty_dict(value, newline, out)
    elif kind is list or kind is tuple:
        _pretty_list(value, newline, out)
    elif (text := _scalar(value)) is not None:
        out.append(text)
    elif isinstance(value, dict):
        _pretty_dict(value, newline, out)
    elif isinstance(value, (list, tuple)):
        _pretty_list(value, newline, out)
    else:
        out.append(json.dumps(value, ensure_ascii=False, indent=2))  # not JSON data: json's TypeError


def _pretty_dict(value: dict[Any, Any], newline: str, out: list[str]) -> None:
    # The strings and nulls of a findings.json entry (most of its values) are written here, one piece
    # of text per key: a call per value cost more than writing it.
    if not value:
        out.append("{}")
        return
    inner = newline + "  "
    lead = "{" + inner
    for key, item in value.items():
        name = encode_basestring(key) if type(key) is str else _key(key)
        if type(item) is str:
            out.append(f"{lead}{name}: {encode_basestring(item)}")
        elif item is None:
            out.append(f"{lead}{name}: null")
        else:
            out.append(f"{lead}{name}: ")
            _pretty(item, inner, out)
        lead = "," + inner
    out.append(newline + "}")


def _pretty_list(value: list[Any] | tuple[Any, ...], newline: str, out: list[str]) -> None:
    if not value:
        out.append("[]")
        return
    inner = newline + "  "
    lead = "[" + inner
    for item in value:
        if type(item) is str:
            out.append(lead + encode_basestring(item))
        else:
            out.append(lead)
            _pretty(item, inner, out)
        lead = "," + inner
    out.append(newline + "]")


class FindingsJsonStream:
    """findings.json, one report at a time (CONTRACT.md's keys, plus ``skipped`` and ``sanitized``)."""

    name = "findings.json"

    def __init__(self, out_dir: Path, rules: Sequence[dict[str, Any]]) -> None:
        # written as bytes: a report's entry is encoded once, which is also the test that it holds no
        # lone surrogate (the sanitiser's pattern searched each entry first: 3 ms per 1,000 reports)
        self.file = AtomicFile(out_dir / self.name, text=False)
        self.clean = Sanitizer(UTF8_UNSAFE)
        self.count = 0
        tool = {"name": "nianbao", "version": __version__}
        self._write(
            "{\n  \"tool\": " + pretty_json(tool, 1) + ",\n  \"rules\": "
            + self.clean.text(pretty_json(list(rules), 1)) + ",\n  \"reports\": ["
        )

    @property
    def replaced(self) -> int:
        return self.clean.replaced

    def add(self, result: ReportResult) -> None:
        """Append one report's entry."""
        self.add_entry(pretty_json(result.to_dict(), 2))

    def add_entry(self, entry: str | bytes) -> None:
        """Append one report's entry rendered already (``pretty_json(result.to_dict(), 2)``: the audit
        command renders it in the worker that audited the report), as text or as :func:`entry_bytes`
        made of it."""
        self.file.write(b"\n    " if self.count == 0 else b",\n    ")
        self.file.write(entry if isinstance(entry, bytes) else self._encoded(entry))
        self.count += 1

    def _encoded(self, text: str) -> bytes:
        """``text`` in UTF-8, its lone surrogates replaced (json escapes controls, not surrogates)."""
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError:
            return self.clean.text(text).encode("utf-8")

    def _write(self, text: str) -> None:
        self.file.write(text.encode("utf-8"))

    def close(self, skipped: Sequence[dict[str, str]] = (), sanitized: dict[str, int] | None = None) -> Path:
        """Write the tail (files skipped with why, characters replaced per output) and move into place."""
        tail = "\n  ]" if self.count else "]"
        tail += ",\n  \"skipped\": " + self.clean.text(pretty_json(list(skipped), 1))
        notes = {k: v for k, v in (sanitized or {}).items() if v}
        if self.clean.replaced:
            notes[self.name] = self.clean.replaced
        if notes:
            tail += ",\n  \"sanitized\": " + pretty_json(notes, 1)
        self._write(tail + "\n}")
        return self.file.commit()

    def abort(self) -> None:
        self.file.abort()


def findings_document(results: Sequence[ReportResult], rules: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The findings.json structure: tool, the rules that ran, one entry per report."""
    return {
        "tool": {"name": "nianbao", "version": __version__},
        "rules": list(rules),
        "reports": [r.to_dict() for r in results],
    }


def write_findings_json(path: Path, results: Iterable[ReportResult], rules: Sequence[dict[str, Any]]) -> None:
    """findings.json at ``path`` for results already in hand (streamed all the same)."""
    stream = FindingsJsonStream(path.parent, rules)
    stream.file.path = path
    try:
        for result in results:
            stream.add(result)
        stream.close()
    except BaseException:
        stream.abort()
        raise
