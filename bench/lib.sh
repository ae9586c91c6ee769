# Sourced by the bench/ scripts: finds a JDK and (re)builds benchmarks/target/benchmarks.jar
# (unless the caller sets needs_benchmarks_jar=0).
# Sets: root (the repository), jar, jdk. Expects: script (the caller's name, for messages).

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/benchmarks/target/benchmarks.jar"

# The newest JDK 21+ among JAVA_HOME, the java on PATH and the usual folders (as ./fulcrum does).
find_jdk() {
  local best="" best_major=0 home major
  for home in "${JAVA_HOME:-}" "$(dirname "$(dirname "$(readlink -f "$(command -v java || echo /nonexistent)")")")" \
    /usr/lib/jvm/* /opt/java/* /opt/jdk* "${HOME:-/nonexistent}"/.sdkman/candidates/java/* "${HOME:-/nonexistent}"/.jdks/* \
    /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [[ -n "$home" && -x "$home/bin/java" && -f "$home/release" ]] || continue
    major="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release")"
    if [[ -n "$major" && "$major" -ge 21 && "$major" -gt "$best_major" ]]; then
      best="$home"; best_major="$major"
    fi
  done
  [[ -n "$best" ]] || { echo "$script: no JDK 21 or newer found; install one or set JAVA_HOME" >&2; exit 1; }
  echo "$best"
}

# Builds the jar when it is missing or older than the code it measures (benchmarks/, token/, common/,
# the root pom): a stale jar would lack new benchmarks or measure old code.
# The formatter is skipped: this build only needs the classes; ./mvnw checks formatting.
build_jar() {
  local stale=""
  if [[ -f "$jar" ]]; then
    stale="$(cd "$root" && find pom.xml benchmarks/pom.xml benchmarks/src token/pom.xml token/src common/pom.xml common/src \
      -newer "$jar" -type f 2>/dev/null | head -1)"
  fi
  if [[ ! -f "$jar" || -n "$stale" ]]; then
    echo "Building $jar${stale:+ ($stale is newer)} ..."
    (cd "$root" && JAVA_HOME="$jdk" ./mvnw -q -pl benchmarks -am package -DskipTests -Dspring-javaformat.skip=true)
  fi
}

jdk="$(find_jdk)"
if [[ "${needs_benchmarks_jar:-1}" == 1 ]]; then
  build_jar
fi
mkdir -p "$root/bench/results"
cd "$root"
echo "JDK: $jdk"
