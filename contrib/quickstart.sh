#!/bin/sh
# quickstart.sh - the README's two commands: `demo` and `check`
# Installs what is missing (Debian, as root), builds in ./build, then
#   demo:  starts the bundled OpenTSDB emulator with generated sample data
#          and a local VictoriaMetrics, migrates with
#          otsdb-dump | otsdb-restore, reads it back with --check and
#          shows what was moved;
#   check: runs the whole test suite (make check) and prints
#          "N passed, N failed".
set -eu

usage() {
	cat <<'USAGE'
Usage: contrib/quickstart.sh demo|check

  demo    build, start the OpenTSDB emulator with sample data and a local
          VictoriaMetrics, migrate between them, show what was moved
  check   build and run the whole test suite

Build dependencies are installed with apt-get when missing (as root).
Environment: BUILD_DIR (default ./build), CONFIGURE_FLAGS (extra flags).
USAGE
}

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build}
packages="build-essential autoconf automake pkg-config libcurl4-openssl-dev zlib1g-dev libjsmn-dev python3 python3-yaml curl victoria-metrics"

say() { printf 'quickstart: %s\n' "$*" >&2; }

install_deps() {
	missing=""
	for p in $packages; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing="$missing $p"
	done
	[ -n "$missing" ] || return 0
	if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
		say "missing Debian packages:$missing"
		say "install them (apt-get install$missing) and run again"
		exit 1
	fi
	say "installing:$missing"
	DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >&2
}

build() {
	if [ ! -x "$top/configure" ]; then
		say "bootstrapping (autoreconf)"
		(cd "$top" && autoreconf --install --force) >&2
	fi
	mkdir -p "$build"
	if [ ! -f "$build/Makefile" ]; then
		# shellcheck disable=SC2086
		(cd "$build" && "$top/configure" ${CONFIGURE_FLAGS:-}) >&2
	fi
	make -C "$build" -j"$(nproc 2>/dev/null || echo 2)" >&2
}

# totals FILE: "N passed, N failed" from automake's test-suite.log
totals() {
	awk '/^# PASS:/ {p = $3} /^# (FAIL|ERROR|XPASS):/ {f += $3}
	     END {printf "%d passed, %d failed\n", p, f}' "$1"
}

check() {
	status=0
	make -C "$build" check -j"$(nproc 2>/dev/null || echo 2)" >&2 || status=$?
	if [ -f "$build/test-suite.log" ]; then
		totals "$build/test-suite.log"
	else
		echo "0 passed, 1 failed"
		status=1
	fi
	return "$status"
}

demo() {
	work=$(mktemp -d "${TMPDIR:-/tmp}/otsdb-demo.XXXXXX")
	pids=""
	trap 'for p in $pids; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"' EXIT
	python3 "$top/tests/gen-sample" >"$work/sample.ndjson"
	python3 "$top/tests/otsdb-emulator" --port 0 --auto-create-metrics \
		--data "$work/sample.ndjson" >"$work/emu.port" 2>"$work/emu.err" &
	pids="$pids $!"
	i=0
	while [ ! -s "$work/emu.port" ] && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	[ -s "$work/emu.port" ] || { cat "$work/emu.err" >&2; say "emulator did not start"; exit 1; }
	src="http://127.0.0.1:$(head -n 1 "$work/emu.port")"
	port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
	p1=$(port)
	victoria-metrics -httpListenAddr="127.0.0.1:$p1" \
		-storageDataPath="$work/vm" -retentionPeriod=100y \
		-dedup.minScrapeInterval=1ms \
		-loggerLevel=ERROR >"$work/vm.log" 2>&1 &
	pids="$pids $!"
	vm="http://127.0.0.1:$p1"
	i=0
	until curl -sf "$vm/health" >/dev/null 2>&1; do
		i=$((i + 1))
		[ "$i" -lt 300 ] || { cat "$work/vm.log" >&2; say "victoria-metrics did not start"; exit 1; }
		sleep 0.1
	done
	# the servers live for this demo only: what is printed is what runs
	echo "OpenTSDB emulator (source):    $src  $(curl -s "$src/emu/stats")"
	echo "VictoriaMetrics (destination): $vm (its HTTP API)"
	echo "sample: $(wc -l <"$work/sample.ndjson") datapoints, 2023-03-08T00:00:00Z + 3 hours"
	echo "running: otsdb-dump $src 2023-03-08T00:00:00Z -e 2023-03-08T03:00:00Z |"
	echo "         tee dump.ndjson | otsdb-restore $vm"
	set +e
	"$build/otsdb-dump" "$src" 2023-03-08T00:00:00Z \
		-e 2023-03-08T03:00:00Z 2>"$work/dump.err" | tee "$work/dump.ndjson" |
		"$build/otsdb-restore" "$vm" 2>"$work/restore.err"
	set -e
	cat "$work/dump.err" "$work/restore.err"
	echo "running: otsdb-restore --check $vm < dump.ndjson"
	set +e
	"$build/otsdb-restore" --check "$vm" <"$work/dump.ndjson" \
		>"$work/check.out" 2>"$work/check.err"
	checked=$?
	set -e
	# the per-metric table (stdout), then the summary
	cat "$work/check.out" "$work/check.err"
	[ "$checked" -eq 0 ] || { say "the check found points missing or different"; exit 1; }
	curl -sf "$vm/internal/force_flush" >/dev/null
	moved=$(curl -sfG "$vm/api/v1/export" --data-urlencode 'match[]={__name__=~".+"}' |
		python3 -c 'import sys, json; print(sum(len(json.loads(l)["values"]) for l in sys.stdin if l.strip()))')
	echo "moved into VictoriaMetrics: $moved datapoints"
	[ "$moved" = "$(wc -l <"$work/sample.ndjson" | tr -d ' ')" ]
}

case "${1:-}" in
demo) install_deps; build; demo ;;
check) install_deps; build; check ;;
-h|--help) usage ;;
*) usage >&2; exit 2 ;;
esac
