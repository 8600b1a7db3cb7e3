"""Export benchmark: DOCX (python-docx) and PDF (ReportLab) letters, against LibreOffice headless.

Run from the repository root:

    .venv/bin/python bench/export_bench.py [--rounds 20] [--memory-letters 200] [--no-libreoffice]
                                           [--no-memory] [--profile]

Every figure is printed as a plain `name: value` line; nothing here fails the build (the exit
status is 0 unless the script itself crashes). See bench/README.md for what each figure means.
"""
import argparse
import cProfile
import gc
import io
import os
import platform
import pstats
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SEED_GLOB = "0*.yaml"
TODAY = date(2024, 1, 15)  # fixed, so every run lays out the same letters
DOCX_TARGET_MS = 30.0
PDF_RATIO_TARGET = 0.5
BATCH_RATIO_TARGET = 0.3
LIBREOFFICE_BATCH = 20
LIBREOFFICE_REPEATS = 3
MEMORY_CHECKPOINTS = (1, 50, 100, 150, 200)
FLAT_LIMIT = 0.10  # peak RSS growth allowed from letter 50 to the last one


def out(name, value):
    print(f"{name}: {value}", flush=True)


def ms(seconds):
    return f"{seconds * 1000:.1f}"


def percentile(values, fraction):
    """Nearest-rank percentile (p95 of 100 samples is the 95th smallest)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * fraction // 1))  # ceil
    return ordered[int(rank) - 1]


def seed_paths():
    paths = sorted((ROOT / "directives").glob(SEED_GLOB))
    if not paths:
        raise SystemExit(f"no seed directives matching directives/{SEED_GLOB}")
    return paths


def load_data():
    from app.directive_format import read_directive_file

    return [(path.name, read_directive_file(path)) for path in seed_paths()]


def load_letters():
    from app.documents.letter import build_letter

    return [(name, build_letter(data, today=TODAY)) for name, data in load_data()]


def renderers():
    from app.documents.docx_renderer import render_docx
    from app.documents.pdf_renderer import render_pdf

    return {"docx": render_docx, "pdf": render_pdf}


# --- 4. machine -------------------------------------------------------------------------------

def _command(args):
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=60)
        return done.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine_info():
    out("nproc", _command(["nproc"]) or len(os.sched_getaffinity(0)))
    out("cpu_count", os.cpu_count())
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    out("cpu_model", model or platform.processor() or "unknown")
    try:
        total_kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                         if line.startswith("MemTotal:"))
        out("memory_total_mib", f"{total_kib / 1024:.0f}")
    except (OSError, StopIteration):
        pass
    out("load_average_1_5_15", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    out("platform", platform.platform())
    out("python_version", platform.python_version())
    out("python_executable", sys.executable)
    try:
        from importlib.metadata import version

        out("reportlab_version", version("reportlab"))
        out("python_docx_version", version("python-docx"))
        out("fonttools_version", version("fonttools"))
    except Exception as error:  # noqa: BLE001 - informational only
        out("package_versions", f"unknown ({error})")


# --- 1. warm in-process timings ---------------------------------------------------------------

def time_renders(letters, render, rounds):
    samples = []
    for _ in range(rounds):
        for _name, letter in letters:
            start = time.perf_counter()
            render(letter)
            samples.append(time.perf_counter() - start)
    return samples


def warm_benchmark(letters, rounds):
    funcs = renderers()
    results = {}
    for fmt in ("docx", "pdf"):
        start = time.perf_counter()
        funcs[fmt](letters[0][1])
        out(f"{fmt}_ms_first_render_cold", ms(time.perf_counter() - start))
        for _name, letter in letters[1:]:
            funcs[fmt](letter)  # warm-up: every seed once
    sizes = {fmt: [len(funcs[fmt](letter)) for _n, letter in letters] for fmt in ("docx", "pdf")}
    for fmt in ("docx", "pdf"):
        samples = time_renders(letters, funcs[fmt], rounds)
        results[fmt] = statistics.median(samples)
        out(f"{fmt}_samples", f"{len(samples)} ({rounds} rounds x {len(letters)} letters)")
        out(f"{fmt}_ms_median", ms(statistics.median(samples)))
        out(f"{fmt}_ms_p95", ms(percentile(samples, 0.95)))
        out(f"{fmt}_ms_min", ms(min(samples)))
        out(f"{fmt}_ms_max", ms(max(samples)))
        out(f"{fmt}_kib_per_letter", " ".join(f"{size / 1024:.1f}" for size in sizes[fmt]))
    return results


# --- 2. LibreOffice ---------------------------------------------------------------------------

def find_soffice(install):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice:
        return soffice
    if not install:
        out("libreoffice", "missing (soffice not found, --no-install: skipping the LibreOffice comparison)")
        return None
    if os.geteuid() != 0:
        out("libreoffice", "missing (soffice not found, not root: skipping the LibreOffice comparison)")
        return None
    out("libreoffice_install", "soffice missing, installing libreoffice-writer-nogui with apt-get")
    start = time.perf_counter()
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    args = ["apt-get", "install", "-y", "--no-install-recommends", "libreoffice-writer-nogui"]
    done = subprocess.run(args, capture_output=True, text=True, env=env)
    if done.returncode != 0:  # a stale package index: refresh once and retry
        subprocess.run(["apt-get", "update"], capture_output=True, text=True, env=env)
        done = subprocess.run(args, capture_output=True, text=True, env=env)
    out("libreoffice_install_seconds", f"{time.perf_counter() - start:.1f}")
    if done.returncode != 0:
        out("libreoffice_install", f"failed (apt-get exit {done.returncode}): {done.stderr.strip()[-300:]}")
        return None
    return shutil.which("soffice") or shutil.which("libreoffice")


LAST_CPU = {}  # CPU seconds of the last soffice call (soffice.bin is waited for by its launcher: counted)


def convert(soffice, docx_files, workdir, label):
    """One soffice process with its own fresh profile; returns (seconds, pdf count, problems)."""
    profile = Path(tempfile.mkdtemp(prefix=f"lo-profile-{label}-", dir=workdir))
    outdir = Path(tempfile.mkdtemp(prefix=f"lo-out-{label}-", dir=workdir))
    args = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless",
            "--convert-to", "pdf", "--outdir", str(outdir), *map(str, docx_files)]
    start = time.perf_counter()
    children_before = sum(resource.getrusage(resource.RUSAGE_CHILDREN)[:2])
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=900)
        code, stderr = done.returncode, done.stderr
    except subprocess.TimeoutExpired:
        code, stderr = "timeout", ""
    seconds = time.perf_counter() - start
    LAST_CPU["libreoffice"] = sum(resource.getrusage(resource.RUSAGE_CHILDREN)[:2]) - children_before
    pdfs = sorted(outdir.glob("*.pdf"))
    good = [p for p in pdfs if p.stat().st_size > 0 and p.read_bytes()[:5] == b"%PDF-"]
    problems = []
    if code != 0:
        problems.append(f"exit {code}")
    if len(good) != len(docx_files):
        problems.append(f"{len(good)}/{len(docx_files)} valid PDFs")
    noise = [line for line in stderr.strip().splitlines() if line.strip() and "javaldx" not in line]
    if noise:
        problems.append("stderr: " + " | ".join(noise[-3:]))
    return seconds, len(good), problems, good


def libreoffice_benchmark(letters, install, ours=None):
    """LibreOffice's batch of 20 (median of 3) and single letter; with `ours`, our batch of the same 20
    letters right after each LibreOffice run (and once cold before the first), so both see the same load."""
    soffice = find_soffice(install)
    if not soffice:
        return None
    out("libreoffice_binary", soffice)
    out("libreoffice_version", (_command([soffice, "--version"]) or "unknown").splitlines()[0])
    from app.documents.docx_renderer import render_docx

    workdir = Path(tempfile.mkdtemp(prefix="export-bench-"))
    try:
        docx_dir = workdir / "docx"
        docx_dir.mkdir()
        docx_files = []
        for index in range(LIBREOFFICE_BATCH):
            name, letter = letters[index % len(letters)]
            path = docx_dir / f"{index:02d}-{Path(name).stem}.docx"
            path.write_bytes(render_docx(letter))
            docx_files.append(path)
        per_letter = []
        if ours is not None:
            ours.run("cold")
        for repeat in range(1, LIBREOFFICE_REPEATS + 1):
            seconds, count, problems, pdfs = convert(soffice, docx_files, workdir, f"batch{repeat}")
            if ours is not None:
                ours.run(f"run{repeat}")
                ours.run_serial(f"run{repeat}")
            per_letter.append(seconds / LIBREOFFICE_BATCH)
            if ours is not None:
                ours.lo_runs.append(seconds)
            out(f"libreoffice_batch20_run{repeat}_seconds", f"{seconds:.2f} (cpu {LAST_CPU['libreoffice']:.2f} s)")
            if ours is not None:
                ours.lo_cpu.append(LAST_CPU["libreoffice"])
            out(f"libreoffice_batch20_run{repeat}_pdfs", f"{count}/{LIBREOFFICE_BATCH}")
            if problems:
                out(f"libreoffice_batch20_run{repeat}_problems", "; ".join(problems))
        if pdfs:
            out("libreoffice_pdf_kib_per_letter_first5", " ".join(f"{p.stat().st_size / 1024:.1f}" for p in pdfs[:5]))
        seconds, count, problems, _ = convert(soffice, docx_files[:1], workdir, "single")
        out("libreoffice_single_pdfs", f"{count}/1")
        if problems:
            out("libreoffice_single_problems", "; ".join(problems))
        batch = statistics.median(per_letter)
        out("libreoffice_ms_per_letter_batch20", ms(batch))
        out("libreoffice_ms_single_letter", ms(seconds))
        return batch
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


# --- 2b. our batch of 20 on every core (the ZIP export's path), beside each LibreOffice run ------------

def _cpu_seconds(pids):
    """User + system CPU seconds the processes have used so far (/proc/<pid>/stat), 0 for one gone."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            pass
    return total


class OurBatch:
    """The 20 letters LibreOffice converts, as directive data, printed by app/documents/batch.py exactly
    as the ZIP export prints them (build_letter and render in the workers, PDFs back in order)."""

    def __init__(self, data):
        from app.documents.batch import BatchLetter

        self.letters = [BatchLetter(data[index % len(data)][1], today=TODAY, label=data[index % len(data)][0])
                        for index in range(LIBREOFFICE_BATCH)]
        self.warm, self.serial, self.cores, self.lo_runs, self.lo_cpu, self.cpu = [], [], [], [], [], []
        self.cold = None

    def run(self, label):
        from app.documents import batch

        cold = batch._state["pool"] is None
        pids = list(batch._state["pool"]._processes) if not cold else []
        before = _cpu_seconds(pids) + sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
        start = time.perf_counter()
        pdfs = list(batch.render_pdfs(self.letters))
        seconds = time.perf_counter() - start
        good = sum(pdf[:5] == b"%PDF-" for pdf in pdfs)
        if cold:
            self.cold = seconds
            out("batch_pdf_cold_seconds", f"{seconds:.2f} (pool of {batch._state['workers']} started inside: "
                f"fork server, workers, their warm-up)")
        else:
            used = _cpu_seconds(pids) + sum(resource.getrusage(resource.RUSAGE_SELF)[:2]) - before
            self.warm.append(seconds)
            self.cores.append(used / seconds)
            self.cpu.append(used)
            out(f"batch_pdf_{label}_seconds", f"{seconds:.2f} (cpu {used:.2f} s = {used / seconds:.2f} cores busy)")
        out(f"batch_pdf_{label if not cold else 'cold'}_pdfs", f"{good}/{len(self.letters)}")
        return seconds

    def run_serial(self, label):
        from app.documents import render

        start = time.perf_counter()
        for letter in self.letters:
            render(letter.data, "pdf", today=letter.today)
        seconds = time.perf_counter() - start
        self.serial.append(seconds)
        out(f"serial_pdf_{label}_seconds", f"{seconds:.2f} (the same 20, one by one in this process)")


def start_method_child(method):
    """In a fresh process: the pool started with `method` and its first batch of 20 (cold), then one warm."""
    from app.documents import batch

    batch.START_METHOD = method
    ours = OurBatch(load_data())
    start = time.perf_counter()
    batch.start()
    started = time.perf_counter() - start
    first = ours.run("first")
    out(f"start_method_{method}", f"pool start {started:.2f} s, first batch {first:.2f} s after it")
    batch.shutdown()


def start_methods_benchmark():
    for method in ("forkserver", "spawn", "fork"):
        args = [sys.executable, "-m", "bench.export_bench", "--start-method-child", method]
        done = subprocess.run(args, capture_output=True, text=True, cwd=str(ROOT))
        for line in done.stdout.splitlines():
            if line.startswith("start_method_"):
                print(line, flush=True)
        if done.returncode != 0:
            out(f"start_method_{method}_failed", " | ".join(done.stderr.strip().splitlines()[-3:]))


# --- 3. memory (run in a fresh child process) -------------------------------------------------

def proc_status_mib(field):
    """VmRSS (current) or VmHWM (peak of this process image only) from /proc/self/status, in MiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def memory_child(fmt, total, trace):
    """Render `total` letters in a row; print peak and current RSS (and Python heap) at checkpoints."""
    import tracemalloc

    letters = load_letters()
    render = renderers()[fmt]
    checkpoints = sorted({c for c in MEMORY_CHECKPOINTS if c <= total} | {total})
    prefix = f"{fmt}_memory" + ("_traced" if trace else "")
    if trace:
        tracemalloc.start()
    peaks, heap, base_snapshot = {}, {}, None
    base = 50 if total > 50 else 1
    if not trace:
        out(f"{prefix}_peak_rss_mib_after_0", f"{peak_rss_mib():.1f} (imports and letters built, nothing rendered; "
            f"current {proc_status_mib('VmRSS'):.1f})")
    for count in range(1, total + 1):
        render(letters[(count - 1) % len(letters)][1])
        if count in checkpoints:
            peaks[count] = peak_rss_mib()
            if trace:
                before = tracemalloc.get_traced_memory()[0]
                gc.collect()  # what is left after a full collection is what the renderer keeps
                heap[count] = tracemalloc.get_traced_memory()[0]
                out(f"{prefix}_python_heap_mib_after_{count}", f"{heap[count] / 2**20:.2f} after gc.collect "
                    f"({before / 2**20:.2f} before)")
                if count == base:
                    base_snapshot = tracemalloc.take_snapshot()
            else:
                out(f"{prefix}_peak_rss_mib_after_{count}", f"{peaks[count]:.1f} (VmHWM {proc_status_mib('VmHWM'):.1f}, "
                    f"current {proc_status_mib('VmRSS'):.1f})")
    if trace:
        growth = heap[total] - heap[base]
        out(f"{prefix}_python_heap_growth_{base}_to_{total}", f"{growth / 1024:.0f} KiB "
            f"({growth / max(1, total - base):.0f} B/letter, after gc.collect)")
        if base_snapshot is not None and base != total:
            diff = tracemalloc.take_snapshot().compare_to(base_snapshot, "lineno")
            for rank, stat in enumerate(diff[:3], 1):
                frame = stat.traceback[0]
                out(f"{prefix}_growth_top{rank}", f"{stat.size_diff / 1024:+.0f} KiB "
                    f"({stat.count_diff:+d} blocks) at {_short(frame.filename)}:{frame.lineno}")
        return
    growth = (peaks[total] - peaks[base]) / peaks[base]
    out(f"{prefix}_growth_{base}_to_{total}", f"{growth * 100:.1f}%")
    out(f"{prefix}_flat", "yes" if growth < FLAT_LIMIT else f"no (peak RSS grew {growth * 100:.1f}%, limit {FLAT_LIMIT * 100:.0f}%)")
    # Leak or fragmentation? A leak survives both; glibc keeping freed pages does not survive malloc_trim.
    gc.collect()
    out(f"{prefix}_rss_mib_after_gc_collect", f"{proc_status_mib('VmRSS'):.1f}")
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
        out(f"{prefix}_rss_mib_after_malloc_trim", f"{proc_status_mib('VmRSS'):.1f}")
    except (OSError, AttributeError):
        pass


def memory_benchmark(total, with_trace=True):
    for fmt in ("docx", "pdf"):
        for trace in (False, True) if with_trace else (False,):
            # Started through sh, which forks the child: a child spawned straight from this process
            # inherits this process's peak RSS in ru_maxrss (Linux keeps it across execve).
            args = ["/bin/sh", "-c", '"$0" "$@"; exit $?', sys.executable, "-m", "bench.export_bench",
                    "--memory-child", fmt, "--memory-letters", str(total)] + (["--trace"] if trace else [])
            start = time.perf_counter()
            done = subprocess.run(args, capture_output=True, text=True, cwd=str(ROOT))
            sys.stdout.write(done.stdout)
            tag = f"{fmt}_memory" + ("_traced" if trace else "")
            out(f"{tag}_child_seconds", f"{time.perf_counter() - start:.1f}")
            if done.returncode != 0:
                out(f"{tag}_child_failed", f"exit {done.returncode}: " + " | ".join(done.stderr.strip().splitlines()[-3:]))


# --- profiling --------------------------------------------------------------------------------

def profile(fmt, letters, rounds=3):
    render = renderers()[fmt]
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(rounds):
        for _name, letter in letters:
            render(letter)
    profiler.disable()
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream)
    out(f"{fmt}_profile", f"cProfile, {rounds} rounds x {len(letters)} letters, warm, top 10 by cumulative time")
    rows = sorted(stats.stats.items(), key=lambda item: item[1][3], reverse=True)
    calls = rounds * len(letters)
    for rank, ((filename, line, func), (_cc, ncalls, tottime, cumtime, _callers)) in enumerate(rows[:10], 1):
        where = func if filename == "~" else f"{_short(filename)}:{line}({func})"
        out(f"{fmt}_profile_top{rank:02d}", f"cum {cumtime / calls * 1000:.1f} ms/letter, "
            f"own {tottime / calls * 1000:.1f} ms/letter, calls {ncalls / calls:.0f}/letter, {where}")
    own = sorted(rows, key=lambda item: item[1][2], reverse=True)
    for rank, ((filename, line, func), (_cc, ncalls, tottime, _cum, _callers)) in enumerate(own[:5], 1):
        where = func if filename == "~" else f"{_short(filename)}:{line}({func})"
        out(f"{fmt}_profile_own_top{rank}", f"own {tottime / calls * 1000:.1f} ms/letter, "
            f"calls {ncalls / calls:.0f}/letter, {where}")


def _short(filename):
    for marker in ("site-packages/", str(ROOT) + "/", "/lib/python"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


# --- main -------------------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--memory-letters", type=int, default=200)
    parser.add_argument("--no-libreoffice", action="store_true", help="skip the LibreOffice comparison")
    parser.add_argument("--no-install", action="store_true", help="never apt-get install LibreOffice")
    parser.add_argument("--no-memory", action="store_true", help="skip the memory subprocesses")
    parser.add_argument("--no-trace", action="store_true", help="skip the (slow) tracemalloc memory runs")
    parser.add_argument("--profile", action="store_true", help="profile both renderers whatever the timings")
    parser.add_argument("--no-batch", action="store_true", help="skip our batch of 20 on every core")
    parser.add_argument("--start-methods", action="store_true",
                        help="also time the batch pool's cold start with forkserver, spawn and fork")
    parser.add_argument("--memory-child", choices=("docx", "pdf"), help=argparse.SUPPRESS)
    parser.add_argument("--start-method-child", choices=("forkserver", "spawn", "fork"), help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child, args.memory_letters, args.trace)
        return
    if args.start_method_child:
        start_method_child(args.start_method_child)
        return

    out("benchmark", f"export_bench {time.strftime('%Y-%m-%d %H:%M:%S')}")
    machine_info()
    letters = load_letters()
    out("seed_letters", " ".join(name for name, _ in letters))

    timings = warm_benchmark(letters, args.rounds)
    docx_ms, pdf_ms = timings["docx"] * 1000, timings["pdf"] * 1000

    batch = None
    ours = None if args.no_batch else OurBatch(load_data())
    if not args.no_libreoffice:
        batch = libreoffice_benchmark(letters, install=not args.no_install, ours=ours)
    elif ours is not None:
        for repeat in ("cold", *(f"run{n}" for n in range(1, LIBREOFFICE_REPEATS + 1))):
            ours.run(repeat)
    if ours is not None:
        from app.documents.batch import shutdown

        shutdown()
    if args.start_methods:
        start_methods_benchmark()

    if not args.no_memory:
        memory_benchmark(args.memory_letters, with_trace=not args.no_trace)

    out("pdf_ms_per_letter", f"{pdf_ms:.1f}")
    out("docx_ms_per_letter", f"{docx_ms:.1f}")
    if batch:
        ratio = pdf_ms / (batch * 1000)
        out("pdf_vs_libreoffice_ratio", f"{ratio:.3f}")
        out("pdf_target_half_libreoffice", "met" if ratio <= PDF_RATIO_TARGET else "not met")
    else:
        ratio = None
        out("pdf_vs_libreoffice_ratio", "n/a (LibreOffice not measured)")
    out("docx_target_30ms", "met" if docx_ms <= DOCX_TARGET_MS else "not met")
    if ours is not None and ours.warm:
        from app.documents.batch import worker_count

        warm = statistics.median(ours.warm)
        out("batch_pdf_workers", f"{worker_count()} (os.cpu_count() {os.cpu_count()})")
        out("batch_pdf_cores_busy_median", f"{statistics.median(ours.cores):.2f}")
        out("batch_pdf_seconds_median", f"{warm:.2f} (20 letters, warm pool; cold {ours.cold:.2f})")
        if ours.serial:
            serial = statistics.median(ours.serial)
            out("batch_pdf_speedup_vs_serial", f"{serial / warm:.2f} (serial median {serial:.2f} s)")
        if batch:
            lo_seconds = batch * LIBREOFFICE_BATCH
            out("libreoffice_batch20_seconds_median", f"{lo_seconds:.2f}")
            batch_ratio = warm / lo_seconds
            out("batch_pdf_vs_libreoffice_ratio", f"{batch_ratio:.3f}")
            out("batch_pdf_vs_libreoffice_ratio_per_run",
                " ".join(f"{ours_s / lo:.3f}" for ours_s, lo in zip(ours.warm, ours.lo_runs)))
            out("batch_pdf_cold_vs_libreoffice_ratio", f"{ours.cold / lo_seconds:.3f} (pool started inside)")
            out("batch_pdf_target_0_3_libreoffice", "met" if batch_ratio <= BATCH_RATIO_TARGET else "not met")
            if ours.lo_cpu:
                # what the ratio would be with every core free for us and LibreOffice: our CPU spread over the
                # workers against LibreOffice's CPU (an estimate beside the measured figure, not a replacement)
                ours_cpu, lo_cpu = statistics.median(ours.cpu), statistics.median(ours.lo_cpu)
                out("batch_pdf_cpu_seconds_median", f"{ours_cpu:.2f} (workers and this process, 20 letters)")
                out("libreoffice_batch20_cpu_seconds_median", f"{lo_cpu:.2f}")
                out("batch_pdf_vs_libreoffice_idle_estimate",
                    f"{ours_cpu / worker_count() / lo_cpu:.3f} (our CPU / {worker_count()} cores / LibreOffice CPU)")
        else:
            out("batch_pdf_vs_libreoffice_ratio", "n/a (LibreOffice not measured)")

    out("load_average_1_5_15_at_end", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    out("timing_note", "shared 2-core boxes are noisy: compare medians across runs, not single runs")
    if args.profile or docx_ms > DOCX_TARGET_MS:
        profile("docx", letters)
    if args.profile or (ratio is not None and ratio > PDF_RATIO_TARGET):
        profile("pdf", letters)


if __name__ == "__main__":
    main()
