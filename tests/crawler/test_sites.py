"""The sites file: defaults, validation, crawler settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.sites import DEFAULT_SCHEDULE, SitesFileError, load_sites

GOOD = """
[crawler]
delay = 0.5
allow_private = ["127.0.0.1"]

[[site]]
id = "weibin"
name = "卫滨区人民政府"
start_urls = ["http://Example.GOV.cn:8080/zfxxgknb/index.html"]
level = "government"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sites.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_and_settings(tmp_path: Path) -> None:
    sites = load_sites(write(tmp_path, GOOD))
    site = sites.site("weibin")
    assert site.allowed_hosts == ("example.gov.cn:8080",) and site.schedule == DEFAULT_SCHEDULE
    assert site.adapter == "generic" and site.deadline is None
    assert sites.settings.delay == 0.5 and sites.settings.allow_private == ("127.0.0.1",)
    assert sites.settings.retries == 3  # untouched defaults stay


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('level = "government"', 'level = "province"'), "level must be one of"),
        (('level = "government"', 'deadline = "3-31"'), 'deadline must be "MM-DD"'),
        (('level = "government"', 'schedule = "daily"'), "schedule must be a cron expression"),
        (('level = "government"', 'adapter = "nope"'), "unknown adapter 'nope'"),
        (('level = "government"', 'colour = "red"'), "unknown key(s) colour"),
        (("delay = 0.5", "dealy = 0.5"), "unknown crawler setting(s): dealy"),
        (('start_urls = ["http://Example', 'start_urls = ["ftp://Example'), "not an http(s) URL"),
    ],
)
def test_invalid_entries_are_named(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    with pytest.raises(SitesFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_sites(write(tmp_path, GOOD.replace(*change)))


def test_duplicate_ids_and_bad_toml(tmp_path: Path) -> None:
    twice = GOOD + GOOD.split("[crawler]")[1].split("\n\n", 1)[1]
    with pytest.raises(SitesFileError, match="duplicate site id"):
        load_sites(write(tmp_path, twice))
    with pytest.raises(SitesFileError, match="not valid TOML"):
        load_sites(write(tmp_path, "[[site]\n"))
