"""Every input gets an accurate one-line reason: non-reports are skipped with why (and do not make the
run fail), a refused connection is not blamed on robots.txt, library warnings stay out of stderr."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from rich.console import Console

import auditor.pipeline
from nianbao.audit_run import run_audit
from tests.extract.expected_model import SHARED

GOOD = next((SHARED / "seeds").glob("001_*.txt")).read_bytes()
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + bytes(range(256)) * 8


def _run(paths: list[str], out: Path, formats: str = "json") -> tuple[int, str, dict]:
    console = Console(stderr=True, record=True, width=400, force_terminal=False)
    code = run_audit(paths, out=out, formats=formats, fail_on=None, level=None, waivers=None, console=console,
                     workers=1)  # fmt: skip
    data = json.loads((out / "findings.json").read_text("utf-8"))
    return code, console.export_text(), data


def test_non_reports_in_a_folder_are_skipped_with_why(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "2022-report.txt").write_bytes(GOOD)
    (folder / "README.md").write_text("# 年报汇总\n\n本文件夹收集各机关的政府信息公开工作年度报告。\n",
                                      "utf-8")
    (folder / "scan-page1.jpg").write_bytes(JPEG)
    (folder / "scan-named-as.txt").write_bytes(JPEG)
    (folder / "index.xls").write_bytes(b"\xd0\xcf")
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    code, log, data = _run([str(folder)], tmp_path / "out")
    assert code == 0, log  # skipped files are not unreadable reports
    assert [Path(r["source"]).name for r in data["reports"]] == ["2022-report.txt"]
    skipped = {Path(s["source"]).name: s["reason"] for s in data["skipped"]}
    assert set(skipped) == {"README.md", "scan-page1.jpg", "scan-named-as.txt", "index.xls"}
    assert skipped["scan-page1.jpg"] == "图片/扫描件，无法读取文字"
    assert "图片/扫描件" in skipped["scan-named-as.txt"]
    assert skipped["README.md"].startswith("没有找到年度报告的内容")
    assert ".xls" in skipped["index.xls"]
    lines = [line for line in log.splitlines() if "已跳过" in line]
    assert len(lines) == 4
    assert "跳过 4 个非报告文件" in log and "无法读取 —" not in log


def test_a_folder_of_nothing_but_non_reports_is_bad_usage(tmp_path):
    folder = tmp_path / "scans"
    folder.mkdir()
    (folder / "a.jpg").write_bytes(JPEG)
    code, log, data = _run([str(folder)], tmp_path / "out")
    assert code == 2 and data["reports"] == [] and len(data["skipped"]) == 1
    assert "没有找到可审查的报告" in log


def test_a_refused_connection_says_so(tmp_path):
    code, log, data = _run(["http://127.0.0.1:1/report.html"], tmp_path / "out")
    assert code == 2
    reason = data["reports"][0]["error"]
    assert "robots.txt" not in reason and "站点无法访问" in reason
    assert len([line for line in log.splitlines() if "无法读取" in line]) == 1


def test_library_warnings_go_to_the_log_file_not_stderr(tmp_path, monkeypatch, capfd, request):
    real = auditor.pipeline.extract

    def noisy(data: bytes, source: str, **kwargs: object):  # type: ignore[no-untyped-def]
        for i in range(50):
            logging.getLogger("pdfminer.pdfpage").warning("CropBox missing from /Page, defaulting to "
                                                          "MediaBox %d", i)
        return real(data, source, **kwargs)

    monkeypatch.setattr(auditor.pipeline, "extract", noisy)
    console = logging.StreamHandler()  # what experta's logging.basicConfig() leaves on the root
    logging.getLogger().addHandler(console)
    request.addfinalizer(lambda: logging.getLogger().removeHandler(console))
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_bytes(GOOD)
    code, _, _ = _run([str(folder)], tmp_path / "out")
    assert code == 0
    assert "CropBox" not in capfd.readouterr().err
    assert (tmp_path / "out" / "audit.log").read_text("utf-8").count("CropBox") == 50


def test_characters_a_format_cannot_hold_are_replaced_and_every_format_written(tmp_path):
    text = GOOD.decode("utf-8").replace("卫滨区人民政府", "卫滨区\x01人民\x0b政府\uffff", 3)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(text, "utf-8")
    code, log, data = _run([str(folder)], tmp_path / "out", formats="json,html,xlsx,csv,sarif")
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        ["findings.json", "findings.html", "findings.xlsx", "findings.csv", "findings.sarif"]
    )
    assert data["sanitized"]["findings.xlsx"] > 0 and data["sanitized"]["findings.html"] > 0
    assert any(line.startswith("findings.xlsx：") and "已替换" in line for line in log.splitlines())
