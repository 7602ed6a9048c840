#!/usr/bin/env bash
# Installs (first run only) and starts the local test servers without Docker:
#   - Apache Kafka 3.9 single node, KRaft        (infra/kafka.sh)
#   - mongo-java-server with on-disk H2 storage  (infra/mongo.sh)
# then writes .infra/env (KAFKA_BROKERS=..., MONGO_URL=...).
# Idempotent: servers already running are only checked, not started twice.
#
# usage: bash infra/up.sh [kafka] [mongo]     (default: both)
# env: see infra/kafka.sh and infra/mongo.sh (KAFKA_PORT, MONGO_PORT, MONGO_DB, ...)
set -euo pipefail
# shellcheck source=infra/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
infra_require_tools java node

services=("$@")
(( ${#services[@]} )) || services=(kafka mongo)

mkdir -p "$INFRA_HOME"
started_at=$SECONDS

# First install: download both jar sets up front (sequentially, Maven shares ~/.m2),
# then start the two servers in parallel (each waits for its own readiness).
for svc in "${services[@]}"; do
  case "$svc" in
    kafka|mongo) bash "$INFRA_SRC/$svc.sh" install ;;
    *) infra_die "unknown service '$svc' (expected kafka and/or mongo)" ;;
  esac
done

declare -A pids=()
for svc in "${services[@]}"; do
  bash "$INFRA_SRC/$svc.sh" start &
  pids[$svc]=$!
done
failed=()
for svc in "${!pids[@]}"; do
  wait "${pids[$svc]}" || failed+=("$svc")
done
if (( ${#failed[@]} )); then
  infra_die "could not start: ${failed[*]} (the servers that did start are left running; bash infra/down.sh stops them)"
fi

KAFKA_HOST="${KAFKA_HOST:-127.0.0.1}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
MONGO_HOST="${MONGO_HOST:-127.0.0.1}"
MONGO_PORT="${MONGO_PORT:-27017}"
MONGO_DB="${MONGO_DB:-crm}"
env_file="$INFRA_HOME/env"
tmp="$env_file.tmp.$$"
{
  echo "# written by infra/up.sh on $(date '+%Y-%m-%d %H:%M:%S'); load in a shell with: set -a; . $env_file; set +a"
  echo "KAFKA_BROKERS=$KAFKA_HOST:$KAFKA_PORT"
  echo "MONGO_URL=mongodb://$MONGO_HOST:$MONGO_PORT/$MONGO_DB"
} >"$tmp"
mv -f "$tmp" "$env_file"

infra_log "up in $((SECONDS - started_at))s; $env_file:"
grep -v '^#' "$env_file" >&2
