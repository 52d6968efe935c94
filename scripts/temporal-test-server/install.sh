#!/usr/bin/env bash
# Installs Temporal's time-skipping test server (Java, `io.temporal:temporal-test-server` from Maven
# Central, the version pinned in pom.xml beside this file) once per machine, outside any checkout:
#
#   <cache>/klarmeter/temporal-test-server-<version>/lib/*.jar   the server and its dependency jars
#   <cache>/klarmeter/temporal-test-server-<version>/classes.jsa a class-data archive (starts in ~1 s)
#   <cache>/klarmeter/bin/temporal-test-server-<version>         the wrapper the SDK starts
#
# <cache> is $XDG_CACHE_HOME or ~/.cache. The wrapper takes the arguments the SDK passes
# (`<port>`, optionally `--enable-time-skipping`) and runs `java … io.temporal.testserver.TestServer`,
# so `TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path',
# path } } })` can start it. Needs Java 17 and Maven. Prints the wrapper's path; does nothing
# (but print it) when it is already installed.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
version="$(sed -n 's:.*<temporal.version>\(.*\)</temporal.version>.*:\1:p' "$here/pom.xml")"
[ -n "$version" ] || { echo "temporal-test-server: no <temporal.version> in $here/pom.xml" >&2; exit 1; }
cache="${XDG_CACHE_HOME:-$HOME/.cache}/klarmeter"
home="$cache/temporal-test-server-$version"
wrapper="$cache/bin/temporal-test-server-$version"

if [ -x "$wrapper" ] && [ -d "$home/lib" ]; then
  echo "$wrapper"
  exit 0
fi

java_bin="$(command -v java || true)"
[ -n "$java_bin" ] || { echo "temporal-test-server: java not found (Java 17 is needed)" >&2; exit 1; }
command -v mvn >/dev/null || { echo "temporal-test-server: mvn not found (Maven fetches the jars)" >&2; exit 1; }
java_bin="$(readlink -f "$java_bin")"

echo "temporal-test-server: fetching io.temporal:temporal-test-server:$version with Maven into $home" >&2
mkdir -p "$cache/bin"
# Built beside the target and moved into place: a concurrent or interrupted install leaves no half copy.
staging="$(mktemp -d "$cache/.temporal-test-server-$version.XXXXXX")"
chmod 755 "$staging"
trap 'rm -rf "$staging"' EXIT
mvn -q -B -Dstyle.color=never -f "$here/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$staging/lib" >&2

rm -rf "$home"
mv "$staging" "$home"
trap - EXIT

# A class-data archive of one short run: the JVM then starts the server in about a second instead of
# several, which matters because every test file starts its own server. The archive names the jars
# by path, so it is made where they stay.
port=$((20000 + RANDOM % 20000))
"$java_bin" -XX:TieredStopAtLevel=1 -XX:ArchiveClassesAtExit="$home/classes.jsa" -cp "$home/lib/*" \
  io.temporal.testserver.TestServer "$port" >/dev/null 2>&1 &
server=$!
for _ in $(seq 1 600); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  sleep 0.1
done
sleep 1
kill "$server"
wait "$server" 2>/dev/null || true
[ -s "$home/classes.jsa" ] || echo "temporal-test-server: no class-data archive made; the server starts slower" >&2

cat >"$wrapper.tmp" <<EOF
#!/bin/sh
# Temporal's time-skipping test server $version (Maven Central), installed by
# scripts/temporal-test-server/install.sh. Arguments: <port> [--enable-time-skipping].
exec "$java_bin" -XX:TieredStopAtLevel=1 -XX:SharedArchiveFile="$home/classes.jsa" -Xshare:auto -Xlog:disable -Xlog:all=error:stderr \\
  -cp "$home/lib/*" io.temporal.testserver.TestServer "\$@"
EOF
chmod +x "$wrapper.tmp"
mv "$wrapper.tmp" "$wrapper"
echo "temporal-test-server: installed $wrapper" >&2
echo "$wrapper"
