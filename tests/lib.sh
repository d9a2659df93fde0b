# lib.sh - shared set-up for the shell tests: TAP helpers, a private temp
# dir, and start/stop helpers for the emulator and VictoriaMetrics.
# Servers bind 127.0.0.1 on free ports, waits are bounded, and every
# server is stopped by the PID this file started.
set -u
LC_ALL=C
TZ=UTC
export LC_ALL TZ

: "${SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${BUILDDIR:=$SRCDIR}"
: "${PYTHON3:=python3}"
: "${DUMP:=$BUILDDIR/otsdb-dump}"
: "${RESTORE:=$BUILDDIR/otsdb-restore}"
EMULATOR="$SRCDIR/tests/otsdb-emulator"
GEN_SAMPLE="$SRCDIR/tests/gen-sample"
VMCHECK="$SRCDIR/tests/vmcheck"
CHECKS="$SRCDIR/tests/checks"

T=$(mktemp -d "${TMPDIR:-/tmp}/otsdb-test.XXXXXX")
tap_n=0
tap_failed=0
PIDS=""

cleanup() {
	for pid in $PIDS; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in $PIDS; do
		wait "$pid" 2>/dev/null || true
	done
	if [ "$tap_failed" -eq 0 ]; then
		rm -rf "$T"
	else
		echo "# files kept in $T"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ok COND_STATUS NAME: one TAP line from the status of the last command.
ok() {
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		tap_failed=$((tap_failed + 1))
		echo "not ok $tap_n - $2"
	fi
}

# check NAME CMD...: passes when CMD exits 0.
check() {
	_check_name=$1
	shift
	if "$@" >"$T/check.out" 2>&1; then
		ok 0 "$_check_name"
	else
		ok 1 "$_check_name"
		sed 's/^/#   /' "$T/check.out" | head -20
	fi
}

# is NAME GOT WANT: string equality.
is() {
	if [ "$2" = "$3" ]; then
		ok 0 "$1"
	else
		ok 1 "$1"
		printf '#   got:  %s\n#   want: %s\n' "$2" "$3"
	fi
}

# same_file NAME GOT WANT: files equal byte for byte.
same_file() {
	if cmp -s "$2" "$3"; then
		ok 0 "$1"
	else
		ok 1 "$1"
		diff "$2" "$3" | head -10 | sed 's/^/#   /'
	fi
}

skip_all() {
	echo "1..0 # SKIP $1"
	trap - EXIT
	rm -rf "$T"
	exit 0
}

done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}

need_python() {
	command -v "$PYTHON3" >/dev/null 2>&1 || skip_all "python3 not found"
}

# free_port: a free TCP port on 127.0.0.1.
free_port() {
	"$PYTHON3" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for SECONDS CMD...: retry CMD every 0.1 s until it succeeds.
wait_for() {
	_wait_limit=$(($1 * 10))
	shift
	_wait_i=0
	while ! "$@" >/dev/null 2>&1; do
		_wait_i=$((_wait_i + 1))
		[ "$_wait_i" -lt "$_wait_limit" ] || return 1
		sleep 0.1
	done
}

# dump NAME ARGS...: runs otsdb-dump; sets $st; output in $T/NAME.*
dump() {
	_d=$1
	shift
	"$DUMP" "$@" >"$T/$_d.out" 2>"$T/$_d.err"
	st=$?
}

# emu_start NAME [EMULATOR ARGS...]: sets NAME_URL and NAME_PID.
emu_start() {
	_emu=$1
	shift
	# a name used before: its old port file must not be read as the new one
	rm -f "$T/$_emu.port"
	"$PYTHON3" "$EMULATOR" --port 0 "$@" >"$T/$_emu.port" 2>"$T/$_emu.err" &
	_emu_pid=$!
	PIDS="$PIDS $_emu_pid"
	if ! wait_for 20 test -s "$T/$_emu.port"; then
		echo "# emulator $_emu did not start:"
		sed 's/^/#   /' "$T/$_emu.err"
		return 1
	fi
	eval "${_emu}_URL=http://127.0.0.1:$(head -n 1 "$T/$_emu.port")"
	eval "${_emu}_PID=$_emu_pid"
}

# stop_pid PID: stop a server this test started, bounded.
stop_pid() {
	kill "$1" 2>/dev/null || true
	i=0
	while kill -0 "$1" 2>/dev/null && [ "$i" -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -9 "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

VM_BIN=${VM_BIN:-victoria-metrics}

need_vm() {
	command -v "$VM_BIN" >/dev/null 2>&1 ||
		skip_all "$VM_BIN not found (Debian package victoria-metrics)"
}

# vm_start: a VictoriaMetrics with an OpenTSDB HTTP listener; sets VM_URL
# (queries, export) and VM_PUT_URL (the /api/put listener) and VM_PID.
vm_start() {
	p1=$(free_port)
	p2=$(free_port)
	while [ "$p2" = "$p1" ]; do p2=$(free_port); done
	"$VM_BIN" -httpListenAddr="127.0.0.1:$p1" \
		-opentsdbHTTPListenAddr="127.0.0.1:$p2" \
		-storageDataPath="$T/vm-data" -retentionPeriod=100y \
		-loggerLevel=ERROR >"$T/vm.log" 2>&1 &
	VM_PID=$!
	PIDS="$PIDS $VM_PID"
	VM_URL="http://127.0.0.1:$p1"
	VM_PUT_URL="http://127.0.0.1:$p2"
	if ! wait_for 30 curl -sf "$VM_URL/health"; then
		echo "# victoria-metrics did not start:"
		sed 's/^/#   /' "$T/vm.log" | tail -20
		return 1
	fi
}

# vm_export MATCH > FILE: flush, then every sample of the matching series.
vm_export() {
	curl -sf "$VM_URL/internal/force_flush" >/dev/null
	curl -sfG "$VM_URL/api/v1/export" --data-urlencode "match[]=$1"
}
