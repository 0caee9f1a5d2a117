"""`nianbao audit`: read the inputs, audit them as one batch, write the outputs."""

from __future__ import annotations

import hashlib
from pathlib import Path

from rich.console import Console

from auditor.extract.api import MAX_INPUT_BYTES
from auditor.findings.model import SEVERITY_RANK, ReportResult
from auditor.pipeline import AuditInput, audit_batch, severity_counts, unreadable_result

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def load_input(source: str, level: str | None) -> list[AuditInput] | ReportResult:
    """The bytes of one input (a URL may lead to several attached reports), or the result that says
    why it cannot be read."""
    if source.startswith(("http://", "https://")):
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
    path = Path(source)
    try:
        size = path.stat().st_size
        if size > MAX_INPUT_BYTES:
            digest = _sha256_file(path)
            return unreadable_result(
                source,
                digest,
                f"文件过大（{size // (1024 * 1024)} MB，上限 {MAX_INPUT_BYTES // (1024 * 1024)} MB）",
            )
        data = path.read_bytes()
    except OSError as exc:
        return unreadable_result(source, "", f"无法打开文件：{exc.strerror or exc}")
    return [AuditInput(data=data, source=source, level=level)]


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def run_audit(
    paths: list[str],
    *,
    out: Path,
    formats: str,
    fail_on: str | None,
    level: str | None,
    waivers: Path | None,
    console: Console,
) -> int:
    from auditor.cli import collect_inputs, fail, progress
    from auditor.engine import default_rulebase
    from auditor.findings.writers import WRITERS

    wanted = [f.strip().lower() for f in formats.split(",") if f.strip()]
    unknown = [f for f in wanted if f not in WRITERS]
    if unknown:
        raise fail(f"未知的输出格式：{', '.join(unknown)}（可选：{', '.join(WRITERS)}）")
    if fail_on is not None and fail_on not in ("error", "warning"):
        raise fail("--fail-on 只接受 error 或 warning")
    sources = collect_inputs(paths)
    if not sources:
        raise fail("没有找到可审查的文件（支持 .html .htm .docx .pdf .txt .md .doc .wps）")

    rulebase = default_rulebase()
    items: list[AuditInput] = []
    failed: list[ReportResult] = []
    rank: dict[str, int] = {}
    with progress() as bar:
        task = bar.add_task("读取", total=len(sources))
        for src in sources:
            loaded = load_input(src, level)
            if isinstance(loaded, ReportResult):
                failed.append(loaded)
                rank.setdefault(loaded.source, len(rank))
            else:
                items.extend(loaded)
                for item in loaded:
                    rank.setdefault(item.source, len(rank))
            bar.advance(task)
    results = audit_batch(items, rulebase=rulebase)
    rulebase.audit(failed)  # files that could not even be loaded get READ-001's text from its rule file
    results.extend(failed)
    results.sort(key=lambda r: rank.get(r.source, len(rank)))  # the order the inputs were given

    if waivers is not None:
        from auditor.findings.waivers import apply_waivers, load_waivers

        try:
            apply_waivers(results, load_waivers(waivers))
        except ValueError as exc:
            raise fail(f"{waivers}: {exc}") from None

    rules_meta = rulebase.rules_meta() if hasattr(rulebase, "rules_meta") else []
    written = [
        WRITERS[name](out, results, rules_meta) for name in ["json", *[w for w in wanted if w != "json"]]
    ]
    for r in results:
        if r.error:
            console.print(f"{r.source}: 无法读取 — {r.error}", markup=False, highlight=False)
    counts = severity_counts(results)
    console.print(
        f"审查 {len(results)} 份报告：错误 {counts['error']}，警告 {counts['warning']}，提示 {counts['info']}。"
        f" 输出：{', '.join(str(p) for p in written)}",
        markup=False,
        highlight=False,
    )
    if any(r.error for r in results):
        # CONTRACT.md: unreadable input exits 2 (after every other document was audited and written).
        return EXIT_USAGE
    if fail_on is not None:
        threshold = SEVERITY_RANK[fail_on]
        if any(
            SEVERITY_RANK[f.severity] >= threshold and f.waived is None for r in results for f in r.findings
        ):
            return EXIT_FINDINGS
    return EXIT_OK
