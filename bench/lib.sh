# Sourced by the bench/ scripts: finds a JDK and (re)builds bench/jmh/target/benchmarks.jar
# (unless the caller sets needs_benchmarks_jar=0).
# Sets: root (the repository), jar, jdk. Expects: script (the caller's name, for messages).

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/bench/jmh/target/benchmarks.jar"

# shellcheck source=../scripts/jdk.sh
source "$root/scripts/jdk.sh"

# Builds the jar when it is missing or older than the code it measures (bench/jmh/, token/, common/,
# the root pom): a stale jar would lack new benchmarks or measure old code.
# The formatter is skipped: this build only needs the classes; ./mvnw checks formatting.
build_jar() {
  local stale=""
  if [[ -f "$jar" ]]; then
    stale="$(cd "$root" && find pom.xml bench/jmh/pom.xml bench/jmh/src token/pom.xml token/src common/pom.xml common/src \
      -newer "$jar" -type f 2>/dev/null | head -1)"
  fi
  if [[ ! -f "$jar" || -n "$stale" ]]; then
    echo "Building $jar${stale:+ ($stale is newer)} ..."
    (cd "$root" && JAVA_HOME="$jdk" ./mvnw -q -pl bench/jmh -am package -DskipTests -Dspring-javaformat.skip=true)
  fi
}

jdk="$(find_jdk 21)" || { echo "$script: no JDK 21 or newer found; install one or set JAVA_HOME" >&2; exit 1; }
if [[ "${needs_benchmarks_jar:-1}" == 1 ]]; then
  build_jar
fi
mkdir -p "$root/bench/results"
cd "$root"
echo "JDK: $jdk"
