#!/usr/bin/env python3
# bench-restore.py - `make bench`: otsdb-restore throughput, CPU and memory
# Prints points/s, CPU seconds per million points and peak RSS for a dry
# run and for a real run against a fast local sink (answers 204 at once),
# on generated points.  Figures, not a pass/fail test.
"""bench-restore.py --restore PATH [--points N]"""

import argparse
import asyncio
import os
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


def run_sink(port_box, stop):
    async def handle(reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                n = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        n = int(line.split(b":")[1])
                await reader.readexactly(n)
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


def measure(cmd):
    """Wall seconds, CPU seconds and peak RSS of this one child.  GNU
    time measures RSS after exec; without it wait4's figure also counts
    this Python process's memory at fork."""
    err = tempfile.TemporaryFile()
    rss_file = None
    if os.path.exists("/usr/bin/time"):
        rss_file = tempfile.NamedTemporaryFile(delete=False)
        cmd = ["/usr/bin/time", "-q", "-o", rss_file.name, "-f", "%M"] + cmd
    t = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
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
    return (p.returncode, wall, ru.ru_utime + ru.ru_stime, rss,
            err.read().decode())


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--restore", required=True)
    ap.add_argument("--points", type=int, default=2000000)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="otsdb-bench.")
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
    os.unlink(data)
    os.rmdir(tmp)


if __name__ == "__main__":
    main()
