#!/usr/bin/env bash
# Profile OrleansBroker under one benchmark scenario: where its CPU goes (perf) and what it allocates per message
# (EventPipe through dotnet-trace). Writes tests/bench/results/profile-*.txt.
#
#   tests/bench/profile.sh [SCENARIO=transient-16b-ack-each] [MESSAGES=500000]
#
# Needs perf (Debian: linux-perf) and dotnet-trace (`dotnet tool install --global dotnet-trace`); installs them when
# missing. The broker runs with DOTNET_PerfMapEnabled=1 (JIT frames named in /tmp/perf-PID.map) and
# DOTNET_EnableWriteXorExecute=0 (so perf sees JIT code at the addresses of that map).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
scenario=${1:-transient-16b-ack-each}
messages=${2:-500000}
port=${PROFILE_PORT:-5686}
work=${BENCH_WORK:-/tmp/orleansbroker-bench}/profile
results=$repo/tests/bench/results
bench=(dotnet "$repo/tests/OrleansBroker.Benchmarks/bin/Release/net10.0/OrleansBroker.Benchmarks.dll")
export PATH=$PATH:$HOME/.dotnet/tools
log() { printf '[profile %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
listening() { (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }

command -v perf >/dev/null || { apt-get update -qq >/dev/null; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq linux-perf >/dev/null; }
command -v dotnet-trace >/dev/null || dotnet tool install --global dotnet-trace >/dev/null
listening "$port" && { echo "port $port is in use; set PROFILE_PORT" >&2; exit 1; }
ulimit -n "$(ulimit -Hn)"
rm -rf "$work"; mkdir -p "$work" "$results"

dotnet build "$repo/src/Silo/OrleansBroker.Silo.csproj" -c Release -nologo -v q >/dev/null
dotnet build "$repo/tests/OrleansBroker.Benchmarks/OrleansBroker.Benchmarks.csproj" -c Release -nologo -v q >/dev/null
DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 setsid dotnet "$repo/src/Silo/bin/Release/net10.0/OrleansBroker.Silo.dll" \
  --amqp-port "$port" --bind 127.0.0.1 --data-dir "$work/data" >"$work/broker.out" 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do listening "$port" && break; sleep 1; done
uri=amqp://guest:guest@127.0.0.1:$port/
# dotnet-trace stops cleanly on SIGINT; a background job of a script ignores SIGINT unless job control is on.
trace_start() { set -m; dotnet-trace collect -p "$pid" --profile gc-verbose -o "$1" >"$1.out" 2>&1 & tracer=$!; set +m; sleep 3; }
trace_stop() { sleep 1; kill -INT "$tracer"; wait "$tracer" || true; }
run() { "${bench[@]}" run --target "orleans=$uri" --pid "orleans=$pid" --runs 1 --scenarios "$scenario" "$@" 2>&1 | grep '^\[' >&2 || true; }

log "warm-up: $scenario"
run

log "CPU: perf record -e cpu-clock -g for 10 s during $scenario"
run --messages $((messages * 4)) --warmup 1000 --warmup-seconds 0 &
load=$!
sleep 3
perf record -e cpu-clock -F 1999 -g -p "$pid" -o "$work/perf.data" -- sleep 10 2>/dev/null
wait $load
{
  echo "# perf: OrleansBroker CPU during $scenario (cpu-clock, 1999 Hz, 10 s; $(date -u +%F))"
  perf script -i "$work/perf.data" -F comm,tid,ip,sym,dso 2>/dev/null | python3 "$repo/tests/bench/perf-summary.py"
} > "$results/profile-cpu.txt"

log "allocations: dotnet-trace --profile gc-verbose during $messages messages of $scenario"
trace_start "$work/alloc.nettrace"
run --messages "$messages" --warmup 1 --warmup-seconds 0
trace_stop
{
  echo "# EventPipe: OrleansBroker allocations during $messages messages of $scenario ($(date -u +%F))"
  "${bench[@]}" alloc-report "$work/alloc.nettrace" --messages $((messages + 1))
} > "$results/profile-alloc.txt"

log "GC pauses: dotnet-trace --profile gc-verbose during latency-10000"
trace_start "$work/latency.nettrace"
"${bench[@]}" run --target "orleans=$uri" --pid "orleans=$pid" --runs 1 --scenarios latency-10000 2>&1 | grep '^\[' >&2 || true
trace_stop
{
  echo "# EventPipe: OrleansBroker during latency-10000 (12 s at 10,000 msg/s; $(date -u +%F))"
  "${bench[@]}" alloc-report "$work/latency.nettrace" --messages 120000 --top 8
} > "$results/profile-latency-gc.txt"

log "wrote $results/profile-cpu.txt, profile-alloc.txt, profile-latency-gc.txt"
head -30 "$results/profile-cpu.txt"; cat "$results/profile-alloc.txt" "$results/profile-latency-gc.txt"
