# A one-node Slurm cluster of Debian's slurm-wlm for the tests: munged, slurmctld and slurmd
# started as root with their own key, socket, ports, state and logs in a scratch folder, so
# nothing of the machine's own configuration is read or changed and concurrent runs do not meet.
# Source this file, then:
#   slurm_can_run     0 when the daemons are installed and can start here; else prints why
#   slurm_up DIR      starts the cluster in DIR; exports SLURM_CONF (sbatch, scontrol, squeue
#                     use it) and SLURM_NODE; returns once the node is idle
#   slurm_down        stops the daemons (call it from the caller's EXIT trap)
# ProctrackType=proctrack/linuxproc and TaskPlugin=task/none: no cgroups needed. cred_expire=10:
# a requeued job waits 10 s before it may start again (Slurm's default is 120 s).

SLURM_DIR=""

slurm_can_run() {
  if [ "$(id -u)" -ne 0 ]; then echo "needs root to start slurmctld, slurmd and munged"; return 1; fi
  local tool
  for tool in munged slurmctld slurmd sbatch scontrol squeue; do
    command -v "$tool" >/dev/null || { echo "needs '$tool' (Debian: slurm-wlm, munge)"; return 1; }
  done
  return 0
}

# A free TCP port on this machine.
slurm_free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

slurm_up() {
  SLURM_DIR=$1
  mkdir -p "$SLURM_DIR"/{munge,state,spool,log}
  chmod 0700 "$SLURM_DIR/munge"
  dd if=/dev/urandom of="$SLURM_DIR/munge/munge.key" bs=1024 count=1 status=none
  chmod 0400 "$SLURM_DIR/munge/munge.key"
  munged --force --socket="$SLURM_DIR/munge/socket" --key-file="$SLURM_DIR/munge/munge.key" \
    --pid-file="$SLURM_DIR/munge/munged.pid" --seed-file="$SLURM_DIR/munge/seed" \
    --log-file="$SLURM_DIR/log/munged.log" || return 1

  export SLURM_NODE="clnode$$"
  local cpus memory
  cpus=$(getconf _NPROCESSORS_ONLN)
  memory=$(($(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 / 2))
  export SLURM_CONF="$SLURM_DIR/slurm.conf"
  cat >"$SLURM_CONF" <<CONF
ClusterName=conceptlens-test
SlurmctldHost=localhost(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$(slurm_free_port)
SlurmdPort=$(slurm_free_port)
AuthType=auth/munge
AuthInfo=socket=$SLURM_DIR/munge/socket,cred_expire=10
CredType=cred/munge
StateSaveLocation=$SLURM_DIR/state
SlurmdSpoolDir=$SLURM_DIR/spool
SlurmctldPidFile=$SLURM_DIR/slurmctld.pid
SlurmdPidFile=$SLURM_DIR/slurmd.pid
SlurmctldLogFile=$SLURM_DIR/log/slurmctld.log
SlurmdLogFile=$SLURM_DIR/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
JobRequeue=1
KillWait=10
MinJobAge=600
OverTimeLimit=0
NodeName=$SLURM_NODE NodeAddr=127.0.0.1 NodeHostname=localhost CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=test Nodes=$SLURM_NODE Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
CONF
  slurmctld -i || return 1
  slurmd -N "$SLURM_NODE" || return 1
  local waited
  for ((waited = 0; waited < 60; waited++)); do
    if sinfo -h -n "$SLURM_NODE" -o %t 2>/dev/null | grep -q idle; then return 0; fi
    sleep 1
  done
  echo "the Slurm node did not become idle in 60 s:"
  sinfo 2>&1
  tail -n 20 "$SLURM_DIR/log/slurmctld.log" "$SLURM_DIR/log/slurmd.log"
  return 1
}

# Stops slurmd, slurmctld and munged (each by the PID it wrote), and any job step left.
slurm_down() {
  [ -n "$SLURM_DIR" ] || return 0
  local pidfile
  for pidfile in "$SLURM_DIR/slurmd.pid" "$SLURM_DIR/slurmctld.pid" "$SLURM_DIR/munge/munged.pid"; do
    [ -s "$pidfile" ] || continue
    local pid
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || continue
    local waited
    for ((waited = 0; waited < 50; waited++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  # slurmstepd of an unfinished job (its own session: not a child of this shell)
  local step
  for step in $(pgrep -f "slurmstepd.*$SLURM_NODE" 2>/dev/null || true); do kill -9 "$step" 2>/dev/null || true; done
  SLURM_DIR=""
  return 0
}
