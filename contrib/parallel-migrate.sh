#!/usr/bin/env bash
# parallel-migrate.sh - run N shards of otsdb-dump --shard I/N |
# otsdb-restore at once, with GNU parallel (also on remote hosts through
# --sshlogin) or xargs -P
set -u

usage() {
	cat <<'EOF2'
Usage: parallel-migrate.sh -n N [-S SSHLOGIN]... -- SOURCE DESTINATION START [DUMP OPTIONS...]

Runs, for I = 0..N-1:
  otsdb-dump --shard I/N [DUMP OPTIONS] SOURCE START | otsdb-restore -s 1M DESTINATION
The shards split the metrics by a stable hash of the name: together they
move everything, each metric once.  With -S (GNU parallel --sshlogin) the
shards run on those hosts, which need the tools installed.

  -n N         number of shards (default: the number of CPUs)
  -S LOGIN     a GNU parallel --sshlogin (repeatable; needs GNU parallel)
  -h, --help

Environment: OTSDB_DUMP, OTSDB_RESTORE, RESTORE_SIZE_LIMIT (1048576).
Exit status: 0 every shard succeeded, 1 otherwise, 2 usage.
EOF2
}

n=$(nproc 2>/dev/null || echo 2)
logins=()
while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) usage; exit 0 ;;
	-n) n=${2:?}; shift 2 ;;
	-S) logins+=(--sshlogin "${2:?}"); shift 2 ;;
	--) shift; break ;;
	*) break ;;
	esac
done
if [ $# -lt 3 ]; then
	usage >&2
	exit 2
fi
case $n in '' | *[!0-9]* | 0) echo "parallel-migrate.sh: bad -n" >&2; exit 2 ;; esac
OTSDB_DUMP=${OTSDB_DUMP:-otsdb-dump}
OTSDB_RESTORE=${OTSDB_RESTORE:-otsdb-restore}
RESTORE_SIZE_LIMIT=${RESTORE_SIZE_LIMIT:-1048576}
src=$1 dst=$2 start=$3
shift 3

# one shard: a shell command line, quoted for a local or remote shell
shard_cmd() {
	printf '%q --shard %s/%s' "$OTSDB_DUMP" "$1" "$n"
	shift
	printf ' %q' "$@" "$src" "$start"
	printf ' | %q -s %q %q' "$OTSDB_RESTORE" "$RESTORE_SIZE_LIMIT" "$dst"
	# the shard fails if either side failed (exit 1 = rejects, reported)
	# shellcheck disable=SC2016
	printf '; s=("${PIPESTATUS[@]}"); [ "${s[0]}" -le 1 ] && [ "${s[1]}" -le 1 ]\n'
}

cmds=$(for ((i = 0; i < n; i++)); do shard_cmd "$i" "$@"; done)
if command -v parallel >/dev/null 2>&1 && parallel --version 2>/dev/null | grep -q GNU; then
	printf '%s\n' "$cmds" | parallel --will-cite -j "$n" "${logins[@]}" bash -c
elif [ ${#logins[@]} -gt 0 ]; then
	echo "parallel-migrate.sh: -S needs GNU parallel" >&2
	exit 2
else
	printf '%s\n' "$cmds" | tr '\n' '\0' | xargs -0 -P "$n" -n 1 bash -c
fi
rc=$?
[ "$rc" -eq 0 ] || { echo "parallel-migrate.sh: a shard failed (status $rc)" >&2; exit 1; }
