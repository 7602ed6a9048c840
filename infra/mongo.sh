#!/usr/bin/env bash
# Local MongoDB-wire-compatible server (mongo-java-server + H2 MVStore on disk) for tests.
#
# usage: bash infra/mongo.sh install|start|stop|restart|kill|pause|resume|status|wait|logs|wipe
#   install  download the jars (Maven Central) into .infra/mongo/lib and compile the launcher
#   start    install if needed, start in the background, wait until ready
#   stop     SIGTERM (closes the data file cleanly), SIGKILL after MONGO_STOP_TIMEOUT s (default 20)
#   kill     SIGKILL at once (crash simulation)
#   pause / resume   SIGSTOP / SIGCONT
#   status   prints state; exit 0 if running, 3 if not
#   wait     wait until the server answers (mongodb driver ping + insert/find)
#   logs     tail -f the server log
#   wipe     stop and delete the data file (jars kept)
#
# env: MONGO_HOST (127.0.0.1), MONGO_PORT (27017), MONGO_DB (crm),
#      MONGO_HEAP_OPTS (-Xms1536m -Xmx1536m), MONGO_GC_OPTS (-XX:+UseG1GC -XX:MaxGCPauseMillis=50), MONGO_CACHE_MB (32: page cache), MONGO_SERVER_VERSION (4.4.0), MONGO_WIRE_VERSION (9),
#      MONGO_COMMIT (write|interval, default write), MONGO_OPLOG (0|1, default 0), MONGO_VALUE_FORMAT (bson|java, default bson),
#      MONGO_SESSIONS (1|0, default 1: advertise logical sessions; transactions are always refused),
#      MONGO_WAIT_TIMEOUT (60), MONGO_STOP_TIMEOUT (20)
set -euo pipefail
# shellcheck source=infra/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MONGO_HOST="${MONGO_HOST:-127.0.0.1}"
MONGO_PORT="${MONGO_PORT:-27017}"
MONGO_DB="${MONGO_DB:-crm}"
# The H2 pages a write replaces live for seconds, long enough to reach the old generation, where
# they die. With the serial collector on a heap that starts small (-Xms64m -Xmx768m, the old
# default) the old generation stays about 230 MB under the pipeline bench and a full collection of
# about 200 ms stops every client every few seconds. Measured with bench:pipeline (whole path cmd/s,
# lag p99 at 500 cmd/s; the first run after a restart is cold):
#   serial, -Xms64m -Xmx768m, 128 MB cache       882 / 1,022 cmd/s, 300 / 345 ms (26 full GCs of 200 ms)
#   ZGC                                          788 / 911 cmd/s, 218 / 247 ms
#   Shenandoah                                   675 / 923 cmd/s, 253 / 260 ms
#   parallel                                     865 / 1,017 cmd/s, 424 / 396 ms
#   serial, -Xms1g -Xmx1g -Xmn384m               830 / 1,054 and 829 / 985 cmd/s, 206 / 220 and 226 / 251 ms
#   serial, -Xms1g -Xmx1g -Xmn256m               852 / 1,017 cmd/s, 176 / 175 ms (2 full GCs of 500 ms)
#   serial, -Xms1536m -Xmx1536m -Xmn384m         843 / 991 cmd/s, 168 / 178 ms (young pauses 106 ms)
#   serial, -Xms1536m -Xmx1536m -Xmn256m         820 / 962 / 926 / 907 cmd/s, 266 / 243 / 181 / 190 ms
#                                                (2 full GCs of 630 ms in the four runs)
#   the same with a 32 MB page cache             740 / 940 / 1,003 / 974 / 954 cmd/s,
#                                                181 / 184 / 145 / 135 / 472 ms (one full GC of 520 ms
#                                                in the last run: one about every four runs)
#   G1, 50 ms pause goal, -Xms1536m -Xmx1536m,   758 / 876 / 1,035 / 970 cmd/s, 154 / 237 / 243 / 195 ms
#     32 MB page cache (the defaults)            (no full GC; young pauses 47 ms)
# G1 gives up a little p99 in a good run for never stopping everything for half a second.
# Set MONGO_HEAP_OPTS, MONGO_GC_OPTS and MONGO_CACHE_MB to choose others.
MONGO_HEAP_OPTS="${MONGO_HEAP_OPTS:--Xms1536m -Xmx1536m}"
MONGO_GC_OPTS="${MONGO_GC_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=50}"
MONGO_WAIT_TIMEOUT="${MONGO_WAIT_TIMEOUT:-60}"
MONGO_STOP_TIMEOUT="${MONGO_STOP_TIMEOUT:-20}"
export MONGO_SERVER_VERSION="${MONGO_SERVER_VERSION:-4.4.0}"
export MONGO_WIRE_VERSION="${MONGO_WIRE_VERSION:-9}"
export MONGO_COMMIT="${MONGO_COMMIT:-write}"
export MONGO_OPLOG="${MONGO_OPLOG:-0}"
export MONGO_SESSIONS="${MONGO_SESSIONS:-1}"

M_HOME="$INFRA_HOME/mongo"
M_LIB="$M_HOME/lib"
M_CLASSES="$M_HOME/classes"
M_DATA="$M_HOME/data"
M_FILE="$M_DATA/mongo.mv.db"
M_LOG="$M_HOME/mongo.log"
M_PID="$M_HOME/mongo.pid"
M_MARKER="-Dinfra.mongo.home=$M_HOME"  # unique per .infra dir; part of the server command line
M_SRC="$INFRA_SRC/mongo/MongoLauncher.java"

mongo_url() { echo "mongodb://$MONGO_HOST:$MONGO_PORT/$MONGO_DB"; }

mongo_install() {
  infra_require_tools java javac
  local fresh=0
  if infra_collect_jars "$INFRA_SRC/mongo/pom.xml" "$M_HOME"; then
    fresh=1
    infra_log "mongo-java-server jars installed ($(ls "$M_LIB" | wc -l) jars)"
  fi
  local src_sum
  src_sum="$(cat "$M_SRC" "$M_HOME/lib.stamp" | sha256sum | cut -d' ' -f1)"
  if (( fresh )) || [[ ! -f "$M_CLASSES/.stamp" || "$(<"$M_CLASSES/.stamp")" != "$src_sum" ]]; then
    infra_log "compiling $M_SRC"
    rm -rf "$M_CLASSES"
    mkdir -p "$M_CLASSES"
    "$JAVAC_BIN" -nowarn -encoding UTF-8 --release 17 -cp "$M_LIB/*" -d "$M_CLASSES" "$M_SRC" \
      || infra_die "javac failed for $M_SRC"
    echo "$src_sum" >"$M_CLASSES/.stamp"
  fi
}

mongo_wait() {
  infra_require_tools node
  if ! infra_wait_port "$MONGO_HOST" "$MONGO_PORT" "$MONGO_WAIT_TIMEOUT" "$M_PID" "$M_MARKER"; then
    infra_log_tail "$M_LOG" 60
    if infra_pid_alive "$M_PID" "$M_MARKER"; then
      infra_die "mongo did not open $MONGO_HOST:$MONGO_PORT within ${MONGO_WAIT_TIMEOUT}s"
    fi
    rm -f "$M_PID"
    infra_die "mongo exited during startup (see $M_LOG)"
  fi
  if ! MONGO_URL="$(mongo_url)" "$NODE_BIN" "$INFRA_SRC/wait-mongo.js" --timeout "$MONGO_WAIT_TIMEOUT"; then
    infra_log_tail "$M_LOG" 60
    infra_die "mongo is not answering on $MONGO_HOST:$MONGO_PORT"
  fi
}

mongo_start() {
  if infra_pid_alive "$M_PID" "$M_MARKER"; then
    infra_log "mongo already running (pid $(<"$M_PID"), $MONGO_HOST:$MONGO_PORT)"
    mongo_wait
    return 0
  fi
  rm -f "$M_PID"
  if infra_port_open "$MONGO_HOST" "$MONGO_PORT"; then
    infra_port_owner "$MONGO_PORT" >&2
    infra_die "port $MONGO_HOST:$MONGO_PORT is already in use by a process not started by infra/mongo.sh (set MONGO_PORT)"
  fi
  mongo_install
  mkdir -p "$M_DATA"
  infra_rotate_log "$M_LOG"
  infra_log "starting mongo-java-server on $MONGO_HOST:$MONGO_PORT (data $M_FILE)"
  export MONGO_HOST MONGO_PORT MONGO_DATA_FILE="$M_FILE"
  # shellcheck disable=SC2086
  infra_spawn "$M_PID" "$M_LOG" "$JAVA_BIN" $MONGO_HEAP_OPTS $MONGO_GC_OPTS \
    -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true "$M_MARKER" \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=info \
    -Dorg.slf4j.simpleLogger.showDateTime=true \
    "-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd HH:mm:ss.SSS" \
    -Dorg.slf4j.simpleLogger.log.de.bwaldvogel.mongo.wire=warn \
    -Dorg.slf4j.simpleLogger.log.de.bwaldvogel.mongo.backend=warn \
    -Dorg.slf4j.simpleLogger.log.io.netty=warn \
    -cp "$M_CLASSES:$M_LIB/*" MongoLauncher
  mongo_wait
  infra_log "mongo ready (pid $(<"$M_PID"), $(mongo_url))"
}

mongo_status() {
  if infra_pid_alive "$M_PID" "$M_MARKER"; then
    local state
    state="$(awk '{print $3}' "/proc/$(<"$M_PID")/stat" 2>/dev/null || echo '?')"
    if [[ "$state" == "T" ]]; then
      echo "mongo: paused (pid $(<"$M_PID"), $MONGO_HOST:$MONGO_PORT)"
    elif infra_port_open "$MONGO_HOST" "$MONGO_PORT"; then
      echo "mongo: running (pid $(<"$M_PID"), $(mongo_url))"
    else
      echo "mongo: starting (pid $(<"$M_PID"), port $MONGO_PORT not open yet)"
    fi
    return 0
  fi
  echo "mongo: stopped"
  return 3
}

cmd="${1:-status}"
case "$cmd" in
  install) mongo_install ;;
  start) mongo_start ;;
  stop) infra_stop "$M_PID" "$M_MARKER" mongo "$MONGO_STOP_TIMEOUT" ;;
  restart) infra_stop "$M_PID" "$M_MARKER" mongo "$MONGO_STOP_TIMEOUT"; mongo_start ;;
  kill) infra_kill "$M_PID" "$M_MARKER" mongo ;;
  pause) infra_signal "$M_PID" "$M_MARKER" mongo STOP ;;
  resume) infra_signal "$M_PID" "$M_MARKER" mongo CONT ;;
  status) mongo_status ;;
  wait) mongo_wait ;;
  url) mongo_url ;;
  logs) exec tail -n 100 -F "$M_LOG" ;;
  wipe)
    infra_stop "$M_PID" "$M_MARKER" mongo "$MONGO_STOP_TIMEOUT"
    rm -rf "$M_DATA"
    infra_log "mongo data wiped"
    ;;
  *) echo "usage: $0 install|start|stop|restart|kill|pause|resume|status|wait|url|logs|wipe" >&2; exit 2 ;;
esac
