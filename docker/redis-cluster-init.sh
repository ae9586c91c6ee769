#!/bin/sh
# Forms a Redis Cluster of masters from nodes started with cluster-enabled, as
# redis-cli --cluster create would, and can be run again at every start:
#   REDIS_PASSWORD=... sh redis-cluster-init.sh <host>[:<port>] <host>[:<port>] ...   (port 6379
#   unless given; bench/redis-cluster.sh runs it on processes of its own)
# 1. Each node's address is asked of the node itself (CLIENT INFO, laddr): CLUSTER MEET takes an
#    address, not a host name, and a container's address can change from one start to the next.
# 2. The first node meets every other one. A node it knew at another address is recognised by its
#    id and its address updated.
# 3. Only while no slot is assigned anywhere (the first start): node i of n gets the i-th n-th of
#    the 16,384 slots.
# 4. It waits, 60 s at most, until every node says cluster_state:ok.
set -eu
cli() {
  node="$1"
  shift
  case "$node" in
    *:*) redis-cli --no-auth-warning -a "$REDIS_PASSWORD" -h "${node%:*}" -p "${node##*:}" "$@" ;;
    *) redis-cli --no-auth-warning -a "$REDIS_PASSWORD" -h "$node" -p 6379 "$@" ;;
  esac
}
# The address and port a node is reached at, as it sees them itself.
address() {
  cli "$1" client info | sed -n 's/.* laddr=\([^ ]*\) .*/\1/p'
}

first="$1"
for host in "$@"; do
  [ "$host" = "$first" ] && continue
  laddr="$(address "$host")"
  [ -n "$laddr" ] || { echo "redis-cluster-init: no address for $host" >&2; exit 1; }
  cli "$first" cluster meet "${laddr%:*}" "${laddr##*:}" >/dev/null
done

assigned=0
for host in "$@"; do
  n="$(cli "$host" cluster info | tr -d '\r' | sed -n 's/^cluster_slots_assigned://p')"
  assigned=$((assigned + n))
done
if [ "$assigned" -eq 0 ]; then
  count=$#
  i=0
  for host in "$@"; do
    from=$((i * 16384 / count))
    to=$(((i + 1) * 16384 / count - 1))
    cli "$host" cluster addslotsrange "$from" "$to" >/dev/null
    echo "redis-cluster-init: $host serves slots $from-$to"
    i=$((i + 1))
  done
fi

all_ok() {
  for host in "$@"; do
    cli "$host" cluster info | tr -d '\r' | grep -q '^cluster_state:ok$' || return 1
  done
}
tries=0
until all_ok "$@"; do
  tries=$((tries + 1))
  if [ "$tries" -gt 120 ]; then
    echo "redis-cluster-init: the cluster is not ok after 60 s" >&2
    exit 1
  fi
  sleep 0.5
done
echo "redis-cluster-init: cluster_state:ok on $*"
