#!/usr/bin/env bash
# Starts a single-node Apache Kafka (KRaft: broker and controller in one JVM) on 127.0.0.1 for tests and
# development, from the Maven Central jars (fetched once into the cache folder), and returns once the broker
# answers a metadata request. Starting a broker that already runs is a no-op; the data folder is kept across
# stop/start, so a restarted broker still has its log (`stop.sh --wipe` removes it).
#
#   KAFKA_PORT=9092 bash scripts/kafka/start.sh      (see docs/kafka.md for every setting)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=common.sh
. "$HERE/common.sh"

START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
T0=$(date +%s%N)
say() { echo "kafka[$KAFKA_PORT]: $*" >&2; }
elapsed() { echo "$(( ($(date +%s%N) - T0) / 1000000 )) ms"; }

if pid="$(kafka_running_pid)"; then
  say "already running (pid $pid), $KAFKA_LOG_FILE"
  exit 0
fi
if kafka_port_open "$KAFKA_PORT"; then
  say "port $KAFKA_PORT is taken by another process; set KAFKA_PORT to use another one"
  exit 1
fi
command -v "$JAVA" >/dev/null || { say "java not found: Kafka 4 needs Java 17+ (apt-get install openjdk-17-jre-headless)"; exit 1; }

# --- jars: kafka_2.13 and its runtime dependencies, resolved by Maven once per version --------------------
fetch_jars() {
  command -v mvn >/dev/null || { say "mvn not found: Maven fetches the Kafka jars (apt-get install maven)"; exit 1; }
  mkdir -p "$KAFKA_HOME"
  cat >"$KAFKA_HOME/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>aurora-logs</groupId>
  <artifactId>kafka-broker-runtime</artifactId>
  <version>$KAFKA_VERSION</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version>
    </dependency>
    <!-- TopicCommand, for the readiness check; its own dependencies (Connect, Jetty) are not needed for it. -->
    <dependency>
      <groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>$KAFKA_VERSION</version>
      <exclusions><exclusion><groupId>*</groupId><artifactId>*</artifactId></exclusion></exclusions>
    </dependency>
    <!-- The broker logs through SLF4J 1.7; this routes it to Log4j 2, configured by log4j2.properties. -->
    <dependency>
      <groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>2.25.5</version>
    </dependency>
  </dependencies>
</project>
EOF
  rm -rf "$KAFKA_HOME/libs.tmp"
  say "fetching Kafka $KAFKA_VERSION jars with Maven into $KAFKA_HOME/libs"
  if ! (cd "$KAFKA_HOME" && mvn -B -Dstyle.color=never dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory=libs.tmp >"$KAFKA_HOME/maven.log" 2>&1); then
    tail -n 30 "$KAFKA_HOME/maven.log" >&2
    say "maven could not fetch the Kafka jars (full log: $KAFKA_HOME/maven.log)"
    exit 1
  fi
  rm -rf "$KAFKA_HOME/libs"
  mv "$KAFKA_HOME/libs.tmp" "$KAFKA_HOME/libs"
  touch "$KAFKA_HOME/libs/.complete"
}

mkdir -p "$AURORA_LOGS_CACHE"
(
  # Two starts at once (parallel test files) must not both download into the same folder.
  flock 9
  [ -f "$KAFKA_HOME/libs/.complete" ] || fetch_jars
) 9>"$AURORA_LOGS_CACHE/.kafka-$KAFKA_VERSION.lock"
CP="$KAFKA_HOME/libs/*"

# --- configuration and storage ----------------------------------------------------------------------------
mkdir -p "$KAFKA_STATE_DIR/data"
cat >"$KAFKA_STATE_DIR/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$KAFKA_STATE_DIR/data
auto.create.topics.enable=true
num.partitions=1
default.replication.factor=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
# Tests use short session timeouts (a slow consumer must still not be evicted); allow them.
group.min.session.timeout.ms=1000
num.network.threads=2
num.io.threads=2
num.recovery.threads.per.data.dir=1
log.retention.hours=24
log.segment.bytes=67108864
EOF
cat >"$KAFKA_STATE_DIR/log4j2.properties" <<'EOF'
status = warn
appender.out.type = Console
appender.out.name = STDOUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = STDOUT
logger.state.name = state.change.logger
logger.state.level = WARN
logger.request.name = kafka.request.logger
logger.request.level = WARN
EOF

sed 's/^rootLogger.level = INFO/rootLogger.level = ERROR/' "$KAFKA_STATE_DIR/log4j2.properties" >"$KAFKA_STATE_DIR/tools-log4j2.properties"

JVM_OPTS=(-Xms256m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError
  -Djava.awt.headless=true "-Dlog4j2.configurationFile=$KAFKA_STATE_DIR/log4j2.properties")
# The short-lived tools: small heap, no optimising JIT (they start faster on a 2-core machine).
TOOL_OPTS=(-Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC "-Dlog4j2.configurationFile=$KAFKA_STATE_DIR/tools-log4j2.properties")

if [ ! -f "$KAFKA_STATE_DIR/data/meta.properties" ]; then
  CLUSTER_ID="$("$JAVA" "${TOOL_OPTS[@]}" -cp "$CP" kafka.tools.StorageTool random-uuid)"
  "$JAVA" "${TOOL_OPTS[@]}" -cp "$CP" kafka.tools.StorageTool format \
    -t "$CLUSTER_ID" -c "$KAFKA_STATE_DIR/server.properties" >"$KAFKA_STATE_DIR/format.log" 2>&1 || {
    cat "$KAFKA_STATE_DIR/format.log" >&2
    say "formatting the storage failed"
    exit 1
  }
fi

# --- launch -----------------------------------------------------------------------------------------------
# setsid: the broker must not die with the shell (or test runner) that started it.
: >"$KAFKA_LOG_FILE"
setsid nohup "$JAVA" "${JVM_OPTS[@]}" -cp "$CP" kafka.Kafka "$KAFKA_STATE_DIR/server.properties" \
  >>"$KAFKA_LOG_FILE" 2>&1 </dev/null &
echo $! >"$KAFKA_PID_FILE"

fail() {
  say "$1"
  tail -n 40 "$KAFKA_LOG_FILE" >&2 || true
  exit 1
}
deadline=$(( $(date +%s) + START_TIMEOUT ))
until kafka_port_open "$KAFKA_PORT"; do
  kafka_running_pid >/dev/null || fail "the broker exited during start; log tail:"
  [ "$(date +%s)" -lt "$deadline" ] || fail "the port did not open within ${START_TIMEOUT}s; log tail:"
  sleep 0.2
done
# An open port is not yet a broker that serves: wait until a metadata request succeeds.
until "$JAVA" "${TOOL_OPTS[@]}" -cp "$CP" org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" --list >/dev/null 2>"$KAFKA_STATE_DIR/check.log"; do
  kafka_running_pid >/dev/null || fail "the broker exited during start; log tail:"
  [ "$(date +%s)" -lt "$deadline" ] || fail "no metadata answer within ${START_TIMEOUT}s; log tail:"
  sleep 0.5
done
say "Kafka $KAFKA_VERSION ready on 127.0.0.1:$KAFKA_PORT (pid $(cat "$KAFKA_PID_FILE"), started in $(elapsed)), log $KAFKA_LOG_FILE"
