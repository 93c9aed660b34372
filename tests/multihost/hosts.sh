# Hosts for multi-host tests: network namespaces on a bridge, Open MPI's rsh launcher through an
# agent that enters them. Source this file, then:
#   hosts_up N        makes hosts h0..h(N-1) (10.77.0.10+i/24 on one bridge; nothing routed out)
#   hosts_mpirun ARGS mpirun on h0 with --hostfile, TCP only between hosts (no shared memory)
#   hosts_on H CMD    runs CMD in host H (its network namespace and host name)
#   hosts_down        removes them: call it from the caller's EXIT trap (hosts_up turns TERM
#                     and INT into an exit, so the trap runs when ctest's timeout kills it)
# Each host is a network namespace (ip netns) with a veth into the bridge and a UTS namespace
# with the host's name, so Open MPI sees N nodes. The filesystem is shared, as on a cluster.
# Names carry this shell's PID, so concurrent runs do not meet. hosts_can_run tells (and says
# why not) whether this machine allows namespaces at all.

HOSTS_SUBNET=10.77.0
HOSTS_DIR=""
HOSTS_TAG=""
HOSTS_N=0

# Returns 0 when network namespaces, veth pairs and bridges can be made; else prints the reason.
hosts_can_run() {
  if [ "$(id -u)" -ne 0 ]; then echo "needs root to make network namespaces (running as $(id -un))"; return 1; fi
  for tool in ip unshare nsenter mpirun; do
    command -v "$tool" >/dev/null || { echo "needs '$tool' on PATH"; return 1; }
  done
  local probe="clprobe$$"
  if ! ip netns add "$probe" 2>/dev/null; then echo "this machine forbids network namespaces (ip netns add failed)"; return 1; fi
  ip netns del "$probe"
  if ! ip link add "${probe}b" type bridge 2>/dev/null; then echo "this machine forbids bridges (ip link add type bridge failed)"; return 1; fi
  ip link del "${probe}b"
  return 0
}

# hosts_up N: hosts h0..h(N-1), a hostfile ($HOSTS_DIR/hostfile, HOSTS_SLOTS slots each, default 2)
# and the rsh agent.
hosts_up() {
  HOSTS_N=$1
  HOSTS_TAG="cl$$"
  HOSTS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/conceptlens-hosts.XXXXXX")
  trap 'exit 143' TERM
  trap 'exit 130' INT
  ip link add "${HOSTS_TAG}br" type bridge
  ip link set "${HOSTS_TAG}br" up
  : >"$HOSTS_DIR/hostfile"
  : >"$HOSTS_DIR/hosts"
  local i
  for ((i = 0; i < HOSTS_N; i++)); do echo "$HOSTS_SUBNET.$((10 + i)) h$i" >>"$HOSTS_DIR/hosts"; done
  echo "127.0.0.1 localhost" >>"$HOSTS_DIR/hosts"
  for ((i = 0; i < HOSTS_N; i++)); do
    local ns="${HOSTS_TAG}h$i"
    ip netns add "$ns"
    # `ip netns exec` bind-mounts /etc/netns/<ns>/hosts over /etc/hosts: the hosts know each other
    mkdir -p "/etc/netns/$ns"
    cp "$HOSTS_DIR/hosts" "/etc/netns/$ns/hosts"
    ip link add "${ns}v" type veth peer name eth0 netns "$ns"
    ip link set "${ns}v" master "${HOSTS_TAG}br" up
    ip -n "$ns" link set lo up
    ip -n "$ns" addr add "$HOSTS_SUBNET.$((10 + i))/24" dev eth0
    ip -n "$ns" link set eth0 up
    echo "h$i slots=${HOSTS_SLOTS:-2}" >>"$HOSTS_DIR/hostfile"
  done
  # Open MPI's rsh launcher calls: agent HOST COMMAND... (as ssh would; the command is a
  # shell line). The agent runs it in HOST's namespaces, with HOST as the host name.
  cat >"$HOSTS_DIR/agent" <<AGENT
#!/bin/sh
host=\$1; shift
while [ "\${host#-}" != "\$host" ]; do host=\$1; shift; done  # ssh-style options: ignored
exec ip netns exec "${HOSTS_TAG}\$host" unshare --uts sh -c "hostname \$host && \$*"
AGENT
  chmod +x "$HOSTS_DIR/agent"
}

# hosts_on H CMD...: CMD in host H (network and UTS namespace).
hosts_on() {
  local host=$1
  shift
  ip netns exec "${HOSTS_TAG}$host" unshare --uts sh -c 'hostname "$0" && exec "$@"' "$host" "$@"
}

# The Open MPI settings of every multi-host run: the rsh launcher through the agent (no tree
# spawn: every daemon is started from h0), TCP between hosts and nothing else (no shared
# memory), on the hosts' subnet only, and no core binding: the hosts share this machine's cores,
# and each host's daemon would bind its first rank to core 0 — both ranks of a 2-host run on
# one core, where every message waits for a time slice (4 ms; bench/bench_multihost.sh shows
# it). HOSTS_BIND overrides the binding.
hosts_mca() {
  echo --mca plm rsh --mca plm_rsh_agent "$HOSTS_DIR/agent" --mca plm_rsh_no_tree_spawn 1 \
    --mca btl tcp,self --mca btl_tcp_if_include "$HOSTS_SUBNET.0/24" --mca oob_tcp_if_include "$HOSTS_SUBNET.0/24" \
    --bind-to "${HOSTS_BIND:-none}"
}

# hosts_mpirun MPIRUN-ARGS...: mpirun started on h0 over the hosts of the hostfile, stopped
# after HOSTS_TIMEOUT seconds (default 600).
hosts_mpirun() {
  # shellcheck disable=SC2046
  hosts_on h0 env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
    timeout "${HOSTS_TIMEOUT:-600}" mpirun --hostfile "$HOSTS_DIR/hostfile" $(hosts_mca) "$@"
}

hosts_down() {
  local i
  for ((i = 0; i < HOSTS_N; i++)); do
    local ns="${HOSTS_TAG}h$i"
    # any process left in the namespace (a daemon of an aborted run) goes first
    local pids
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [ -n "$pids" ] && kill -9 $pids 2>/dev/null
    ip link del "${ns}v" 2>/dev/null
    ip netns del "$ns" 2>/dev/null
    rm -rf "/etc/netns/$ns"
  done
  ip link del "${HOSTS_TAG}br" 2>/dev/null
  [ -n "$HOSTS_DIR" ] && rm -rf "$HOSTS_DIR"
  HOSTS_N=0
  return 0
}
