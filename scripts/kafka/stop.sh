#!/usr/bin/env bash
# Stops the broker that start.sh started on KAFKA_PORT: SIGTERM (a controlled shutdown that flushes the log),
# then SIGKILL if it has not exited within KAFKA_STOP_TIMEOUT seconds. Stopping a broker that does not run is
# a no-op. `--wipe` also removes its data folder, so the next start formats a fresh one.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=common.sh
. "$HERE/common.sh"

STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
WIPE=0
[ "${1:-}" = "--wipe" ] && WIPE=1
say() { echo "kafka[$KAFKA_PORT]: $*" >&2; }

if pid="$(kafka_running_pid)"; then
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$(( $(date +%s) + STOP_TIMEOUT ))
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      say "no exit ${STOP_TIMEOUT}s after SIGTERM; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.2
  done
  # Until the port is free a new broker on it cannot bind.
  while kill -0 "$pid" 2>/dev/null || kafka_port_open "$KAFKA_PORT"; do sleep 0.1; done
  say "stopped (pid $pid)"
else
  say "not running"
fi
rm -f "$KAFKA_PID_FILE"
if [ "$WIPE" = 1 ]; then
  rm -rf "$KAFKA_STATE_DIR"
  say "removed $KAFKA_STATE_DIR"
fi
