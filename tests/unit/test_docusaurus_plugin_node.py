"""The Node unit tests of packages/docusaurus-plugin-booktutor: options, injected script, URL → doc map, files."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
TESTS = ROOT / "tests" / "node" / "docusaurus_plugin.test.mjs"


@pytest.mark.needs("node")
def test_plugin_node_unit_tests():
    result = subprocess.run(["node", "--test", str(TESTS)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "# fail 0" in result.stdout and "# pass 6" in result.stdout, result.stdout[-2000:]
