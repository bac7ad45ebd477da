"""Production settings that keep each request cheap: cached templates, persistent connections."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json
import django
django.setup()
from django.conf import settings
from django.template import engines
loaders = engines["django"].engine.template_loaders
print(json.dumps({
    "debug": settings.DEBUG,
    "loaders": [type(loader).__module__ for loader in loaders],
    "conn_max_age": settings.DATABASES["default"]["CONN_MAX_AGE"],
    "health_checks": settings.DATABASES["default"]["CONN_HEALTH_CHECKS"],
}))
"""


def test_production_caches_templates_and_keeps_database_connections():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hhquiz.settings",
        "DEBUG": "0",
        "SECRET_KEY": "production-settings-probe-" + "x" * 40,
        "ALLOWED_HOSTS": "quiz.example.org",
    }
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout
    probe = json.loads(out.strip().splitlines()[-1])
    assert probe["debug"] is False
    # Django wraps the default loaders in the cached loader when none are configured.
    assert probe["loaders"] == ["django.template.loaders.cached"]
    assert probe["conn_max_age"] > 0
    assert probe["health_checks"] is True
