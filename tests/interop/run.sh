#!/usr/bin/env bash
# Interop tests: unchanged third-party AMQP clients (RabbitMQ's pika tutorials, amqplib) against a broker.
#
#   tests/interop/run.sh                                 build OrleansBroker, start it on a free loopback
#                                                        port with a temporary data dir, run, stop it
#   INTEROP_TARGET=127.0.0.1:5673 tests/interop/run.sh   run against a broker that is already running,
#   tests/interop/run.sh --target 127.0.0.1:5673         e.g. the reference RabbitMQ, the yardstick
#
# Settings (environment): INTEROP_CONFIGURATION (Release), INTEROP_NO_BUILD=1 (use the last build),
# INTEROP_READY_TIMEOUT seconds to wait for "OrleansBroker ready" (90), INTEROP_PYTHON (/usr/bin/python3:
# Debian's python3-pika is importable only from Debian's interpreter), INTEROP_NODE (node), INTEROP_KEEP=1
# (keep the broker's temporary directory and log). amqplib comes from `npm ci` in tests/interop/amqplib.
# A missing client is skipped with a message, unless INTEROP_REQUIRE_PIKA=1 / INTEROP_REQUIRE_AMQPLIB=1 (CI).
#
# Output ends with a line "N passed, N failed": the tutorials, the reliability patterns (dead-lettering
# after TTL, retry through a delay queue), the amqplib checks, plus one check of the
# broker's own lifecycle when this script runs it (it started, said ready, and exited 0 on SIGTERM).
# Exit status is non-zero when anything failed.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
target=${INTEROP_TARGET:-}
while [ $# -gt 0 ]; do
  case $1 in
    --target) target=${2:?--target needs HOST:PORT}; shift 2 ;;
    --target=*) target=${1#--target=}; shift ;;
    -h|--help) sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
configuration=${INTEROP_CONFIGURATION:-Release}
ready_timeout=${INTEROP_READY_TIMEOUT:-90}
python=${INTEROP_PYTHON:-/usr/bin/python3}
[ -x "$python" ] || python=$(command -v python3 || echo python3)
node=${INTEROP_NODE:-node}
tutorial_count=7 reliability_count=2 amqplib_count=3
check_count=$(( tutorial_count + reliability_count + amqplib_count ))

# No build servers or reused MSBuild nodes left running after we are done.
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0 \
       UseSharedCompilation=false

broker_pid='' workdir='' lifecycle='' passed=0 failed=0

section() { printf '\n---- %s ----\n' "$*"; }

cleanup() {
  if [ -n "$broker_pid" ] && kill -0 "$broker_pid" 2>/dev/null; then
    kill -KILL -- "-$broker_pid" 2>/dev/null || kill -KILL "$broker_pid" 2>/dev/null
    wait "$broker_pid" 2>/dev/null
  fi
  if [ -n "$workdir" ] && [ -z "${INTEROP_KEEP:-}" ]; then rm -rf "$workdir"; fi
}
trap cleanup EXIT
trap 'echo "run.sh: interrupted" >&2; exit 130' INT TERM

show_log() {
  echo "     --- broker log (last 40 lines of $workdir/broker.log):"
  tail -n 40 "$workdir/broker.log" 2>/dev/null | sed 's/^/     /'
}

finish() {   # print the summary line and exit with the overall status
  section "interop summary"
  printf '%s passed, %s failed\n' "$passed" "$failed"
  [ "$failed" -eq 0 ]
  exit
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Starts the broker on a free port; sets broker_pid and port. Returns 1 if it did not get ready.
start_broker() {
  local attempt deadline
  for attempt in 1 2 3; do
    port=$(( 20000 + RANDOM % 40000 ))
    port_free "$port" || continue
    rm -rf "$workdir/data"; mkdir -p "$workdir/data"
    # `dotnet run` would add a second process between us and the broker (and SIGTERM to it does not
    # reach the broker the same way), so run the built assembly directly, in its own process group.
    setsid dotnet "$dll" --amqp-port "$port" --bind 127.0.0.1 --data-dir "$workdir/data" \
      >"$workdir/broker.log" 2>&1 </dev/null &
    broker_pid=$!
    deadline=$(( SECONDS + ready_timeout ))
    while [ "$SECONDS" -lt "$deadline" ]; do
      grep -q '^OrleansBroker ready' "$workdir/broker.log" && return 0
      kill -0 "$broker_pid" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$broker_pid" 2>/dev/null; then
      echo "FAIL broker: no 'OrleansBroker ready' line within ${ready_timeout}s"
      return 1
    fi
    wait "$broker_pid"; local code=$?; broker_pid=''
    if grep -qi 'address already in use' "$workdir/broker.log"; then
      echo "note: port $port was taken meanwhile; trying another"
      continue
    fi
    echo "FAIL broker: exited with code $code before it was ready"
    return 1
  done
  echo "FAIL broker: found no free port to start on"
  return 1
}

# Sends SIGTERM and expects exit code 0 within 30s.
stop_broker() {
  local deadline=$(( SECONDS + 30 )) code pid=$broker_pid
  kill -TERM "$broker_pid" 2>/dev/null
  while kill -0 "$broker_pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
  if kill -0 "$broker_pid" 2>/dev/null; then
    kill -KILL -- "-$broker_pid" 2>/dev/null || kill -KILL "$broker_pid" 2>/dev/null
    wait "$broker_pid" 2>/dev/null; broker_pid=''
    echo "FAIL broker lifecycle: still running 30s after SIGTERM; killed"
    return 1
  fi
  wait "$broker_pid"; code=$?; broker_pid=''
  # Anything left in the broker's process group would be a stray.
  kill -KILL -- "-$pid" 2>/dev/null
  if [ "$code" -ne 0 ]; then
    echo "FAIL broker lifecycle: exited with code $code on SIGTERM (expected 0)"
    return 1
  fi
  echo "PASS broker lifecycle: started, said ready, exited 0 on SIGTERM"
}

if [ -z "$target" ]; then
  workdir=$(mktemp -d "${TMPDIR:-/tmp}/orleansbroker-interop.XXXXXX")
  if [ -z "${INTEROP_NO_BUILD:-}" ]; then
    section "building src/Silo ($configuration)"
    if ! timeout 900 dotnet build "$root/src/Silo" -c "$configuration" -nologo -v quiet; then
      echo "FAIL broker: build failed"
      failed=$(( check_count + 1 )); finish
    fi
  fi
  dll=$(ls "$root"/src/Silo/bin/"$configuration"/*/OrleansBroker.Silo.dll 2>/dev/null | head -n 1)
  if [ -z "$dll" ]; then
    echo "FAIL broker: no OrleansBroker.Silo.dll under src/Silo/bin/$configuration (build first)"
    failed=$(( check_count + 1 )); finish
  fi
  section "starting OrleansBroker"
  if ! start_broker; then
    show_log
    failed=$(( check_count + 1 )); finish
  fi
  echo "$(grep -m1 '^OrleansBroker ready' "$workdir/broker.log") (pid $broker_pid)"
  target=127.0.0.1:$port
  names=--official-names   # a fresh broker of our own: the tutorials' exact queue and exchange names
else
  names=''                 # a shared broker: suffixed names, deleted afterwards
fi

section "pika tutorials against $target"
out=$(mktemp "${TMPDIR:-/tmp}/interop-pika.XXXXXX")
# The driver bounds itself (about 2 minutes at worst); timeout is the backstop.
timeout -k 10 240 "$python" "$here/pika/run_tutorials.py" "$target" $names | tee "$out"
status=${PIPESTATUS[0]}
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -n 1)
if [ -n "$summary" ]; then
  passed=${summary%% passed*}
  failed=${summary#*, }; failed=${failed%% failed}
elif grep -q '^SKIPPED' "$out"; then
  :   # no pika: nothing ran, nothing failed
else
  echo "FAIL pika tutorials: the driver ended (status $status) without a summary line"
  failed=$tutorial_count
fi
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "FAIL pika tutorials: the driver exited with status $status"
  failed=1
fi
rm -f "$out"

section "pika reliability patterns against $target"
out=$(mktemp "${TMPDIR:-/tmp}/interop-reliability.XXXXXX")
# Each scenario waits at most 10 s for a message; timeout is the backstop.
timeout -k 10 120 "$python" "$here/pika/reliability.py" "$target" | tee "$out"
status=${PIPESTATUS[0]}
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -n 1)
reliability_failed=0
if [ -n "$summary" ]; then
  reliability_failed=${summary#*, }; reliability_failed=${reliability_failed%% failed}
  passed=$(( passed + ${summary%% passed*} ))
elif ! grep -q '^SKIPPED' "$out"; then
  echo "FAIL pika reliability: the driver ended (status $status) without a summary line"
  reliability_failed=$reliability_count
fi
if [ "$status" -ne 0 ] && [ "$reliability_failed" -eq 0 ]; then
  echo "FAIL pika reliability: the driver exited with status $status"
  reliability_failed=1
fi
failed=$(( failed + reliability_failed ))
rm -f "$out"

section "amqplib against $target"
if ! command -v "$node" >/dev/null; then
  message="Node.js is not installed (apt-get install nodejs npm, then npm ci in tests/interop/amqplib)"
  if [ "${INTEROP_REQUIRE_AMQPLIB:-}" = 1 ]; then
    echo "FAIL amqplib: $message, and INTEROP_REQUIRE_AMQPLIB=1"
    failed=$(( failed + 1 ))
  else
    echo "SKIPPED: $message"
  fi
else
  out=$(mktemp "${TMPDIR:-/tmp}/interop-amqplib.XXXXXX")
  # Each check bounds itself (60 s); timeout is the backstop.
  timeout -k 10 300 "$node" "$here/amqplib/run.js" "$target" | tee "$out"
  status=${PIPESTATUS[0]}
  summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -n 1)
  amqplib_failed=0
  if [ -n "$summary" ]; then
    amqplib_failed=${summary#*, }; amqplib_failed=${amqplib_failed%% failed}
    passed=$(( passed + ${summary%% passed*} ))
  elif grep -q '^SKIPPED' "$out"; then
    :   # amqplib not installed: nothing ran, nothing failed
  else
    echo "FAIL amqplib: the driver ended (status $status) without a summary line"
    amqplib_failed=$amqplib_count
  fi
  if [ "$status" -ne 0 ] && [ "$amqplib_failed" -eq 0 ]; then
    echo "FAIL amqplib: the driver exited with status $status"
    amqplib_failed=1
  fi
  failed=$(( failed + amqplib_failed ))
  rm -f "$out"
fi

if [ -n "$workdir" ]; then
  section "stopping OrleansBroker"
  if stop_broker; then passed=$(( passed + 1 )); else failed=$(( failed + 1 )); fi
  if [ "$failed" -gt 0 ]; then show_log; fi
fi
finish
