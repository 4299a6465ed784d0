#!/usr/bin/env bash
# Side-by-side benchmark: RabbitMQ (Debian's rabbitmq-server) and OrleansBroker on this machine, same client, same run.
#
#   tests/bench/compare.sh [benchmark options]        e.g.  tests/bench/compare.sh --scale 0.5 --runs 3
#
# Installs rabbitmq-server and gnuplot-nox when missing (apt-get; needs root), starts RabbitMQ on 127.0.0.1:$RABBIT_PORT
# with its own data directory and no plugins, builds and starts OrleansBroker (Release) on 127.0.0.1:$OURS_PORT and the
# client-ceiling null-broker on $NULL_PORT, raises the open-files limit of all of them to the hard limit, runs every
# scenario against both brokers alternately, writes tests/bench/results/latest.{md,json,png}, and stops what it started.
# Options are passed to `OrleansBroker.Benchmarks run` (see docs/benchmarks.md); full size as in issue 4:
#   tests/bench/compare.sh --messages 1000000 --connections 10000 --backlog 1000000 --run-timeout 600
# Environment: RABBIT_PORT (5674), OURS_PORT (5682), NULL_PORT (5699), BENCH_WORK (/tmp/orleansbroker-bench),
#   SCENARIOS=a,b,c to run only some scenarios (names: see `OrleansBroker.Benchmarks run`), SKIP_CEILING=1 to skip
#   the client-ceiling run against null-broker.
# connections and backlog measure broker RSS deltas, so they run on freshly started brokers, one run per restart.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
RABBIT_PORT=${RABBIT_PORT:-5674}
OURS_PORT=${OURS_PORT:-5682}
NULL_PORT=${NULL_PORT:-5699}
work=${BENCH_WORK:-/tmp/orleansbroker-bench}
results=$repo/tests/bench/results
bench_dll=$repo/tests/OrleansBroker.Benchmarks/bin/Release/net10.0/OrleansBroker.Benchmarks.dll
silo_dll=$repo/src/Silo/bin/Release/net10.0/OrleansBroker.Silo.dll

log() { printf '[compare %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
listening() { (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }
listener_pid() { ss -ltnpH "sport = :$1" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2 || true; }
wait_port() { for _ in $(seq 1 "${2:-120}"); do listening "$1" && return 0; sleep 1; done; return 1; }

for port in "$RABBIT_PORT" "$OURS_PORT" "$NULL_PORT"; do
  if listening "$port"; then echo "port $port is already in use; set RABBIT_PORT / OURS_PORT / NULL_PORT" >&2; exit 1; fi
done

ulimit -n "$(ulimit -Hn)"
log "open-files limit: $(ulimit -n)"
mkdir -p "$work" "$results"
rm -f "$work/run.jsonl" "$work/ceiling.jsonl"

# --- packages ---------------------------------------------------------------------------------------------------------
missing=()
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || missing+=(rabbitmq-server)
command -v gnuplot >/dev/null || missing+=(gnuplot-nox)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  # The package starts a system-wide node on 5672 in some environments; we do not use it.
fi

# --- brokers --------------------------------------------------------------------------------------------------------
rdir=$work/rabbitmq-$RABBIT_PORT
export RABBITMQ_NODENAME=bench$RABBIT_PORT@localhost RABBITMQ_CONFIG_FILE=$rdir/rabbitmq RABBITMQ_MNESIA_BASE=$rdir/mnesia \
       RABBITMQ_LOG_BASE=$rdir/log RABBITMQ_DIST_PORT=$((RABBIT_PORT + 20000)) RABBITMQ_ENABLED_PLUGINS_FILE=$rdir/enabled_plugins \
       HOME=/var/lib/rabbitmq ERL_EPMD_ADDRESS=127.0.0.1 \
       RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS='-kernel inet_dist_use_interface {127,0,0,1}'
rabbit_pid=''; rabbit_pgid=''; ours_pid=''; null_pid=''

start_rabbit() {
  rm -rf "$rdir"
  mkdir -p "$rdir/mnesia" "$rdir/log"
  printf 'listeners.tcp.local = 127.0.0.1:%s\nloopback_users = none\n' "$RABBIT_PORT" > "$rdir/rabbitmq.conf"
  echo '[].' > "$rdir/enabled_plugins"   # management off
  chown -R rabbitmq:rabbitmq "$rdir"
  # Debian's wrapper switches user with su, which resets the open-files limit to 1024; setpriv keeps the raised limit.
  setsid setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups /usr/lib/rabbitmq/bin/rabbitmq-server >"$rdir/server.out" 2>&1 &
  rabbit_pgid=$!
  wait_port "$RABBIT_PORT" 120 || { echo "RabbitMQ did not start; see $rdir/server.out and $rdir/log" >&2; exit 1; }
  rabbit_pid=$(listener_pid "$RABBIT_PORT")
  rabbit_pgid=$(ps -o pgid= -p "$rabbit_pid" | tr -d ' ')
  log "RabbitMQ $(dpkg-query -W -f '${Version}' rabbitmq-server) on 127.0.0.1:$RABBIT_PORT: beam.smp pid $rabbit_pid, open-files limit $(awk '/Max open files/ {print $4}' /proc/"$rabbit_pid"/limits)"
}

stop_rabbit() {
  [ -n "$rabbit_pgid" ] || return 0
  timeout 60 /usr/lib/rabbitmq/bin/rabbitmqctl -n "$RABBITMQ_NODENAME" stop >/dev/null 2>&1 \
    || setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups timeout 60 /usr/lib/rabbitmq/bin/rabbitmqctl -n "$RABBITMQ_NODENAME" stop >/dev/null 2>&1
  for _ in $(seq 1 40); do kill -0 -- "-$rabbit_pgid" 2>/dev/null || break; sleep 0.5; done
  kill -TERM -- "-$rabbit_pgid" 2>/dev/null || true
  for _ in $(seq 1 20); do listening "$RABBIT_PORT" || break; sleep 0.5; done
  rabbit_pgid=''; rabbit_pid=''
}

start_ours() {
  rm -rf "$work/orleans-data" "$work/orleans.out"
  setsid dotnet "$silo_dll" --amqp-port "$OURS_PORT" --bind 127.0.0.1 --data-dir "$work/orleans-data" >"$work/orleans.out" 2>&1 &
  ours_pid=$!   # the dotnet process itself (setsid does not fork here); re-read from the listener below
  for _ in $(seq 1 60); do grep -qs 'OrleansBroker ready' "$work/orleans.out" && listening "$OURS_PORT" && break; sleep 1; done
  grep -qs 'OrleansBroker ready' "$work/orleans.out" || { echo "OrleansBroker did not start; see $work/orleans.out" >&2; exit 1; }
  ours_pid=$(listener_pid "$OURS_PORT")
  [ -n "$ours_pid" ] || { echo "nothing listens on $OURS_PORT" >&2; exit 1; }
  log "OrleansBroker on 127.0.0.1:$OURS_PORT: pid $ours_pid, open-files limit $(awk '/Max open files/ {print $4}' /proc/"$ours_pid"/limits)"
}

stop_ours() {
  [ -n "$ours_pid" ] || return 0
  kill -TERM "$ours_pid" 2>/dev/null || true   # SIGTERM: connection.close 320 to every client, exit 0
  for _ in $(seq 1 20); do kill -0 "$ours_pid" 2>/dev/null || break; sleep 0.5; done
  kill -KILL "$ours_pid" 2>/dev/null || true
  for _ in $(seq 1 20); do listening "$OURS_PORT" || break; sleep 0.5; done
  ours_pid=''
}

cleanup() {
  set +e
  [ -n "$ours_pid" ] && log "stopping OrleansBroker (SIGTERM $ours_pid)" && stop_ours
  [ -n "$null_pid" ] && kill -TERM "$null_pid" 2>/dev/null
  [ -n "$rabbit_pgid" ] && log "stopping RabbitMQ ($RABBITMQ_NODENAME)" && stop_rabbit
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "building (Release)"
dotnet build "$repo/src/Silo/OrleansBroker.Silo.csproj" -c Release -nologo -v q >/dev/null
dotnet build "$repo/tests/OrleansBroker.Benchmarks/OrleansBroker.Benchmarks.csproj" -c Release -nologo -v q >/dev/null

# --- the run ----------------------------------------------------------------------------------------------------------
meta=(--meta "rabbitmq=$(dpkg-query -W -f '${Version}' rabbitmq-server)"
      --meta "erlang=$(dpkg-query -W -f '${Version}' erlang-base 2>/dev/null || echo '?')"
      --meta "orleansbroker=$(git -C "$repo" log -1 --format=%h -- src 2>/dev/null || echo '?') (last commit touching src/)"
      --meta "client=RabbitMQ.Client 7.1.2"
      --meta "args=${*:-(defaults)}")
targets() {
  echo --target "rabbitmq=amqp://guest:guest@127.0.0.1:$RABBIT_PORT/" --pid "rabbitmq=$rabbit_pid" \
       --target "orleans=amqp://guest:guest@127.0.0.1:$OURS_PORT/" --pid "orleans=$ours_pid"
}
all=$( (dotnet "$bench_dll" run "$@" 2>&1 || true) | sed -n 's/.*one or more of: //p' | tr -d ' ')
wanted=${SCENARIOS:-$all}
memory=$(echo "$wanted" | tr ',' '\n' | grep -xE 'connections|backlog' | paste -sd, - || true)
rest=$(echo "$wanted" | tr ',' '\n' | grep -vxE 'connections|backlog|client-publish|client-consume' | paste -sd, - || true)
ceiling=$(echo "$wanted" | tr ',' '\n' | grep -xE 'client-publish|client-consume' | paste -sd, - || true)
runs=$(printf '%s\n' "$@" | grep -A1 -x -- '--runs' | tail -1 | grep -xE '[0-9]+' || echo 3)

# Memory scenarios (broker RSS deltas) on freshly started brokers: one run per restart, pooled by the report.
if [ -n "$memory" ]; then
  for r in $(seq 1 "$runs"); do
    start_rabbit; start_ours
    log "fresh brokers, run $r/$runs: $memory"
    # shellcheck disable=SC2046
    dotnet "$bench_dll" run $(targets) --json "$work/run.jsonl" "${meta[@]}" "$@" --runs 1 --scenarios "$memory" | grep -v '^{' || true
    stop_ours; stop_rabbit
  done
fi

if [ -n "$rest$ceiling" ]; then
  start_rabbit; start_ours
  log "every other scenario against both brokers, alternating run by run: $rest,$ceiling"
  # shellcheck disable=SC2046
  dotnet "$bench_dll" run $(targets) --json "$work/run.jsonl" "${meta[@]}" "$@" --scenarios "${rest:+$rest,}$ceiling" | grep -v '^{' || true
fi

inputs=(--in "$work/run.jsonl")
if [ -n "$ceiling" ] && [ "${SKIP_CEILING:-0}" != 1 ]; then
  # Fully optimised from the start: the null broker must not be the limit while its code is still at tier 0.
  DOTNET_TieredCompilation=0 dotnet "$bench_dll" null-broker --port "$NULL_PORT" >"$work/null.out" 2>&1 &
  null_pid=$!
  wait_port "$NULL_PORT" 30
  log "client ceiling: the same client against null-broker (no broker work)"
  dotnet "$bench_dll" run --target "client-only=amqp://guest:guest@127.0.0.1:$NULL_PORT/" --pid "client-only=$null_pid" \
    --json "$work/ceiling.jsonl" "$@" --scenarios "$ceiling" | grep -v '^{' || true
  inputs+=(--in "$work/ceiling.jsonl")
fi

# --- report -----------------------------------------------------------------------------------------------------------
dotnet "$bench_dll" report "${inputs[@]}" --baseline rabbitmq --candidate orleans --ceiling client-only --out-dir "$results" \
  --note "**Durability:** OrleansBroker fsyncs persistent messages of durable queues before it confirms them (group commit: one fsync covers every append in flight); RabbitMQ 3.10's classic queues confirm once the message store has written them, fsyncing on their own schedule. Both keep the messages across restarts." \
  >/dev/null
gnuplot -e "datadir='$results'; out='$results/latest.png'" "$repo/tests/bench/chart.gp"
log "wrote $results/latest.md, latest.json, latest.png"
cat "$results/latest.md"
