"""`nianbao notice` end to end on the audit of the seeds, as an officer runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from tests.cli.test_audit_cli import SEEDS, nianbao


@pytest.fixture(scope="module")
def seeds_findings(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("audit")
    proc = nianbao("audit", str(SEEDS), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    return out / "findings.json"


def test_notice_writes_a_docx_per_body_and_the_region_summary(tmp_path: Path, seeds_findings: Path) -> None:
    proc = nianbao("notice", str(seeds_findings), "--out", str(tmp_path), "--reply-by", "2027-01-15",
                   "--issuer", "某市人民政府办公室")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(seeds_findings.read_text("utf-8"))
    with_problems = {r["agency"] for r in data["reports"]
                     if any(f["severity"] in ("error", "warning") and not f.get("waived")
                            for f in r["findings"])}
    docs = sorted(tmp_path.glob("*.docx"))
    assert {p.name.removeprefix("整改通知-").removesuffix(".docx") for p in docs} == with_problems
    seed0 = next(r for r in data["reports"] if Path(r["source"]).name.startswith("000"))
    doc = Document(str(tmp_path / f"整改通知-{seed0['agency']}.docx"))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    text = "\n".join([p.text for p in doc.paragraphs] + cells)
    assert seed0["sha256"] in text and "2027年1月15日前" in text and "某市人民政府办公室" in text
    assert "（BAL-002，错误）" in text and "第三部分，表三，“（七）总计”行，“自然人”列" in text
    book = load_workbook(tmp_path / "地区汇总.xlsx")
    names = [r[0] for r in book["机关汇总"].iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == sorted({r["agency"] for r in data["reports"]})
    assert f"整改通知 {len(docs)} 份（共 {len(names)} 个机关）" in proc.stderr


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--reply-by", "2027-13-01"], "--reply-by：“2027-13-01”不是日期"),
        (["--reply-by", "下月"], "YYYY-MM-DD"),
    ],
)
def test_a_bad_reply_by_date_is_bad_usage(tmp_path: Path, seeds_findings: Path,
                                          args: list[str], reason: str) -> None:
    proc = nianbao("notice", str(seeds_findings), "--out", str(tmp_path), *args)
    assert proc.returncode == 2 and reason in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and not list(tmp_path.iterdir())


def test_a_missing_findings_file_is_one_chinese_line(tmp_path: Path) -> None:
    proc = nianbao("notice", str(tmp_path / "findings.json"), "--out", str(tmp_path / "n"))
    assert proc.returncode == 2 and "文件不存在" in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
