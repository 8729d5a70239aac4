# Settings shared by start.sh and stop.sh: where the jars, the data and the broker's pid live.
# Sourced, not run. Everything can be overridden from the environment; see docs/kafka.md.

KAFKA_VERSION="${KAFKA_VERSION:-4.4.0}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
# The KRaft controller listens next to the broker, so a second broker on another port needs nothing else.
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$((KAFKA_PORT + 1))}"
AURORA_LOGS_CACHE="${AURORA_LOGS_CACHE:-$HOME/.cache/aurora-logs}"
KAFKA_HOME="${KAFKA_HOME:-$AURORA_LOGS_CACHE/kafka-$KAFKA_VERSION}"
# One state folder per port: data (kept across stop/start, so a restart keeps the log), config, pid, log.
KAFKA_STATE_DIR="${KAFKA_STATE_DIR:-${TMPDIR:-/tmp}/aurora-logs-kafka-$KAFKA_PORT}"
KAFKA_PID_FILE="$KAFKA_STATE_DIR/kafka.pid"
KAFKA_LOG_FILE="$KAFKA_STATE_DIR/kafka.log"
JAVA="${JAVA:-java}"

kafka_running_pid() {
  local pid
  [ -f "$KAFKA_PID_FILE" ] || return 1
  pid="$(cat "$KAFKA_PID_FILE" 2>/dev/null)"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  # A pid reused by an unrelated process after a crash is not our broker.
  tr "\0" " " <"/proc/$pid/cmdline" 2>/dev/null | grep -q " kafka.Kafka " || return 1
  echo "$pid"
}

kafka_port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
