"""`nianbao audit`: read the inputs in worker processes, audit them, stream the outputs.

Two passes over the inputs, each spread over ``--workers`` processes under a per-document budget
(auditor/workers.py):

1. read: each input is loaded (file or URL) and extracted; the result (document model, or READ-001
   when unreadable) is written to a spool file on disk and only its place and its (body, year) key
   come back.  Files that are not reports are set aside as skipped, with why.
2. audit: chunks of spooled results are audited by the rule base; each report's predecessor (same
   body, year before, anywhere in the inputs) is looked up in the spool, so the across-year checks see
   the whole run as before.  Results come back and are written to every output as they arrive, in
   the order the inputs were given; what can be rendered where the documents are (findings.json's
   entries, findings.html's parts) is, and the answer goes through the worker's spool file.

Memory stays flat in the number of reports: the parent holds only each report's place in the spool.

Start-up is spread over the read pass: its workers are forked before the rule base is built (reading
needs neither pandas nor pandera, whose import is most of the command's start-up).  As a command, the
rule base is built in a process of its own, forked before the command line is even parsed, on the
other core (nianbao/zygote.py): it forks the audit pass's workers, which share what it imported, and
the parent never imports pandas (:class:`RuleBaseProcess`).  In a process that has the rule base
imported already (the tests), the parent builds it in a thread while the workers read
(:class:`RuleBaseLoader`), then forks the audit pass's workers itself.  What comes before the first
fork is kept short (the inputs listed by one walk of the folders, only the readers their names call for
imported); the collector is kept off what lives as long as the process (the rule base's import is
frozen; a chunk's audit pauses it); and a pool's workers are told to end as soon as its pass is over,
exiting while the run goes on.

The spool and the workers' replies are pickled by the model's own reducers (auditor/model.py,
auditor/findings/model.py): class and field values, a table's plain number cells as their text.
"""

from __future__ import annotations

import errno
import functools
import gc
import hashlib
import logging
import os
import pickle
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from auditor.extract.api import MAX_INPUT_BYTES, SUPPORTED_SUFFIXES
from auditor.findings.model import SEVERITY_RANK, ReportResult
from auditor.pipeline import AuditInput, extract_one, unreadable_result
from auditor.workers import Budget, Guard, Outcome, Requeue, WorkerPool

if TYPE_CHECKING:
    from rich.console import Console

    from nianbao.console import StderrConsole
    from nianbao.zygote import Zygote

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".heic"})
CHUNK = 200
"""Most reports audited per task in pass 2: the rule base validates a chunk's tables in one pandera
call, whose fixed cost dominates small chunks (per report: 7 ms in chunks of 8, 3.4 ms of 32, 2.2 ms of
200 on text reports).  The chunks are as many as the workers, or a multiple of them (:func:`chunk_size`)."""
READ_BATCH = 32
"""Most inputs read per task in pass 1: one answer per few dozen documents, not per document, so a
worker is seldom left waiting for its next input (a text report is read in well under a millisecond,
and a worker that waits gives its core away: on a busy machine it waited a quarter of the pass with
tasks of 8).  The tasks shrink as the inputs run out (:func:`read_batches`), so the workers still end
together; fewer when the run is small, so that every worker gets a share; URLs are read one per task."""
URL_ALLOWANCE = 300.0
"""Seconds a URL input may spend downloading (its own timeouts and retries) before its budget starts."""

log = logging.getLogger("nianbao.audit")


@dataclass(frozen=True, slots=True)
class InputFile:
    """One input as given or found: a path or URL, and whether it was found inside a folder."""

    source: str
    in_folder: bool = False

    def __reduce__(self) -> tuple[Any, ...]:
        # the class and its values (each read task carries a few dozen): pickle's default for a
        # slotted dataclass sets a field at a time, at twice the cost
        return InputFile, (self.source, self.in_folder)


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file that is not a report, with the reason it was set aside."""

    source: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"source": self.source, "reason": self.reason}


# -- inputs ------------------------------------------------------------------------------------------


def _is_url(source: str) -> bool:
    """Whether an input is a URL to download rather than a path."""
    return source.startswith(("http://", "https://"))


def _any_url(inputs: list[InputFile]) -> bool:
    return any(_is_url(item.source) for item in inputs)


def skip_reason(path: Path) -> str | None:
    """Why a file found in a folder is not audited at all (by its name), or None to read it."""
    return _suffix_reason(path.suffix.lower())


def _suffix_reason(suffix: str) -> str | None:
    if suffix in IMAGE_SUFFIXES:
        return "图片/扫描件，无法读取文字"
    if suffix and suffix not in SUPPORTED_SUFFIXES:
        return f"不支持的文件类型（{suffix}），未审查"
    return None


def list_inputs(paths: list[str], exclude: Path | None = None) -> tuple[list[InputFile], list[Skipped]]:
    """Files, folders (recursively, sorted) and URLs, in the order given; files that cannot be
    reports by their name are listed as skipped.  Raises FileNotFoundError for a missing path.

    Hidden files are passed over, and so is ``exclude`` (the output folder: its findings.html is no
    report)."""
    found: list[InputFile] = []
    skipped: list[Skipped] = []
    skip_dir = str(exclude.resolve()) if exclude is not None else None
    for p in paths:
        if _is_url(p):
            found.append(InputFile(p))
            continue
        path = Path(p)
        if path.is_dir():
            for source, suffix in _folder_files(path, skip_dir):
                reason = _suffix_reason(suffix)
                if reason is None:
                    found.append(InputFile(source, in_folder=True))
                else:
                    skipped.append(Skipped(source, reason))
        elif path.is_file():
            reason = skip_reason(path) if path.suffix.lower() in IMAGE_SUFFIXES else None
            if reason is None:
                found.append(InputFile(str(path)))
            else:
                skipped.append(Skipped(str(path), reason))
        else:
            raise FileNotFoundError(p)
    return found, skipped


def _folder_files(folder: Path, skip_dir: str | None) -> list[tuple[str, str]]:
    """(path, lower-case suffix) of every file under ``folder`` in the order of
    ``sorted(folder.rglob("*"))`` (by their parts), hidden ones and those whose real path is under
    ``skip_dir`` left out.

    The same files as rglob gives, without a Path per file and its resolve() (30 ms for a thousand
    files, before any worker starts): folders are walked as rglob walks them (no symbolic link to a
    folder followed, an unreadable folder passed over), so a file that is no symbolic link lies under
    ``skip_dir`` exactly when its folder does; a symbolic link is resolved."""
    root = str(folder)
    prefix = "" if root == "." else root if root.endswith("/") else root + "/"
    real_root = str(folder.resolve())
    files: list[tuple[tuple[str, ...], bool]] = []
    folders: list[tuple[str, ...]] = [()]
    while folders:
        rel = folders.pop()
        inside = skip_dir is not None and _within(os.path.join(real_root, *rel), skip_dir)
        try:
            with os.scandir(prefix + "".join(part + "/" for part in rel) or ".") as listing:
                entries = list(listing)
        except PermissionError:
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue  # hidden, or inside a hidden folder
            symlink = entry.is_symlink()
            if not symlink and _is_dir(entry):
                folders.append((*rel, entry.name))
            elif (symlink or not inside) and entry.is_file():
                files.append(((*rel, entry.name), symlink))
    files.sort()
    out = []
    for parts, symlink in files:
        source = prefix + "/".join(parts)
        if symlink and skip_dir is not None and _within(str(Path(source).resolve().parent), skip_dir):
            continue
        name = parts[-1]
        dot = name.rfind(".")
        out.append((source, name[dot:].lower() if 0 < dot < len(name) - 1 else ""))
    return out


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _within(path: str, folder: str) -> bool:
    """Whether ``path`` is ``folder`` or inside it (both absolute, resolved)."""
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def load_input(source: str, level: str | None) -> list[AuditInput] | ReportResult:
    """The bytes of one input (a URL may lead to several attached reports), or the result that says
    why it cannot be read."""
    if _is_url(source):
        from crawler.fetch import fetch_report

        try:
            fetched = fetch_report(source)
        except Exception as exc:  # noqa: BLE001 - one bad URL must not stop the run
            return unreadable_result(source, "", f"下载失败：{exc}")
        return [
            AuditInput(
                data=doc.data,
                source=doc.url,
                level=level,
                declared_encoding=doc.encoding,
                published=doc.published,
                published_source=doc.published_source,
            )
            for doc in fetched
        ]
    try:
        data = _read_file(source)
    except _TooLarge as big:
        return unreadable_result(
            source,
            _sha256_file(Path(source)),
            f"文件过大（{big.size // (1024 * 1024)} MB，上限 {MAX_INPUT_BYTES // (1024 * 1024)} MB）",
        )
    except OSError as exc:
        return unreadable_result(source, "", f"无法打开文件：{exc.strerror or exc}")
    return [AuditInput(data=data, source=source, level=level)]


class _TooLarge(Exception):
    """The file is over :data:`MAX_INPUT_BYTES` (``size`` bytes): not read."""

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


def _read_file(source: str) -> bytes:
    """The whole file, through one descriptor: its size from fstat, read to the end.  Path.stat()
    then Path.read_bytes() looked the path up twice and built two file objects, 45% of loading a
    text report.  Raises :class:`_TooLarge` before reading a file over the limit, OSError as
    open() and read() do."""
    fd = os.open(source, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        size = os.fstat(fd).st_size
        if size > MAX_INPUT_BYTES:
            raise _TooLarge(size)
        parts = [os.read(fd, size + 1)]  # one byte more than the size: an empty read then says the end
        while parts[-1]:  # the file grew since fstat, or a short read: on to the end, as read_bytes()
            parts.append(os.read(fd, 1 << 20))
    finally:
        os.close(fd)
    return parts[0] if len(parts) <= 2 else b"".join(parts)


def _sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except OSError:
        return ""
    return h.hexdigest()


# -- the spool: results on disk, addressed by (file, offset, length) ------------------------------------

Place = tuple[str, int, int]


class _Spool:
    """One append-only file per process under the run's spool folder."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.fh: Any = None
        self.path = ""
        self.size = 0
        """Bytes in the file: where the next result goes (counted, not asked of the file: a tell()
        is a system call)."""

    def put(self, obj: object) -> Place:
        """Append ``obj``; it can be read back once :meth:`flush` has been called."""
        if self.fh is None or self.fh.closed:
            self.path = os.path.join(self.folder, f"p{os.getpid()}.spool")
            self.fh = open(self.path, "ab", buffering=1 << 20)  # noqa: SIM115 - open for the process's life
            self.size = self.fh.tell()
        data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)  # the model's own reducers: compact
        self.fh.write(data)
        offset, self.size = self.size, self.size + len(data)
        return self.path, offset, len(data)

    def flush(self) -> None:
        """Write out what was put (once per task, before its places are sent back)."""
        if self.fh is not None and not self.fh.closed:
            self.fh.flush()


_READERS: dict[tuple[str, int], int] = {}
"""(spool file, process) -> a descriptor open for reading: one pread per result, not open-seek-read."""


def _get(place: Place) -> Any:
    path, offset, length = place
    key = (path, os.getpid())
    fd = _READERS.get(key)
    if fd is None:
        fd = _READERS[key] = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    return pickle.loads(os.pread(fd, length, offset))


def _close_readers() -> None:
    """Close this process's spool descriptors (the run's spool folder is about to go)."""
    for key in [k for k in _READERS if k[1] == os.getpid()]:
        os.close(_READERS.pop(key))


_SPOOLS: dict[tuple[str, int], _Spool] = {}


def _spool(folder: str) -> _Spool:
    """This process's spool file in ``folder`` (a forked worker gets its own)."""
    key = (folder, os.getpid())
    if key not in _SPOOLS:
        _SPOOLS[key] = _Spool(folder)
    return _SPOOLS[key]


# -- pass 1: read and extract (in a worker) ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReadTask:
    """Pass 1's task: a few inputs, the --level given, and the run's spool folder."""

    inputs: tuple[InputFile, ...]
    level: str | None
    spool: str


@dataclass(frozen=True, slots=True)
class Entry:
    """A spooled result: where it is, and what pairs it with its predecessor (the body's name as the
    document gives it: the parent keys it as the rule base does, which readers do not import)."""

    place: Place
    agency: str | None
    year: int | None

    def __reduce__(self) -> tuple[Any, ...]:
        return Entry, (self.place, self.agency, self.year)  # a read task's answer: as InputFile's


def read_task(task: ReadTask, guard: Guard) -> list[list[Entry | Skipped]]:
    """Read the task's inputs in order, each under the budget; spool what comes out.  One list per
    input read: fewer than the inputs when a budget ran out (this worker retires; the parent reads the
    rest elsewhere)."""
    spool = _spool(task.spool)
    done: list[list[Entry | Skipped]] = []
    try:
        for item in task.inputs:
            if guard.exhausted:
                break
            done.append(_read_one(item, task.level, spool, guard))
    finally:
        spool.flush()
    return done


def _read_one(item: InputFile, level: str | None, spool: _Spool, guard: Guard) -> list[Entry | Skipped]:
    """Load one input and extract each document in it under the budget."""
    loaded = load_input(item.source, level)
    if isinstance(loaded, ReportResult):
        return [Entry(spool.put(loaded), None, None)]
    out: list[Entry | Skipped] = []
    for doc_input in loaded:
        # a document's model is gone again when _read_document returns: the collector paused while
        # it is made and spooled finds nothing of it afterwards (see _collector_paused_for)
        with _collector_paused_for(doc_input.data):
            out.append(_read_document(doc_input, item.in_folder, spool, guard))
    return out


def _read_document(doc_input: AuditInput, in_folder: bool, spool: _Spool, guard: Guard) -> Entry | Skipped:
    """Extract one document under the budget and spool its result: its entry, or why it was skipped
    (a file in a folder that is not a report)."""
    from auditor.extract import NotAReport

    def attempt() -> ReportResult | NotAReport:
        try:
            return extract_one(doc_input, budgeted=True)
        except NotAReport as exc:
            return exc

    status, value = guard.run(attempt)
    # only when no result carries it: extract_one has hashed the bytes already (a text report's
    # hash costs a twentieth of its reading)
    digest = functools.partial(_sha256_hex, doc_input.data)
    if status != "ok":
        result = unreadable_result(doc_input.source, digest(), value)
    elif isinstance(value, NotAReport):
        if in_folder:
            return Skipped(doc_input.source, str(value))
        result = unreadable_result(doc_input.source, digest(), str(value))
    else:
        result = value
    doc = result.document
    return Entry(spool.put(result), doc.agency if doc else None, doc.year if doc else None)


def _collector_paused_for(data: bytes) -> AbstractContextManager[None]:
    """The cyclic collector paused while one document of these bytes is read (:func:`gc_paused`),
    except for a PDF.

    The collector found nothing to free in a read worker: the text, HTML and .docx readers leave no
    cyclic garbage (at most a few objects, an exception's traceback), yet every collection inside a
    document went over the document's model made so far, and moved it into older generations to be
    gone over again: about 13 µs of a text report's 500.  Paused for the document, it does not run
    until the model is gone.  A PDF's readers build per-page structures with two libraries; a
    PDF of hundreds of pages keeps the collector, so that whatever cyclic garbage a page leaves never
    piles up over the whole document."""
    return nullcontext() if data.startswith(b"%PDF-") else gc_paused()


# -- pass 2: audit (in a worker) ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    """What the outputs read of a document besides findings.html (ReportResult.to_dict, the finding
    rows): sent back from a worker instead of the whole model, which the parent has no use for."""

    title: str | None
    agency: str | None
    year: int | None
    published: Any
    published_source: str | None
    template: str
    level: str | None
    format: str

    def __reduce__(self) -> tuple[Any, ...]:
        return DocumentSummary, (
            self.title, self.agency, self.year, self.published, self.published_source, self.template,
            self.level, self.format,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class AuditChunk:
    """Pass 2's task: (sequence, place, predecessor's place) per report, and what to do beside the rules."""

    jobs: list[tuple[int, Place, Place | None]]
    html: bool
    """Render each report's part of findings.html here, in the worker."""
    waivers: list[Any]
    entries: bool = False
    """Render each report's findings.json entry here as well."""
    whole: bool = True
    """Send each result back (an output besides findings.json and findings.html reads it); else only
    its :class:`Tally`."""


@dataclass(frozen=True, slots=True)
class Tally:
    """What the run counts of a report (the closing line, the exit code): all the parent needs of it
    once findings.json's entry and findings.html's part are rendered in the worker."""

    source: str
    error: str | None
    severities: tuple[str, ...]
    """One per finding that no waiver covers."""

    def __reduce__(self) -> tuple[Any, ...]:
        return Tally, (self.source, self.error, self.severities)

    @classmethod
    def of(cls, result: ReportResult) -> Tally:
        """The tally of ``result``."""
        open_ = tuple(f.severity for f in result.findings if f.waived is None)
        return cls(result.source, result.error, open_)


Audited = tuple[int, ReportResult | Tally, Any, str | bytes | None]
"""(sequence, result with a :class:`DocumentSummary` or, when no output reads it, its :class:`Tally`,
its findings.html part or None, its findings.json entry or None: its UTF-8, or its text when it holds
a lone surrogate (auditor.findings.jsonout.entry_bytes))."""


def audit_task(chunk: AuditChunk, guard: Guard) -> tuple[list[Audited], list[Any]]:
    """Audit a chunk of spooled results (each with its predecessor's place); one call to the rule base,
    or one per report when the chunk ran out of budget (the one that runs away becomes READ-001).
    Waivers are applied and findings.html's parts rendered here, where the documents are; returns the
    audited results and the expired waivers that would have applied."""
    from auditor.engine import default_rulebase

    rulebase = default_rulebase()
    with gc_paused():  # the chunk's documents are gone again when _audit_chunk returns
        return _audit_chunk(chunk, rulebase, guard)


def spooled_audit_task(chunk: AuditChunk, guard: Guard) -> Place:
    """:func:`audit_task` in the audit pass's workers: the answer is put in the worker's spool, beside
    the chunk's reports, and only its place is sent back.  Through the pipe, a worker waited for the
    parent to read it all before it could go on (a chunk's answer with findings.html's parts is half
    a megabyte, more than a pipe holds, and the parent was writing another chunk's results)."""
    spool = _spool(os.path.dirname(chunk.jobs[0][1][0]))
    place = spool.put(audit_task(chunk, guard))
    spool.flush()
    return place


def _audit_chunk(chunk: AuditChunk, rulebase: Any, guard: Guard) -> tuple[list[Audited], list[Any]]:
    jobs = chunk.jobs

    def load() -> tuple[list[ReportResult], list[Any]]:
        results = [_get(place) for _, place, _ in jobs]
        # a predecessor audited in the same chunk is read once: the same document, as the rule base
        # pairs a batch's own reports when it is given none (auditor.pipeline.audit_batch)
        loaded = {place: result for (_, place, _), result in zip(jobs, results, strict=True)}
        previous = [
            (loaded[prev] if prev in loaded else _get(prev)).document if prev is not None else None
            for _, _, prev in jobs
        ]
        return results, previous

    results, previous = load()
    status, _ = guard.run(lambda: rulebase.audit(results, previous=previous), documents=len(jobs))
    if status != "ok":
        done: list[ReportResult] = []
        results, previous = load()  # the chunk's findings are half made: start again, one report at a time
        for result, prev in zip(results, previous, strict=True):
            status, reason = guard.run(functools.partial(rulebase.audit, [result], previous=[prev]))
            if status != "ok":
                result = unreadable_result(result.source, result.sha256, reason)
                rulebase.audit([result])
            done.append(result)
        results = done
    expired = _apply_waivers(results, chunk.waivers)
    return [(seq, *finish(r, seq, chunk)) for (seq, _, _), r in zip(jobs, results, strict=True)], expired


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside (a chunk's audit).  Every collection of the oldest
    generation went over the chunk's documents and findings again, a twelfth of the audit pass's CPU
    on text reports; a chunk leaves a few dozen objects of cyclic garbage, which the next collection
    after the pause finds.  What is allocated inside and still alive at the end is traversed once by
    that collection: the documents should be gone by then, only the reply left."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _apply_waivers(results: list[ReportResult], waivers: list[Any]) -> list[Any]:
    """Mark waived findings; the expired waivers are returned for the parent to report once."""
    if not waivers:
        return []
    from auditor.findings.waivers import apply_waivers

    quiet = logging.getLogger("nianbao.waivers")
    quiet.disabled = True  # the parent reports each expired waiver once for the whole run
    try:
        return apply_waivers(results, waivers)
    finally:
        quiet.disabled = False


def finish(
    result: ReportResult, seq: int, like: AuditChunk
) -> tuple[ReportResult | Tally, Any, str | bytes | None]:
    """The result as the writers need it: findings.html's part and findings.json's entry rendered now
    (as ``like`` asks), the model summarised, or only its :class:`Tally` when no output reads more."""
    part = None
    if like.html:
        from auditor.findings.htmlreport import render_part

        part = render_part(result, seq + 1)
    doc = result.document
    if doc is not None:
        summary = DocumentSummary(
            doc.title, doc.agency, doc.year, doc.published, doc.published_source, doc.template, doc.level,
            doc.format,
        )  # fmt: skip
        result = ReportResult(result.source, result.sha256, summary, result.findings, result.error)  # type: ignore[arg-type]
    entry = None
    if like.entries:
        from auditor.findings.jsonout import entry_bytes, pretty_json

        entry = entry_bytes(pretty_json(result.to_dict(), 2))  # as FindingsJsonStream.add writes it
    return (result if like.whole else Tally.of(result)), part, entry


# -- the run -----------------------------------------------------------------------------------------------


PDF_ENGINES = ("pypdfium2", "pdfplumber", "pdfplumber.utils", "auditor.extract.readers.pdfium_pages")
"""What the PDF reader imports on its first PDF (0.15 s): imported before the read workers are forked
when PDFs are among the inputs, else each worker imports them again."""


READER_MODULES = {".html": "html", ".htm": "html", ".docx": "docx", ".pdf": "pdf"}
"""The reader a file's suffix calls for besides the text reader (auditor.extract.readers.*)."""


def _warm_up_readers(inputs: list[InputFile]) -> None:
    """Import what the read workers need before forking them, so that each does not import it again
    (no pandas: see :class:`RuleBaseLoader`): the readers of the inputs' formats by their names (the
    HTML and .docx readers' lxml and BeautifulSoup cost 7 ms more before the first worker starts; a
    worker that meets such a document under another name imports them itself), all of them for URLs."""
    import importlib

    from auditor.extract.readers import text  # noqa: F401
    from auditor.extract.structure import build_document  # noqa: F401

    urls = _any_url(inputs)
    suffixes = {os.path.splitext(item.source)[1].lower() for item in inputs}
    wanted = READER_MODULES.keys() if urls else suffixes & READER_MODULES.keys()
    for name in sorted({READER_MODULES[suffix] for suffix in wanted}):
        importlib.import_module(f"auditor.extract.readers.{name}")
    if ".pdf" in suffixes:
        for name in PDF_ENGINES:
            try:
                importlib.import_module(name)
            except ImportError:  # the reader's own import, on its first PDF, says what is missing
                log.debug("not preloaded: %s", name)


class RuleBaseLoader:
    """The rule base built in a thread of the parent while the read pass's workers read.

    Its import (pandas, pandera, experta) is most of the command's start-up and reading needs none of
    it.  :attr:`lock` is held until the build is over: the read pool forks a replacement worker only
    under it, so no worker is ever forked in the middle of an import.  The audit pass's workers are
    forked after :meth:`result`, and share what was imported."""

    SWITCH_INTERVAL = 0.0005
    """Seconds the thread may hold the GIL while the parent's loop waits for it: at Python's default
    (5 ms) a read worker could wait that long for its next task, which takes it 2 to 20 ms to read."""

    def __init__(self, formats: list[str]) -> None:
        self.formats = formats
        self.lock = threading.Lock()
        self._thread = threading.Thread(target=self._build, name="nianbao-rulebase", daemon=True)
        self._value: Any = None
        self._error: BaseException | None = None
        self._switch = sys.getswitchinterval()
        self.page = None
        """findings.html's frame: rendered here (auditor.findings.htmlreport)."""

    def start(self) -> None:
        """Start building (the lock is taken here, before the thread exists)."""
        self.lock.acquire()
        sys.setswitchinterval(self.SWITCH_INTERVAL)
        self._thread.start()

    def _build(self) -> None:
        # In a fresh process the import makes hundreds of thousands of objects that live as long as
        # the process: no collection goes over them while they are made (two of the oldest
        # generation did, 70 ms), nor after (frozen, as the audit workers forked from here freeze
        # them).  A process that imported them before (tests) is left as it is.
        fresh = gc.isenabled() and "auditor.engine" not in sys.modules
        if fresh:
            gc.disable()
        try:
            from auditor.engine import default_rulebase

            self._value = default_rulebase()
            _preload_writers(self.formats)  # the audit workers render findings.html's parts
            if fresh:
                gc.freeze()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the parent's thread by result()
            self._error = exc
        finally:
            if fresh:
                gc.enable()
            sys.setswitchinterval(self._switch)
            self.lock.release()

    def join(self) -> None:
        """Wait for the build to end (if it was started)."""
        if self._thread.ident is not None:
            self._thread.join()

    def result(self) -> Any:
        """The rule base, once built (re-raising what stopped the build)."""
        self.join()
        if self._error is not None:
            raise self._error
        return self._value


def _zygote() -> Zygote | None:
    """The rule-base process of this command (nianbao/zygote.py), unless this process has imported the
    rule base itself (the tests run the command in-process, with rule bases of their own): then the
    rule base is built here, in a thread, as before."""
    from nianbao import zygote

    return None if "auditor.engine" in sys.modules else zygote.current()


class RuleBaseProcess:
    """What :class:`RuleBaseLoader` gives, from the rule-base process started with the command
    (nianbao/zygote.py): the parent imports none of it.  :meth:`start` asks that process to set the
    run up (its logging as here, the writers' libraries preloaded for the workers it forks);
    :meth:`result` waits for the build and gives a stand-in for the rule base (its rules' metadata,
    and audits made over there).  The read pool's fork lock is never held: nothing imports here."""

    def __init__(self, zygote: Zygote, formats: list[str], log_file: Path) -> None:
        self.zygote = zygote
        self.formats = formats
        self.log_file = log_file
        self.lock: AbstractContextManager[Any] = nullcontext()
        self._value: RemoteRuleBase | None = None
        self.page = RemotePage(zygote)
        """findings.html's frame, rendered over there: the parent imports no jinja2."""

    def start(self) -> None:
        """Ask for the set-up (answered once the build is over)."""
        self.zygote.post(_set_up_rulebase_process, self.log_file, self.formats)

    def result(self) -> RemoteRuleBase:
        """The stand-in, once the rule base is built (re-raising what stopped the build)."""
        if self._value is None:
            self._value = RemoteRuleBase(self.zygote, self.zygote.answer())
        return self._value

    def join(self) -> None:
        """The run is over: end the rule-base process (and any worker it forked); it ends on its own
        once built and its workers reaped, else it is killed (an error, Ctrl-C)."""
        self.zygote.close(done=self._value is not None)


class RemoteRuleBase:
    """The rule base in the rule-base process, as the parent uses it."""

    def __init__(self, zygote: Zygote, meta: list[dict[str, Any]]) -> None:
        self.zygote = zygote
        self.meta = meta

    def rules_meta(self) -> list[dict[str, Any]]:
        return self.meta

    def audit(self, results: list[ReportResult]) -> None:
        """As RuleBase.audit: findings added to ``results`` (audited over there, copied back)."""
        audited = self.zygote.call(_audit_here, results)
        for mine, theirs in zip(results, audited, strict=True):
            mine.findings = theirs.findings
            mine.error = theirs.error


class RemotePage:
    """findings.html's frame (auditor.findings.htmlreport.HtmlWriter's ``page``) rendered by the
    page template in the rule-base process, which has it compiled for its workers already."""

    def __init__(self, zygote: Zygote) -> None:
        self.zygote = zygote

    def page_head(self, *args: Any) -> str:
        return self._render("page_head", args)

    def summary_end(self) -> str:
        return self._render("summary_end", ())

    def page_tail(self, *args: Any) -> str:
        return self._render("page_tail", args)

    def _render(self, macro: str, args: tuple[Any, ...]) -> str:
        from auditor.findings.htmlreport import page_macro

        return str(self.zygote.call(page_macro, macro, *args))


def _set_up_rulebase_process(log_file: Path, formats: list[str]) -> list[dict[str, Any]]:
    """Run in the rule-base process: log as the parent does for the run (its workers inherit it),
    preload the writers' libraries and compile findings.html's template (the workers render the
    reports' parts, and this process the page's frame), and give the rules' metadata."""
    from auditor.engine import default_rulebase

    route_library_logging(log_file).__enter__()  # for the rest of this process's life
    _preload_writers(formats)
    return [dict(meta) for meta in default_rulebase().rules_meta()]


def _preload_writers(formats: list[str]) -> None:
    """Import what the streams of ``formats`` need and compile findings.html's page, once, in the
    process the audit workers are forked from (they render the reports' parts)."""
    from auditor.findings.writers import preload

    preload(["json", *formats])
    if "html" in formats:
        from auditor.findings.htmlreport import page_macro

        page_macro("summary_end")  # jinja2's import and the page's compilation


def _audit_here(results: list[ReportResult]) -> list[ReportResult]:
    """Run in the rule-base process: :meth:`RemoteRuleBase.audit`."""
    from auditor.engine import default_rulebase

    default_rulebase().audit(results)
    return results


@contextmanager
def route_library_logging(log_file: Path) -> Iterator[None]:
    """Library warnings (pdfminer's hundreds of lines per PDF) go to ``log_file``, not between the
    one-line reasons on stderr; the project's own warnings stay on stderr as one line each.  The
    logging set-up is restored afterwards (the command may run inside a longer-lived process)."""
    root, own = logging.getLogger(), logging.getLogger("nianbao")
    saved = (root.level, own.propagate)
    # experta calls logging.basicConfig() on import: a console handler on the root would print every
    # library's warnings on stderr.  Console handlers step aside for the run.
    consoles = [h for h in root.handlers if type(h) is logging.StreamHandler]
    for handler in consoles:
        root.removeHandler(handler)
    to_file = logging.FileHandler(log_file, encoding="utf-8", delay=True)  # no file unless something logs
    to_file.setLevel(logging.WARNING)
    to_file.setFormatter(logging.Formatter("%(asctime)s %(process)d %(name)s %(levelname)s %(message)s"))
    console = logging.StreamHandler()
    console.setFormatter(logging.Formatter("nianbao: %(message)s"))
    root.addHandler(to_file)
    if root.level == logging.NOTSET or root.level > logging.WARNING:
        root.setLevel(logging.WARNING)
    own.addHandler(console)
    own.propagate = False
    logging.captureWarnings(True)
    try:
        yield
    finally:
        logging.captureWarnings(False)
        root.removeHandler(to_file)
        own.removeHandler(console)
        to_file.close()
        root.setLevel(saved[0])
        own.propagate = saved[1]
        for handler in consoles:
            root.addHandler(handler)


@dataclass
class RunStats:
    reports: int = 0
    unreadable: list[tuple[str, str]] | None = None
    counts: dict[str, int] | None = None
    over_threshold: bool = False


def run_audit(
    paths: list[str],
    *,
    out: Path,
    formats: str,
    fail_on: str | None,
    level: str | None,
    waivers: Path | None,
    console: Console | StderrConsole,
    workers: int | None = None,
    budget: Budget | None = None,
) -> int:
    """Audit ``paths`` into ``out``; returns the exit code (CONTRACT.md)."""
    from auditor.findings.writers import STREAMS
    from nianbao.console import fail

    wanted = [f.strip().lower() for f in formats.split(",") if f.strip()]
    unknown = [f for f in wanted if f not in STREAMS]
    if unknown:
        raise fail(f"未知的输出格式：{', '.join(unknown)}（可选：{', '.join(STREAMS)}）")
    if fail_on is not None and fail_on not in ("error", "warning"):
        raise fail("--fail-on 只接受 error 或 warning")
    try:
        inputs, skipped = list_inputs(paths, exclude=out)
    except FileNotFoundError as exc:
        raise fail(f"{exc.args[0]}: 文件或目录不存在") from None
    if not inputs and not skipped:
        raise fail("没有找到可审查的文件（支持 .html .htm .docx .pdf .txt .md .doc .wps）")
    live_waivers = None
    if waivers is not None:
        from auditor.findings.waivers import load_waivers

        try:
            live_waivers = load_waivers(waivers)
        except ValueError as exc:
            raise fail(f"{waivers}: {exc}") from None

    started = time.perf_counter()
    from nianbao.zygote import ZygoteGone

    try:
        out.mkdir(parents=True, exist_ok=True)
        with route_library_logging(out / "audit.log"):
            return _run(
                inputs, skipped, out, wanted, fail_on, level, live_waivers, console, workers, budget, started
            )
    except ZygoteGone as exc:  # killed (out of memory, an operator): one line, not a traceback
        raise fail(str(exc)) from None
    except OSError as exc:
        if exc.errno not in _UNWRITABLE:
            raise
        raise fail(f"{out}: 无法写入输出目录（{exc.strerror}），审查未完成") from None


_UNWRITABLE = frozenset(
    {
        errno.ENOSPC,
        errno.EDQUOT,
        errno.EFBIG,
        errno.EROFS,
        errno.EACCES,
        errno.EPERM,
        errno.ENOTDIR,
        errno.EEXIST,
    }
)
"""What the parent's writes into the out folder (the spool, the outputs) fail with when the folder
cannot be made or written, or fills up: the inputs are read in the workers, where an error is the
document's."""


def _run(
    inputs: list[InputFile],
    skipped: list[Skipped],
    out: Path,
    wanted: list[str],
    fail_on: str | None,
    level: str | None,
    live_waivers: Any,
    console: Console | StderrConsole,
    workers: int | None,
    budget: Budget | None,
    started: float,
) -> int:
    from auditor.workers import default_workers
    from nianbao import zygote as zygote_module
    from nianbao.console import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE

    _warm_up_readers(inputs)
    spool_dir = tempfile.mkdtemp(prefix=".nianbao-spool-", dir=out)
    streams: list[Any] = []
    bar = _progress(console)
    n_workers = workers if workers and workers > 0 else default_workers()
    budget = budget or Budget()
    zygote = _zygote()
    loader = RuleBaseLoader(wanted) if zygote is None else RuleBaseProcess(zygote, wanted, out / "audit.log")
    zygote_module.resume_collection()  # before the first worker is forked
    try:
        with bar:
            batch = read_batch(inputs, n_workers)
            readers = WorkerPool(
                read_task, workers=_needed(len(inputs), batch, n_workers), budget=budget, tick=bar.refresh,
                fork_lock=loader.lock,
            )  # fmt: skip
            # Each pool is told to end as soon as its pass is over and waited for only at the end of
            # its block: its workers exit (tens of ms for the audit's) while the run goes on.
            with readers:
                loader.start()
                entries, more_skipped = _read_pass(readers, inputs, batch, level, spool_dir, bar)
                readers.release()
                rulebase = loader.result()
                rules_meta = [dict(meta) for meta in rulebase.rules_meta()]
                names = ["json", *[w for w in wanted if w != "json"]]
                streams = [_open_stream(name, out, rules_meta, loader.page) for name in names]
                skipped = sorted([*skipped, *more_skipped], key=lambda s: s.source)
                size = chunk_size(len(entries), n_workers)
                needed = _needed(len(entries), size, n_workers)
                auditors = WorkerPool(
                    spooled_audit_task, workers=needed, budget=budget, tick=bar.refresh, forker=zygote
                )
            with auditors:
                stats = _audit_pass(auditors, entries, size, streams, rulebase, live_waivers, fail_on, bar)
                auditors.release()
                bar.update(bar.add_task("写出", total=None), description="写出结果文件")
                bar.refresh()
                written, notes = _close(streams, skipped)
    except BaseException:
        for stream in streams:
            stream.abort()
        raise
    finally:
        loader.join()  # never leave the run with the thread still importing (or the process running)
        _close_readers()
        shutil.rmtree(spool_dir, ignore_errors=True)
    elapsed = time.perf_counter() - started
    for source, reason in stats.unreadable or []:
        console.print(f"{source}: 无法读取 — {reason}", markup=False, highlight=False)
    for item in skipped:
        console.print(f"{item.source}: 已跳过 — {item.reason}", markup=False, highlight=False)
    for note in notes:
        console.print(note, markup=False, highlight=False)
    counts = stats.counts or {"error": 0, "warning": 0, "info": 0}
    rate = stats.reports / elapsed if elapsed > 0 else 0.0
    skipped_note = f"，跳过 {len(skipped)} 个非报告文件" if skipped else ""
    console.print(
        f"审查 {stats.reports} 份报告{skipped_note}：错误 {counts['error']}，警告 {counts['warning']}，"
        f"提示 {counts['info']}。用时 {elapsed:.1f} 秒（{rate:.0f} 份/秒，{n_workers} 个进程）。"
        f" 输出：{', '.join(str(p) for p in written)}",
        markup=False,
        highlight=False,
    )
    if stats.reports == 0:
        console.print("nianbao: 没有找到可审查的报告（所有文件均已跳过）", markup=False, highlight=False)
        return EXIT_USAGE
    if stats.unreadable:
        # CONTRACT.md: unreadable input exits 2 (after every other document was audited and written).
        return EXIT_USAGE
    return EXIT_FINDINGS if stats.over_threshold else EXIT_OK


def _open_stream(name: str, out: Path, rules_meta: list[dict[str, Any]], page: Any) -> Any:
    """The output stream of format ``name``; findings.html's frame rendered by ``page`` if given."""
    from auditor.findings.writers import STREAMS, HtmlStream

    if name == "html" and page is not None:
        return HtmlStream(out, rules_meta, page)
    return STREAMS[name](out, rules_meta)


def read_batch(inputs: list[InputFile], workers: int) -> int:
    """Most inputs per pass-1 task: up to READ_BATCH, fewer on a small run (each worker gets four tasks
    or more), one when there are URLs (a download's allowance is per task)."""
    if _any_url(inputs):
        return 1
    return max(1, min(READ_BATCH, len(inputs) // (workers * 4)))


def read_batches(count: int, most: int, workers: int) -> Iterator[tuple[int, ...]]:
    """Pass 1's tasks over ``count`` inputs, in order: up to ``most`` inputs each, and no more than
    half a worker's share of what is left, so the last tasks are small and no worker reads on alone
    long after the others are done ("guided" scheduling: 1,000 inputs on 2 workers in 45 tasks, the
    last ones of a few inputs)."""
    start = 0
    while start < count:
        size = max(1, min(most, (count - start) // (workers * 2)))
        yield tuple(range(start, min(start + size, count)))
        start += size


def _needed(items: int, per_task: int, workers: int) -> int:
    """Workers worth forking for ``items`` cut ``per_task`` a task: no more than the tasks."""
    return max(1, min(workers, -(-items // per_task)))


def _read_pass(
    pool: WorkerPool, inputs: list[InputFile], size: int, level: str | None, spool_dir: str, bar: Any
) -> tuple[list[Entry], list[Skipped]]:
    """Pass 1 over every input; returns the spooled entries in input order and the skipped files."""
    task_id = bar.add_task("读取解析", total=len(inputs))
    by_input: dict[int, list[Entry | Skipped]] = {}
    parent_spool = _Spool(spool_dir)
    is_url = _any_url(inputs)

    def task(seqs: tuple[int, ...]) -> tuple[tuple[int, ...], ReadTask, int]:
        return seqs, ReadTask(tuple(inputs[i] for i in seqs), level, spool_dir), len(seqs)

    batches = read_batches(len(inputs), size, pool.size)
    # inputs of a task whose worker was lost, or retired before reading them: again, one per task
    tasks = Requeue((task(seqs) for seqs in batches), lambda seq: task((seq,)))
    try:
        # a URL's download takes seconds: no task waits behind one in a worker's pipe
        for outcome in pool.run(tasks, allowance=URL_ALLOWANCE if is_url else 0.0, ahead=0 if is_url else 1):
            seqs = outcome.task
            if outcome.status == "ok" or len(seqs) == 1:
                read = _read_outcome(outcome, inputs[seqs[0]], parent_spool)
                by_input.update(zip(seqs, read, strict=False))
                bar.advance(task_id, len(read))
                tasks.again(seqs[len(read) :])
            else:
                tasks.again(seqs)
    finally:
        parent_spool.flush()
    entries: list[Entry] = []
    skipped: list[Skipped] = []
    for i in range(len(inputs)):
        for item in by_input.get(i, []):
            (skipped if isinstance(item, Skipped) else entries).append(item)  # type: ignore[arg-type]
    return entries, skipped


def _read_outcome(outcome: Outcome, item: InputFile, spool: _Spool) -> list[list[Entry | Skipped]]:
    """What a read task gave, one list per input read; a task of one input (``item``) that failed is
    READ-001 with the reason."""
    if outcome.status == "ok":
        return [list(read) for read in outcome.value]
    digest = "" if _is_url(item.source) else _sha256_file(Path(item.source))
    reason = outcome.reason if outcome.status != "error" else f"解析失败（{outcome.reason}）"
    return [[Entry(spool.put(unreadable_result(item.source, digest, reason)), None, None)]]


def chunk_size(reports: int, workers: int) -> int:
    """Reports per pass-2 task: at most CHUNK, and the chunks a multiple of the workers in number, so
    that they end together (1,000 reports on 2 workers: 6 chunks of 167, not 5 of 200 whose last one
    leaves a worker idle for a fifth of the pass)."""
    rounds = -(-reports // (workers * CHUNK))
    return max(1, -(-reports // (workers * rounds))) if reports else 1


def _audit_pass(
    pool: WorkerPool,
    entries: list[Entry],
    size: int,
    streams: list[Any],
    rulebase: Any,
    live_waivers: Any,
    fail_on: str | None,
    bar: Any,
) -> RunStats:
    """Pass 2: audit in chunks, write each result to every stream in input order as it arrives."""
    task_id = bar.add_task("规则审查", total=len(entries))
    like = _rendered_in_workers(streams, list(live_waivers or []))
    tasks = _audit_tasks(entries, size, like)
    stats = RunStats(unreadable=[], counts={"error": 0, "warning": 0, "info": 0})
    threshold = SEVERITY_RANK[fail_on] if fail_on else None
    waiting: dict[int, tuple[ReportResult | Tally, Any, str | bytes | None]] = {}
    expired: dict[Any, None] = {}
    next_seq = 0
    for outcome in pool.run(tasks):
        seqs = outcome.task
        if outcome.status == "ok":
            done, stale_waivers = _get(outcome.value)
            expired.update(dict.fromkeys(stale_waivers))
        elif len(seqs) > 1:  # the chunk's worker was lost: its reports again, one per task
            tasks.again(seqs)
            continue
        else:
            place = entries[seqs[0]].place
            done, stale_waivers = _failed(place, seqs[0], outcome.reason, rulebase, like)
            expired.update(dict.fromkeys(stale_waivers))
        waiting.update((seq, (result, part, entry)) for seq, result, part, entry in done)
        while next_seq in waiting:
            _write(*waiting.pop(next_seq), streams, stats, threshold)
            next_seq += 1
            bar.advance(task_id)
    for waiver in expired:  # once for the run, not once per chunk
        log.warning(
            "豁免已于 %s 过期，不再适用：%s %s（%s）",
            waiver.expires, waiver.rule, waiver.document, waiver.reason,
        )  # fmt: skip
    return stats


def _rendered_in_workers(streams: list[Any], waivers: list[Any]) -> AuditChunk:
    """What every chunk shares: the waivers, and what is rendered where the documents are —
    findings.html's parts, findings.json's entries — so that the parent only writes them out (and
    receives each result only when another output reads it)."""
    html = any(hasattr(stream, "add_part") for stream in streams)
    entries = any(hasattr(stream, "add_entry") for stream in streams)
    whole = any(not hasattr(stream, "add_part") and not hasattr(stream, "add_entry") for stream in streams)
    return AuditChunk([], html, waivers, entries, whole)


def _audit_tasks(entries: list[Entry], size: int, like: AuditChunk) -> Requeue:
    """Pass 2's tasks: chunks of ``size`` reports in input order, each with its predecessor's place
    (same body, year before, anywhere in the run); a report put back runs alone.  ``like`` carries
    what every chunk shares (HTML wanted, the waivers)."""
    before = pair_reports([(e.agency, e.year) for e in entries])

    def chunk(seqs: tuple[int, ...]) -> tuple[tuple[int, ...], AuditChunk, int]:
        jobs = []
        for seq in seqs:
            at = before.get(seq)
            jobs.append((seq, entries[seq].place, entries[at].place if at is not None else None))
        return seqs, replace(like, jobs=jobs), len(seqs)

    chunks = (tuple(range(start, min(start + size, len(entries)))) for start in range(0, len(entries), size))
    return Requeue((chunk(seqs) for seqs in chunks), lambda seq: chunk((seq,)))


def pair_reports(keys: list[tuple[str | None, int | None]]) -> dict[int, int]:
    """For each (body as the document names it, year) by position, the position of the same body's
    report of the year before (auditor.engine.rulebase.predecessors), worked out where the rule base
    is: in the rule-base process when there is one (the parent never imports it)."""
    zygote = _zygote()
    return _pairs_here(keys) if zygote is None else zygote.call(_pairs_here, keys)


def _pairs_here(keys: list[tuple[str | None, int | None]]) -> dict[int, int]:
    from auditor.engine.rulebase import agency_key, predecessors

    return predecessors([(agency_key(agency), year) for agency, year in keys])


def _failed(
    place: Place, seq: int, reason: str, rulebase: Any, like: AuditChunk
) -> tuple[list[Audited], list[Any]]:
    """A report whose audit ran out of budget alone: READ-001 with the reason, audited in the parent
    (that finding only), waivers applied; and the expired waivers that would have applied."""
    stale = _get(place)
    failed = unreadable_result(stale.source, stale.sha256, reason)
    rulebase.audit([failed])
    expired = _apply_waivers([failed], like.waivers)
    return [(seq, *finish(failed, seq, like))], expired


def _write(
    report: ReportResult | Tally, part: Any, entry: str | bytes | None, streams: list[Any], stats: RunStats,
    threshold: int | None,
) -> None:  # fmt: skip
    for stream in streams:
        if part is not None and hasattr(stream, "add_part"):
            stream.add_part(part)  # findings.html: rendered in the worker already
        elif entry is not None and hasattr(stream, "add_entry"):
            stream.add_entry(entry)  # findings.json: the same
        else:
            stream.add(report)
    tally = report if isinstance(report, Tally) else Tally.of(report)
    stats.reports += 1
    if tally.error and stats.unreadable is not None:
        stats.unreadable.append((tally.source, tally.error))
    assert stats.counts is not None
    for severity in tally.severities:
        stats.counts[severity] = stats.counts.get(severity, 0) + 1
        if threshold is not None and SEVERITY_RANK[severity] >= threshold:
            stats.over_threshold = True


def _close(streams: list[Any], skipped: list[Skipped]) -> tuple[list[Path], list[str]]:
    """Finish every output (findings.json last: it records what the others replaced)."""
    from auditor.findings.sanitize import replaced_note

    json_stream, others = streams[0], streams[1:]
    written = []
    sanitized: dict[str, int] = {}
    for stream in others:
        written.append(stream.close())
        sanitized[stream.name] = stream.replaced
    path = json_stream.close(skipped=[s.to_dict() for s in skipped], sanitized=sanitized)
    sanitized[json_stream.name] = json_stream.replaced
    notes = [replaced_note(name, count) for name, count in sanitized.items() if count]
    return [path, *written], notes


class _NoProgress:
    """The progress display where there is none (not a terminal): rich.progress is not even imported,
    5 ms before any worker starts."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        return None

    def add_task(self, *_: object, **__: object) -> int:
        return 0

    def advance(self, *_: object) -> None:
        return None

    def update(self, *_: object, **__: object) -> None:
        return None

    def refresh(self) -> None:
        return None


def _progress(console: Console | StderrConsole) -> Any:
    """Progress over every stage with counts, rate and time left, on a terminal only."""
    if not console.is_terminal:
        return _NoProgress()
    from nianbao.console import StderrConsole

    if isinstance(console, StderrConsole):
        console = console.rich  # the display draws through it
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class RateColumn(ProgressColumn):
        def render(self, task: Any) -> Text:
            speed = task.finished_speed or task.speed
            return Text(f"{speed:.0f} 份/秒" if speed else "", style="progress.data.speed")

    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        TextColumn("剩余"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        auto_refresh=False,  # refreshed from the run's loop: no thread, so forking workers stays safe
        disable=not console.is_terminal,
    )
