"""Rule files are read with libyaml's safe loader (5× faster start-up): it gives exactly the data of
PyYAML's pure-Python safe loader for every rule file of the project, and refuses what it refuses."""

from __future__ import annotations

import pytest
import yaml

from auditor.engine import RULES_DIR
from auditor.engine.rulefile import RuleFileError, load_rule


def test_libyaml_reads_every_rule_file_as_the_python_loader_does():
    if not getattr(yaml, "__with_libyaml__", False):
        pytest.skip("PyYAML without libyaml: the Python loader is used")
    paths = sorted([*RULES_DIR.glob("*.yaml"), *RULES_DIR.glob("*.yml")])
    assert len(paths) > 30
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert yaml.load(text, Loader=yaml.CSafeLoader) == yaml.safe_load(text), path.name


def test_a_rule_file_with_a_python_tag_is_refused(tmp_path):
    path = tmp_path / "ABC-001.yaml"
    path.write_text("id: !!python/object/apply:os.system ['true']\n", encoding="utf-8")
    with pytest.raises(RuleFileError, match="not readable YAML"):
        load_rule(path)
