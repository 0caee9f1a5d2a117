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
        (('level = "government"', 'level = "province"'),
         "level 只能是 government、department、township，不能是 'province'"),
        (('level = "government"', 'deadline = "3-31"'), 'deadline 应写成“MM-DD”'),
        (('level = "government"', 'schedule = "daily"'), "schedule 应是 cron 表达式"),
        (('level = "government"', 'adapter = "nope"'), "未知的 adapter 'nope'"),
        (('level = "government"', 'colour = "red"'), "未知的键 colour；可用的键："),
        (("delay = 0.5", "dealy = 0.5"), "\\[crawler\\]：未知的键 dealy（是不是 delay？）"),
        (('start_urls = ["http://Example', 'start_urls = ["ftp://Example'), "不是 http(s) 网址"),
    ],
)
def test_invalid_entries_are_named(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    with pytest.raises(SitesFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_sites(write(tmp_path, GOOD.replace(*change)))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('level = "government"', 'schedul = "0 3 * * *"'), "未知的键 schedul（是不是 schedule？）"),
        (('level = "government"', 'level = "goverment"'), "（是不是 government？）"),
        (('level = "government"', 'start_url = ["http://a.gov.cn/"]'),
         "未知的键 start_url（是不是 start_urls？）"),
        (("[[site]]", "[[sites]]"), "没有 [[site]] 条目（sites 是不是 site？）"),
    ],
)
def test_a_typo_is_answered_in_chinese_with_the_key_that_was_meant(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    with pytest.raises(SitesFileError) as caught:
        load_sites(write(tmp_path, GOOD.replace(*change)))
    assert message in str(caught.value)


def test_duplicate_ids_and_bad_toml(tmp_path: Path) -> None:
    twice = GOOD + GOOD.split("[crawler]")[1].split("\n\n", 1)[1]
    with pytest.raises(SitesFileError, match="站点 id 重复：weibin"):
        load_sites(write(tmp_path, twice))
    with pytest.raises(SitesFileError, match="不是有效的 TOML"):
        load_sites(write(tmp_path, "[[site]\n"))
