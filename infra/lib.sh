# shellcheck shell=bash
# Shared helpers for infra/*.sh (sourced, not executed).
#
# Layout (all under the repo root, .infra/ is gitignored):
#   .infra/kafka/{pom.xml,lib/,data/,server.properties,log4j.properties,kafka.log,kafka.pid}
#   .infra/mongo/{pom.xml,lib/,classes/,data/crm.mv.db,mongo.log,mongo.pid}
#   .infra/env   KAFKA_BROKERS=... / MONGO_URL=...

INFRA_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$INFRA_SRC/.." && pwd)"
INFRA_HOME="${INFRA_HOME:-$REPO_ROOT/.infra}"

if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
  JAVA_BIN="$JAVA_HOME/bin/java"
  JAVAC_BIN="$JAVA_HOME/bin/javac"
else
  JAVA_BIN="$(command -v java || true)"
  JAVAC_BIN="$(command -v javac || true)"
fi
MVN_BIN="${MVN_BIN:-$(command -v mvn || true)}"
NODE_BIN="${NODE_BIN:-$(command -v node || true)}"
# Pinned so that the install does not depend on Maven's default plugin version.
DEPENDENCY_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.8.1"

infra_log() { printf '[infra %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
infra_die() { printf '[infra] ERROR: %s\n' "$*" >&2; exit 1; }

infra_require_tools() {
  local tool
  for tool in "$@"; do
    case "$tool" in
      java)  [[ -n "$JAVA_BIN" ]]  || infra_die "java not found (JDK 17+ needed)";;
      javac) [[ -n "$JAVAC_BIN" ]] || infra_die "javac not found (a JDK, not a JRE, is needed)";;
      mvn)   [[ -n "$MVN_BIN" ]]   || infra_die "mvn not found (Maven 3 is needed for the first install)";;
      node)  [[ -n "$NODE_BIN" ]]  || infra_die "node not found";;
    esac
  done
}

# infra_pid_alive PIDFILE MARKER -> 0 if the pid in PIDFILE runs a command line containing MARKER
infra_pid_alive() {
  local pidfile="$1" marker="$2" pid
  [[ -s "$pidfile" ]] || return 1
  pid="$(<"$pidfile")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [[ -r "/proc/$pid/cmdline" ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$marker"
}

infra_pid() { [[ -s "$1" ]] && cat "$1"; }

# infra_port_open HOST PORT -> 0 if something accepts TCP connections there
infra_port_open() {
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# Describe who listens on a port (best effort, for error messages).
infra_port_owner() {
  local port="$1"
  if command -v ss >/dev/null 2>&1; then
    ss -ltnpH "sport = :$port" 2>/dev/null | head -3
  fi
}

# infra_wait_port HOST PORT SECONDS PIDFILE MARKER -> waits until the port accepts
# connections; fails early if the process died.
infra_wait_port() {
  local host="$1" port="$2" timeout="$3" pidfile="$4" marker="$5"
  local deadline=$((SECONDS + timeout))
  while (( SECONDS < deadline )); do
    infra_port_open "$host" "$port" && return 0
    infra_pid_alive "$pidfile" "$marker" || return 2
    sleep 0.2
  done
  return 1
}

# infra_stop PIDFILE MARKER NAME [TERM_TIMEOUT_SECONDS] -> SIGTERM, wait, SIGKILL; removes PIDFILE
infra_stop() {
  local pidfile="$1" marker="$2" name="$3" timeout="${4:-30}" pid i
  if ! infra_pid_alive "$pidfile" "$marker"; then
    rm -f "$pidfile"
    infra_log "$name is not running"
    return 0
  fi
  pid="$(<"$pidfile")"
  infra_log "stopping $name (pid $pid, SIGTERM, up to ${timeout}s)"
  kill -TERM "$pid" 2>/dev/null || true
  kill -CONT "$pid" 2>/dev/null || true   # in case it was paused
  for ((i = 0; i < timeout * 5; i++)); do
    [[ -d "/proc/$pid" ]] || break
    # a zombie counts as gone
    [[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" == "Z" ]] && break
    sleep 0.2
  done
  if [[ -d "/proc/$pid" ]] && infra_pid_alive "$pidfile" "$marker"; then
    infra_log "$name did not stop in ${timeout}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
      [[ -d "/proc/$pid" ]] || break
      sleep 0.1
    done
  fi
  rm -f "$pidfile"
  infra_log "$name stopped"
}

# infra_kill PIDFILE MARKER NAME -> immediate SIGKILL (crash simulation); removes PIDFILE
infra_kill() {
  local pidfile="$1" marker="$2" name="$3" pid i
  if ! infra_pid_alive "$pidfile" "$marker"; then
    rm -f "$pidfile"
    infra_log "$name is not running"
    return 0
  fi
  pid="$(<"$pidfile")"
  infra_log "killing $name (pid $pid, SIGKILL)"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    [[ -d "/proc/$pid" ]] || break
    [[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" == "Z" ]] && break
    sleep 0.1
  done
  rm -f "$pidfile"
}

# infra_signal PIDFILE MARKER NAME SIGNAL -> pause/resume helpers (SIGSTOP/SIGCONT)
infra_signal() {
  local pidfile="$1" marker="$2" name="$3" sig="$4"
  infra_pid_alive "$pidfile" "$marker" || infra_die "$name is not running"
  kill "-$sig" "$(<"$pidfile")"
  infra_log "sent SIG$sig to $name (pid $(<"$pidfile"))"
}

# infra_spawn PIDFILE LOGFILE CMD... -> starts CMD detached (own session, stdin from
# /dev/null, output appended to LOGFILE) and writes its pid to PIDFILE.
infra_spawn() {
  local pidfile="$1" logfile="$2"
  shift 2
  rm -f "$pidfile"
  printf '\n===== %s starting: %s\n' "$(date '+%Y-%m-%d %H:%M:%S')" "$*" >>"$logfile"
  # The inner shell records its own pid and then execs the server, so the pid
  # file holds the server's pid whether or not setsid had to fork.
  INFRA_PIDFILE="$pidfile" setsid bash -c 'echo $$ >"$INFRA_PIDFILE"; exec "$@"' infra-spawn "$@" \
    </dev/null >>"$logfile" 2>&1 &
  local i
  for ((i = 0; i < 50; i++)); do
    [[ -s "$pidfile" ]] && return 0
    sleep 0.1
  done
  infra_die "could not start: $* (no pid file)"
}

# Keep logs from growing without bound across many restarts.
infra_rotate_log() {
  local logfile="$1" max_bytes="${2:-52428800}"
  if [[ -f "$logfile" ]] && (( $(stat -c %s "$logfile") > max_bytes )); then
    mv -f "$logfile" "$logfile.1"
  fi
}

infra_log_tail() {
  local logfile="$1" lines="${2:-60}"
  if [[ -f "$logfile" ]]; then
    printf -- '----- last %s lines of %s -----\n' "$lines" "$logfile" >&2
    tail -n "$lines" "$logfile" >&2
    printf -- '----- end of %s -----\n' "$logfile" >&2
  else
    printf '(no log file %s)\n' "$logfile" >&2
  fi
}

# infra_collect_jars POM_SRC WORKDIR -> copies POM_SRC to WORKDIR/pom.xml and the runtime
# jars into WORKDIR/lib, unless WORKDIR/lib.stamp matches the pom's checksum.
# Returns 0 if it (re)installed, 1 if the cache was already up to date.
infra_collect_jars() {
  local pom_src="$1" workdir="$2" sum
  sum="$(sha256sum "$pom_src" | cut -d' ' -f1)"
  if [[ -f "$workdir/lib.stamp" && "$(<"$workdir/lib.stamp")" == "$sum" && -d "$workdir/lib" ]]; then
    return 1
  fi
  infra_require_tools mvn
  mkdir -p "$workdir"
  cp -f "$pom_src" "$workdir/pom.xml"
  rm -rf "$workdir/lib" "$workdir/lib.tmp"
  infra_log "downloading jars for $(basename "$(dirname "$pom_src")") from Maven Central (first run only)"
  local mvn_args=(-B -q -f "$workdir/pom.xml")
  [[ -n "${INFRA_M2_REPO:-}" ]] && mvn_args+=("-Dmaven.repo.local=$INFRA_M2_REPO")
  if ! "$MVN_BIN" "${mvn_args[@]}" "$DEPENDENCY_PLUGIN:copy-dependencies" \
      -DincludeScope=runtime -DoutputDirectory="$workdir/lib.tmp" >"$workdir/mvn.log" 2>&1; then
    tail -n 40 "$workdir/mvn.log" >&2
    infra_die "maven could not collect the jars (see $workdir/mvn.log)"
  fi
  mv "$workdir/lib.tmp" "$workdir/lib"
  echo "$sum" >"$workdir/lib.stamp"
  return 0
}
