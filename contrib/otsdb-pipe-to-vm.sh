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
say() { echo "otsdb-pipe-to-vm.sh: $*" >&2; }
when() { date -d "@$(($1 / 1000))" '+%F %T'; } # ms -> local time
work=$(mktemp -d "${TMPDIR:-/tmp}/otsdb-pipe-to-vm.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
# list_metrics: every metric of the source, once; those with the prefix
# go to $work/metrics, which each interval's dump reads instead of
# discovering them again (sets nmetrics, nothers, listed_ms)
list_metrics() {
	# shellcheck disable=SC2086
	"$OTSDB_DUMP" --list-metrics $OTSDB_DUMP_OPTS "$src" >"$work/all" \
		</dev/null || return
	listed_ms=$(($(date +%s) * 1000))
	awk -v p="$prefix" 'index($0, p) == 1' "$work/all" >"$work/metrics"
	nmetrics=$(grep -c . "$work/metrics")
	nothers=$(($(grep -c . "$work/all") - nmetrics))
}
left_out() { # the metrics the prefix leaves out, and how to take them all
	[ "$nothers" -gt 0 ] || return 0
	printf '; %s other metric%s of the source do%s not start with "%s" and %s left out (-m %s takes every metric)' \
		"$nothers" "$([ "$nothers" -eq 1 ] || echo s)" \
		"$([ "$nothers" -eq 1 ] && echo es)" "$prefix" \
		"$([ "$nothers" -eq 1 ] && echo is || echo are)" "''"
}
# the metrics about to move, said first; none at all is an error (exit 4:
# otsdb-dump's status when nothing is selected)
list_metrics
rc=$?
if [ "$rc" -ne 0 ]; then
	say "could not list the metrics (otsdb-dump status $rc); rerun to continue"
	exit 1
fi
if [ "$nmetrics" -eq 0 ]; then
	say "no metric to migrate: $src has none starting with \"$prefix\"$(left_out)"
	exit 4
fi
shown=$(head -n 10 "$work/metrics" | tr '\n' ' ')
[ "$nmetrics" -gt 10 ] && shown="$shown... ($((nmetrics - 10)) more)"
word=metrics
[ "$nmetrics" -eq 1 ] && word=metric
say "migrating $nmetrics $word starting with \"$prefix\"$(left_out): $shown"
if [ -s "$state" ]; then
	read -r s <"$state"
	say "continuing at $(when "$s") ($s ms, from $state)"
fi
while [ "$s" -lt "$e" ]; do
	n=$((s + step * 1000))
	[ "$n" -gt "$e" ] && n=$e
	# the list taken once serves the intervals that ended before it
	# was taken (a metric made later has no point in them)
	if [ "$n" -gt "$listed_ms" ]; then
		list_metrics || { say "could not list the metrics; rerun to continue"; exit 1; }
		say "metric list refreshed: the interval ends after it was taken ($nmetrics metrics)"
	fi
	say "interval $(when "$s") to $(when "$n") ([$s, $n) ms)"
	# shellcheck disable=SC2086
	"$OTSDB_DUMP" --metrics-file "$work/metrics" $OTSDB_DUMP_OPTS -e "$n" "$src" "$s" |
		"$OTSDB_RESTORE" -s "$RESTORE_SIZE_LIMIT" $OTSDB_RESTORE_OPTS "$dst"
	rc=("${PIPESTATUS[@]}")
	if [ "${rc[0]}" -gt 1 ] || [ "${rc[1]}" -gt 1 ]; then
		say "interval $(when "$s") to $(when "$n") failed (dump ${rc[0]}, restore ${rc[1]}); rerun to continue"
		exit 1
	fi
	echo "$n" >"$state.tmp" && mv "$state.tmp" "$state"
	s=$n
done
say "done: $nmetrics metrics starting with \"$prefix\"$(left_out)"
