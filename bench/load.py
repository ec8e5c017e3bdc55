"""Load benchmark: a mixed load of the county's people against the app, headless, on this machine only.

    python3 -m venv .venv-bench && .venv-bench/bin/pip install -r bench/requirements.txt    # locust, once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/xiji_county REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv-bench/bin/python bench/load.py --serve --users 40 --seconds 60

`--serve` collects the static files and starts gunicorn (the app's .venv, `--workers`, production settings: DEBUG
off, no SSL redirect, a throwaway secret key) on 127.0.0.1:`--port` against DATABASE_URL and REDIS_URL, and stops it at the end; without it,
`--host` names a server already running. Only a loopback address is accepted (127.0.0.0/8, localhost, ::1). The run
is bounded: `--users` simulated people, spawned at `--spawn-rate` a second, for `--seconds`, then it stops by itself.

The mix (issue #16): teachers 50 % (today's page, a session, notifications), parents 30 % (home, their data), school
staff 15 % (school home, hours record, service classes, school review), bureau 5 % (home, console, delivery,
coverage). Each person signs in once with a demo login (password Xiji-2021) and then reads pages with a second's
think time; every request is a read, so the database is the same after the run. The pages are measured in the steady
state: from the moment the last person has signed in (spawning, plus two seconds), for `--seconds`. Prints, per role
and in all: requests, requests a second, p50/p95/p99 in ms and errors (any status other than 200); the sign-ins of
the spawning phase on their own line (one deliberately slow password hash each; no rate).
"""

import argparse
import base64
import hashlib
import ipaddress
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import gevent
from locust import FastHttpUser, between, events, task
from locust.env import Environment

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "Xiji-2021"  # noqa: S105 — the published password of the demo logins
ROLES = ("teacher", "parent", "school", "bureau", "login")  # sign-ins apart: one per person, slow by design
SESSION_LINK = re.compile(r'href="(/sessions/\d+/)"')


class Person(FastHttpUser):  # geventhttpclient: a fraction of requests' CPU, and the generator shares the cores
    abstract = True
    wait_time = between(0.5, 1.5)
    username = ""
    role = ""

    def on_start(self):
        self.client.get("/login/", name=f"login {self.role}")
        self.plain_cookies()
        token = next((cookie.value for cookie in self.client.cookiejar if cookie.name == "csrftoken"), "")
        self.client.post(
            "/login/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": self.host + "/login/"},
            name=f"login {self.role}",
        )
        self.plain_cookies()

    def plain_cookies(self):
        for cookie in self.client.cookiejar:  # production marks them Secure; this run is plain HTTP on loopback
            cookie.secure = False

    def read(self, path: str, label: str):
        with self.client.get(path, name=f"{self.role} {label}", catch_response=True, allow_redirects=False) as r:
            self.plain_cookies()  # the session cookie comes again, Secure, each time its last-use mark is written
            if r.status_code != 200:
                r.failure(f"status {r.status_code} {r.headers.get('Location', '')}".rstrip())
            return r


class Teacher(Person):
    weight, role, username = 50, "teacher", "jiaoshi"
    sessions: list = []

    @task(4)
    def today(self):
        response = self.read("/today/", "today")
        self.sessions = SESSION_LINK.findall(response.text or "") or self.sessions

    @task(3)
    def session(self):
        if self.sessions:
            self.read(self.sessions[0], "session page")

    @task(1)
    def notifications(self):
        self.read("/notifications/", "notifications")


class Parent(Person):
    weight, role, username = 30, "parent", "13909540001"

    @task(4)
    def home(self):
        self.read("/enrollment/parent/", "home")

    @task(1)
    def my_data(self):
        self.read("/enrollment/parent/my-data/", "my data")


class SchoolStaff(Person):
    weight, role, username = 15, "school", "xuexiao"

    @task(3)
    def home(self):
        self.read("/school/", "home")

    @task(1)
    def review(self):
        self.read("/enrollment/review/school/", "review")

    @task(1)
    def notifications(self):
        self.read("/notifications/", "notifications")


class Bureau(Person):
    weight, role, username = 5, "bureau", "jiaotiju"

    @task(2)
    def home(self):
        self.read("/bureau/", "home")

    @task(2)
    def console(self):
        self.read("/bureau/console/", "console")

    @task(1)
    def delivery(self):
        self.read("/delivery/", "delivery")

    @task(1)
    def coverage(self):
        self.read("/enrollment/coverage/", "coverage")


def loopback(host: str) -> bool:
    name = urlsplit(host).hostname or ""
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def serve(port: int, workers: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "bench-" + "x" * 60),
        # seed_demo ran with DEBUG on, so with the development keys (xiji_afterschool/crypto.py): read with the same.
        "XIJI_FIELD_KEYS": os.environ.get(
            "XIJI_FIELD_KEYS", base64.urlsafe_b64encode(hashlib.sha256(b"xiji development field key").digest()).decode()
        ),
        "XIJI_LOOKUP_KEY": os.environ.get(
            "XIJI_LOOKUP_KEY", hashlib.sha256(b"xiji development lookup key").hexdigest()
        ),
        "XIJI_LOG_LEVEL": "WARNING",
    }
    with socket.socket() as probe:  # another server on the port would answer in gunicorn's place: refuse to measure it
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            sys.exit(f"127.0.0.1:{port} is already in use by another server: choose a free --port")
    python = str(ROOT / ".venv/bin/python")
    collect = [python, "manage.py", "collectstatic", "--noinput", "-v", "0"]  # production serves hashed names
    subprocess.run(collect, cwd=ROOT, env=env, check=True)  # noqa: S603 — our own manage.py, fixed arguments
    command = [str(ROOT / ".venv/bin/gunicorn"), "xiji_afterschool.wsgi", "-b", f"127.0.0.1:{port}",
               "-w", str(workers), "--log-level", "warning"]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603 — our own gunicorn, fixed arguments
    for _ in range(60):
        if server.poll() is not None:
            sys.exit("gunicorn stopped before answering (see its log above)")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2)
            return server
        except OSError:
            time.sleep(1)
    server.terminate()
    sys.exit("gunicorn did not answer on 127.0.0.1 within a minute")


def percentile(counts: dict, fraction: float) -> float:
    """The response time (ms) below which `fraction` of the requests fall, from locust's {ms: count}."""
    total, seen = sum(counts.values()), 0
    for ms in sorted(counts):
        seen += counts[ms]
        if seen >= fraction * total:
            return ms
    return 0


def sign_ins(env: Environment) -> dict:
    """The sign-ins of the spawning phase, before the stats are reset for the steady state."""
    row = {"n": 0, "errors": 0, "times": {}}
    for (name, _method), entry in env.stats.entries.items():
        if name.startswith("login"):
            row["n"] += entry.num_requests
            row["errors"] += entry.num_failures
            for ms, count in entry.response_times.items():
                row["times"][ms] = row["times"].get(ms, 0) + count
    return row


def report(env: Environment, seconds: float, signins: dict) -> None:
    merged = {role: {"n": 0, "errors": 0, "times": {}} for role in (*ROLES, "all")}
    for (name, _method), entry in env.stats.entries.items():
        role = name.split()[0]
        for key in (role, "all") if role != "login" else (role,):
            row = merged[key]
            row["n"] += entry.num_requests
            row["errors"] += entry.num_failures
            for ms, count in entry.response_times.items():
                row["times"][ms] = row["times"].get(ms, 0) + count
    print(f"\n{'role':<8} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6}")
    merged["login"] = signins  # counted while spawning, so their rate is not comparable: shown, not added to "all"
    for role, row in merged.items():
        if not row["n"]:
            continue
        p = [percentile(row["times"], f) for f in (0.5, 0.95, 0.99)]
        rate = f"{row['n'] / seconds:.1f}" if role != "login" else "-"
        print(f"{role:<8} {row['n']:>8} {rate:>7} {p[0]:>7.0f} {p[1]:>7.0f} {p[2]:>7.0f} {row['errors']:>6}")
    for error in env.stats.errors.values():
        print(f"  error: {error.name} {error.error} ×{error.occurrences}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="http://127.0.0.1:8000")
    parser.add_argument("--serve", action="store_true", help="start gunicorn on 127.0.0.1:--port for the run")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--spawn-rate", type=float, default=5)
    parser.add_argument("--seconds", type=int, default=60)
    args = parser.parse_args()
    host = f"http://127.0.0.1:{args.port}" if args.serve else args.host.rstrip("/")
    if not loopback(host):
        sys.exit(f"{host}: only a server on this machine (loopback) is a target")
    if not 0 < args.seconds <= 1800 or not 0 < args.users <= 1000:
        sys.exit("--seconds 1..1800 and --users 1..1000")
    server = serve(args.port, args.workers) if args.serve else None
    try:
        env = Environment(user_classes=[Teacher, Parent, SchoolStaff, Bureau], host=host, events=events)
        runner = env.create_local_runner()
        print(f"{args.users} people against {host} for {args.seconds} s …", flush=True)
        runner.start(args.users, spawn_rate=args.spawn_rate)
        # Steady state only: everyone signs in while spawning (one slow password hash each, by design); the pages are
        # measured from the moment the last person is in, for --seconds. The sign-ins are reported on their own.
        warmup = args.users / args.spawn_rate + 2
        gevent.sleep(warmup)
        signins = sign_ins(env)
        env.stats.reset_all()
        start = time.monotonic()
        gevent.spawn_later(args.seconds, runner.quit)
        runner.greenlet.join()
        report(env, time.monotonic() - start, signins)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
