"""clients.python: campaign_mock.pytest_plugin imports without pytest, and under pytest
(when one is installed: python3 -m pytest, or Debian's pytest-3 on PATH) its fixtures
work and the "Your first test" example passes. Each pytest run starts its own server."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import unittest
from typing import Dict, List, Optional

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# A pytest run starts a server, runs 5 tests and stops it; the bound tells a hang.
PYTEST_TIMEOUT_S = 120


def child_env() -> Dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = ROOT + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def find_pytest() -> Optional[List[str]]:
    if importlib.util.find_spec("pytest") is not None:
        return [sys.executable, "-m", "pytest"]
    for name in ("pytest-3", "pytest"):
        found = shutil.which(name)
        if found:
            return [found]
    return None


class PytestPlugin(unittest.TestCase):
    def test_importable_without_pytest(self) -> None:
        code = ("import sys; sys.modules['pytest'] = None\n"
                "import campaign_mock.pytest_plugin as p\n"
                "assert p.pytest is None and not hasattr(p, 'campaign_tenant'), dir(p)\n"
                "print('imported without pytest')\n")
        out = subprocess.run([sys.executable, "-c", code], env=child_env(), capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout, "imported without pytest\n")

    def test_fixtures_and_the_first_test_example_under_pytest(self) -> None:
        pytest = find_pytest()
        if pytest is None:
            self.skipTest("pytest is not installed (Debian: apt-get install python3-pytest)")
        out = subprocess.run(pytest + ["-q", "-p", "no:cacheprovider", "tests/plugin_cases.py",
                                       "examples/test_first.py"],
                             cwd=ROOT, env=child_env(), capture_output=True, text=True, timeout=PYTEST_TIMEOUT_S)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertRegex(out.stdout, r"\b5 passed\b")
