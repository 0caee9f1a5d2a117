"""`nianbao audit` and `nianbao inspect` end to end, as a user runs them (a real subprocess)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.extract.expected_model import SHARED

SEEDS = SHARED / "seeds"


def nianbao(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nianbao.cli", *args], check=False, capture_output=True, text=True, cwd=cwd,
        timeout=300,
    )


def test_audit_of_the_seeds_writes_findings_json(tmp_path):
    proc = nianbao("audit", str(SEEDS), "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    data = json.loads((tmp_path / "findings.json").read_text(encoding="utf-8"))
    assert data["tool"]["name"] == "nianbao"
    reports = {Path(r["source"]).name[:3]: r for r in data["reports"]}
    assert sorted(reports) == ["000", "001", "002", "003", "004"]
    for path in SEEDS.glob("*.txt"):
        rep = reports[path.name[:3]]
        assert rep["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert {k: (r["year"], r["template"]) for k, r in reports.items()} == {
        "000": (2022, "mixed"),
        "001": (2022, "2021"),
        "002": (2020, "2019"),
        "003": (2021, "2021"),
        "004": (2022, "2021"),
    }
    assert reports["001"]["agency"] == "卫滨区人民政府"
    assert reports["002"]["published"] == "2021-01-18"
    for rep in data["reports"]:
        for f in rep["findings"]:
            assert set(f) >= {"rule_id", "severity", "message", "location", "evidence"}
            assert f["severity"] in ("error", "warning", "info")


def test_bad_input_never_stops_the_run(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a_empty.txt").write_bytes(b"")
    (inputs / "b_garbage.pdf").write_bytes(bytes(range(256)) * 40)
    (inputs / "c_truncated.docx").write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    (inputs / "d_binary.txt").write_bytes(b"\x00\x01\x02\xff" * 500)
    good = next(SEEDS.glob("001_*.txt"))
    (inputs / "e_good.txt").write_bytes(good.read_bytes())
    big = inputs / "f_huge.txt"
    with big.open("wb") as fh:  # sparse: 200 MB on paper, no disk used
        fh.truncate(200 * 1024 * 1024)
    out = tmp_path / "out"
    proc = nianbao("audit", str(inputs), "--out", str(out))
    assert proc.returncode == 2
    data = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    by_name = {Path(r["source"]).name: r for r in data["reports"]}
    assert len(by_name) == 6
    for name in ("a_empty.txt", "b_garbage.pdf", "c_truncated.docx", "d_binary.txt", "f_huge.txt"):
        rep = by_name[name]
        assert rep["error"], name
        assert [f["rule_id"] for f in rep["findings"]] == ["READ-001"]
    assert by_name["e_good.txt"]["error"] is None and by_name["e_good.txt"]["year"] == 2022
    assert "过大" in by_name["f_huge.txt"]["error"]
    error_lines = [line for line in proc.stderr.splitlines() if "无法读取" in line]
    assert len(error_lines) == 5
    assert "Traceback" not in proc.stderr


def test_missing_path_is_bad_usage(tmp_path):
    proc = nianbao("audit", str(tmp_path / "nope"), "--out", str(tmp_path))
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "不存在" in proc.stderr
    assert not (tmp_path / "findings.json").exists()


def test_unknown_format_is_bad_usage(tmp_path):
    proc = nianbao("audit", str(SEEDS), "--out", str(tmp_path), "--format", "json,docx")
    assert proc.returncode == 2 and "docx" in proc.stderr


@pytest.mark.parametrize("seed", ["000", "004"])
def test_inspect_shows_sections_and_tables(seed):
    path = next(SEEDS.glob(f"{seed}_*.txt"))
    proc = nianbao("inspect", str(path))
    assert proc.returncode == 0, proc.stderr
    assert "T3" in proc.stdout and "六" in proc.stdout
    as_json = json.loads(nianbao("inspect", str(path), "--json").stdout)
    assert {s["key"] for s in as_json["sections"]} == set("一二三四五六")
    assert {t["kind"] for t in as_json["tables"]} == {"T2", "T3", "T4"}


def test_inspect_of_an_unreadable_file_is_one_line(tmp_path):
    bad = tmp_path / "x.pdf"
    bad.write_bytes(b"\x00\x01garbage" * 100)
    proc = nianbao("inspect", str(bad))
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1


def test_an_audit_that_skips_the_interpreter_teardown_loses_nothing(tmp_path):
    """`nianbao audit` ends its process without Python's teardown (nianbao.cli._exit_now): every line
    it printed, every output file, the log of library warnings and the exit code are all there."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    for seed in SEEDS.iterdir():
        (inputs / seed.name).write_bytes(seed.read_bytes())
    (inputs / "z_garbage.pdf").write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 40)
    waivers = tmp_path / "waivers.toml"
    waivers.write_text('[[waiver]]\nrule = "SEC-003"\ndocument = "*"\nreason = "旧"\n'
                       'expires = 2020-01-01\n', "utf-8")
    out = tmp_path / "out"
    proc = nianbao("audit", str(inputs), "--out", str(out), "--format", "json,html,xlsx,csv,sarif",
                   "--waivers", str(waivers))  # fmt: skip
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    assert lines[-1].startswith("审查 6 份报告") and "findings.sarif" in lines[-1]
    assert sum("无法读取" in line for line in lines) == 1 and sum("过期" in line for line in lines) == 1
    written = {p.name for p in out.iterdir()}
    assert written - {"audit.log"} == {"findings.csv", "findings.html", "findings.json", "findings.sarif",
                                       "findings.xlsx"}  # fmt: skip
    if "audit.log" in written:  # library warnings, if any, are in the log whole
        assert (out / "audit.log").read_text("utf-8").endswith("\n")
    assert len(json.loads((out / "findings.json").read_text("utf-8"))["reports"]) == 6
    assert json.loads((out / "findings.sarif").read_text("utf-8"))["runs"][0]["results"]
    import zipfile

    with zipfile.ZipFile(out / "findings.xlsx") as book:
        assert book.testzip() is None
