"""Load test: the production server (gunicorn, WEB_WORKERS processes) with its job consumers on
PostgreSQL and Redis, driven on loopback by a mix of users for a fixed time.

    .venv/bin/python -m bench.load                     # 60 s, 4 web workers, 2 job workers, 16 users
    .venv/bin/python -m bench.load --seconds 20 --users 8 --postgres URL --redis redis://127.0.0.1:6379/3

A database of its own is created on the PostgreSQL server (dropped at the end), migrated and filled with
the demo (`flask db upgrade`, `flask setup --demo`: the seeds issued, their tasks under way), exactly as
`make run` prepares one. Each simulated user logs in as a demo account (the office, a leader, a clerk,
two departments and a unit) and then, until the time is up, requests the pages that role uses, picked
at random with fixed weights and no pause: dashboard, task lists, directive list and pages, search,
notifications, an Excel export and a letter (searches through the lists' own search box). Every answer other than 200 (or a redirect where the page
redirects) counts as an error and is printed with its page.

Output (`name: value` lines): requests, errors, requests_per_second, and per page its count and
p50/p95/p99 in milliseconds. Nothing asserts; the target is errors: 0.
"""
import argparse
import os
import random
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

from bench.serving import ROOT, VENV_BIN, OwnDatabase, User, free_port, start_gunicorn, stop, wait_until_up

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379/5"
PASSWORD = "demo1234"
# who is simulated, and the pages each of them uses, with weights
ROLES = {
    "vanphong": [("dashboard", "/theo-doi", 4), ("office_list", "/theo-doi/nhiem-vu", 4),
                 ("office_list_overdue", "/theo-doi/nhiem-vu?timeliness=qua_han", 2),
                 ("directives", "/van-ban", 3), ("directive", "{directive}", 3), ("search", "/van-ban?q=y%20t%E1%BA%BF", 2),
                 ("excel_small", "/theo-doi/nhiem-vu.xlsx?timeliness=qua_han", 1), ("letter_pdf", "{letter}", 1)],
    "lanhdao": [("dashboard", "/theo-doi", 5), ("directives", "/van-ban", 2), ("directive", "{directive}", 2)],
    "vanthu": [("directives", "/van-ban", 3), ("received", "/so-van-ban/den", 2)],
    "soyte": [("inbox", "/nhiem-vu", 5), ("assignment", "{assignment}", 3), ("notifications", "/thong-bao", 1),
              ("search", "/nhiem-vu?q=b%C3%A1o%20c%C3%A1o", 1)],
    "cdc.kontum": [("inbox", "/nhiem-vu", 5), ("assignment", "{assignment}", 3)],
    "soyte.ld": [("dashboard", "/theo-doi", 3), ("directives", "/van-ban", 2)],
}


def out(name, value):
    print(f"{name}: {value}", flush=True)


def progress(message):
    print(f"# {message}", file=sys.stderr, flush=True)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def prepare(postgres: str, folder: Path, env: dict) -> None:
    for command in (["db", "upgrade"], ["setup", "--demo"]):
        subprocess.run([str(VENV_BIN / "flask"), "--app", "app", *command], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def start(env: dict, web_workers: int, job_workers: int, folder: Path) -> list[subprocess.Popen]:
    processes = [start_gunicorn(env, folder / "server.log", web_workers)]
    log = open(folder / "server.log", "ab")
    for index in range(job_workers):
        processes.append(subprocess.Popen([str(VENV_BIN / "flask"), "--app", "app", "jobs", "worker"]
                                          + (["--no-periodic"] if index else []),
                                          cwd=ROOT, env=env, stdout=log, stderr=log))
    return processes


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--users", type=int, default=16, help="simulated users (threads), spread over the roles")
    parser.add_argument("--web-workers", type=int, default=4)
    parser.add_argument("--job-workers", type=int, default=2)
    parser.add_argument("--postgres", default=os.environ.get("LOAD_DATABASE_URL", DEFAULT_POSTGRES),
                        help="a PostgreSQL server; a database of its own is created there and dropped")
    parser.add_argument("--redis", default=DEFAULT_REDIS)
    args = parser.parse_args()

    database = OwnDatabase(args.postgres, "load")
    name, url = database.name, database.url
    folder = Path(os.environ.get("TMPDIR", "/tmp")) / name
    folder.mkdir(parents=True)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": args.redis, "HUEY_NAME": name, "DEMO": "1",
           "SECRET_KEY": "load-test", "HOST": "127.0.0.1", "PORT": str(port), "LOG_LEVEL": "WARNING",
           "STORAGE_DIR": str(folder / "storage"), "GENERATED_DIR": str(folder / "generated"),
           "LOGIN_LIMITS_ADDRESS": "100000/minute", "LOGIN_LIMITS_ACCOUNT": "100000/minute"}
    processes = []
    try:
        progress(f"database {name}: migrating and loading the demo")
        prepare(url, folder, env)
        processes = start(env, args.web_workers, args.job_workers, folder)
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base, processes[0])
        out("web_workers", args.web_workers)
        out("job_workers", args.job_workers)
        out("users", args.users)
        run(base, args)
    finally:
        stop(processes)
        database.drop()


def run(base: str, args) -> None:
    names = list(ROLES)
    users = [User(base, names[index % len(names)], PASSWORD) for index in range(args.users)]
    for user in users:
        user.login()
    links = {}  # each user's own pages: a directive, its letter and an assignment that user may open
    for user in users:
        directive = user.first_link("/van-ban", r"/van-ban/\d+\"") if user.username not in ("soyte", "cdc.kontum") \
            else None
        links[user] = {"directive": directive or "/van-ban", "letter": f"{directive}/tai-ve.pdf" if directive else "/van-ban",
                       "assignment": user.first_link("/nhiem-vu", r"/nhiem-vu/\d+\"") or "/nhiem-vu"
                       if user.username in ("soyte", "cdc.kontum") else "/nhiem-vu"}
    timings: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + args.seconds

    def drive(user: User, seed: int):
        chance = random.Random(seed)
        pages = ROLES[user.username]
        weights = [weight for _name, _path, weight in pages]
        while time.perf_counter() < deadline:
            name, path, _weight = chance.choices(pages, weights)[0]
            path = path.format(**links[user])
            started = time.perf_counter()
            status, _body = user.get(path)
            elapsed = time.perf_counter() - started
            with lock:
                timings[name].append(elapsed)
                if status not in (200, 302):
                    errors.append(f"{user.username} {path}: HTTP {status}")

    started = time.perf_counter()
    threads = [threading.Thread(target=drive, args=(user, index)) for index, user in enumerate(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    total = sum(len(values) for values in timings.values())
    out("seconds", round(elapsed, 1))
    out("requests", total)
    out("errors", len(errors))
    out("requests_per_second", round(total / elapsed, 1))
    for name in sorted(timings):
        values = timings[name]
        out(f"{name}_count", len(values))
        for label, fraction in (("p50", 0.50), ("p95", 0.95), ("p99", 0.99)):
            out(f"{name}_ms_{label}", round(1000 * percentile(values, fraction), 1))
    for line in errors[:20]:
        out("error", line)


if __name__ == "__main__":
    main()
