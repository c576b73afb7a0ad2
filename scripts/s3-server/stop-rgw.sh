#!/usr/bin/env bash
# Stops the radosgw, ceph-osd and ceph-mon that start-rgw.sh started with DATA_DIR, by the pid
# files under DATA_DIR/run (no other process is touched). Leaves DATA_DIR's files in place.
# They are killed (SIGKILL), not shut down: the objects lived in memory and the next start sets
# the cluster up anew anyway, and a clean shutdown takes 1-2 s a daemon.
# Usage: stop-rgw.sh DATA_DIR
set -uo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $0 DATA_DIR" >&2
  exit 2
fi
[ -d "$1/run" ] || exit 0
RUN=$(cd "$1/run" && pwd)

pids=()
for name in client.rgw.a osd.0 mon.a; do
  f="$RUN/$name.pid"
  [ -s "$f" ] || continue
  pid=$(cat "$f")
  # Only a ceph daemon started with this DATA_DIR's ceph.conf.
  if kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$(dirname "$RUN")/ceph.conf"; then
    kill -KILL "$pid" 2>/dev/null && pids+=("$pid")
  fi
done
# Wait until each is gone or a zombie (it has let go of its ports; init reaps it later).
for pid in "${pids[@]}"; do
  for _ in $(seq 1 100); do
    state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || break
    [ "$state" = Z ] && break
    sleep 0.05
  done
done
rm -f "$RUN"/*.pid
exit 0
