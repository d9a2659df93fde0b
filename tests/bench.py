#!/usr/bin/env python3
# bench.py - `make bench`: throughput, CPU and memory of both tools
# otsdb-restore: a dry run and a real run against a fast local sink
# (answers 204 at once) on generated points; otsdb-dump: against the
# emulator, whose Python is the bottleneck of the wall time, so the
# client's own CPU seconds per million points is the figure that counts.
# Figures, not a pass/fail test.
"""bench.py --restore PATH --dump PATH [--points N]"""

import argparse
import asyncio
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time


def generate(path, n):
    with open(path, "w", encoding="utf-8") as f:
        base = 1678233600000
        for i in range(n):
            f.write('{"metric":"bench.m%d","timestamp":%d,"value":%d.%d,'
                    '"tags":{"host":"h%d","port":"%d"}}\n'
                    % (i % 50, base + i, i, i % 97, i % 200, i % 48))


def run_sink(port_box, stop, fault_rate=0.0, latency=0.0):
    """A fast put sink: 204 at once (after `latency` seconds); with
    fault_rate, that share of the requests (every k-th, deterministic)
    answers 500, 503 or closes."""
    count = [0]
    every = int(round(1 / fault_rate)) if fault_rate else 0

    async def handle(reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                n = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        n = int(line.split(b":")[1])
                await reader.readexactly(n)
                if latency:
                    await asyncio.sleep(latency)
                count[0] += 1
                if every and count[0] % every == 0:
                    kind = (count[0] // every) % 3
                    if kind == 2:
                        break  # closed without an answer
                    writer.write(b"HTTP/1.1 %s\r\nContent-Length: 0\r\n"
                                 b"\r\n" % (b"500 Internal Server Error"
                                            if kind == 0 else
                                            b"503 Service Unavailable"))
                    await writer.drain()
                    continue
                writer.write(b"HTTP/1.1 204 No Content\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()

    async def main():
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port_box.append(server.sockets[0].getsockname()[1])
        while not stop.is_set():
            await asyncio.sleep(0.1)
        server.close()

    asyncio.run(main())


def measure(cmd, stdin=None, split=False):
    """Wall seconds, CPU seconds and peak RSS of this one child (with
    split, the CPU as a pair: user, sys).  GNU time measures RSS after
    exec; without it wait4's figure also counts this Python process's
    memory at fork."""
    err = tempfile.TemporaryFile()
    rss_file = None
    if os.path.exists("/usr/bin/time"):
        rss_file = tempfile.NamedTemporaryFile(delete=False)
        cmd = ["/usr/bin/time", "-q", "-o", rss_file.name, "-f", "%M"] + cmd
    t = time.monotonic()
    p = subprocess.Popen(cmd, stdin=stdin, stdout=subprocess.DEVNULL,
                         stderr=err)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t
    p.returncode = os.waitstatus_to_exitcode(status)
    err.seek(0)
    rss = ru.ru_maxrss
    if rss_file is not None:
        with open(rss_file.name) as f:
            text = f.read().strip().splitlines()
        os.unlink(rss_file.name)
        if text and text[-1].isdigit():
            rss = int(text[-1])
    return (p.returncode, wall, (ru.ru_utime, ru.ru_stime) if split else
            ru.ru_utime + ru.ru_stime, rss, err.read().decode())


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--restore", required=True)
    ap.add_argument("--dump", required=True)
    ap.add_argument("--dump-points", type=int, default=300000)
    ap.add_argument("--points", type=int, default=2000000)
    ap.add_argument("--fault-points", type=int, default=100000)
    ap.add_argument("--only", choices=("planner", "vm-import"),
                    help="run only this part")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="otsdb-bench.")
    if args.only == "planner":
        bench_planner(args, tmp)
        os.rmdir(tmp)
        return
    if args.only == "vm-import":
        bench_vm_import(args, tmp)
        os.rmdir(tmp)
        return
    data = os.path.join(tmp, "points.ndjson")
    generate(data, args.points)
    size = os.path.getsize(data)
    print("otsdb-restore benchmark: %d points, %.1f MiB of NDJSON"
          % (args.points, size / 1048576))
    port, stop = [], threading.Event()
    th = threading.Thread(target=run_sink, args=(port, stop), daemon=True)
    th.start()
    while not port:
        time.sleep(0.05)
    url = "http://127.0.0.1:%d" % port[0]
    cases = [("dry run, -s 4096", ["-n", url, data]),
             ("dry run, -s 1M", ["-n", "-s", "1M", url, data]),
             ("sink, -s 1M -c 4", ["-s", "1M", "-c", "4", url, data]),
             ("sink, -s 4096 -c 4", ["-c", "4", url, data])]
    print("%-22s %10s %12s %14s %10s" % ("case", "seconds", "points/s",
                                         "CPU s/Mpoint", "peak RSS"))
    for name, extra in cases:
        rc, wall, cpu, rss, err = measure([args.restore, "-q"] + extra)
        if rc != 0:
            print("%s: exit %d: %s" % (name, rc, err.strip()))
            continue
        print("%-22s %10.2f %12.0f %14.3f %7.1f MiB"
              % (name, wall, args.points / wall,
                 cpu / (args.points / 1e6), rss / 1024.0))
    stop.set()
    bench_compress(args, data)
    bench_baselines(args, data)
    bench_restore_faults(args, data)
    os.unlink(data)
    bench_dump(args, tmp)
    bench_dump_faults(args, tmp)
    bench_dump_series(args, tmp)
    bench_dump_sparse(args, tmp)
    bench_planner(args, tmp)
    bench_vm_import(args, tmp)
    os.rmdir(tmp)


def generate_dumplike(path, n):
    """n points as otsdb-dump writes them: by metric, then one-hour frame,
    then series, then time (10 s apart); 50 metrics of 40 series."""
    base = 1678233600000
    per_series_hour = 360
    series = 40
    metrics = 50
    hours = -(-n // (metrics * series * per_series_hour))
    k = 0
    with open(path, "w", encoding="utf-8") as f:
        for m in range(metrics):
            for h in range(hours):
                for s_ in range(series):
                    for i in range(per_series_hour):
                        if k >= n:
                            return
                        ts = base + h * 3600000 + i * 10000 + s_
                        f.write('{"metric":"bench.vm%d","timestamp":%d,'
                                '"value":%d,"tags":{"host":"h%d",'
                                '"port":"%d"}}\n' % (m, ts, (k * 7) % 1000,
                                                     s_ % 8, s_))
                        k += 1


def free_port():
    with socket.socket() as so:
        so.bind(("127.0.0.1", 0))
        return so.getsockname()[1]


def proc_cpu(pid):
    """CPU seconds (user + sys) a process has used so far."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bench_vm_import(args, tmp):
    """Into a real VictoriaMetrics, the same points written through its
    OpenTSDB listener (/api/put) and through its HTTP API (/api/v1/import,
    JSON lines), -c 4 -s 1M, each into a fresh VictoriaMetrics: wall,
    client CPU and the server's CPU per million points (from /proc, up to
    the flush that ends the run)."""
    vm = "victoria-metrics"
    if subprocess.run(["sh", "-c", "command -v " + vm],
                      stdout=subprocess.DEVNULL).returncode != 0:
        print("\n(victoria-metrics not installed: no import benchmark)")
        return
    data = os.path.join(tmp, "dumplike.ndjson")
    generate_dumplike(data, args.points)
    n = sum(1 for _ in open(data, "rb"))
    print()
    print("otsdb-restore into VictoriaMetrics 1.79, %d points (by series, "
          "as otsdb-dump writes them), -c 4 -s 1M" % n)
    print("%-34s %8s %14s %14s %10s" % ("case", "seconds", "client CPU/Mpt",
                                        "server CPU/Mpt", "peak RSS"))
    for name, listener in (("/api/put (OpenTSDB listener)", True),
                           ("/api/v1/import (HTTP API)", False),
                           ("/api/v1/import --compress", False)):
        d = tempfile.mkdtemp(prefix="vm.", dir=tmp)
        p1, p2 = free_port(), free_port()
        while p2 == p1:
            p2 = free_port()
        proc = subprocess.Popen(
            [vm, "-httpListenAddr=127.0.0.1:%d" % p1,
             "-opentsdbHTTPListenAddr=127.0.0.1:%d" % p2,
             "-storageDataPath=" + d, "-retentionPeriod=100y",
             "-loggerLevel=ERROR"], stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        api = "http://127.0.0.1:%d" % p1
        for _ in range(300):
            try:
                import urllib.request
                urllib.request.urlopen(api + "/health", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        cpu0 = proc_cpu(proc.pid)
        cmd = [args.restore, "-q", "-c", "4", "-s", "1M"]
        if "--compress" in name:
            cmd.append("--compress")
        if listener:
            cmd += ["--target-api", api, "http://127.0.0.1:%d" % p2]
        else:
            cmd += [api]
        rc, wall, cpu, rss, err = measure(cmd + [data])
        server = proc_cpu(proc.pid) - cpu0
        proc.terminate()
        proc.wait()
        subprocess.run(["rm", "-rf", d])
        if rc != 0:
            print("%s: exit %d: %s" % (name, rc, err.strip()))
            continue
        print("%-34s %8.2f %14.3f %14.3f %7.1f MiB"
              % (name, wall, cpu / (n / 1e6), server / (n / 1e6),
                 rss / 1024.0))
    os.unlink(data)


def bench_compress(args, data):
    """--compress: how many fewer requests under the same 4096-byte cap,
    the compression ratio, and what it costs in CPU (dry runs: the
    requests are built, not sent)."""
    print()
    print("otsdb-restore --compress, dry run, -s 4096, %d points"
          % args.points)
    print("%-22s %10s %14s %8s %14s" % ("case", "requests", "bytes",
                                        "ratio", "CPU s/Mpoint"))
    rows = []
    for name, extra in (("plain bodies", []), ("--compress", ["--compress"])):
        rc, wall, cpu, rss, err = measure(
            [args.restore, "-n"] + extra + ["http://127.0.0.1:1", data])
        m = re.search(r"(\d+) requests of at most \d+ bytes \((\d+) bytes\)",
                      err)
        if rc != 0 or m is None:
            print("%s: exit %d: %s" % (name, rc, err.strip()))
            return
        rows.append((name, int(m.group(1)), int(m.group(2)),
                     cpu / (args.points / 1e6)))
    raw = rows[0][2]
    for name, reqs, size, cpu in rows:
        print("%-22s %10d %14d %8.2f %14.3f" % (name, reqs, size,
                                                raw / size, cpu))
    print("--compress costs %.3f CPU s per million points more, for %.1f "
          "times fewer requests" % (rows[1][3] - rows[0][3],
                                    rows[0][1] / rows[1][1]))


def cpu_of(cmd, stdin=None):
    """CPU seconds (user + sys) of a command run to its end."""
    t = os.times()
    subprocess.run(cmd, stdin=stdin, stdout=subprocess.DEVNULL, check=True)
    u = os.times()
    return (u.children_user - t.children_user) + \
        (u.children_system - t.children_system)


def bench_baselines(args, data):
    """Where the restore dry run stands: CPU seconds over the same file
    for wc -l, Python's json.loads per line and jq -c ., each against
    otsdb-restore --dry-run -s 1M; then 20 M lines through a pipe (peak
    RSS must not grow with the input)."""
    print()
    print("otsdb-restore --dry-run -s 1M against other readers of the same "
          "%d lines (CPU seconds; ratio = their time / ours)" % args.points)
    with open(data, "rb") as f:
        ours = cpu_of([args.restore, "-q", "-n", "-s", "1M",
                       "http://127.0.0.1:1", "-"], stdin=f)
    rows = [("otsdb-restore --dry-run", ours)]
    with open(data, "rb") as f:
        rows.append(("wc -l", cpu_of(["wc", "-l"], stdin=f)))
    with open(data, "rb") as f:
        rows.append(("python3 json.loads a line", cpu_of(
            [sys.executable, "-c", "import json, sys\n"
             "for l in sys.stdin.buffer: json.loads(l)"], stdin=f)))
    if subprocess.run(["sh", "-c", "command -v jq"],
                      stdout=subprocess.DEVNULL).returncode == 0:
        with open(data, "rb") as f:
            rows.append(("jq -c .", cpu_of(["jq", "-c", "."], stdin=f)))
    else:
        print("(jq not installed: apt-get install jq for its figure)")
    print("%-28s %10s %14s %10s" % ("reader", "CPU s", "lines/CPU s",
                                     "ratio"))
    for name, cpu in rows:
        print("%-28s %10.2f %14.0f %10.2f" % (name, cpu, args.points / cpu,
                                               cpu / ours))
    n = 20000000
    line = ('{"metric":"bench.m","timestamp":1678233600000,"value":42.5,'
            '"tags":{"host":"h1","port":"1"}}')
    gen = subprocess.Popen("yes '%s' | head -n %d" % (line, n), shell=True,
                           stdout=subprocess.PIPE)
    rc, wall, cpu, rss, err = measure(
        [args.restore, "-q", "-n", "-s", "1M", "http://127.0.0.1:1", "-"],
        stdin=gen.stdout)
    gen.wait()
    print("%d lines through a pipe: %.1f s, %.0f lines/s, peak RSS %.1f MiB%s"
          % (n, wall, n / wall, rss / 1024.0,
             "" if rc == 0 else " (exit %d: %s)" % (rc, err.strip())))


def sink_url(fault_rate, latency):
    port, stop = [], threading.Event()
    th = threading.Thread(target=run_sink,
                          args=(port, stop, fault_rate, latency), daemon=True)
    th.start()
    while not port:
        time.sleep(0.05)
    return "http://127.0.0.1:%d" % port[0], stop


def bench_restore_faults(args, data):
    """Faults cost a retry, not a stall: wall time with 20 % of the
    requests failing (500, 503, closed) over the fault-free one."""
    n = min(args.points, args.fault_points)
    part = data + ".part"
    with open(data, encoding="utf-8") as f, \
            open(part, "w", encoding="utf-8") as out:
        for i, line in zip(range(n), f):
            out.write(line)
    print()
    print("otsdb-restore under faults: %d points, -s 4096, a sink that "
          "answers in 2 ms, 20 %% of the requests 500/503/closed" % n)
    print("%-22s %10s %10s %8s" % ("case", "no faults", "20 % faults",
                                   "ratio"))
    for c in ("1", "4"):
        walls = []
        for rate in (0.0, 0.2):
            url, stop = sink_url(rate, 0.002)
            rc, wall, cpu, rss, err = measure(
                [args.restore, "-q", "-c", c, "--retries", "10", url, part])
            stop.set()
            if rc != 0:
                print("-c %s, faults %.0f %%: exit %d: %s"
                      % (c, rate * 100, rc, err.strip()))
            walls.append(wall)
        print("%-22s %9.2fs %9.2fs %8.2f" % ("-c " + c, walls[0], walls[1],
                                             walls[1] / walls[0]))
    os.unlink(part)


def bench_dump(args, tmp):
    data = os.path.join(tmp, "dump.ndjson")
    generate(data, args.dump_points)  # 50 metrics, 1 point a ms
    emu = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       "otsdb-emulator")
    p = subprocess.Popen([sys.executable, emu, "--port", "0", "--data", data],
                         stdout=subprocess.PIPE)
    url = "http://127.0.0.1:%d" % int(p.stdout.readline())
    start, stop = "1678233600000", str(1678233600000 + args.dump_points)
    print()
    print("otsdb-dump benchmark: %d points in 50 metrics, against the "
          "emulator" % args.dump_points)
    print("%-22s %10s %12s %14s %10s" % ("case", "seconds", "points/s",
                                         "CPU s/Mpoint", "peak RSS"))
    for name, extra in (("-c 1, 60 s frames", ["-c", "1"]),
                        ("-c 4, 60 s frames", ["-c", "4"])):
        rc, wall, cpu, rss, err = measure(
            [args.dump, "-q", "-o", "/dev/null", "--query-frame-size", "60"]
            + extra + [url, start, "-e", stop])
        if rc != 0:
            print("%s: exit %d: %s" % (name, rc, err.strip()))
            continue
        print("%-22s %10.2f %12.0f %14.3f %7.1f MiB"
              % (name, wall, args.dump_points / wall,
                 cpu / (args.dump_points / 1e6), rss / 1024.0))
    p.terminate()
    p.wait()
    p.stdout.close()
    os.unlink(data)


HERE = os.path.dirname(os.path.abspath(__file__))


def emulator(*extra):
    p = subprocess.Popen([sys.executable, os.path.join(HERE, "otsdb-emulator"),
                          "--port", "0"] + list(extra),
                         stdout=subprocess.PIPE)
    return p, "http://127.0.0.1:%d" % int(p.stdout.readline())


def stop_emulator(p):
    p.terminate()
    p.wait()
    p.stdout.close()


def same_bytes(a, b):
    with open(a, "rb") as x, open(b, "rb") as y:
        return x.read() == y.read()


def bench_dump_faults(args, tmp):
    """Faults cost a retry, not a stall: a -c 1 dump of the sample over
    40 hours (30,400 queries) with 20 % of the queries failing, over the
    same dump without faults; then with 503 and 429 in the mix."""
    data = os.path.join(tmp, "sample.ndjson")
    with open(data, "w") as f:
        subprocess.run([sys.executable, os.path.join(HERE, "gen-sample")],
                       stdout=f, check=True)
    when = ["2023-03-08T00:00:00Z", "-e", "2023-03-09T16:00:00Z"]
    print()
    print("otsdb-dump under faults: the test sample over 40 hours (30,400 "
          "queries), -c 1, default options, against the emulator")
    print("%-34s %10s %8s %8s" % ("case", "seconds", "ratio", "exact"))
    ref = os.path.join(tmp, "clean.out")
    base = None
    for name, kinds in (("no faults", None),
                        ("20 % 500/close/reset/truncate",
                         "500,close,reset,truncate"),
                        ("20 % with 503 and 429 too",
                         "500,503,429,close,reset,truncate")):
        extra = ["--data", data]
        if kinds:
            extra += ["--fault-rate", "0.2", "--fault-kinds", kinds]
        p, url = emulator(*extra)
        out = ref if kinds is None else os.path.join(tmp, "faults.out")
        rc, wall, cpu, rss, err = measure(
            [args.dump, "-q", "-o", out, url] + when)
        stop_emulator(p)
        if rc != 0:
            print("%s: exit %d: %s" % (name, rc, err.strip()))
            continue
        if base is None:
            base = wall
        print("%-34s %10.2f %8.2f %8s" % (name, wall, wall / base,
                                          "yes" if same_bytes(out, ref)
                                          else "NO"))
        if out != ref:
            os.unlink(out)
    os.unlink(ref)
    os.unlink(data)


def bench_dump_series(args, tmp):
    """A metric of 20,000 series on a server that overflows past 16,383:
    read by series; its peak memory (target: at most 32 MiB)."""
    data = os.path.join(tmp, "many.ndjson")
    with open(data, "w") as f:
        subprocess.run([sys.executable, os.path.join(HERE, "checks",
                                                     "make-many-series"),
                        "flow.bytes", "20000", "1678233600"],
                       stdout=f, check=True)
    p, url = emulator("--data", data, "--max-series-per-query", "16383",
                      "--overflow", "500")
    print()
    print("otsdb-dump of one metric of 20,000 series (80,000 points, 1 h "
          "frames) from a server that overflows past 16,383 series")
    print("%-22s %10s %12s %10s" % ("case", "seconds", "requests",
                                    "peak RSS"))
    rc, wall, cpu, rss, err = measure(
        [args.dump, "-o", "/dev/null", "--query-frame-size", "3600", url,
         "1678233600", "-e", "1678240800"])
    stop_emulator(p)
    req = [w for w in err.split(", ") if w.endswith(" requests")]
    if rc != 0:
        print("exit %d: %s" % (rc, err.strip()))
    else:
        print("%-22s %10.2f %12s %7.1f MiB" % ("-c 1", wall,
                                               req[0].split()[0] if req
                                               else "?", rss / 1024.0))
    os.unlink(data)


def bench_dump_sparse(args, tmp):
    """Answers like production's: 33 metrics of 21 series, a point a
    minute for a day, default 180 s frames: 15,840 queries of 63 points.
    Client CPU a query and a million points (targets: 50 us, 1.0 s)."""
    data = os.path.join(tmp, "sparse.ndjson")
    base = 1678233600
    with open(data, "w", encoding="utf-8") as f:
        for m in range(33):
            for s_ in range(21):
                for t in range(0, 86400, 60):
                    f.write('{"metric":"sparse.m%d","timestamp":%d,'
                            '"value":%d,"tags":{"host":"h%d","if":"e%d"}}\n'
                            % (m, (base + t) * 1000 + s_, (t // 60) % 1000,
                               s_ % 7, s_))
    points = 33 * 21 * 1440
    p, url = emulator("--data", data)
    print()
    print("otsdb-dump of sparse answers: 33 metrics x 21 series, a point a "
          "minute for 24 h (%d points), 180 s frames, -c 4" % points)
    print("%-22s %10s %10s %14s %12s %10s" % (
        "case", "seconds", "queries", "CPU s/Mpoint", "CPU us/query",
        "peak RSS"))
    rc, wall, (user, sys_), rss, err = measure(
        [args.dump, "-c", "4", "-o", "/dev/null", url, str(base), "-e",
         str(base + 86400)], split=True)
    cpu = user + sys_
    m = re.search(r"(\d+) frames, (\d+) points, (\d+) requests", err)
    if rc != 0 or m is None or int(m.group(2)) != points:
        print("exit %d: %s" % (rc, err.strip()))
    else:
        queries = int(m.group(3))
        print("%-22s %10.2f %10d %14.3f %12.1f %7.1f MiB" % (
            "-c 4", wall, queries, cpu / (points / 1e6),
            cpu / queries * 1e6, rss / 1024.0))
        print("  of which user %.1f us/query, sys (the kernel) %.1f"
              % (user / queries * 1e6, sys_ / queries * 1e6))
        floor = bare_round_trips(url, base, 2000)
        print("  the kernel's floor here: a bare keep-alive socket loop "
              "(send, recv, no HTTP library, no parsing) spends %.1f us "
              "of sys CPU a query of the same kind" % floor)
    stop_emulator(p)
    os.unlink(data)


def rows_held(path):
    """Rows holding data (series x hour) and points of an NDJSON file."""
    import json
    held, points = set(), 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            t = int(d["timestamp"])
            t = t * 1000 if t <= 0xFFFFFFFF else t
            held.add((d["metric"], tuple(sorted(d["tags"].items())),
                      t // 3600000))
            points += 1
    return len(held), points


def query_log(path, bound):
    """Queries answered 2xx, HBase rows they read, answers over bound."""
    import json
    n = rows = over = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if r.get("path") == "/api/query" and r.get("status") == 200:
                n += 1
                rows += r.get("rows_read", 0)
                over += r.get("response_length", 0) > bound
    return n, rows, over


def bench_planner(args, tmp):
    """Frames planned by the data against fixed 180-s frames, on the same
    data in the same run, the server's cost modelled by the emulator (2 ms
    a query plus 20 us an HBase row read): the test sample over 2 days
    (sparse), then one dense metric whose hour is larger than the target
    answer (60 series, a point each 10 s for 6 h; --max-response-size
    256K, so a 64 KiB target and hours of about 470 KB)."""
    sparse = os.path.join(tmp, "planner-sparse.ndjson")
    with open(sparse, "w") as f:
        subprocess.run([sys.executable, os.path.join(HERE, "gen-sample"),
                        "--hours", "48"], stdout=f, check=True)
    dense = os.path.join(tmp, "planner-dense.ndjson")
    t0 = 1678233600
    with open(dense, "w", encoding="utf-8") as f:
        for s_ in range(60):
            for t in range(0, 6 * 3600, 10):
                f.write('{"metric":"dense.m","timestamp":%d,"value":%d,'
                        '"tags":{"host":"h%02d","if":"e%d"}}\n'
                        % (t0 + t, t * 7 + s_, s_, s_ % 4))
    log = os.path.join(tmp, "planner.log")
    out = os.path.join(tmp, "planner.out")
    print()
    print("otsdb-dump frames: planned by the data (auto) against fixed "
          "180 s, -c 4, the server modelled at 2 ms a query + 20 us a row")
    print("%-26s %8s %10s %8s %10s %10s %9s %9s" % (
        "case", "queries", "rows read", "x held", "wall s", "CPU s/Mpt",
        "cut", "peak RSS"))
    for title, data, bound, start, stop in (
            ("sparse (sample, 2 days)", sparse, 16 << 20,
             "2023-03-08T00:00:00Z", "2023-03-10T00:00:00Z"),
            ("dense (60 series, 6 h)", dense, 256 << 10, str(t0),
             str(t0 + 6 * 3600))):
        extra = ["--max-response-size", str(bound)]
        held, points = rows_held(data)
        sets = {}
        for name, frames in (("auto", []),
                             ("180 s", ["--query-frame-size", "180"])):
            if os.path.exists(log):
                os.unlink(log)
            p, url = emulator("--data", data, "--log", log,
                              "--query-latency", "0.002",
                              "--row-latency", "0.00002")
            rc, wall, cpu, rss, err = measure(
                [args.dump, "-q", "-c", "4", "-o", out] + frames + extra +
                [url, start, "-e", stop])
            stop_emulator(p)
            n, rows, over = query_log(log, bound)
            with open(out, "rb") as f:
                sets[name] = sorted(f.read().splitlines())
            label = "%s, %s" % (title.split(" ")[0], name)
            if rc != 0:
                print("%s: exit %d: %s" % (label, rc, err.strip()))
                continue
            print("%-26s %8d %10d %8.2f %10.2f %10.3f %9d %5.1f MiB" % (
                label, n, rows, rows / float(held), wall,
                cpu / (points / 1e6), over, rss / 1024.0))
        print("  %s: %d points, %d rows hold data, peak memory bound "
              "%.0f MiB; the same points with both: %s" % (
                  title, points, held, 16 + 4 * 7 * bound / 1048576.0,
                            "yes" if sets.get("auto") == sets.get("180 s")
                            and len(sets.get("auto", [])) == points
                            else "NO"))
    print("  (cut: answers longer than --max-response-size, abandoned "
          "there and their range split; the bound: 16 MiB + c x 7 x "
          "--max-response-size, the man page's)")
    for path in (sparse, dense, log, out):
        os.unlink(path)


def bare_round_trips(url, base, n):
    """Sys CPU microseconds a request of a loop that sends the same kind
    of query over one kept-alive socket and reads each answer whole,
    one at a time: what the kernel alone costs a round trip here."""
    host, port = url.rsplit("/", 1)[1].split(":")
    sock = socket.create_connection((host, int(port)), timeout=30)
    t = os.times()
    for i in range(n):
        start = (base + 180 * (i % 480)) * 1000
        body = ('{"start":%d,"end":%d,"msResolution":true,"queries":'
                '[{"metric":"sparse.m%d","aggregator":"none"}]}'
                % (start, start + 179999, i % 33)).encode()
        sock.sendall(b"POST /api/query HTTP/1.1\r\nHost: %s\r\n"
                     b"Content-Type: application/json\r\n"
                     b"Content-Length: %d\r\n\r\n"
                     % (host.encode(), len(body)) + body)
        got = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                raise OSError("the emulator closed the connection")
            got += chunk
            end = got.find(b"\r\n\r\n")
            if end < 0:
                continue
            m = re.search(rb"(?i)content-length: *(\d+)", got[:end])
            if m is None or len(got) >= end + 4 + int(m.group(1)):
                break
    u = os.times()
    sock.close()
    return (u.system - t.system) / n * 1e6


if __name__ == "__main__":
    main()
