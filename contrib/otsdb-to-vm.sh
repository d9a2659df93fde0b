#!/usr/bin/env bash
# otsdb-to-vm.sh - migrate OpenTSDB into VictoriaMetrics interval by
# interval through dump folders (the OpenKilda script's workflow, fixed)
#
# A dump loop in the foreground writes one folder per interval with
# otsdb-dump --dump-dir and renames it NAME_dump_done when complete; a
# restore loop in the background uploads each done folder with
# otsdb-restore and removes it.  Ctrl-C once: counted only; twice: stop
# dumping, let the restore loop finish what is ready; three times: stop
# the restore loop after its current folder.  With --check_url, each
# restored folder is read back (otsdb-restore --check) before it is
# removed; what lacks is restored again, and a folder that still does not
# check is kept and reported.
set -u

usage() {
	cat <<'EOF'
Usage: otsdb-to-vm.sh -s OPENTSDB -d VICTORIA -sd START -ed END [OPTIONS]

Migrate OpenTSDB data into VictoriaMetrics one interval at a time through
dump folders: dumping (foreground) and restoring (background) overlap.

Required:
  -s,  --source, --opentsdb_endpoint URL
  -d,  --destination, --victoria_metrics_endpoint URL
                           VictoriaMetrics' HTTP API (port 8428) or its
                           OpenTSDB listener
  -sd, --start_date DATE   YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS (local time)
  -ed, --end_date DATE     end of the last interval, excluded

Options:
  -m,   --metrics_prefix P        metric prefix (default kilda.)
  -i,   --interval day|hour|SECONDS
                                  size of one dump folder (default day;
                                  86400 is day, 3600 hour)
  -c,   --concurrent_jobs N       dump concurrency, 1..50 (default 1)
  -q,   --query_frame_size S      fixed query frames of S seconds (default:
                                  otsdb-dump's frames planned by the data,
                                  on whole hours; the old script's was 180)
  -dfp, --dump_folder_prefix P    folder name prefix (default opentsdb-data-)
  -dsf, --dump_storage_folder D   where the folders go
                                  (default /vm_migration_volume)
  -cu,  --check_url URL           after restoring a folder, read it back from
                                  VictoriaMetrics' HTTP API at URL (port
                                  8428) with otsdb-restore --check; restore
                                  what lacks, keep a folder that still fails
  -sbl, --show_background_log     print the restore log's tail after each dump
  -h,   --help                    this help

Environment: marker_for_execution (DIR/.otsdb-to-vm.marker) and
background_log (DIR/otsdb-to-vm.log), DIR the --dump_storage_folder;
delay_between_checks_new_folder (10), min_inodes (1000),
min_free_space (100000000 bytes), dump_attempts (3), restore_attempts (3),
OTSDB_DUMP, OTSDB_RESTORE (the programs, e.g. a docker run wrapper),
OTSDB_DUMP_OPTS, OTSDB_RESTORE_OPTS (extra options),
RESTORE_SIZE_LIMIT (1048576), DEBUG.

Exit status: 0 everything migrated (and, with --check_url, read back);
1 an interval or folder was lost or did not check (reported, never
deleted); 2 usage; 4 no metric starts with the prefix (nothing done);
130 stopped with Ctrl-C.
EOF
}

die_usage() {
	echo "otsdb-to-vm.sh: $*" >&2
	echo "Try 'otsdb-to-vm.sh --help' for more information." >&2
	exit 2
}

marker_for_execution=${marker_for_execution:-}
background_log=${background_log:-}
delay_between_checks_new_folder=${delay_between_checks_new_folder:-10}
min_inodes=${min_inodes:-1000}
min_free_space=${min_free_space:-100000000}
dump_attempts=${dump_attempts:-3}
restore_attempts=${restore_attempts:-3}
OTSDB_DUMP=${OTSDB_DUMP:-otsdb-dump}
OTSDB_RESTORE=${OTSDB_RESTORE:-otsdb-restore}
OTSDB_DUMP_OPTS=${OTSDB_DUMP_OPTS:-}
OTSDB_RESTORE_OPTS=${OTSDB_RESTORE_OPTS:-}
RESTORE_SIZE_LIMIT=${RESTORE_SIZE_LIMIT:-1048576}
DEBUG=${DEBUG:-}
[ -n "$DEBUG" ] && set -x

source_url=
destination_url=
start_date=
end_date=
metrics_prefix=kilda.
interval=day
concurrent_jobs=1
query_frame_size=
dump_folder_prefix=opentsdb-data-
dump_storage_folder=/vm_migration_volume
show_background_log=0
check_url=

while [ $# -gt 0 ]; do
	opt=$1
	case $opt in
	-h | --help) usage; exit 0 ;;
	-sbl | --show_background_log) show_background_log=1; shift; continue ;;
	esac
	[ $# -ge 2 ] || die_usage "option '$opt' needs a value"
	case $opt in
	-s | --source | --opentsdb_endpoint) source_url=$2 ;;
	-d | --destination | --victoria_metrics_endpoint) destination_url=$2 ;;
	-sd | --start_date) start_date=$2 ;;
	-ed | --end_date) end_date=$2 ;;
	-m | --metrics_prefix) metrics_prefix=$2 ;;
	-i | --interval) interval=$2 ;;
	-c | --concurrent_jobs) concurrent_jobs=$2 ;;
	-q | --query_frame_size) query_frame_size=$2 ;;
	-dfp | --dump_folder_prefix) dump_folder_prefix=$2 ;;
	-dsf | --dump_storage_folder) dump_storage_folder=$2 ;;
	-cu | --check_url) check_url=$2 ;;
	*) die_usage "unknown option '$opt'" ;;
	esac
	shift 2
done

[ -n "$source_url" ] || die_usage "--opentsdb_endpoint is mandatory"
[ -n "$destination_url" ] || die_usage "--victoria_metrics_endpoint is mandatory"
[ -n "$start_date" ] || die_usage "--start_date is mandatory"
[ -n "$end_date" ] || die_usage "--end_date is mandatory"
# one spelling for both scripts: day, hour, or seconds
case $interval in
day | 86400) interval=day; step=86400; name_format=%Y-%m-%d ;;
hour | 3600) interval=hour; step=3600; name_format=%Y-%m-%dT%H ;;
'' | *[!0-9]* | 0) die_usage "--interval must be day, hour or seconds" ;;
*) step=$interval; name_format=%Y-%m-%dT%H%M%S ;;
esac
case $concurrent_jobs in
'' | *[!0-9]*) die_usage "--concurrent_jobs must be 1..50" ;;
esac
if [ "$concurrent_jobs" -lt 1 ] || [ "$concurrent_jobs" -gt 50 ]; then
	die_usage "--concurrent_jobs must be 1..50"
fi

to_epoch() { # local time, as the tools read it
	date -d "$(printf '%s' "$1" | tr 'T' ' ')" +%s 2>/dev/null
}
start_s=$(to_epoch "$start_date") || die_usage "bad --start_date '$start_date'"
end_s=$(to_epoch "$end_date") || die_usage "bad --end_date '$end_date'"
[ "$end_s" -gt "$start_s" ] || die_usage "--end_date must be after --start_date"
# intervals start on interval boundaries (local time), the first at or
# before the start; the last ends at --end_date, even inside an interval
if [ "$interval" = day ]; then
	first_s=$(to_epoch "$(date -d "@$start_s" +%Y-%m-%d)")
else
	first_s=$(to_epoch "$(date -d "@$start_s" '+%Y-%m-%d %H'):00")
fi

log() { printf '%s %s\n' "$(date '+%F %T')" "$*"; }
blog() { log "$@" >>"$background_log"; }

folder_name() { # START END -> the seed's name: '-' -> '.', 'T' -> '_'
	printf '%s%s_%s' "$dump_folder_prefix" \
		"$(date -d "@$1" +"$name_format" | tr -- '-T' '._')" \
		"$(date -d "@$2" +"$name_format" | tr -- '-T' '._')"
}

# the marker and the restore log live next to the dump folders
[ -n "$marker_for_execution" ] ||
	marker_for_execution=$dump_storage_folder/.otsdb-to-vm.marker
[ -n "$background_log" ] || background_log=$dump_storage_folder/otsdb-to-vm.log

if [ -e "$marker_for_execution" ]; then
	read -r old_main _ <"$marker_for_execution" 2>/dev/null || old_main=
	if [ -n "$old_main" ] && kill -0 "$old_main" 2>/dev/null; then
		echo "otsdb-to-vm.sh: already running (marker $marker_for_execution, PID $old_main)" >&2
		exit 1
	fi
fi
status_dir=$(mktemp -d "${TMPDIR:-/tmp}/otsdb-to-vm.XXXXXX") || exit 1
log "the restore loop logs to $background_log"

# Ctrl-C: counted from the start (the metric listing too); see on_int
interrupts=0
stop_dumping=0
dump_pid=
restore_pid=
# shellcheck disable=SC2317 # called by the INT trap
on_int() {
	interrupts=$((interrupts + 1))
	case $interrupts in
	1) log "Ctrl-C: press it again to stop dumping" ;;
	2)
		log "Ctrl-C twice: dumping stops; the restore loop finishes the ready folders"
		stop_dumping=1
		[ -n "$dump_pid" ] && kill -TERM "$dump_pid" 2>/dev/null
		;;
	*)
		log "Ctrl-C $interrupts times: the restore loop stops after its current folder"
		stop_dumping=1
		[ -n "$restore_pid" ] && kill -TERM "$restore_pid" 2>/dev/null
		;;
	esac
}
trap on_int INT

# wait_job PID: its exit status, waited for across the signals this
# shell traps (a trapped signal ends a wait early with a status > 128)
wait_job() {
	local r
	wait "$1" 2>/dev/null
	r=$?
	while [ "$r" -gt 128 ] && kill -0 "$1" 2>/dev/null; do
		wait "$1" 2>/dev/null
		r=$?
	done
	return "$r"
}

# list_metrics: every metric of the source, once (in the background, so
# Ctrl-C is counted as during the dump); those with the prefix go to
# $metrics_file, which each interval's dump reads instead of discovering
# them again.  Sets nmetrics and nothers.
metrics_file=$status_dir/metrics
list_metrics() {
	local rc
	# shellcheck disable=SC2086
	"$OTSDB_DUMP" --list-metrics $OTSDB_DUMP_OPTS "$source_url" \
		>"$status_dir/all" </dev/null &
	dump_pid=$!
	wait_job "$dump_pid"
	rc=$?
	dump_pid=
	listed_at=$(date +%s)
	[ "$rc" -eq 0 ] || return "$rc"
	awk -v p="$metrics_prefix" 'index($0, p) == 1' "$status_dir/all" \
		>"$metrics_file"
	nmetrics=$(grep -c . "$metrics_file")
	nothers=$(($(grep -c . "$status_dir/all") - nmetrics))
}
# the metrics the prefix leaves out, and how to take them all
left_out() {
	[ "${nothers:-0}" -gt 0 ] || return 0
	printf '; %s other metric%s of the source do%s not start with "%s" and %s left out (-m %s takes every metric)' \
		"$nothers" "$([ "$nothers" -eq 1 ] || echo s)" \
		"$([ "$nothers" -eq 1 ] && echo es)" "$metrics_prefix" \
		"$([ "$nothers" -eq 1 ] && echo is || echo are)" "''"
}

# the metrics about to move, said first; none at all is an error (exit 4:
# otsdb-dump's status when nothing is selected)
list_metrics
rc=$?
if [ "$stop_dumping" -eq 1 ]; then
	log "stopped by Ctrl-C while listing the metrics: nothing migrated"
	rm -rf "$status_dir"
	exit 130
fi
if [ "$rc" -eq 0 ] && [ "$nmetrics" -eq 0 ]; then
	log "no metric to migrate: $source_url has none starting with \"$metrics_prefix\"$(left_out)"
	rm -rf "$status_dir"
	exit 4
elif [ "$rc" -ne 0 ]; then
	log "could not list the metrics (otsdb-dump status $rc); each interval discovers them itself"
	metrics_file=
else
	shown_metrics=$(head -n 10 "$metrics_file" | tr '\n' ' ')
	[ "$nmetrics" -gt 10 ] && shown_metrics="$shown_metrics... ($((nmetrics - 10)) more)"
	word=metrics
	[ "$nmetrics" -eq 1 ] && word=metric
	log "migrating $nmetrics $word starting with \"$metrics_prefix\"$(left_out): $shown_metrics"
fi
mkdir -p "$dump_storage_folder" || exit 1

# ------------------------------------------------------------ restore loop

# check_folder FOLDER: read the folder's points back from --check_url;
# restore what lacks and check again, up to restore_attempts times.  The
# mismatches file is not *.ndjson, so a restore of the folder skips it.
check_folder() {
	local tries=0 rc lacking="$1/check.lacking" out="$status_dir/check.err"
	check_reason=
	while :; do
		tries=$((tries + 1))
		"$OTSDB_RESTORE" --check --dump-dir "$1" --mismatches "$lacking" \
			"$check_url" >>"$background_log" 2>"$out" </dev/null &
		wait_job $!
		rc=$?
		cat "$out" >>"$background_log"
		if [ "$rc" -eq 0 ]; then
			blog "checked $1: the target holds every point"
			return 0
		fi
		# the reason: the counts that are not 0 of the summary's
		# "N found, N missing, N different, N duplicates"
		check_reason=$(awk 'match($0, /[0-9]+ found, [0-9]+ missing, [0-9]+ different, [0-9]+ duplicates?/) {
			split(substr($0, RSTART, RLENGTH), f, ", ")
			r = ""
			for (i = 2; i <= 4; i++)
				if (f[i] !~ /^0 /)
					r = r (r == "" ? "" : ", ") f[i]
		} END { print r }' "$out")
		[ -n "$check_reason" ] || check_reason="status $rc"
		blog "check of $1 (attempt $tries): status $rc ($check_reason)"
		[ "$tries" -ge "$restore_attempts" ] && return 1
		# held twice, nothing lacking: waiting and restoring cannot
		# cure it (a resend stored points again)
		if [ "$rc" -eq 1 ] && [ ! -s "$lacking" ]; then
			blog "check of $1: only duplicates, not retried"
			return 1
		fi
		if [ "$rc" -eq 1 ] && [ -s "$lacking" ]; then
			blog "restoring the $(wc -l <"$lacking") points $1 lacks"
			# shellcheck disable=SC2086
			"$OTSDB_RESTORE" --request-size-limit "$RESTORE_SIZE_LIMIT" \
				$OTSDB_RESTORE_OPTS "$destination_url" "$lacking" \
				>>"$background_log" 2>&1 </dev/null
		fi
		sleep "$delay_between_checks_new_folder"
	done
}

restore_loop() {
	local finish=0 stop=0 folder tries rc
	trap 'finish=1' USR1
	trap 'stop=1' TERM
	trap '' INT
	blog "restore loop started (PID $BASHPID)"
	while [ -e "$marker_for_execution" ] && [ "$stop" -eq 0 ]; do
		folder=
		for f in "$dump_storage_folder/$dump_folder_prefix"*_dump_done; do
			[ -d "$f" ] && { folder=$f; break; }
		done
		if [ -z "$folder" ]; then
			[ "$finish" -eq 1 ] && break
			sleep "$delay_between_checks_new_folder" &
			wait $! 2>/dev/null
			continue
		fi
		tries=0
		while :; do
			tries=$((tries + 1))
			blog "restoring $folder (attempt $tries)"
			# shellcheck disable=SC2086
			"$OTSDB_RESTORE" --dump-dir "$folder" --remove-metadata \
				--request-size-limit "$RESTORE_SIZE_LIMIT" \
				$OTSDB_RESTORE_OPTS "$destination_url" \
				>>"$background_log" 2>&1 </dev/null &
			wait_job $!
			rc=$?
			if [ "$rc" -eq 0 ] && [ -n "$check_url" ] &&
				! check_folder "$folder"; then
				mv "$folder" "${folder%_dump_done}_check_failed"
				blog "check of $folder failed: kept as ${folder%_dump_done}_check_failed"
				echo "${folder%_dump_done}_check_failed (check: $check_reason)" >>"$status_dir/restore_failed"
				break
			fi
			if [ "$rc" -eq 0 ]; then
				rm -rf "$folder"
				blog "restored and removed $folder"
				break
			fi
			if [ "$tries" -ge "$restore_attempts" ]; then
				mv "$folder" "${folder%_dump_done}_restore_failed"
				blog "restore of $folder failed $tries times (status $rc): kept as ${folder%_dump_done}_restore_failed"
				echo "${folder%_dump_done}_restore_failed (restore: status $rc)" >>"$status_dir/restore_failed"
				break
			fi
			sleep "$delay_between_checks_new_folder"
		done
	done
	blog "restore loop finished"
}

# the marker exists before the restore loop looks for it (it ends when
# the marker goes); then it names both processes
printf '%s\n' "$$" >"$marker_for_execution"
restore_loop &
restore_pid=$!
printf '%s\t%s\n' "$$" "$restore_pid" >"$marker_for_execution"

# ------------------------------------------------------------ dump loop


enough_space() {
	local kib inodes
	kib=$(df -P -k "$dump_storage_folder" | awk 'NR == 2 { print $4 }')
	inodes=$(df -P -i "$dump_storage_folder" | awk 'NR == 2 { print $4 }')
	# compare like units: KiB * 1024 against bytes
	[ -n "$kib" ] && [ "$((kib * 1024))" -lt "$min_free_space" ] && return 1
	case $inodes in '' | *[!0-9]*) return 0 ;; esac
	[ "$inodes" -ge "$min_inodes" ]
}

# run_dump FOLDER START END: otsdb-dump in the background (so it ignores
# Ctrl-C, which this script counts), waited for across interruptions
run_dump() {
	local rc
	# only a frame size the user gave: otsdb-dump plans its own
	local frames=()
	[ -n "$query_frame_size" ] &&
		frames=(--query-frame-size "$query_frame_size")
	# the list taken at the start, while the interval ended before it
	# (a metric made later has no point in it); else listed again
	local which=(--metrics-prefix "$metrics_prefix")
	if [ -n "$metrics_file" ] && [ "$4" -gt "$listed_at" ] &&
		[ "$stop_dumping" -eq 0 ]; then
		if list_metrics; then
			log "metric list refreshed: the interval ends after it was taken ($nmetrics metrics)"
		else
			metrics_file=
		fi
	fi
	[ -n "$metrics_file" ] && [ "$nmetrics" -gt 0 ] &&
		which=(--metrics-file "$metrics_file")
	# shellcheck disable=SC2086
	"$OTSDB_DUMP" --dump-dir "$1" "${which[@]}" \
		"${frames[@]}" --concurrent "$concurrent_jobs" $OTSDB_DUMP_OPTS \
		-e "$3" "$source_url" "$2" </dev/null &
	dump_pid=$!
	wait "$dump_pid"
	rc=$?
	while kill -0 "$dump_pid" 2>/dev/null; do
		wait "$dump_pid"
		rc=$?
	done
	dump_pid=
	return "$rc"
}

lost=0
s=$first_s
while [ "$s" -lt "$end_s" ] && [ "$stop_dumping" -eq 0 ]; do
	e=$((s + step))
	# DST days are not 86400 s long: the next boundary in local time
	if [ "$interval" = day ]; then
		e=$(to_epoch "$(date -d "@$((s + 90000))" +%Y-%m-%d)")
	fi
	[ "$e" -gt "$end_s" ] && e=$end_s
	from=$s
	[ "$from" -lt "$start_s" ] && from=$start_s
	name=$(folder_name "$from" "$e")
	folder="$dump_storage_folder/$name"
	if [ -d "${folder}_dump_done" ]; then
		log "interval $name already dumped, waiting for restore"
		s=$e
		continue
	fi
	while ! enough_space && [ "$stop_dumping" -eq 0 ]; do
		log "waiting for free space or inodes in $dump_storage_folder"
		sleep "$delay_between_checks_new_folder"
	done
	attempt=0
	while [ "$stop_dumping" -eq 0 ]; do
		attempt=$((attempt + 1))
		mkdir -p "$folder"
		log "dumping $name (attempt $attempt)"
		run_dump "$folder" "$from" "$e" "$e"
		rc=$?
		if [ "$rc" -eq 0 ] || [ "$rc" -eq 1 ]; then
			[ "$rc" -eq 1 ] && log "interval $name: some values could not be dumped (see above)"
			mv "$folder" "${folder}_dump_done"
			log "interval $name dumped"
			break
		fi
		[ "$stop_dumping" -eq 1 ] && break
		if [ "$attempt" -ge "$dump_attempts" ]; then
			log "Lost interval $name: dump failed $attempt times (status $rc); folder kept in $folder"
			lost=1
			break
		fi
		sleep "$delay_between_checks_new_folder"
	done
	if [ "$show_background_log" -eq 1 ]; then
		tail -n 5 "$background_log"
	fi
	s=$e
done

# all intervals dumped (or dumping stopped): restore what is ready, end
kill -USR1 "$restore_pid" 2>/dev/null
while kill -0 "$restore_pid" 2>/dev/null; do
	wait "$restore_pid"
done
rm -f "$marker_for_execution"
status=0
if [ -s "$status_dir/restore_failed" ]; then
	log "restore failed for: $(sed 's/$/;/' "$status_dir/restore_failed" | tr '\n' ' ')see $background_log"
	status=1
fi
[ "$lost" -eq 1 ] && status=1
rm -rf "$status_dir"
if [ "$stop_dumping" -eq 1 ]; then
	log "stopped by Ctrl-C: not every interval was migrated; rerun to continue"
	exit 130
fi
[ "$status" -eq 0 ] && log "migration complete: ${nmetrics:-the} metrics starting with \"$metrics_prefix\"$(left_out)"
exit "$status"
