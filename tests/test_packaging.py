"""`pip install .` from a clean checkout gives a working app.

The wheel is built from the files a clone has (git ls-files), installed with
pip --no-deps into a throwaway venv that borrows this venv's dependencies (a
.pth line, so this checkout's editable install is not seen), and run from an
empty folder: the settings, templates, static files, fixtures, migrations and
management commands must all come from the installed package.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SMOKE = """
import json, django
from django.conf import settings
from django.test import Client
django.setup()
import hhquiz, quiz
from quiz.models import Question
page = Client(HTTP_HOST="localhost").get("/")
css = Client(HTTP_HOST="localhost").get("/static/css/site.css")
print(json.dumps({
    "hhquiz": hhquiz.__file__, "quiz": quiz.__file__, "base_dir": str(settings.BASE_DIR),
    "status": page.status_code, "start_form": "How far have you watched?" in page.text,
    "css": css.status_code, "questions": Question.objects.count(),
}))
"""


def run(args, **kwargs):
    result = subprocess.run(args, capture_output=True, text=True, timeout=120, **kwargs)
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A venv with the wheel built from a clean copy of this checkout installed in it."""
    if not shutil.which("git") or not (ROOT / ".git").exists():
        pytest.fail("the packaging test builds from `git ls-files`: it needs git and a checkout")
    tmp = tmp_path_factory.mktemp("packaging")
    checkout = tmp / "checkout"
    files = run(
        # safe.directory: CI may run as another user than the checkout's owner.
        ["git", "-c", "safe.directory=*", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=ROOT,
    ).split("\0")
    for name in filter(None, files):
        if (ROOT / name).is_file():
            (checkout / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, checkout / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    # setuptools from the dev extra: no network, no build isolation.
    run(
        [*pip, "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(tmp / "dist"), "."],
        cwd=checkout,
    )
    (wheel,) = (tmp / "dist").glob("hhquiz-*.whl")
    venv = tmp / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    run([*pip, "--python", str(python), "install", "-q", "--no-deps", "--no-index", str(wheel)])
    site = Path(
        run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]
        ).strip()
    )
    (site / "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    workdir = tmp / "run"
    workdir.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "PYTHONPATH", "DJANGO_SETTINGS_MODULE"}
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "hhquiz.settings",
        "DEBUG": "1",
        "HHQUIZ_DATA_DIR": str(workdir),
    }
    return {"python": python, "site": site, "cwd": workdir, "env": env, "wheel": wheel}


def manage(installed, *args):
    return run(
        [str(installed["python"]), "-m", "django", *args],
        cwd=installed["cwd"],
        env=installed["env"],
    )


def test_the_wheel_holds_every_package_and_the_data(installed):
    import zipfile

    names = set(zipfile.ZipFile(installed["wheel"]).namelist())
    for expected in (
        "quiz/views/play.py",
        "quiz/management/commands/setup_bank.py",
        "quiz/migrations/0001_initial.py",
        "quiz/leaderboard/redis_backend.py",
        "hhquiz/templates/base.html",
        "hhquiz/templates/404.html",
        "hhquiz/static/css/site.css",
        "hhquiz/fixtures/facts/" + next((ROOT / "fixtures" / "facts").glob("*.toml")).name,
    ):
        assert expected in names
    assert not any("__pycache__" in name or name.startswith("tests/") for name in names)


def test_the_installed_app_checks_migrates_and_serves_a_page(installed):
    assert "no issues" in manage(installed, "check")
    manage(installed, "migrate", "--noinput", "-v", "0")
    manage(installed, "createcachetable")
    manage(installed, "setup_bank")
    out = json.loads(
        run([str(installed["python"]), "-c", SMOKE], cwd=installed["cwd"], env=installed["env"])
    )
    site = str(installed["site"])
    assert out["hhquiz"].startswith(site) and out["quiz"].startswith(site)
    assert out["base_dir"] == str(Path(out["hhquiz"]).parent)
    assert (out["status"], out["start_form"], out["css"]) == (200, True, 200)
    assert out["questions"] > 0
    # What the app writes goes to its data folder, not into site-packages.
    assert (installed["cwd"] / "db.sqlite3").is_file()
