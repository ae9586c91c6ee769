# Finds a JDK on this machine. Sourced by ./fulcrum, .ci/run and bench/lib.sh, so that all three
# look in the same places; the Maven build finds its own through the toolchains plugin (pom.xml).

# Prints the major version of the JDK at $1 (from its release file), or nothing.
jdk_major() {
  local release="$1/release" version
  [[ -n "$1" && -x "$1/bin/java" && -f "$release" ]] || return 0
  version="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release")"
  [[ -z "$version" ]] || echo "$version"
}

# Prints the newest JDK of at least major version $1 (21 if not given) among JAVA_HOME, the java on
# PATH and the usual install folders; returns 1, printing nothing, when there is none.
find_jdk() {
  local minimum="${1:-21}" candidates=() best="" best_major=0 home major
  [[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)" 2>/dev/null || command -v java)")")")
  fi
  candidates+=(/usr/lib/jvm/* /opt/java/* /opt/jdk* "${HOME:-/nonexistent}"/.sdkman/candidates/java/*
    "${HOME:-/nonexistent}"/.jdks/* /Library/Java/JavaVirtualMachines/*/Contents/Home)
  for home in "${candidates[@]}"; do
    major="$(jdk_major "$home")"
    if [[ -n "$major" && "$major" -ge "$minimum" && "$major" -gt "$best_major" ]]; then
      best="$home"; best_major="$major"
    fi
  done
  [[ -n "$best" ]] || return 1
  echo "$best"
}
