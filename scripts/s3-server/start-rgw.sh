#!/usr/bin/env bash
# Starts a real S3-compatible server: Ceph's RADOS Gateway (radosgw, Ceph 16 "pacific") on a
# minimal single-host cluster of one ceph-mon and one ceph-osd with the in-memory object store
# (memstore), all as background daemons with every file under DATA_DIR (its own ceph.conf,
# keyrings, fsid, logs, pid files, admin sockets; nothing in /etc/ceph, no systemd).
# No ceph-mgr: radosgw and the OSD do I/O without one (only `ceph -s` statistics are missing).
# Cold start: about 2 s on 2 cores; idle RSS about 130 MB for the three daemons, and the OSD grows
# by the size of the objects it holds (memstore, capped at 2 GiB).
#
# Needs Debian's packages (bookworm):
#   apt-get install -y --no-install-recommends radosgw ceph-mon ceph-osd ceph-common
# (plus curl, used to wait for S3, and node, for a free port for the monitor).
#
# Usage: start-rgw.sh DATA_DIR [PORT]   (PORT defaults to 7480)
# Prints `endpoint=http://127.0.0.1:PORT` once S3 answers and the user exists:
#   access key `toolflow`, secret key `toolflow-secret`, path-style, any region (us-east-1).
# A second call with the same DATA_DIR while it runs only prints the endpoint. A DATA_DIR whose
# daemons are gone (the objects lived in memory) is set up anew. Stop it with stop-rgw.sh DATA_DIR.
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $0 DATA_DIR [PORT]" >&2
  exit 2
fi
mkdir -p "$1"
DIR=$(cd "$1" && pwd)
PORT=${2:-7480}
CONF="$DIR/ceph.conf"
# One start at a time per DATA_DIR (parallel test workers may call this together). The daemons
# are started with fd 9 closed so that they do not keep the lock.
exec 9>"$DIR/.start.lock"
flock 9
ACCESS_KEY=toolflow
SECRET_KEY=toolflow-secret

for bin in ceph-mon ceph-osd radosgw radosgw-admin ceph ceph-authtool monmaptool curl flock node; do
  command -v "$bin" >/dev/null || {
    echo "$0: $bin is missing (apt-get install -y --no-install-recommends radosgw ceph-mon ceph-osd ceph-common curl)" >&2
    exit 1
  }
done

alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
s3_answers() { curl -s -o /dev/null -m 2 "http://127.0.0.1:$1/"; }

# Already running: print its endpoint.
if [ -f "$DIR/rgw_port" ] && alive "$DIR/run/mon.a.pid" && alive "$DIR/run/osd.0.pid" && alive "$DIR/run/client.rgw.a.pid"; then
  RUNNING_PORT=$(cat "$DIR/rgw_port")
  if s3_answers "$RUNNING_PORT"; then
    echo "endpoint=http://127.0.0.1:$RUNNING_PORT"
    exit 0
  fi
fi

# Not (fully) running: stop what is left and set it up anew (memstore keeps the objects in memory).
if [ -d "$DIR/run" ]; then
  "$(dirname "$0")/stop-rgw.sh" "$DIR" 9>&- >/dev/null 2>&1 || true
fi
rm -rf "$DIR/ceph.conf" "$DIR/keyring" "$DIR/monmap" "$DIR/mon" "$DIR/osd" "$DIR/run" "$DIR/log" "$DIR/rgw_port" "$DIR/mon_port" "$DIR/crash"
mkdir -p "$DIR/mon" "$DIR/osd/ceph-0" "$DIR/run" "$DIR/log"

if s3_answers "$PORT"; then
  echo "$0: something already answers on 127.0.0.1:$PORT" >&2
  exit 1
fi

# A free loopback port for the monitor (messenger v2 only).
MON_PORT=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
FSID=$(cat /proc/sys/kernel/random/uuid)
echo "$PORT" >"$DIR/rgw_port"
echo "$MON_PORT" >"$DIR/mon_port"

cat >"$CONF" <<EOF
[global]
fsid = $FSID
mon host = v2:127.0.0.1:$MON_PORT
mon initial members = a
public network = 127.0.0.0/8
ms bind msgr1 = false
ms bind ipv6 = false
keyring = $DIR/keyring
run dir = $DIR/run
pid file = $DIR/run/\$name.pid
admin socket = $DIR/run/\$name.asok
log file = $DIR/log/\$name.log
crash dir = $DIR/crash
log to stderr = false
err to stderr = true
debug ms = 0
auth cluster required = cephx
auth service required = cephx
auth client required = cephx

# One OSD: every pool of size 1, few placement groups, no autoscaler, no warnings about it.
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
mon osd full ratio = .99
mon osd backfillfull ratio = .985
mon osd nearfull ratio = .98
osd failsafe full ratio = .995

[mon]
# Commit map changes at once, not after 1 s each (radosgw creates its pools one by one).
paxos propose interval = 0.05
paxos min wait = 0.01
mon data = $DIR/mon/ceph-\$id
mon cluster log file = $DIR/log/cluster.log
mon data avail warn = 1
mon data avail crit = 0
mon memory target = 134217728
mon osd cache size = 16
mon osd reporter subtree level = osd
mon warn on insecure global id reclaim allowed = false
auth allow insecure global id reclaim = false
rocksdb cache size = 16777216

[osd]
osd data = $DIR/osd/ceph-\$id
osd objectstore = memstore
# memstore: at most 2 GiB of objects, held in memory as they come.
memstore device bytes = 2147483648
memstore page set = false
keyring = $DIR/osd/ceph-\$id/keyring
osd memory target = 268435456
osd memory base = 67108864
osd op num shards = 1
osd op num threads per shard = 2
osd max object size = 134217728
osd scrub during recovery = false
osd scrub begin hour = 0
osd scrub end hour = 0
osd class update on start = false
osd check max object name len on startup = false

[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$PORT
rgw thread pool size = 32
rgw dns name =
rgw enable usage log = false
rgw enable ops log = false
rgw gc processor period = 60
rgw lc debug interval = 10
rgw data = $DIR/run/rgw
EOF

export CEPH_CONF="$CONF"
CEPH=(ceph -c "$CONF" --connect-timeout 30)

# Keys: mon., client.admin (full access) and client.rgw.a, all in one keyring.
ceph-authtool --create-keyring "$DIR/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
ceph-authtool "$DIR/keyring" --gen-key -n client.admin \
  --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' --cap mds 'allow *' >/dev/null
ceph-authtool "$DIR/keyring" --gen-key -n client.rgw.a \
  --cap mon 'allow rw' --cap osd 'allow rwx' --cap mgr 'allow rw' >/dev/null

# Monitor.
monmaptool --create --fsid "$FSID" --addv a "[v2:127.0.0.1:$MON_PORT]" "$DIR/monmap" >/dev/null
ceph-mon -c "$CONF" --mkfs -i a --monmap "$DIR/monmap" --keyring "$DIR/keyring" >/dev/null
ceph-mon -c "$CONF" -i a 9>&- </dev/null >/dev/null 2>>"$DIR/log/mon.a.stderr"
for _ in $(seq 1 100); do
  "${CEPH[@]}" mon stat >/dev/null 2>&1 && break
  sleep 0.2
done
"${CEPH[@]}" mon stat >/dev/null || { echo "$0: ceph-mon did not start; see $DIR/log/mon.a.log" >&2; exit 1; }
# Pools of size 1 are refused unless allowed at run time too.
"${CEPH[@]}" config set global mon_allow_pool_size_one true >/dev/null 2>&1 || true

# OSD 0 on memstore.
OSD_UUID=$(cat /proc/sys/kernel/random/uuid)
OSD_ID=$("${CEPH[@]}" osd new "$OSD_UUID")
[ "$OSD_ID" = 0 ] || { echo "$0: expected OSD id 0, got '$OSD_ID'" >&2; exit 1; }
ceph-osd -c "$CONF" -i 0 --no-mon-config --mkfs --mkkey --osd-uuid "$OSD_UUID" >"$DIR/log/osd.0.mkfs.log" 2>&1 || {
  echo "$0: ceph-osd --mkfs failed; see $DIR/log/osd.0.mkfs.log" >&2
  exit 1
}
"${CEPH[@]}" auth add osd.0 osd 'allow *' mon 'allow profile osd' mgr 'allow profile osd' -i "$DIR/osd/ceph-0/keyring" >/dev/null 2>&1 || {
  echo "$0: ceph auth add osd.0 failed" >&2
  exit 1
}
ceph-osd -c "$CONF" -i 0 9>&- </dev/null >/dev/null 2>>"$DIR/log/osd.0.stderr"
for _ in $(seq 1 150); do
  "${CEPH[@]}" osd dump 2>/dev/null | grep -q '^osd\.0 up' && break
  sleep 0.2
done
"${CEPH[@]}" osd dump | grep -q '^osd\.0 up' || { echo "$0: ceph-osd did not come up; see $DIR/log/osd.0.log" >&2; exit 1; }

# RADOS Gateway (creates its pools on first start).
radosgw -c "$CONF" -n client.rgw.a 9>&- </dev/null >/dev/null 2>>"$DIR/log/client.rgw.a.stderr"
for _ in $(seq 1 300); do
  s3_answers "$PORT" && break
  alive "$DIR/run/client.rgw.a.pid" || [ ! -s "$DIR/run/client.rgw.a.pid" ] || break
  sleep 0.2
done
s3_answers "$PORT" || { echo "$0: radosgw does not answer on 127.0.0.1:$PORT; see $DIR/log/client.rgw.a.log" >&2; exit 1; }

# The S3 user, with fixed keys.
radosgw-admin -c "$CONF" -n client.admin user create --uid toolflow --display-name toolflow \
  --access-key "$ACCESS_KEY" --secret-key "$SECRET_KEY" >"$DIR/log/user-create.json" 2>"$DIR/log/user-create.err" || {
  echo "$0: radosgw-admin user create failed; see $DIR/log/user-create.err" >&2
  exit 1
}

echo "endpoint=http://127.0.0.1:$PORT"
