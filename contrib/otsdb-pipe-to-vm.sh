#!/usr/bin/env bash
# otsdb-pipe-to-vm.sh - migrate with no folders at all: one interval at a
# time, otsdb-dump | otsdb-restore, with a small state file so a rerun
# continues after the last interval that completed
set -u

usage() {
	cat <<'EOF2'
Usage: otsdb-pipe-to-vm.sh -s OPENTSDB -d VICTORIA -sd START -ed END [OPTIONS]

Each interval is piped straight from otsdb-dump into otsdb-restore; the
state file records the end of the last interval that both finished, so a
rerun starts there.

  -s,  --source URL            OpenTSDB endpoint
  -d,  --destination URL       VictoriaMetrics' HTTP API (port 8428) or
                               its OpenTSDB listener
  -sd, --start_date TIME       first instant (any otsdb-dump TIME)
  -ed, --end_date TIME         end, excluded
  -m,  --metrics_prefix P      (default kilda.)
  -i,  --interval day|hour|SECONDS
                               length of one interval (default day)
  -f,  --state_file FILE       (default ./otsdb-pipe-to-vm.state)
  -h,  --help

Environment: OTSDB_DUMP, OTSDB_RESTORE, OTSDB_DUMP_OPTS,
OTSDB_RESTORE_OPTS, RESTORE_SIZE_LIMIT (1048576).
Exit status: 0 done; 1 an interval failed (rerun to continue); 2 usage;
4 no metric starts with the prefix (nothing done).
EOF2
}

die_usage() {
	echo "otsdb-pipe-to-vm.sh: $*" >&2
	echo "Try 'otsdb-pipe-to-vm.sh --help' for more information." >&2
	exit 2
}

OTSDB_DUMP=${OTSDB_DUMP:-otsdb-dump}
OTSDB_RESTORE=${OTSDB_RESTORE:-otsdb-restore}
OTSDB_DUMP_OPTS=${OTSDB_DUMP_OPTS:-}
OTSDB_RESTORE_OPTS=${OTSDB_RESTORE_OPTS:-}
RESTORE_SIZE_LIMIT=${RESTORE_SIZE_LIMIT:-1048576}
src=''
dst=''
start=''
end=''
prefix=kilda.
step=86400
state=./otsdb-pipe-to-vm.state

while [ $# -gt 0 ]; do
	case $1 in -h | --help) usage; exit 0 ;; esac
	[ $# -ge 2 ] || die_usage "option '$1' needs a value"
	case $1 in
	-s | --source) src=$2 ;;
	-d | --destination) dst=$2 ;;
	-sd | --start_date) start=$2 ;;
	-ed | --end_date) end=$2 ;;
	-m | --metrics_prefix) prefix=$2 ;;
	-i | --interval) step=$2 ;;
	-f | --state_file) state=$2 ;;
	*) die_usage "unknown option '$1'" ;;
	esac
	shift 2
done
if [ -z "$src" ] || [ -z "$dst" ] || [ -z "$start" ] || [ -z "$end" ]; then
	die_usage "-s, -d, -sd and -ed are mandatory"
fi
# one spelling for both scripts: day, hour, or seconds
case $step in
day) step=86400 ;;
hour) step=3600 ;;
'' | *[!0-9]* | 0) die_usage "--interval must be day, hour or seconds" ;;
esac

# START/END: epoch seconds or ms, or a date (local time)
epoch_ms() {
	case $1 in
	*[!0-9]*) date -d "$(printf '%s' "$1" | tr 'T' ' ')" +%s000 2>/dev/null ;;
	?????????????) echo "$1" ;;
	*) echo "${1}000" ;;
	esac
}
s=$(epoch_ms "$start") || die_usage "bad --start_date '$start'"
e=$(epoch_ms "$end") || die_usage "bad --end_date '$end'"
# the metrics about to move, said first; none at all is an error (exit 4:
# otsdb-dump's status when nothing is selected)
# shellcheck disable=SC2086
metrics=$("$OTSDB_DUMP" --list-metrics -m "$prefix" $OTSDB_DUMP_OPTS "$src" \
	</dev/null)
rc=$?
if [ "$rc" -eq 4 ]; then
	echo "otsdb-pipe-to-vm.sh: no metric to migrate: $src has none starting with \"$prefix\"" >&2
	exit 4
elif [ "$rc" -ne 0 ]; then
	echo "otsdb-pipe-to-vm.sh: could not list the metrics (otsdb-dump status $rc); rerun to continue" >&2
	exit 1
fi
n=$(printf '%s\n' "$metrics" | grep -c .)
shown=$(printf '%s\n' "$metrics" | head -n 10 | tr '\n' ' ')
[ "$n" -gt 10 ] && shown="$shown... ($((n - 10)) more)"
word=metrics
[ "$n" -eq 1 ] && word=metric
echo "otsdb-pipe-to-vm.sh: migrating $n $word starting with \"$prefix\": $shown" >&2
if [ -s "$state" ]; then
	read -r s <"$state"
	echo "otsdb-pipe-to-vm.sh: continuing at $s ms (from $state)" >&2
fi
while [ "$s" -lt "$e" ]; do
	n=$((s + step * 1000))
	[ "$n" -gt "$e" ] && n=$e
	echo "otsdb-pipe-to-vm.sh: interval [$s, $n) ms" >&2
	# shellcheck disable=SC2086
	"$OTSDB_DUMP" -m "$prefix" $OTSDB_DUMP_OPTS -e "$n" "$src" "$s" |
		"$OTSDB_RESTORE" -s "$RESTORE_SIZE_LIMIT" $OTSDB_RESTORE_OPTS "$dst"
	rc=("${PIPESTATUS[@]}")
	if [ "${rc[0]}" -gt 1 ] || [ "${rc[1]}" -gt 1 ]; then
		echo "otsdb-pipe-to-vm.sh: interval [$s, $n) failed (dump ${rc[0]}, restore ${rc[1]}); rerun to continue" >&2
		exit 1
	fi
	echo "$n" >"$state.tmp" && mv "$state.tmp" "$state"
	s=$n
done
echo "otsdb-pipe-to-vm.sh: done" >&2
