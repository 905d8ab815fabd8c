#!/usr/bin/env bash
# Configure and start a real single-host Grid Engine 8.1.9 (Debian's gridengine-master/-exec/-client) on THIS
# machine as root: qmaster, execd, a queue `all.q` with one slot per core, and parallel environments `mpi`
# ($fill_up) and `smp` ($pe_slots). Used by CI and by tests/real; --install installs the packages first.
# Grid Engine refuses clients whose address resolves to another name than their host name, so this puts
# `127.0.0.1 <hostname> localhost` first in /etc/hosts (the old file is kept as /etc/hosts.clusterjob-orig).
set -euo pipefail
host=$(hostname -s)
cores=$(nproc)
export SGE_ROOT=/var/lib/gridengine SGE_CELL=default

if [ ! -e /etc/hosts.clusterjob-orig ]; then cp /etc/hosts /etc/hosts.clusterjob-orig; fi
{ printf '127.0.0.1 %s localhost\n' "$host"; grep -vE "^127\.0\.[01]\.1[[:space:]]" /etc/hosts.clusterjob-orig || true; } > /etc/hosts.new
cat /etc/hosts.new > /etc/hosts && rm -f /etc/hosts.new

if [ "${1:-}" = "--install" ]; then
  export DEBIAN_FRONTEND=noninteractive
  for pkg in gridengine-common gridengine-client; do
    printf '%s shared/gridenginemaster string %s\n%s shared/gridenginecell string default\n%s shared/gridengineconfig boolean true\n' \
      "$pkg" "$host" "$pkg" "$pkg" | debconf-set-selections
  done
  apt-get update -qq
  apt-get install -y -qq gridengine-master gridengine-exec gridengine-client >/dev/null
fi
echo "$host" > "$SGE_ROOT/$SGE_CELL/common/act_qmaster"

/etc/init.d/gridengine-master restart >/dev/null 2>&1 || /etc/init.d/gridengine-master start
for _ in $(seq 60); do qconf -sh >/dev/null 2>&1 && break; sleep 0.5; done
qconf -sh >/dev/null

tmp=$(mktemp -d)
qconf -sconf > "$tmp/global"
sed -i -E 's/^(min_uid|min_gid)[[:space:]]+.*/\1 0/' "$tmp/global"
qconf -Mconf "$tmp/global" >/dev/null  # the file's name is the configuration's name
qconf -ah "$host" >/dev/null 2>&1 || true
qconf -as "$host" >/dev/null 2>&1 || true
if ! qconf -se "$host" >/dev/null 2>&1; then
  printf 'hostname %s\nload_scaling NONE\ncomplex_values NONE\nuser_lists NONE\nxuser_lists NONE\nprojects NONE\nxprojects NONE\nusage_scaling NONE\nreport_variables NONE\n' "$host" > "$tmp/exec"
  qconf -Ae "$tmp/exec" >/dev/null
fi
for pe in mpi:'$fill_up' smp:'$pe_slots'; do
  name=${pe%%:*}; rule=${pe#*:}
  printf 'pe_name %s\nslots 9999\nuser_lists NONE\nxuser_lists NONE\nstart_proc_args NONE\nstop_proc_args NONE\nallocation_rule %s\ncontrol_slaves FALSE\njob_is_first_task TRUE\nurgency_slots min\naccounting_summary FALSE\nqsort_args NONE\n' "$name" "$rule" > "$tmp/pe"
  qconf -sp "$name" >/dev/null 2>&1 && qconf -Mp "$tmp/pe" >/dev/null || qconf -Ap "$tmp/pe" >/dev/null
done
cat > "$tmp/queue" <<Q
qname                 all.q
hostlist              $host
seq_no                0
load_thresholds       NONE
suspend_thresholds    NONE
nsuspend              1
suspend_interval      00:05:00
priority              0
min_cpu_interval      00:05:00
processors            UNDEFINED
qtype                 BATCH INTERACTIVE
ckpt_list             NONE
pe_list               make mpi smp
rerun                 FALSE
slots                 $cores
tmpdir                /tmp
shell                 /bin/bash
prolog                NONE
epilog                NONE
shell_start_mode      unix_behavior
starter_method        NONE
suspend_method        NONE
resume_method         NONE
terminate_method      NONE
notify                00:00:60
owner_list            NONE
user_lists            NONE
xuser_lists           NONE
subordinate_list      NONE
complex_values        NONE
projects              NONE
xprojects             NONE
calendar              NONE
initial_state         default
s_rt                  INFINITY
h_rt                  INFINITY
s_cpu                 INFINITY
h_cpu                 INFINITY
s_fsize               INFINITY
h_fsize               INFINITY
s_data                INFINITY
h_data                INFINITY
s_stack               INFINITY
h_stack               INFINITY
s_core                INFINITY
h_core                INFINITY
s_rss                 INFINITY
h_rss                 INFINITY
s_vmem                INFINITY
h_vmem                INFINITY
Q
qconf -sp make >/dev/null 2>&1 || sed -i 's/^pe_list .*/pe_list               mpi smp/' "$tmp/queue"
if qconf -sq all.q >/dev/null 2>&1; then qconf -Mq "$tmp/queue" >/dev/null; else qconf -Aq "$tmp/queue" >/dev/null; fi
# schedule every second (default 15 s) so short test jobs start and finish promptly
qconf -ssconf > "$tmp/sched"
sed -i -E 's/^schedule_interval .*/schedule_interval 0:0:1/; s/^flush_submit_sec .*/flush_submit_sec 1/; s/^flush_finish_sec .*/flush_finish_sec 1/' "$tmp/sched"
qconf -Msconf "$tmp/sched" >/dev/null
rm -rf "$tmp"

/etc/init.d/gridengine-exec restart >/dev/null 2>&1 || /etc/init.d/gridengine-exec start
for _ in $(seq 60); do
  qstat -f 2>/dev/null | grep -q "all.q@$host.*lx-amd64 *$" && break
  qhost -h "$host" 2>/dev/null | awk 'NR>3 && $4 != "-" {ok=1} END {exit !ok}' && break
  sleep 0.5
done
qstat -f
echo "start-local-gridengine: Grid Engine up on $host ($cores slots, PEs mpi and smp)"
