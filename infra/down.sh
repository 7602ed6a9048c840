#!/usr/bin/env bash
# Stops the local test servers started by infra/up.sh (SIGTERM, wait, then SIGKILL)
# and removes their pid files. Data is kept unless --wipe is given (jars stay cached).
#
# usage: bash infra/down.sh [--wipe] [kafka] [mongo]     (default: both)
set -euo pipefail
# shellcheck source=infra/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

wipe=0
services=()
for arg in "$@"; do
  case "$arg" in
    --wipe) wipe=1 ;;
    kafka|mongo) services+=("$arg") ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) infra_die "unknown argument '$arg' (expected --wipe, kafka, mongo)" ;;
  esac
done
(( ${#services[@]} )) || services=(kafka mongo)

declare -A pids=()
for svc in "${services[@]}"; do
  if (( wipe )); then
    bash "$INFRA_SRC/$svc.sh" wipe &
  else
    bash "$INFRA_SRC/$svc.sh" stop &
  fi
  pids[$svc]=$!
done
rc=0
for svc in "${!pids[@]}"; do
  wait "${pids[$svc]}" || rc=1
done
if (( ${#services[@]} == 2 )); then
  rm -f "$INFRA_HOME/env"
fi
exit "$rc"
