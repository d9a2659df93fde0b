#!/usr/bin/env python3
# emulator_test.py - the emulator's own tests, as TAP
# Each case talks HTTP to a freshly started tests/otsdb-emulator (raw
# sockets where the exact bytes on the wire matter) and checks what
# opentsdb-http-api.md says OpenTSDB 2.4 does.
"""Run: emulator_test.py (uses $SRCDIR or this file's directory)."""

import gzip
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
EMULATOR = os.path.join(HERE, "otsdb-emulator")
N = 0
FAILED = 0
T0 = 1678233600  # 2023-03-08T00:00:00Z

DATA = [
    # a.m: one series with ms points, two in one second; one lacking port
    {"metric": "a.m", "timestamp": T0 * 1000, "value": 1,
     "tags": {"host": "h1", "port": "1"}},
    {"metric": "a.m", "timestamp": T0 * 1000 + 250, "value": 2,
     "tags": {"host": "h1", "port": "1"}},
    {"metric": "a.m", "timestamp": T0 * 1000 + 999, "value": 3,
     "tags": {"host": "h1", "port": "1"}},
    {"metric": "a.m", "timestamp": (T0 + 10) * 1000, "value": 4,
     "tags": {"host": "h1", "port": "1"}},
    {"metric": "a.m", "timestamp": T0 * 1000, "value": 10,
     "tags": {"host": "h2"}},
    {"metric": "a.m", "timestamp": (T0 + 10) * 1000, "value": 20,
     "tags": {"host": "h2"}},
    {"metric": "a.m", "timestamp": (T0 + 5) * 1000, "value": 1.5,
     "tags": {"host": "H3", "port": "2"}},
]


def ok(cond, name, diag=None):
    global N, FAILED
    N += 1
    if not cond:
        FAILED += 1
    print("%sok %d - %s" % ("" if cond else "not ", N, name))
    if not cond and diag is not None:
        for line in str(diag).splitlines()[:10]:
            print("#   " + line)
    sys.stdout.flush()


def is_(got, want, name):
    ok(got == want, name, "got:  %r\nwant: %r" % (got, want))


RUNNING = []  # every emulator started, stopped at the end whatever fails


class Emu:
    def __init__(self, *args, data=None):
        self.dir = tempfile.mkdtemp(prefix="emu-test.")
        self.log = os.path.join(self.dir, "log")
        cmd = [sys.executable, EMULATOR, "--port", "0", "--log", self.log]
        if data is not None:
            path = os.path.join(self.dir, "data.ndjson")
            with open(path, "w", encoding="utf-8") as f:
                for d in data:
                    f.write(json.dumps(d, ensure_ascii=False) + "\n")
            cmd += ["--data", path]
        self.p = subprocess.Popen(cmd + list(args), stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        RUNNING.append(self)
        line = self.p.stdout.readline()
        self.port = int(line)
        self.url = "http://127.0.0.1:%d" % self.port

    def stop(self):
        if self.p.poll() is not None:
            return
        self.p.terminate()
        try:
            self.p.wait(10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        self.p.stdout.close()
        self.p.stderr.close()

    def req(self, path, body=None, method=None, headers=None):
        data = body.encode() if isinstance(body, str) else body
        r = urllib.request.Request(self.url + path, data=data,
                                   method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(r, timeout=20) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def json(self, path, body=None, method=None):
        st, text = self.req(path, body, method)
        try:
            return st, json.loads(text) if text else None
        except ValueError:
            return st, text

    def raw(self, data, timeout=10):
        """Send bytes on a new connection; return all bytes until EOF."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        try:
            s.sendall(data)
            out = b""
            while True:
                try:
                    chunk = s.recv(65536)
                except ConnectionResetError:
                    return out + b"<RESET>"
                if not chunk:
                    return out
                out += chunk
        finally:
            s.close()

    def log_records(self):
        with open(self.log, encoding="utf-8") as f:
            return [json.loads(x) for x in f]


def q(params):
    return "/api/query?" + params


def test_version_and_routing():
    e = Emu()
    st, d = e.json("/api/version")
    is_((st, d["version"]), (200, "2.4.1"), "version 2.4.1")
    st, d = e.json("/api/v1/version")
    is_(st, 200, "/api/v1/ routes like /api/")
    st, d = e.json("/api/v2/version")
    is_(st, 501, "/api/v2/ is 501")
    st, d = e.json("/api/nothing")
    is_((st, d), (404, {"error": {"code": 404, "message":
                                  "Endpoint not found"}}), "unknown 404 body")
    st, d = e.json("/api/put", method="GET")
    is_((st, d["error"]["message"]), (405, "Method not allowed"),
        "GET /api/put is 405")
    e.stop()
    e = Emu("--tsd-version", "2.2.1", data=DATA)
    st, d = e.json("/api/version")
    is_(d["version"], "2.2.1", "version switch")
    st, d = e.json(q("start=%d&m=none:a.m" % T0))
    is_((st, d["error"]["message"]), (400, "No such aggregation function: "
                                      "none"), "2.2 has no none aggregator")
    e.stop()


def test_suggest():
    names = ["m.%02d" % i for i in range(30)] + ["m/x", "mfoo", "M.up",
                                                 "\u00e9t\u00e9.x", "-d"]
    data = [{"metric": n, "timestamp": T0, "value": 1, "tags": {"a": "b"}}
            for n in names]
    e = Emu(data=data)
    st, d = e.json("/api/suggest?type=metrics&q=m.")
    is_((st, len(d)), (200, 25), "suggest defaults to max 25")
    is_(d, ["m.%02d" % i for i in range(25)], "suggest in byte order")
    st, d = e.json("/api/suggest?type=metrics&q=m.&max=0")
    is_(len(d), 25, "max=0 means 25")
    st, d = e.json("/api/suggest?type=metrics&q=m&max=100")
    is_(d, ["m.%02d" % i for i in range(30)] + ["m/x", "mfoo"],
        "prefix scan, '.' < '/' < 'f'")
    st, d = e.json("/api/suggest?type=metrics&max=100")
    is_(d[:2], ["-d", "M.up"], "empty q starts at '!'")
    ok("\u00e9t\u00e9.x" not in d, "empty q skips names from '~' up")
    st, d = e.json("/api/suggest?type=metrics&q=%C3%A9")
    is_(d, ["\u00e9t\u00e9.x"], "non-ASCII prefix finds it")
    st, d = e.json("/api/suggest?type=metrics&q=m&max=x")
    is_((st, d["error"]["message"]), (400, "Unable to parse 'max' as a "
                                      "number"), "non-numeric max")
    st, d = e.json("/api/suggest?q=m")
    is_((st, d["error"]["message"]), (400, "Missing parameter <code>type"
                                      "</code>"), "missing type")
    st, d = e.json("/api/suggest?type=bogus")
    is_(st, 400, "invalid type")
    st, d = e.json("/api/suggest", '{"type":"metrics","q":"m.2","max":3}',
                   "POST")
    is_(d, ["m.20", "m.21", "m.22"], "POST suggest")
    st, d = e.json("/api/suggest?type=tagk")
    is_(d, ["a"], "tagk suggest")
    e.stop()


def test_query():
    e = Emu(data=DATA)
    st, d = e.json(q("start=%d&end=%d&m=none:a.m&ms" % (T0, T0 + 10)))
    is_(st, 200, "GET none query")
    series = {json.dumps(r["tags"], sort_keys=True): r for r in d}
    is_(len(d), 3, "none: one result per series")
    r = series[json.dumps({"host": "h1", "port": "1"}, sort_keys=True)]
    is_(r["dps"], {str(T0 * 1000): 1, str(T0 * 1000 + 250): 2,
                   str(T0 * 1000 + 999): 3, str((T0 + 10) * 1000): 4},
        "ms keys, inclusive end")
    is_(r["aggregateTags"], [], "none: aggregateTags empty")
    ok(json.dumps({"host": "h2"}, sort_keys=True) in series,
       "series lacking a tag is its own result")
    st, text = e.req(q("start=%d&end=%d&m=none:a.m{host=h1}" % (T0, T0 + 10)))
    is_(text.count('"%d":' % T0), 3,
        "without ms, same-second points give duplicate keys")
    st, text = e.req(q("start=%d&end=%d&m=none:a.m{host=h1}&ms=false"
                       % (T0, T0 + 10)))
    ok('"%d250"' % T0 in text, "ms is a presence flag (ms=false is on)")
    st, text = e.req(q("start=%d&end=%d&m=none:a.m{host=h1}&msResolution=true"
                       % (T0, T0 + 10)))
    ok('"%d250"' % T0 not in text, "GET msResolution is ignored")
    st, d = e.json("/api/query", json.dumps(
        {"start": T0 * 1000, "end": T0 * 1000 + 999, "msResolution": True,
         "queries": [{"aggregator": "none", "metric": "a.m",
                      "tags": {"host": "h1"}}]}), "POST")
    is_(d[0]["dps"], {str(T0 * 1000): 1, str(T0 * 1000 + 250): 2,
                      str(T0 * 1000 + 999): 3}, "POST msResolution, ms bounds")
    st, d = e.json(q("start=%dms&end=%dms&m=none:a.m{host=h1}&ms"
                     % (T0 * 1000 + 1, T0 * 1000 + 998)))
    is_(list(d[0]["dps"]), [str(T0 * 1000 + 250)], "Nms bounds inclusive")
    st, d = e.json(q("start=%d&end=%d&m=none:a.m{host=h1}&ms" % (T0, T0)))
    is_((st, d["error"]["message"]), (400, "End time [%d] must be greater "
                                      "than the start time [%d]"
                                      % (T0 * 1000, T0 * 1000)),
        "end == start is 400")
    st, d = e.json(q("start=%d&end=%d&m=none:a.m{host=h1}&arrays&ms"
                     % (T0, T0 + 10)))
    is_(d[0]["dps"][0], [T0 * 1000, 1], "arrays")
    st, d = e.json(q("start=2023/03/08-00:00:05&end=2023/03/08 00:00:10"
                     "&m=none:a.m{host=H3}&ms").replace(" ", "%20"))
    is_(d[0]["dps"], {str((T0 + 5) * 1000): 1.5}, "absolute dates, float")
    st, d = e.json(q("start=1678233600.250&end=%d&m=none:a.m{host=h1}&ms"
                     % (T0 + 1)))
    is_(list(d[0]["dps"])[0], str(T0 * 1000 + 250), "dotted seconds")
    # filters
    st, d = e.json(q("start=%d&end=%d&m=none:a.m{port=*}&ms" % (T0, T0 + 10)))
    is_(len(d), 2, "{port=*} excludes series lacking port")
    st, d = e.json(q("start=%d&end=%d&m=none:a.m{host=h1|h2}&ms"
                     % (T0, T0 + 10)))
    is_(len(d), 2, "{host=h1|h2}")
    st, d = e.json(q("start=%d&end=%d&m=none:a.m{host=h*}&ms" % (T0, T0 + 10)))
    is_(len(d), 3, "wildcard h* is case-insensitive")
    st, d = e.json(q("start=%d&end=%d&m=none:a.m{}{port=not_key()}&ms"
                     % (T0, T0 + 10)))
    is_([r["tags"] for r in d], [{"host": "h2"}],
        "not_key keeps only series lacking the key")
    # aggregation
    st, d = e.json(q("start=%d&end=%d&m=sum:a.m&ms" % (T0, T0 + 10)))
    is_(len(d), 1, "sum without group-by: one result")
    is_(d[0]["tags"], {}, "sum: no common tags")
    is_(d[0]["aggregateTags"], ["host", "port"],
        "aggregateTags lists keys with several values")
    dps = d[0]["dps"]
    is_(dps[str(T0 * 1000)], 11, "sum at t0: 1 + 10 (H3 not yet started)")
    is_(dps[str(T0 * 1000 + 250)], 2 + 10,
        "sum interpolates h2 linearly in integers (10.25 -> 10)")
    is_(dps[str((T0 + 10) * 1000)], 24, "sum at the end: 4 + 20")
    st, d = e.json(q("start=%d&end=%d&m=sum:a.m{port=*}&ms" % (T0, T0 + 10)))
    is_(len(d), 2, "sum grouped by port: one result a port")
    st, d = e.json(q("start=%d&end=%d&m=max:a.m{host=h1}&ms" % (T0, T0 + 10)))
    is_((d[0]["tags"], d[0]["dps"][str(T0 * 1000 + 999)]),
        ({"host": "h1", "port": "1"}, 3), "max, tags of one series")
    st, d = e.json(q("start=%d&end=%d&m=avg:a.m{host=h1|h2}&ms"
                     % (T0, T0 + 10)))
    is_(len(d), 2, "avg grouped by host")
    st, d = e.json(q("start=%d&end=%d&m=sum:a.m{host=h1}{port=2}&ms"
                     % (T0, T0 + 10)))
    is_(d, [], "second brace filters without grouping")
    # errors
    st, d = e.json(q("start=%d&m=none:nope" % T0))
    is_((st, d["error"]["message"]), (400, "No such name for 'metrics': "
                                      "'nope'"), "unknown metric")
    st, d = e.json(q("start=%d&m=none:a.m{zz=1}" % T0))
    is_((st, d["error"]["message"]), (400, "No such name for 'tagk': 'zz'"),
        "unknown tag key")
    st, d = e.json(q("start=%d&m=none:a.m{host=zz}" % T0))
    is_((st, d["error"]["message"]), (400, "No such name for 'tagv': 'zz'"),
        "unknown tag value")
    st, d = e.json(q("start=%d&m=none:a.m{host}" % T0))
    is_(st, 500, "brace syntax error in GET is 500")
    st, d = e.json(q("start=%d&m=bogus:a.m" % T0))
    is_((st, d["error"]["message"]), (400, "No such aggregation function: "
                                      "bogus"), "unknown aggregator")
    st, d = e.json(q("m=none:a.m"))
    is_(st, 400, "missing start")
    st, d = e.json(q("start=%d" % T0))
    is_((st, d["error"]["message"]), (400, "Missing sub queries"),
        "missing m")
    st, d = e.json(q("start=%d&end=%d&m=none:a.m{host=h1}&ms"
                     % (T0 + 3600, T0 + 3601)))
    is_(d, [], "no data in range: []")
    st, d = e.json(q("start=%d&end=%d&m=none:a.m{host=h1}&ms"
                     % (T0 + 100, T0 + 200)))
    is_(d[0]["dps"], {}, "data elsewhere in the hour: empty dps object")
    st, d = e.json(q("start=%d&end=%d&m=sum:1m-avg-none:a.m{host=h1}"
                     % (T0, T0 + 60)))
    is_(d[0]["dps"], {str(T0): 2.5}, "downsample 1m-avg")
    st, d = e.json(q("start=%d&end=%d&m=none:a.m&show_tsuids&show_query&ms"
                     % (T0, T0 + 10)))
    ok(all(len(r["tsuids"]) == 1 and r["query"]["aggregator"] == "none"
           for r in d), "show_tsuids and show_query")
    e.stop()
    e = Emu("--query-point-limit", "3", data=DATA)
    st, d = e.json(q("start=%d&end=%d&m=none:a.m{host=h1}&ms"
                     % (T0, T0 + 10)))
    ok(st == 413 and "limit of 3 data points" in d["error"]["message"],
       "query point limit gives 413", d)
    st, d = e.json(q("start=%d&end=%d&m=none:a.m{host=h2}&ms"
                     % (T0, T0 + 10)))
    is_(st, 200, "under the point limit: 200")
    e.stop()


def test_lookup():
    e = Emu(data=DATA)
    st, d = e.json("/api/search/lookup?m=a.m")
    is_((st, d["totalResults"], len(d["results"])), (200, 3, 3),
        "lookup lists series")
    st, d = e.json("/api/search/lookup?m=a.m{host=h1}&limit=1")
    is_((d["totalResults"], d["results"][0]["tags"]),
        (1, {"host": "h1", "port": "1"}), "lookup filter")
    st, d = e.json("/api/search/lookup?m=a.m&limit=1")
    is_(len(d["results"]), 1, "lookup limit")
    st, d = e.json("/api/search/lookup?m=nope")
    is_(st, 404, "lookup of unknown metric is 404")
    e.stop()
    e = Emu("--lookup-empty", data=DATA)
    st, d = e.json("/api/search/lookup?m=a.m")
    is_(d["results"], [], "--lookup-empty: no meta table")
    e.stop()
    e = Emu("--lookup-none", data=DATA)
    st, d = e.json("/api/search/lookup", json.dumps(
        {"metric": "a.m", "useMeta": False, "limit": 100}))
    is_((d["results"], d["totalResults"]), ([], 0),
        "--lookup-none: nothing, even from the data table")
    e.stop()


def test_series_limit():
    """--max-series-per-query: Deferred's overflow, as 500 or a hang."""
    get = q("start=%d&end=%d&m=none:a.m&ms" % (T0, T0 + 60))
    e = Emu("--max-series-per-query", "2", "--overflow", "500", data=DATA)
    st, d = e.json(get)
    ok(st == 500 and "CallbackOverflowError" in json.dumps(d) and
       "Too many callbacks in Deferred" in d["error"]["message"],
       "overflow 500: 3 series over a limit of 2", d)
    st, d = e.json(q("start=%d&end=%d&m=none:a.m{host=h1}&ms" % (T0, T0 + 60)))
    is_((st, len(d)), (200, 1), "overflow 500: one series answers")
    # POST with a 'none' sub-query of TSUIDs: each series apart
    st, look = e.json("/api/search/lookup", json.dumps(
        {"metric": "a.m", "useMeta": False, "limit": 100}))
    tsuids = sorted({r["tsuid"] for r in look["results"]})
    body = {"start": T0 * 1000, "end": T0 * 1000 + 60000,
            "msResolution": True,
            "queries": [{"aggregator": "none", "tsuids": tsuids[:2]}]}
    st, d = e.json("/api/query", json.dumps(body))
    is_((st, sorted(len(r["dps"]) for r in d)), (200, [2, 4]),
        "POST none with 2 TSUIDs: two series apart")
    body["queries"][0]["tsuids"] = tsuids
    st, d = e.json("/api/query", json.dumps(body))
    is_(st, 500, "POST of 3 TSUIDs over the limit: overflow too")
    # useMeta false: a row per series and hour, as TimeSeriesLookup scans
    is_((look["totalResults"], len(tsuids)), (3, 3),
        "lookup of the data table: a result per series-hour row")
    e.stop()
    e = Emu("--max-series-per-query", "2", data=DATA)
    s_ = socket.create_connection(("127.0.0.1", e.port), timeout=1.5)
    s_.sendall(("GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % get).encode())
    try:
        got = s_.recv(100)
    except socket.timeout:
        got = "<no answer>"
    s_.close()
    is_(got, "<no answer>", "overflow hang: no answer before the client "
        "gives up")
    time.sleep(0.5)
    recs = e.log_records()
    ok(recs and recs[-1].get("hung"), "overflow hang: logged as hung",
       recs[-1:])
    st, d = e.json(q("start=%d&end=%d&m=none:a.m{host=h2}&ms" % (T0, T0 + 60)))
    is_(st, 200, "overflow hang: the server goes on after the client left")
    e.stop()
    e = Emu("--pad-dps", "1000", data=DATA)
    st, text = e.req(q("start=%d&end=%d&m=none:a.m{host=h1}&ms"
                       % (T0, T0 + 60)))
    ok(st == 200 and len(text) > 3000 and
       len(json.loads(text)[0]["dps"]) == 4, "--pad-dps: larger, same data")
    e.stop()
    e = Emu("--endless-answers", data=DATA)
    s_ = socket.create_connection(("127.0.0.1", e.port), timeout=5)
    s_.sendall(("GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % get).encode())
    got = b""
    while len(got) < 1 << 20:
        got += s_.recv(65536)
    s_.close()
    ok(got.startswith(b"HTTP/1.1 200 OK") and b"\r\n\r\n[ " in got,
       "--endless-answers: a 200 that goes on past 1 MiB")
    e.stop()
    e = Emu("--bad-gzip", data=DATA)
    raw = e.raw(("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                 "\r\n" % get).encode())
    ok(b"Content-Encoding: gzip" in raw and b'"dps"' in raw,
       "--bad-gzip: says gzip, sends plain JSON")
    e.stop()
    e = Emu("--slow-answers", "200", data=DATA)
    t = time.time()
    raw = e.raw(("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                 "\r\n" % get).encode(), timeout=30)
    ok(raw.startswith(b"HTTP/1.1 200") and time.time() - t > len(raw) / 400,
       "--slow-answers: the whole answer, slowly (%d bytes in %.1f s)"
       % (len(raw), time.time() - t))
    e.stop()
    e = Emu("--shuffle-dps", data=DATA)
    orders = set()
    for _ in range(8):
        st, text = e.req(q("start=%d&end=%d&m=none:a.m{host=h1}&ms"
                           % (T0, T0 + 60)))
        orders.add(tuple(json.loads(text)[0]["dps"].keys()))
    ok(len(orders) > 1, "--shuffle-dps: dps keys in changing orders",
       orders)
    e.stop()


def test_put():
    e = Emu(data=DATA)
    good = {"metric": "a.m", "timestamp": T0 + 20, "value": 5,
            "tags": {"host": "h9"}}
    st, text = e.req("/api/put", json.dumps(good))
    is_((st, text), (204, ""), "put one object: 204")
    st, text = e.req("/emu/points?metric=a.m")
    ok('"timestamp":%d000,"value":5,"tags":{"host":"h9"}' % (T0 + 20) in text,
       "stored point reads back", text)
    bad = [good,
           {"metric": "", "timestamp": T0, "value": 1, "tags": {"a": "b"}},
           {"metric": "a.m", "timestamp": 0, "value": 1, "tags": {"a": "b"}},
           {"metric": "a.m", "timestamp": T0, "tags": {"a": "b"}},
           {"metric": "a.m", "timestamp": T0, "value": 1, "tags": {}},
           {"metric": "a.m", "timestamp": T0, "value": "abc",
            "tags": {"a": "b"}},
           {"metric": "a b", "timestamp": T0, "value": 1, "tags": {"a": "b"}},
           {"metric": "a.m", "timestamp": 99999999999999, "value": 1,
            "tags": {"a": "b"}},
           {"metric": "new.metric", "timestamp": T0, "value": 1,
            "tags": {"a": "b"}},
           {"metric": "a.m", "timestamp": T0, "value": 1,
            "tags": {"t%d" % i: "v" for i in range(9)}}]
    st, d = e.json("/api/put?details", json.dumps(bad))
    is_((st, d["success"], d["failed"]), (400, 1, 9),
        "details: partial success")
    is_([x["error"] for x in d["errors"]][:6],
        ["Metric name was empty", "Invalid timestamp", "Empty value",
         "Missing tags", "Unable to parse value to a number",
         'Invalid metric name ("a b"): illegal character:  '],
        "per-point messages in input order")
    is_(d["errors"][4]["datapoint"]["value"], "abc",
        "errors[].datapoint.value is a string")
    is_(d["errors"][7]["error"], "Unknown metric",
        "auto_create_metrics is off by default")
    ok(d["errors"][8]["error"].startswith("Too many tags: 9 maximum "
                                          "allowed: 8"), "too many tags")
    st, d = e.json("/api/put?summary", json.dumps(bad[:2]))
    is_((st, d), (400, {"success": 1, "failed": 1}), "summary")
    st, d = e.json("/api/put?summary", json.dumps(bad[:1]))
    is_((st, d), (200, {"success": 1, "failed": 0}), "summary all good: 200")
    st, d = e.json("/api/put?details", json.dumps(bad[:1]))
    is_((st, d), (200, {"success": 1, "failed": 0, "errors": []}),
        "details all good: 200")
    st, d = e.json("/api/put", json.dumps(bad[:2]))
    is_((st, d["error"]["message"]), (400, "One or more data points had "
                                      "errors"), "no flags, a failure: 400")
    for body, msg in (("", "Missing request content"),
                      ("42", "The JSON must start as an object or an array"),
                      ("[]", "No datapoints found in content"),
                      ("[{", "Unable to parse the given JSON")):
        st, d = e.json("/api/put", body, "POST")
        is_((st, d["error"]["message"]), (400, msg), "whole-request: " + msg)
    big = {"metric": "a.m", "timestamp": T0 + 30, "value":
           9223372036854775807, "tags": {"host": "big"}}
    flt = {"metric": "a.m", "timestamp": T0 * 1000 + 31, "value": 0.1,
           "tags": {"host": "big"}}
    st, _ = e.req("/api/put", json.dumps([big, flt]))
    st, text = e.req("/emu/points?metric=a.m")
    ok('"value":9223372036854775807' in text, "int64 kept exactly")
    ok('"timestamp":%d,"value":0.1,' % (T0 * 1000 + 31) in text,
       "ms timestamp and float kept")
    st, text = e.req("/api/put", gzip.compress(json.dumps(good).encode()),
                     headers={"Content-Encoding": "gzip"})
    is_(st, 204, "gzip body inflated")
    e.stop()
    e = Emu("--auto-create-metrics")
    st, _ = e.req("/api/put", json.dumps(bad[8]))
    is_(st, 204, "--auto-create-metrics accepts new metrics")
    e.stop()


def test_put_transient():
    pts = [{"metric": "a.m", "timestamp": T0 + i, "value": i,
            "tags": {"host": "t"}} for i in range(100)]
    e = Emu("--auto-create-metrics", "--put-throttle-rate", "0.5")
    st, d = e.json("/api/put?details", json.dumps(pts))
    errs = [x["error"] for x in d["errors"]]
    ok(st == 400 and 20 < d["failed"] < 80 and
       set(errs) == {"Please throttle"} and
       d["success"] + d["failed"] == 100,
       "--put-throttle-rate: some points refused with 'Please throttle'",
       (st, d["failed"], set(errs)))
    st, text = e.req("/emu/points?metric=a.m")
    is_(len(text.splitlines()), d["success"],
        "throttled points are not stored, the others are")
    e.stop()
    e = Emu("--auto-create-metrics", "--put-storage-failure-rate", "0.5")
    st, d = e.json("/api/put?details", json.dumps(pts))
    is_((st, d["failed"]), (200, 0), "storage failures need ?sync")
    st, d = e.json("/api/put?details&sync", json.dumps(pts))
    errs = {x["error"].split(":")[0] for x in d["errors"]}
    ok(st == 200 and d["failed"] > 0 and errs == {"Storage exception"},
       "?sync: storage failures listed in a 200 answer", (st, d["failed"]))
    bad = pts[:3] + [{"metric": "", "timestamp": T0, "value": 1,
                      "tags": {"a": "b"}}]
    st, d = e.json("/api/put?details&sync", json.dumps(bad))
    is_(st, 400, "?sync: a validation failure still answers 400")
    e.stop()
    e = Emu("--no-version")
    st, _ = e.req("/api/version")
    is_(st, 404, "--no-version: /api/version answers 404")
    e.stop()
    e = Emu("--auto-create-metrics", "--path-prefix", "/v1/opentsdb")
    st, _ = e.req("/v1/opentsdb/api/put", json.dumps(pts[0]))
    is_(st, 204, "--path-prefix: the API below the prefix")
    st, _ = e.req("/api/put", json.dumps(pts[0]))
    is_(st, 404, "--path-prefix: not at the root")
    e.stop()


def http_post(path, body, extra=b""):
    return (b"POST " + path + b" HTTP/1.1\r\nHost: x\r\nContent-Type: "
            b"application/json\r\nConnection: close\r\n" + extra +
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)


def test_netty_limits():
    pt = {"metric": "a.m", "timestamp": T0, "value": 1, "tags": {"x": "y"}}
    body8k = json.dumps([pt] * 130).encode()  # > 8192 bytes
    small = json.dumps([pt]).encode()
    e = Emu("--auto-create-metrics")
    out = e.raw(http_post(b"/api/put", small))
    ok(out.startswith(b"HTTP/1.1 204"), "small body with Content-Length: 204")
    ok(len(body8k) > 8192, "test body is over 8192 bytes")
    out = e.raw(http_post(b"/api/put", body8k))
    ok(out.startswith(b"HTTP/1.1 400") and
       b"Chunked request not supported." in out, "body > 8192: 400 chunked")
    out = e.raw(http_post(b"/api/put", small, b"Expect: 100-continue\r\n"))
    ok(out.startswith(b"HTTP/1.1 400") and b"Chunked request" in out,
       "Expect: 100-continue: 400 chunked")
    chunked = (b"POST /api/put HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
               b"chunked\r\nConnection: close\r\n\r\n" +
               b"%x\r\n" % len(small) + small + b"\r\n0\r\n\r\n")
    out = e.raw(chunked)
    ok(out.startswith(b"HTTP/1.1 400") and b"Chunked request" in out,
       "Transfer-Encoding: chunked: 400")
    long_line = b"GET /api/suggest?type=metrics&q=" + b"a" * 4100 + \
        b" HTTP/1.1\r\nHost: x\r\n\r\n"
    out = e.raw(long_line)
    ok(out in (b"", b"<RESET>"), "request line > 4096: closed, no response",
       out[:100])
    ok_line = b"GET /api/suggest?type=metrics&q=" + b"a" * 4000 + \
        b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    out = e.raw(ok_line)
    ok(out.startswith(b"HTTP/1.1 200"), "request line under 4096: answered")
    recs = e.log_records()
    ok(any(r.get("refused") == "chunked" for r in recs),
       "log records refusals")
    ok(all("status" in r and "path" in r and "body_length" in r
           for r in recs if "closed" not in r), "log has status, path, size")
    e.stop()
    e = Emu("--auto-create-metrics", "--chunked", "--max-chunk", "4096")
    out = e.raw(chunked)
    ok(out.startswith(b"HTTP/1.1 204"), "--chunked: chunked body accepted")
    body5k = json.dumps([pt] * 80).encode()
    out = e.raw(http_post(b"/api/put", body5k, b"Expect: 100-continue\r\n"))
    ok(out in (b"", b"<RESET>"),
       "--chunked: Expect with body > max_chunk: closed, no response", out)
    out = e.raw(http_post(b"/api/put", body5k))
    ok(out.startswith(b"HTTP/1.1 204"),
       "--chunked: plain Content-Length <= 8192 has no other limit")
    out = e.raw(http_post(b"/api/put", body8k))
    ok(out in (b"", b"<RESET>"), "--chunked: body > 8192 and > max_chunk: "
       "closed")
    out = e.raw(http_post(b"/api/put", small, b"Expect: 100-continue\r\n"))
    ok(out.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204"),
       "--chunked: Expect gets 100 Continue, then 204")
    e.stop()


def test_keepalive():
    e = Emu(data=DATA)
    req = b"GET /api/version HTTP/1.1\r\nHost: x\r\n\r\n"
    out = e.raw(req + req + b"GET /api/version HTTP/1.1\r\nHost: x\r\n"
                b"Connection: close\r\n\r\n")
    is_(out.count(b"HTTP/1.1 200"), 3, "three requests on one connection")
    ok(b"Content-Type: application/json; charset=UTF-8" in out,
       "JSON content type")
    e.stop()


def test_faults():
    kinds = ["500", "503", "429", "close", "reset", "truncate", "hang"]
    seen = {}
    e = Emu("--fault-rate", "0.5", "--fault-seed", "7", "--hang-seconds",
            "1", data=DATA)
    for i in range(60):
        try:
            st, _ = e.req("/api/version")
            seen[st] = seen.get(st, 0) + 1
        except Exception as ex:  # connection faults surface as exceptions
            name = type(ex).__name__
            seen[name] = seen.get(name, 0) + 1
    faults = [r.get("fault") for r in e.log_records()]
    e.stop()
    ok(all(k in faults for k in kinds), "all fault kinds occur", faults)
    ok(200 in seen and 500 in seen and 503 in seen and 429 in seen,
       "HTTP faults reach the client", seen)
    e = Emu("--fault-rate", "0.5", "--fault-seed", "7", "--hang-seconds",
            "1", data=DATA)
    for i in range(60):
        try:
            e.req("/api/version")
        except Exception:
            pass
    again = [r.get("fault") for r in e.log_records()]
    e.stop()
    is_(again, faults, "same seed, same fault sequence")
    e = Emu("--fault-rate", "1", "--fault-kinds", "truncate",
            "--auto-create-metrics")
    pt = {"metric": "f.m", "timestamp": T0, "value": 1, "tags": {"x": "y"}}
    try:
        e.req("/api/put", json.dumps(pt))
        ok(False, "truncate: client sees an incomplete response")
    except Exception:
        ok(True, "truncate: client sees an incomplete response")
    st, text = e.req("/emu/points")  # /emu/ is never faulted
    ok('"metric":"f.m"' in text, "truncate: the request was processed")
    e.stop()
    e = Emu(data=DATA)
    s_ = socket.create_connection(("127.0.0.1", e.port), timeout=5)
    head = b"GET /api/version HTTP/1.1\r\nHost: x\r\n\r\n"
    s_.sendall(head)
    raw = b""
    while not raw.rstrip().endswith(b"}"):
        chunk = s_.recv(65536)
        if not chunk:
            break
        raw += chunk
    s_.close()
    before = time.time()
    time.sleep(0.2)
    r = e.log_records()[-1]
    e.stop()
    ok(r.get("request_length") == len(head) and
       r.get("response_length") == len(raw) and
       before - 5 < r.get("time", 0) <= before,
       "log: the time and the bytes of request and answer on the wire",
       (r, len(head), len(raw)))
    e = Emu("--fault-rate", "1", "--fault-kinds", "short-length")
    s = socket.create_connection(("127.0.0.1", e.port), timeout=5)
    s.sendall(b"GET /api/version HTTP/1.1\r\nHost: x\r\n\r\n")
    raw = b""
    while b"\r\n\r\n" not in raw or not raw.rstrip().endswith(b"}"):
        chunk = s.recv(65536)
        if not chunk:
            break
        raw += chunk
    s.close()
    e.stop()
    head, _, body = raw.partition(b"\r\n\r\n")
    clen = [int(h.split(b":")[1]) for h in head.split(b"\r\n")
            if h.lower().startswith(b"content-length:")]
    ok(clen and body.startswith(b"{") and clen[0] == len(body) // 2,
       "short-length: Content-Length is half the body sent", (clen, body))


def test_sigterm():
    e = Emu()
    t = time.monotonic()
    e.p.terminate()
    rc = e.p.wait(10)
    e.p.stdout.close()
    e.p.stderr.close()
    ok(time.monotonic() - t < 5, "SIGTERM stops it promptly (rc %s)" % rc)


def test_bind():
    e = Emu()
    try:
        s = socket.create_connection(("127.0.0.1", e.port), timeout=2)
        s.close()
        ok(True, "listens on 127.0.0.1")
    except OSError:
        ok(False, "listens on 127.0.0.1")
    e.stop()


def test_delete():
    """delete: every row (hour) the query scanned goes, for its series."""
    data = [{"metric": "d.m", "timestamp": (T0 + h * 1800) * 1000,
             "value": h, "tags": {"host": "h1"}} for h in range(6)]
    data.append({"metric": "d.m", "timestamp": T0 * 1000, "value": 7,
                 "tags": {"host": "h2"}})
    e = Emu(data=data)
    body = {"start": (T0 + 3600) * 1000, "end": (T0 + 3601) * 1000,
            "msResolution": True, "delete": True,
            "queries": [{"aggregator": "none", "metric": "d.m",
                         "tags": {"host": "h1"}}]}
    st, d = e.json("/api/query", json.dumps(body), "POST")
    is_((st, d[0]["dps"]), (200, {str((T0 + 3600) * 1000): 2}),
        "a delete query answers what it read")
    st, text = e.req("/emu/points?metric=d.m")
    times = sorted(json.loads(x)["timestamp"] for x in text.splitlines()
                   if '"h1"' in x)
    is_(times, [T0 * 1000, (T0 + 1800) * 1000, (T0 + 7200) * 1000,
                (T0 + 9000) * 1000],
        "the whole hour [T0+1h, T0+2h) of that series is gone")
    ok('"h2"' in text, "other series keep their points")
    st, d = e.json(q("start=%d&end=%d&m=none:d.m" % (T0, T0 + 1)),
                   method="DELETE")
    is_((st, d["error"]["details"]), (400, "Deleting data is not enabled "
                                      "(tsd.http.query.allow_delete=false)"),
        "DELETE needs tsd.http.query.allow_delete")
    e.stop()
    e = Emu("--allow-delete", data=data)
    st, d = e.json(q("start=%d&end=%d&m=none:d.m{host=h2}&ms" % (T0, T0 + 1)),
                   method="DELETE")
    st, text = e.req("/emu/points?metric=d.m")
    ok(st == 200 and '"h2"' not in text and text.count("\n") == 6,
       "DELETE with allow_delete deletes what it reads")
    e.stop()


def test_rows_read():
    """The cost model: HBase rows a query reads (opentsdb-http-api.md
    4.10), logged as rows_read; --query-latency and --row-latency."""
    # r.m: series h1 with a point in hours 0..5, h2 in hours 0 and 1
    data = [{"metric": "r.m", "timestamp": (T0 + h * 3600 + 60) * 1000,
             "value": h, "tags": {"host": "h1"}} for h in range(6)]
    data += [{"metric": "r.m", "timestamp": (T0 + h * 3600) * 1000,
              "value": h, "tags": {"host": "h2"}} for h in range(2)]
    data.append({"metric": "other.m", "timestamp": T0 * 1000, "value": 1,
                 "tags": {"host": "h1"}})
    e = Emu("--log-bodies", data=data)

    def rows(start, end, query):
        body = {"start": start, "end": end, "msResolution": True,
                "queries": [query]}
        e.json("/api/query", json.dumps(body), "POST")
        return e.log_records()[-1]["rows_read"]

    whole = {"aggregator": "none", "metric": "r.m"}
    is_(rows(T0 * 1000, (T0 + 3600) * 1000 - 1, whole), 4,
        "a frame [H, H + 1 h - 1 ms] reads hours H and H + 1 (the end "
        "bumped a second), every series: 4 rows")
    is_(rows(T0 * 1000, (T0 + 180) * 1000 - 1, whole), 2,
        "a 180-s frame reads its hour's rows")
    is_(rows((T0 + 3420) * 1000, (T0 + 3600) * 1000 - 1, whole), 4,
        "the last 180-s frame of an hour reads the next hour's too")
    is_(rows((T0 + 7200) * 1000, (T0 + 6 * 3600) * 1000 - 1, whole), 4,
        "rows exist only where a series has data")
    is_(rows(T0 * 1000, (T0 + 3600) * 1000 - 1,
             {"aggregator": "none", "metric": "r.m",
              "tags": {"host": "h2"}}), 4,
        "a tag filter reads every row of the metric all the same")
    tsuids = e.json("/api/search/lookup", json.dumps(
        {"metric": "r.m", "useMeta": False}), "POST")[1]["results"]
    h2 = [x["tsuid"] for x in tsuids if x["tags"]["host"] == "h2"]
    is_(rows(T0 * 1000, (T0 + 3600) * 1000 - 1,
             {"aggregator": "none", "tsuids": h2}), 4,
        "so does a TSUID query")
    e.stop()
    e = Emu("--query-latency", "0.3", "--row-latency", "0.05", data=data)
    t = time.monotonic()
    e.json(q("start=%d&end=%d&m=none:r.m&ms" % (T0 * 1000,
                                                 (T0 + 3600) * 1000 - 1)))
    took = time.monotonic() - t
    ok(0.45 <= took < 5, "latency: 0.3 s a query + 4 rows x 0.05 s "
       "(%.2f s)" % took)
    e.stop()


def main():
    for t in (test_version_and_routing, test_suggest, test_query,
              test_lookup, test_series_limit, test_put, test_put_transient, test_netty_limits, test_keepalive,
              test_faults, test_sigterm, test_bind, test_delete,
              test_rows_read):
        try:
            t()
        except Exception as ex:  # a crash is a failure, not an abort
            import traceback
            ok(False, "%s raised %s" % (t.__name__, ex),
               traceback.format_exc())
    for e in RUNNING:
        if e.p.poll() is None:
            e.stop()
    print("1..%d" % N)
    sys.exit(1 if FAILED else 0)


if __name__ == "__main__":
    main()
