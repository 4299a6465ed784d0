#!/bin/sh
# The container's entry point: puts what Kubernetes' downward API gives a pod into the broker's settings, then runs the
# broker in its place (exec), with the container's arguments as its switches.
#
#   POD_NAME  -> ORLEANSBROKER_Broker__NodeName          a queue's home is its node's name: the StatefulSet's stable pod
#                                                        name survives restarts and rescheduling, the pod IP does not
#   POD_IP    -> ORLEANSBROKER_Broker__AdvertiseAddress  where the other silos reach this one
#
# A setting already given, in any case, wins (the broker reads ORLEANSBROKER_ variables case-insensitively, so a second
# spelling of the same key would leave which one counts to chance). Switches win over both.
set -eu

is_set() {
  env | grep -qi "^$1="
}

if [ -n "${POD_NAME:-}" ] && ! is_set ORLEANSBROKER_Broker__NodeName; then
  export ORLEANSBROKER_Broker__NodeName="$POD_NAME"
fi
if [ -n "${POD_IP:-}" ] && ! is_set ORLEANSBROKER_Broker__AdvertiseAddress; then
  export ORLEANSBROKER_Broker__AdvertiseAddress="$POD_IP"
fi

exec dotnet "$(dirname "$0")/OrleansBroker.Silo.dll" "$@"
