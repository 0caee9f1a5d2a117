"""A number longer than Decimal's default 28 digits is still a number: a visibly unbalanced table gets its
balance findings (issue 14 item 1), never "check failed" or a rounded, false balance."""

from __future__ import annotations

import re
from pathlib import Path

from tests.rules.support import SEEDS, audit_files, rule_ids

HUGE = "9" * 60


def _seed_001_with(tmp_path: Path, old: str, new: str) -> Path:
    text = next(SEEDS.glob("001_*.txt")).read_text(encoding="utf-8")
    start = text.index("本年新收政府信息公开申请数量")
    row_end = text.index("\n", start)
    row = re.sub(old, new, text[start:row_end], count=1)
    path = tmp_path / "huge.txt"
    path.write_text(text[:start] + row + text[row_end:], encoding="utf-8")
    return path


def test_a_60_digit_cell_unbalances_its_row_and_column(tmp_path: Path) -> None:
    (result,) = audit_files([_seed_001_with(tmp_path, r"\t12\t", f"\t{HUGE}\t")])
    assert {"BAL-001", "BAL-002"} <= rule_ids(result, "error")
    audit_notes = " ".join(f.message for f in result.findings if f.rule_id == "AUD-001")
    assert "出错" not in audit_notes
    (bal,) = [f for f in result.findings if f.rule_id == "BAL-001"]
    assert HUGE in bal.evidence  # written in full, not rounded to 28 digits


def test_a_60_digit_row_that_balances_gives_no_balance_finding(tmp_path: Path) -> None:
    # 自然人 and 总计 of 一 both become the same 60-digit number: the row sum holds exactly (28-digit
    # arithmetic would round the sum and report a false BAL-001); the column identities then fail.
    path = _seed_001_with(tmp_path, r"\t12\t0\t0\t0\t0\t0\t12", f"\t{HUGE}\t0\t0\t0\t0\t0\t{HUGE}")
    (result,) = audit_files([path])
    assert not [f for f in result.findings if f.rule_id == "BAL-001"]
    assert "BAL-002" in rule_ids(result, "error")
