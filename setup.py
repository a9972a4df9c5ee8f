"""Build hooks; everything else is in pyproject.toml. The wheel is self-contained:

* the ONNX export of all-MiniLM-L6-v2: scripts/export_minilm_onnx.py writes it into
  src/booktutor/providers/minilm/ unless a current one is there (package data from then on);
* the chat widget bundle (widget/dist/widget.js, built with npm when missing or older than its sources)
  as booktutor/api/static/widget.js;
* the Alembic migrations and alembic.ini as booktutor/_migrations/.
Editable installs (`make bootstrap`) read those from the checkout instead; the Makefile runs the export.
"""

from __future__ import annotations

import os
import runpy
import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
MODEL_DIR = ROOT / "src" / "booktutor" / "providers" / "minilm"
WIDGET = ROOT / "widget" / "dist" / "widget.js"


def widget_bundle() -> Path:
    if prebuilt := os.environ.get("BOOKTUTOR_WIDGET_BUNDLE"):  # built elsewhere (the Dockerfile's Node stage)
        return Path(prebuilt)
    sources = [*(ROOT / "widget" / "src").rglob("*"), ROOT / "package-lock.json"]
    newest = max((p.stat().st_mtime for p in sources if p.is_file()), default=0.0)
    if WIDGET.is_file() and WIDGET.stat().st_mtime >= newest:
        return WIDGET
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("Building the wheel needs npm for the chat widget (or a built widget/dist/widget.js).")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=ROOT, check=True)
    subprocess.run([npm, "run", "--silent", "build:widget"], cwd=ROOT, check=True)
    return WIDGET


class BuildPyWithAssets(build_py):
    def run(self) -> None:
        exporter = runpy.run_path(str(ROOT / "scripts" / "export_minilm_onnx.py"))
        exporter["main"](["--out", str(MODEL_DIR)])
        super().run()
        if getattr(self, "editable_mode", False):
            return
        package = Path(self.build_lib) / "booktutor"
        shutil.copyfile(widget_bundle(), package / "api" / "static" / "widget.js")
        migrations = package / "_migrations"
        shutil.rmtree(migrations, ignore_errors=True)
        shutil.copytree(ROOT / "migrations", migrations / "migrations", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copyfile(ROOT / "alembic.ini", migrations / "alembic.ini")


setup(cmdclass={"build_py": BuildPyWithAssets})
