"""`make bench`: every busy page at small and at national size, with hard gates.

For each size it builds a fresh database (migrate, then `seed_scale`, timed), serves the app
with gunicorn on loopback with production settings (DJANGO_DEBUG=false) over plain HTTP,
and drives each page in bench/pages.py with wrk (4 connections; median of three runs),
next to a bare view behind the same middleware as the baseline. A separate pass through
Django's test client counts each page's queries and EXPLAINs them.

Hard gates (the exit status is 1 when one fails):
  * every page makes the same number of queries at both sizes;
  * at national size no query of these pages scans a table of more than 10,000 rows
    sequentially;
  * every page that exists answers as it should, under load too.
Targets (reported, not gates): p95 at national size at most 1.5 times p95 at small size;
p95 under 150 ms for staff pages, 100 ms for the maker's pages and 150 ms for joining.
Each page's throughput next to the baseline's is printed to compare runs across machines;
it is no target (issue 26 retired "a fifth of the baseline": it bought milliseconds with
machinery every reader paid for).

    .venv/bin/python -m bench.run                      # both sizes, about 25 minutes
    .venv/bin/python -m bench.run --sizes small --runs 1 --duration 3   # a quick look
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
GUNICORN = str(Path(PY).parent / "gunicorn")
RESULTS = ROOT / "bench" / "results"
WORK = ROOT / "var" / "bench"

SIZES = {
    "small": {"hubs": 3, "makers": 700, "kits": 2_100, "hospitals": 4},
    "national": {"hubs": 200, "makers": 100_000, "kits": 300_000, "hospitals": 300},
}
BIG_TABLE = 10_000
P95_GROWTH_TARGET = 1.5


def log(text: str) -> None:
    print(text, flush=True)


# --- The database and the environment ----------------------------------------------------


def database_url(base: str, name: str) -> str:
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{name}"))


def admin_sql(base: str, sql: str) -> None:
    import psycopg2

    conn = psycopg2.connect(database_url(base, "postgres"))
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(sql)
    conn.close()


def database_exists(base: str, name: str) -> bool:
    import psycopg2

    conn = psycopg2.connect(database_url(base, "postgres"))
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        found = cursor.fetchone() is not None
    conn.close()
    return found


def bench_env(args, db_name: str, *, debug: bool = False) -> dict:
    """Production settings over plain HTTP on loopback. The session and CSRF cookies keep
    their production names (__Host-...); the load tool sends them itself, so nothing in the
    settings is weakened for the benchmark."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "scrubhub.settings",
        "DJANGO_DEBUG": "true" if debug else "false",
        "DJANGO_SECRET_KEY": args.secret_key,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "SCRUBHUB_SITE_URL": "http://127.0.0.1",
        "DATABASE_URL": database_url(args.database_url, db_name),
        "CELERY_BROKER_URL": args.broker_url,
        "REDIS_CACHE_URL": args.cache_url,
        "SCRUBHUB_VAR_DIR": str(WORK),
        "SCRUBHUB_BENCH_BASELINE": "true",
        "SCRUBHUB_LOG_LEVEL": "WARNING",
        # Every simulated person comes from 127.0.0.1, so the per-client limits are raised
        # out of reach; each request still pays for counting itself against them.
        "SCRUBHUB_JOIN_RATE": "1000000/h",
        "SCRUBHUB_KIT_LOOKUP_RATE": "1000000/h",
        "PYTHONPATH": str(ROOT),
    }
    return env


def manage(env: dict, *argv: str, capture: bool = False) -> str:
    done = subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [PY, "manage.py", *argv],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else None,
    )
    return done.stdout or ""


def build_database(args, size: str, db_name: str) -> dict:
    """A fresh database with the seeded world; returns the seed's report."""
    report_file = WORK / f"seed-{size}.json"
    if args.reuse and database_exists(args.database_url, db_name) and report_file.exists():
        log(f"[{size}] reusing database {db_name} (migrating it to this build)")
        manage(bench_env(args, db_name), "migrate", "--no-input", "-v0")
        return json.loads(report_file.read_text())
    admin_sql(args.database_url, f'DROP DATABASE IF EXISTS "{db_name}"')
    admin_sql(args.database_url, f'CREATE DATABASE "{db_name}"')
    env = bench_env(args, db_name)
    log(f"[{size}] migrating {db_name}")
    manage(env, "migrate", "--no-input", "-v0")
    sizes = SIZES[size]
    log(f"[{size}] seeding {sizes}")
    started = time.monotonic()
    out = manage(
        bench_env(args, db_name, debug=True),
        "seed_scale",
        *(f"--{key}={value}" for key, value in sizes.items()),
        "--json",
        capture=True,
    )
    report = json.loads(out.strip().splitlines()[-1])
    report["wall_seconds"] = round(time.monotonic() - started, 1)
    report["sizes"] = sizes
    report_file.write_text(json.dumps(report, indent=1))
    log(
        f"[{size}] seeded {report['total_rows']:,} rows, {report['garments']:,} garments "
        f"in {report['wall_seconds']}s"
    )
    return report


# --- Serving and loading ---------------------------------------------------------------


class Server:
    def __init__(self, args, env: dict):
        self.args, self.env, self.process = args, env, None

    def __enter__(self) -> Server:
        if not self.args.port:
            self.args.port = free_port()
        self.process = subprocess.Popen(  # noqa: S603
            [
                GUNICORN,
                "scrubhub.wsgi",
                "--workers",
                str(self.args.workers),
                "--bind",
                f"127.0.0.1:{self.args.port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=self.env,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped at once (is port {self.args.port} taken?)")
            try:
                status, _ = request(self.args.port, "GET", "/healthz")
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.5)
        raise RuntimeError("gunicorn did not answer /healthz within a minute")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def flush_redis(args) -> None:
    """Empty the bench's own Redis databases (its broker queue and its cache)."""
    import redis

    for url in (args.broker_url, args.cache_url):
        redis.Redis.from_url(url).flushdb()


def settle(args, *, quick: float = 0.5, patience: float = 90.0) -> None:
    """Wait until every gunicorn worker is free again: a slow page's requests go on after
    wrk stops, and must not be counted against the next page."""

    def timed(_) -> float:
        started = time.monotonic()
        try:
            request(args.port, "GET", "/healthz")
        except OSError:
            return patience
        return time.monotonic() - started

    deadline = time.monotonic() + patience
    with ThreadPoolExecutor(max_workers=args.workers) as pool:
        while time.monotonic() < deadline:
            if max(pool.map(timed, range(args.workers))) < quick:
                return
            time.sleep(0.5)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request(port: int, method: str, path: str, cookie: str = "", body: str = ""):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Cookie": cookie} if cookie else {}
    if method == "POST":
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body or None, headers=headers)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status, response.getheader("Location", "")


def check_page(args, page: dict) -> str:
    """One request as the load tool will send it; '' when it answers as it should."""
    body = ""
    if page["method"] == "POST":
        body = Path(page["check_body"]).read_text().splitlines()[0]
    status, location = request(args.port, page["method"], page["path"], page["cookie"], body)
    if status != page["expect"]:
        return f"answered {status} over HTTP, expected {page['expect']}"
    if status in (301, 302, 303) and "/accounts/login" in location:
        return "was sent to the sign-in page: the session cookie did not work"
    return ""


def wrk(args, page: dict, run: int, *, seconds: float | None = None) -> dict:
    env = {
        **os.environ,
        "BENCH_METHOD": page["method"],
        "BENCH_COOKIE": page.get("cookie", ""),
        "BENCH_BODIES": page["bodies"][run] if page.get("bodies") else "",
        "BENCH_THREADS": str(args.threads),
    }
    out = subprocess.run(  # noqa: S603
        [
            args.wrk,
            f"-t{args.threads}",
            f"-c{args.connections}",
            f"-d{seconds or args.duration}s",
            "--timeout",
            "10s",
            "-s",
            str(ROOT / "bench" / "request.lua"),
            f"http://127.0.0.1:{args.port}{page['path']}",
        ],
        env=env,
        text=True,
        capture_output=True,
        check=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("BENCH_RESULT "))
    result = json.loads(line.removeprefix("BENCH_RESULT "))
    seconds = result["duration_us"] / 1e6
    return {
        "rps": result["requests"] / seconds if seconds else 0.0,
        "p50_ms": result["p50_us"] / 1000,
        "p95_ms": result["p95_us"] / 1000,
        "p99_ms": result["p99_us"] / 1000,
        "requests": result["requests"],
        "errors": result["status_errors"]
        + result["connect_errors"]
        + result["read_errors"]
        + result["write_errors"]
        + result["timeouts"],
        "bodies_exhausted": result["bodies_exhausted"],
    }


def warm_up(args, pages: list[dict]) -> None:
    """A short unrecorded burst at every GET page, so that each worker has compiled its
    templates, filled its URL resolver and opened its database connection before the first
    measured run; otherwise the first pages measured (the baseline) pay for it. POST pages
    are left out: their request bodies are one-time and counted per run."""
    if not args.warmup:
        return
    log(f"warming up every worker ({args.warmup:g} s a page)")
    for page in pages:
        if page["method"] == "GET":
            wrk(args, page, 0, seconds=args.warmup)
            settle(args)


def bench_size(args, size: str) -> dict:
    db_name = f"{args.database}_{size}"
    seed = build_database(args, size, db_name)
    env = bench_env(args, db_name)
    # Each size starts with an empty cache: rate limits counted at one size (joining
    # throttles sign-in links per client) must not change the path taken at the next.
    flush_redis(args)
    pages_file = WORK / f"pages-{size}.json"
    log(f"[{size}] counting queries and explaining them")
    prepare = [
        PY,
        "-m",
        "bench.prepare",
        "--out",
        str(pages_file),
        "--hub-slug",
        seed["largest_hub"],
        "--run-tag",
        f"{size}-{int(time.time())}",
        "--explain",
        f"--big-table={BIG_TABLE}",
        f"--runs={args.runs}",
        f"--bodies-per-run={args.bodies_per_run}",
        f"--bodies-dir={WORK / 'bodies'}",
        f"--sql-out={WORK / f'queries-{size}.json'}",
    ]
    subprocess.run(prepare, cwd=ROOT, env=env, check=True)  # noqa: S603
    prepared = json.loads(pages_file.read_text())
    pages = prepared["pages"]
    for page in pages:
        if page.get("bodies"):
            # The availability check uses its own body, so the runs keep theirs fresh.
            check = Path(page["bodies"][-1])
            lines = check.read_text().splitlines()
            check.write_text("\n".join(lines[:-1]) + "\n")
            page["check_body"] = str(check.with_suffix(".check"))
            Path(page["check_body"]).write_text(lines[-1] + "\n")
    live = [p for p in pages if p["state"] == "ok"]
    with Server(args, env):
        for page in live:
            problem = check_page(args, page)
            if problem:
                page.update(state="error", error=problem)
        live = [p for p in live if p["state"] == "ok"]
        for page in live:
            page["runs"] = []
        warm_up(args, live)
        for run in range(args.runs):
            log(f"[{size}] run {run + 1} of {args.runs}")
            for page in live:
                page["runs"].append(wrk(args, page, run))
                settle(args)
    for page in live:
        runs = page["runs"]
        page["rps"] = statistics.median(r["rps"] for r in runs)
        page["p50_ms"] = statistics.median(r["p50_ms"] for r in runs)
        page["p95_ms"] = statistics.median(r["p95_ms"] for r in runs)
        page["errors_under_load"] = sum(r["errors"] for r in runs)
        page["bodies_exhausted"] = sum(r["bodies_exhausted"] for r in runs)
    baseline = next((p for p in live if p["kind"] == "baseline"), None)
    for page in live:
        if baseline:
            # Per run, against the baseline's throughput in the same run; then the median.
            page["baseline_share"] = statistics.median(
                r["rps"] / b["rps"] if b["rps"] else 0.0
                for r, b in zip(page["runs"], baseline["runs"], strict=True)
            )
    weekly = {"state": "not timed at this size"}
    if size == "national" or args.weekly_summary_at_all_sizes:
        summary_file = WORK / f"weekly-{size}.json"
        log(f"[{size}] timing the weekly summary run for the largest hub")
        subprocess.run(  # noqa: S603
            [PY, "-m", "bench.prepare", "--out", str(summary_file), "--weekly-summary",
             "--hub-slug", seed["largest_hub"]],
            cwd=ROOT, env=env, check=True,
        )  # fmt: skip
        weekly = json.loads(summary_file.read_text())
    if not args.keep:
        admin_sql(args.database_url, f'DROP DATABASE IF EXISTS "{db_name}"')
        (WORK / f"seed-{size}.json").unlink(missing_ok=True)
    return {"seed": seed, "pages": pages, "weekly_summary": weekly}


# --- Gates, targets and the report -------------------------------------------------------


def judge(results: dict) -> tuple[list[str], list[str]]:
    """(gate failures, targets missed), each a sentence."""
    failures, missed = [], []
    sizes = list(results["sizes"])
    by_size = {size: {p["name"]: p for p in results["sizes"][size]["pages"]} for size in sizes}
    names = [p["name"] for p in results["sizes"][sizes[0]]["pages"]]
    for name in names:
        pages = {size: by_size[size].get(name) for size in sizes}
        states = {size: page["state"] for size, page in pages.items() if page}
        if all(state == "not built yet" for state in states.values()):
            continue
        for size, page in pages.items():
            if page and page["state"] == "error":
                failures.append(f"{name} at {size} size: {page.get('error')}")
            if page and page.get("errors_under_load"):
                failures.append(
                    f"{name} at {size} size: {page['errors_under_load']} failed requests under load"
                )
            if page and any(r["requests"] == 0 for r in page.get("runs", [])):
                failures.append(
                    f"{name} at {size} size: no request finished within a "
                    f"{results.get('config', {}).get('duration', '?')} s run"
                )
            if page and page.get("bodies_exhausted"):
                failures.append(f"{name} at {size} size: ran out of fresh form bodies")
        counts = {size: page.get("queries") for size, page in pages.items() if page}
        if len(sizes) > 1 and None not in counts.values() and len(set(counts.values())) > 1:
            failures.append(
                f"{name}: {' vs '.join(f'{n} queries at {s}' for s, n in counts.items())}"
            )
        national = pages.get("national")
        if national:
            for scan in national.get("seq_scans", []):
                failures.append(
                    f"{name}: {scan.get('how', 'sequential scan')} of {scan['table']} "
                    f"({scan['rows']:,} rows) in "
                    f"{scan['sql'][:160]}…"
                )
        small = pages.get("small")
        if small and national and small.get("p95_ms") and national.get("p95_ms"):
            growth = national["p95_ms"] / small["p95_ms"]
            national["p95_growth"] = growth
            if growth > P95_GROWTH_TARGET:
                missed.append(
                    f"{name}: p95 {national['p95_ms']:.1f} ms at national size is "
                    f"{growth:.2f}× the {small['p95_ms']:.1f} ms at small size (target ≤ "
                    f"{P95_GROWTH_TARGET}×)"
                )
        for size, page in pages.items():
            if not page or "p95_ms" not in page or page["kind"] == "baseline":
                continue
            if size == "national" and page["target_ms"] and page["p95_ms"] > page["target_ms"]:
                missed.append(
                    f"{name}: p95 {page['p95_ms']:.1f} ms at national size (target < "
                    f"{page['target_ms']} ms)"
                )
    return failures, missed


def machine() -> dict:
    def first(path: str, key: str) -> str:
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return "unknown"

    memory_kb = first("/proc/meminfo", "MemTotal").split()[0]
    info = {
        "cpus": os.cpu_count(),
        "cpu_model": first("/proc/cpuinfo", "model name"),
        "memory_gb": round(int(memory_kb) / 1024 / 1024, 1) if memory_kb.isdigit() else None,
        "os": platform.platform(),
        "python": platform.python_version(),
    }
    try:
        import psycopg2

        conn = psycopg2.connect(os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
        with conn.cursor() as cursor:
            cursor.execute("SHOW server_version")
            info["postgres"] = cursor.fetchone()[0]
        conn.close()
    except Exception:  # noqa: BLE001 - the report says unknown instead
        info["postgres"] = "unknown"
    try:
        info["commit"] = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            cwd=ROOT, text=True, capture_output=True, check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        info["commit"] = "unknown"
    return info


def fmt(value, spec: str = ".1f", missing: str = "–") -> str:
    return missing if value is None else format(value, spec)


def report_markdown(results: dict, failures: list[str], missed: list[str]) -> str:
    m = results["machine"]
    cfg = results["config"]
    lines = [
        "# ScrubHub benchmark: latest result",
        "",
        f"Run {results['finished_at']} on commit `{m.get('commit')}`.",
        "",
        f"Machine: {m['cpus']} CPUs ({m['cpu_model']}), {m['memory_gb']} GB memory, "
        f"PostgreSQL {m.get('postgres')}, Python {m['python']}, {m['os']}. The load tool, "
        "gunicorn and PostgreSQL share this machine.",
        "",
        f"Load: wrk, {cfg['connections']} connections on {cfg['threads']} threads, "
        f"{cfg['duration']} s per page per run after {cfg.get('warmup', 0):g} s unrecorded on "
        f"each GET page, median of {cfg['runs']} runs; gunicorn with "
        f"{cfg['workers']} sync workers, DJANGO_DEBUG=false, plain HTTP on loopback.",
        "",
        f"**Hard gates: {'PASSED' if not failures else 'FAILED'}.**",
        "",
        "## Pages",
        "",
        "| page | size | req/s | p50 ms | p95 ms | queries | × baseline | p95 target |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    sizes = list(results["sizes"])
    names = [p["name"] for p in results["sizes"][sizes[0]]["pages"]]
    for name in names:
        for size in sizes:
            page = next(p for p in results["sizes"][size]["pages"] if p["name"] == name)
            if page["state"] == "not built yet":
                if size == sizes[0]:
                    lines.append(f"| {name} | – | not built yet | | | | | |")
                continue
            if page["state"] != "ok":
                lines.append(f"| {name} | {size} | error: {page.get('error')} | | | | | |")
                continue
            target = page.get("target_ms")
            if any(r["requests"] == 0 for r in page.get("runs", [])):
                lines.append(
                    f"| {name} | {size} | no answer within {cfg['duration']} s | | | "
                    f"{page.get('queries', '–')} | | |"
                )
                continue
            lines.append(
                f"| {name} | {size} | {fmt(page.get('rps'), '.0f')} | "
                f"{fmt(page.get('p50_ms'))} | {fmt(page.get('p95_ms'))} | "
                f"{page.get('queries', '–')} | "
                f"{fmt(page.get('baseline_share'), '.2f')} | "
                f"{f'< {target} ms' if target and size == 'national' else ''} |"
            )
    lines += ["", "## Seeding", ""]
    for size in sizes:
        seed = results["sizes"][size]["seed"]
        s = seed.get("sizes", {})
        lines.append(
            f"- {size}: {s.get('hubs')} hubs, {s.get('makers', 0):,} makers, "
            f"{s.get('kits', 0):,} kits ({seed['garments']:,} garments), "
            f"{s.get('hospitals')} hospitals: {seed['total_rows']:,} rows in "
            f"{seed.get('wall_seconds', seed['seconds']['total'])} s."
        )
    lines += ["", "## Weekly summary run (largest hub)", ""]
    for size in sizes:
        weekly = results["sizes"][size]["weekly_summary"]
        if weekly.get("state") == "ok":
            lines.append(
                f"- {size}: {weekly['seconds']} s for {weekly['makers_in_hub']:,} makers "
                f"({weekly['messages_queued']:,} messages queued, "
                f"{weekly.get('queries', '?')} queries, peak memory "
                f"{weekly.get('max_rss_mb', '?')} MB); sending "
                f"{weekly.get('sent_to_mailbox', 0):,} of them to a local mailbox: "
                f"{weekly.get('messages_per_second', '?')} messages a second."
            )
        else:
            lines.append(f"- {size}: {weekly.get('state')} {weekly.get('why', '')}".rstrip())
    lines += ["", "## Gates", ""]
    lines += [f"- FAILED: {f}" for f in failures] or ["- All hard gates hold."]
    lines += ["", "## Targets", ""]
    lines += [f"- missed: {m}" for m in missed] or ["- Every target met."]
    return "\n".join(lines) + "\n"


DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="small,national")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10, help="Seconds per page per run.")
    parser.add_argument(
        "--warmup", type=float, default=2, help="Unrecorded seconds per GET page first (0: none)."
    )
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers.")
    parser.add_argument("--port", type=int, default=0, help="0: any free port.")
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    parser.add_argument("--database", default="scrubhub_bench", help="Prefix of the databases.")
    parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--bodies-per-run", type=int, default=20_000)
    parser.add_argument("--keep", action="store_true", help="Keep the databases afterwards.")
    parser.add_argument(
        "--reuse", action="store_true", help="Reuse databases kept by an earlier --keep run."
    )
    parser.add_argument("--weekly-summary-at-all-sizes", action="store_true")
    parser.add_argument("--out", default=str(RESULTS / "latest"))
    parser.add_argument("--wrk", default=shutil.which("wrk") or "wrk")
    args = parser.parse_args(argv)
    args.secret_key = secrets.token_urlsafe(64)
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = set(sizes) - set(SIZES)
    if unknown:
        parser.error(f"unknown size {sorted(unknown)}; choose from {sorted(SIZES)}")
    if not shutil.which(args.wrk):
        parser.error("wrk is not installed (make bench installs Debian's wrk)")
    WORK.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    env = bench_env(args, f"{args.database}_{sizes[0]}")
    manage(env, "collectstatic", "--no-input", "-v0")
    results = {
        "config": {
            "runs": args.runs,
            "duration": args.duration,
            "warmup": args.warmup,
            "connections": args.connections,
            "threads": args.threads,
            "workers": args.workers,
        },
        "sizes": {size: bench_size(args, size) for size in sizes},
    }
    failures, missed = judge(results)
    results.update(
        machine=machine(),
        finished_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        minutes=round((time.monotonic() - started) / 60, 1),
        gate_failures=failures,
        targets_missed=missed,
    )
    flush_redis(args)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    markdown = report_markdown(results, failures, missed)
    out.with_suffix(".md").write_text(markdown)
    out.with_suffix(".json").write_text(json.dumps(results, indent=1, default=str))
    log("\n" + markdown)
    log(f"Written to {out.with_suffix('.md')} and {out.with_suffix('.json')}.")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
