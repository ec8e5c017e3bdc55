"""Settings come from the environment; production refuses unsafe values. Run in subprocesses."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "x7#kq!2v-production-like-secret-key-with-enough-length-and-entropy-9f3",
    "DJANGO_ALLOWED_HOSTS": "afterschool.xiji.example",
    # Keys that encrypt ID numbers and mobiles (issue 14 item 6); without them check --deploy fails (tests/test_crypto.py).
    "XIJI_FIELD_KEYS": "q3pO0oGg2V8tqk0bK4m3nJ0m6y1pQw8r5s7t9u1v3xY=",
    "XIJI_LOOKUP_KEY": "production-like-lookup-key-with-enough-length-4f1c",
}


def _manage(*args, **env):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "XIJI_FIELD", "XIJI_LOOKUP"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_passes_with_production_values():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout


def test_placeholder_secret_key_is_refused_when_debug_is_off():
    env = {**PRODUCTION}
    env.pop("DJANGO_SECRET_KEY")
    result = _manage("check", **env)
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr


def test_nonsense_boolean_is_refused():
    result = _manage("check", DJANGO_DEBUG="maybe")
    assert result.returncode != 0 and "DJANGO_DEBUG must be true or false" in result.stderr


def test_redis_url_switches_broker_and_cache(settings):
    code = (
        "import django;django.setup();from django.conf import settings as s;"
        "print(s.CELERY_TASK_ALWAYS_EAGER, s.CACHES['default']['BACKEND'].rsplit('.',1)[1], s.CELERY_BROKER_URL)"
    )
    base = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    base["DJANGO_SETTINGS_MODULE"] = "xiji_afterschool.settings"
    eager = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=base, capture_output=True, text=True)
    assert eager.stdout.split() == ["True", "LocMemCache", "memory://"]
    real = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "REDIS_URL": "redis://127.0.0.1:6379/3"},
        capture_output=True,
        text=True,
    )
    assert real.stdout.split() == ["False", "RedisCache", "redis://127.0.0.1:6379/3"]
    assert settings.TIME_ZONE == "Asia/Shanghai"
