/**
 * The program of a tool attempt's container in cluster mode (`command: ["/bin/sh", "-c",
 * TOOL_WRAPPER]`): the tool's image is arbitrary (`biocontainers/bwa`), so it is POSIX sh with
 * nothing but `sleep`, `mv`, `cat` and `date` besides the shell's builtins (tested under dash and
 * busybox sh). It hands over to the sidecar through files in `$TOOLFLOW_POD_DIR` (`pod-layout.ts`):
 *
 * 1. waits for `ready` (every 0.2 s, or 1 s where `sleep` takes whole seconds only); on `abort`
 *    it prints the sidecar's message on stderr, waits (bounded) for `reported` so the sidecar's Exit
 *    with the launch error goes out before the Pod ends, and exits 127;
 * 2. writes `started` (epoch seconds, or `-` where `date +%s` and awk's `srand()` both fail);
 * 3. finds its own memory cgroup from `/proc/self/cgroup` (v2 line `0::PATH`, or the v1 line naming
 *    the `memory` controller) and `/proc/self/mountinfo` (where that hierarchy is mounted and which
 *    cgroup the mount shows: inside a v1 container `/sys/fs/cgroup/memory` is the container's own
 *    cgroup while `/proc/self/cgroup` names its full path), falling back to `/sys/fs/cgroup/PATH`
 *    (v2) and `/sys/fs/cgroup/memory/PATH` (v1). Cgroup v2 is used when its folder has a
 *    `memory.stat`, else v1 (hybrid hosts mount v2 without the memory controller);
 * 4. a background sampler writes the memory in use (v2 memory.stat `anon` + `shmem`, v1 `total_rss`
 *    + `total_shmem`: the pages an OOM decision is about, as `memory-limit.ts` explains) to `mem`
 *    at once and every 2 s; nothing is written when the cgroup is not readable;
 * 5. runs `sh "$TOOLFLOW_POD_DIR/command.sh"` (the image's `sh`) in `work/`, stdin /dev/null,
 *    stdout/stderr to `work/stdout.log` / `work/stderr.log`, without the wrapper's own `TOOLFLOW_*`
 *    variables; in a session and process group of its own when `setsid` exists (util-linux and
 *    busybox have it), so a SIGTERM to the wrapper (the Pod deleted: the kubelet signals PID 1, which
 *    ignores signals it has no handler for) reaches every process of the tool, and whatever the
 *    tool leaves running when its shell ends is SIGKILLed, as when a container ends (after a
 *    SIGTERM, once they are gone or 30 s have passed, the kubelet's default grace period, so the
 *    tool's children can finish their own clean-up). Without `setsid` the signal goes to the tool's
 *    shell only;
 * 6. stops the sampler, reads the OOM-kill counter (v2 memory.events `oom_kill`, v1
 *    memory.oom_control `oom_kill`), the kernel's peak (v2 memory.peak, v1
 *    memory.max_usage_in_bytes: the cgroup's usage high-water mark, page cache included) and the
 *    container's cpu time since just before the tool started (v2 cpu.stat `usage_usec` of the same
 *    cgroup; v1 `cpuacct.usage`, ns, of the cgroup the `cpuacct` line of `/proc/self/cgroup` names,
 *    found as the memory one is, never the hierarchy's root, which is the whole machine's), and
 *    writes `exit` as `<code> <oom kills or -> <peak bytes or -> <cpu µs or ->`; the code is `$?` of
 *    `wait`, 128 + the signal number for a killed tool (as Kubernetes reports a container's);
 * 7. waits for `reported` up to `TOOLFLOW_REPORT_WAIT_SECONDS` (default 300; not after a SIGTERM,
 *    when the Pod is going away and the sidecar sends no Exit), and exits with the tool's code.
 *
 * Safety: nothing read can run as code. Every expansion is quoted or is a checked number, globbing
 * is off (`set -f`), IFS is set, numbers from the kernel's files are matched against `[0-9]` before
 * any arithmetic, there is no `eval`, and the tool's output is never read by the wrapper. The hand-over
 * files are written whole (`.NAME.tmp`, then `mv -f`). The tool runs in the same container and could
 * write those files itself; it can only misreport its own attempt, and the sidecar parses them
 * strictly and never follows symlinks out of the folder (`pod-files.ts`).
 */
export const TOOL_WRAPPER = `# toolflow tool wrapper (POSIX sh): shared/sidecar/tool-wrapper.ts says what each step is for.
set -f
IFS=' 	
'
tf_say() { printf 'toolflow wrapper: %s\\n' "$1" >&2; }
D=\${TOOLFLOW_POD_DIR:-}
case $D in
  /*) ;;
  *) tf_say "TOOLFLOW_POD_DIR must be the absolute path of the shared volume's mount"; exit 127 ;;
esac
tf_wait_s=\${TOOLFLOW_REPORT_WAIT_SECONDS:-300}
case $tf_wait_s in
  ''|*[!0-9]*|0?*) tf_say "TOOLFLOW_REPORT_WAIT_SECONDS must be a whole number of seconds: waiting 300 s"; tf_wait_s=300 ;;
esac
if sleep 0.2 2>/dev/null; then tf_tick=0.2 tf_per_s=5; else tf_tick=1 tf_per_s=1; fi
tf_terms=0 tf_pid= tf_setsid= tf_sampler= tf_cg= tf_cgv= tf_val= tf_mem=
trap 'exit 143' TERM
trap 'exit 130' INT

tf_put() {
  printf '%s\\n' "$2" > "$D/.$1.tmp" && mv -f "$D/.$1.tmp" "$D/$1"
}

tf_wait_reported() {
  tf_n=$((tf_wait_s * tf_per_s))
  while [ ! -e "$D/reported" ] && [ "$tf_n" -gt 0 ] && [ "$tf_terms" -eq 0 ]; do
    sleep "$tf_tick"
    tf_n=$((tf_n - 1))
  done
}

tf_number() {
  case $1 in ''|*[!0-9]*|0?*) return 1 ;; esac
  return 0
}

tf_key() {
  tf_val=
  [ -r "$1" ] || return 0
  while read -r tf_k tf_v; do
    if [ "$tf_k" = "$2" ] && tf_number "$tf_v"; then tf_val=$tf_v; fi
  done < "$1"
  return 0
}

tf_first() {
  tf_val=
  [ -r "$1" ] || return 0
  read -r tf_v < "$1" || true
  if tf_number "$tf_v"; then tf_val=$tf_v; fi
  return 0
}

tf_find() {
  tf_found=
  tf_file=\${4:-memory.stat}
  if [ -r /proc/self/mountinfo ]; then
    while read -r tf_1 tf_2 tf_3 tf_root tf_mnt tf_rest; do
      case $tf_rest in *" - $1 "*) ;; *) continue ;; esac
      if [ -n "$2" ]; then
        case ,\${tf_rest##* }, in *,"$2",*) ;; *) continue ;; esac
      fi
      if [ "$tf_root" = / ]; then
        tf_rel=$3
      else
        case $3 in
          "$tf_root") tf_rel= ;;
          "$tf_root"/*) tf_rel=\${3#"$tf_root"} ;;
          *) continue ;;
        esac
      fi
      if [ "$tf_rel" = / ]; then tf_rel=; fi
      if [ -r "$tf_mnt$tf_rel/$tf_file" ]; then
        tf_found=$tf_mnt$tf_rel
        return 0
      fi
    done < /proc/self/mountinfo
  fi
  if [ "$1" = cgroup2 ]; then tf_rel=/sys/fs/cgroup$3; else tf_rel=/sys/fs/cgroup/$2$3; fi
  if [ -r "$tf_rel/$tf_file" ]; then tf_found=$tf_rel; fi
  return 0
}

tf_mem_now() {
  tf_mem=
  [ -r "$tf_cg/memory.stat" ] || return 0
  tf_sum=0 tf_seen=
  while read -r tf_k tf_v; do
    case $tf_cgv:$tf_k in 2:anon|2:shmem|1:total_rss|1:total_shmem) ;; *) continue ;; esac
    tf_number "$tf_v" || continue
    tf_sum=$((tf_sum + tf_v)) tf_seen=1
  done < "$tf_cg/memory.stat"
  if [ -n "$tf_seen" ]; then tf_mem=$tf_sum; fi
  return 0
}

tf_sample() {
  while :; do
    tf_mem_now
    if [ -n "$tf_mem" ]; then tf_put mem "$tf_mem"; fi
    sleep 2
  done
}

tf_forward() {
  tf_terms=$((tf_terms + 1))
  if [ -n "$tf_setsid" ] && kill -TERM -"$tf_pid" 2>/dev/null; then return 0; fi
  kill -TERM "$tf_pid" 2>/dev/null
  return 0
}

while [ ! -e "$D/ready" ]; do
  if [ -e "$D/abort" ]; then
    tf_say "the tool was not started: the sidecar could not prepare its files:"
    cat "$D/abort" >&2
    tf_wait_reported
    exit 127
  fi
  sleep "$tf_tick"
done

tf_now=$(date +%s 2>/dev/null)
tf_number "$tf_now" || tf_now=$(awk 'BEGIN { srand(); print srand() }' 2>/dev/null)
tf_number "$tf_now" || tf_now=-
tf_put started "$tf_now"

tf_v2= tf_has_v2= tf_v1= tf_v1cpu=
if [ -r /proc/self/cgroup ]; then
  while IFS=: read -r tf_h tf_c tf_p; do
    if [ "$tf_h" = 0 ] && [ -z "$tf_c" ]; then tf_v2=$tf_p tf_has_v2=1; fi
    case ,$tf_c, in *,memory,*) tf_v1=$tf_p ;; esac
    case ,$tf_c, in *,cpuacct,*) tf_v1cpu=$tf_p ;; esac
  done < /proc/self/cgroup
fi
if [ -n "$tf_has_v2" ]; then
  tf_find cgroup2 '' "$tf_v2"
  if [ -n "$tf_found" ]; then tf_cg=$tf_found tf_cgv=2; fi
fi
if [ -z "$tf_cg" ] && [ -n "$tf_v1" ]; then
  tf_find cgroup memory "$tf_v1"
  if [ -n "$tf_found" ]; then tf_cg=$tf_found tf_cgv=1; fi
fi
if [ -n "$tf_cg" ]; then
  tf_sample < /dev/null > /dev/null 2>&1 &
  tf_sampler=$!
fi
# Cpu time: the container's cgroup (v2: the memory one; v1: its cpuacct cgroup, unless that is the root).
tf_cpu_file= tf_cpu_key= tf_cpu0=
if [ "$tf_cgv" = 2 ]; then
  tf_cpu_file=$tf_cg/cpu.stat tf_cpu_key=usage_usec
elif [ "$tf_cgv" = 1 ] && [ -n "$tf_v1cpu" ] && [ "$tf_v1cpu" != / ]; then
  tf_find cgroup cpuacct "$tf_v1cpu" cpuacct.usage
  if [ -n "$tf_found" ]; then tf_cpu_file=$tf_found/cpuacct.usage; fi
fi
tf_cpu_now() {
  tf_val=
  if [ -n "$tf_cpu_key" ]; then tf_key "$tf_cpu_file" "$tf_cpu_key"; elif [ -n "$tf_cpu_file" ]; then tf_first "$tf_cpu_file"; fi
  return 0
}
tf_cpu_now; tf_cpu0=$tf_val

if command -v setsid > /dev/null 2>&1; then tf_setsid=setsid; fi
# The commands run under bash where the image has it (as on the local executor: [[ ]], pipefail),
# else under the image's POSIX sh.
tf_shell=sh
if command -v bash > /dev/null 2>&1; then tf_shell=bash; fi
trap tf_forward TERM INT
(
  unset TOOLFLOW_POD_DIR TOOLFLOW_REPORT_WAIT_SECONDS
  cd "$D/work" || exit 126
  exec $tf_setsid "$tf_shell" "$D/command.sh"
) < /dev/null > "$D/work/stdout.log" 2> "$D/work/stderr.log" &
tf_pid=$!
if [ "$tf_terms" -gt 0 ]; then tf_forward; fi
while :; do
  tf_seen_terms=$tf_terms
  wait "$tf_pid"
  tf_status=$?
  if [ "$tf_seen_terms" = "$tf_terms" ]; then break; fi
  if kill -0 "$tf_pid" 2>/dev/null; then continue; fi
  wait "$tf_pid"
  tf_rc=$?
  if [ "$tf_rc" -ne 127 ]; then tf_status=$tf_rc; fi
  break
done
if [ -n "$tf_setsid" ]; then
  if [ "$tf_terms" -gt 0 ]; then
    tf_n=$((30 * tf_per_s))
    while [ "$tf_n" -gt 0 ] && kill -0 -"$tf_pid" 2>/dev/null; do
      sleep "$tf_tick"
      tf_n=$((tf_n - 1))
    done
  fi
  kill -KILL -"$tf_pid" 2>/dev/null
fi
if [ -n "$tf_sampler" ]; then
  kill "$tf_sampler" 2>/dev/null
  wait "$tf_sampler" 2>/dev/null
fi

tf_oom= tf_peak= tf_cpu=
tf_cpu_now
if [ -n "$tf_cpu0" ] && [ -n "$tf_val" ] && [ "$tf_val" -ge "$tf_cpu0" ]; then
  tf_cpu=$((tf_val - tf_cpu0))
  if [ -z "$tf_cpu_key" ]; then tf_cpu=$((tf_cpu / 1000)); fi
fi
if [ "$tf_cgv" = 2 ]; then
  tf_key "$tf_cg/memory.events" oom_kill; tf_oom=$tf_val
  tf_first "$tf_cg/memory.peak"; tf_peak=$tf_val
elif [ "$tf_cgv" = 1 ]; then
  tf_key "$tf_cg/memory.oom_control" oom_kill; tf_oom=$tf_val
  tf_first "$tf_cg/memory.max_usage_in_bytes"; tf_peak=$tf_val
fi
# Stopped from outside (the Pod deleted, evicted, or stopped by toolflow): said before the exit, so
# the sidecar leaves the verdict to the Pod's status rather than report a code SIGTERM caused.
if [ "$tf_terms" -gt 0 ]; then tf_put terminated "$tf_terms"; fi
tf_put exit "$tf_status \${tf_oom:--} \${tf_peak:--} \${tf_cpu:--}"
if [ "$tf_terms" -eq 0 ]; then tf_wait_reported; fi
exit "$tf_status"
`;
