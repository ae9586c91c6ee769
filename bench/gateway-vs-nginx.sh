#!/usr/bin/env bash
# The Fulcrum gateway against nginx, proxying the same two static backends, measured by the same wrk
# in the same run (docs/benchmarks.md, "The gateway against nginx").
#
#   backends  one nginx (1 worker) serving a fixed JSON answer on two ports: never the bottleneck
#   nginx     nginx as a reverse proxy over both (round-robin, upstream keep-alive, access log on)
#   bare      bench/BareProxy.java: Reactor Netty's server and client alone, on the gateway jar's
#             libraries (the ceiling for a JVM proxy here; not a gateway)
#   gateway   the gateway jar over both, with its production filter chain: request id and access
#             log, edge headers, edge auth, edge cache, circuit breaker, balancing with retries;
#             one instance with rate limiting off, one with it on (a token bucket in Redis, set so
#             high that nothing is refused: the cost of the check, not of refusals)
#
# Throughput: saturated, CONNECTIONS connections for DURATION, on a public route (GET /api/hello),
# then on a protected one with a real access token (verified at the edge, revocation checked in
# Redis). Latency: paced at a moderate rate (PACED_CONNECTIONS connections, each waiting PACE_MS
# between requests), p50 and p99 for a backend directly, through nginx and through the gateway;
# the difference is what the hop adds.
#
# Usage: bench/gateway-vs-nginx.sh   (DURATION=15s ROUNDS=2 CONNECTIONS=32 PACED_CONNECTIONS=4 PACE_MS=5)
# Needs wrk, nginx, redis-server, curl, python3 (Debian: apt-get install wrk nginx-light
# redis-server curl python3). Builds the gateway and auth-service jars if they are missing.
# BASELINE_JAR=path/to/gateway.jar (absolute, or relative to the repository's root) adds, for an A/B in the same run, a gateway built from other code
# (for example the commit before a change), rate limit on, measured beside the others in each round.
# GATEWAY_JAVA_OPTS sets the JVM options (default below: full JIT, Parallel GC, 512 MB heap; C1 alone
# (-XX:TieredStopAtLevel=1) measured a third of the throughput here).
set -euo pipefail

script=gateway-vs-nginx
needs_benchmarks_jar=0
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

duration="${DURATION:-15s}"
rounds="${ROUNDS:-2}"
connections="${CONNECTIONS:-32}"
paced_connections="${PACED_CONNECTIONS:-4}"
pace_ms="${PACE_MS:-5}"
java_opts="${GATEWAY_JAVA_OPTS:--Xms512m -Xmx512m -XX:+UseParallelGC -XX:+ExitOnOutOfMemoryError}"
for tool in wrk nginx redis-server curl python3; do
  command -v "$tool" >/dev/null || {
    echo "$script: needs $tool (Debian: apt-get install wrk nginx-light redis-server curl python3)" >&2; exit 1; }
done

work="$(mktemp -d)"
pids=()
cleanup() {
  for conf in "$work"/nginx-*.conf; do
    [[ -f "$conf" ]] && nginx -p "$work" -c "$conf" -s quit 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

for service in gateway auth-service; do
  if [[ ! -f "$root/$service/target/$service.jar" ]]; then
    echo "Building $service.jar ..."
    (cd "$root" && JAVA_HOME="$jdk" ./mvnw -q -pl "$service" -am package -DskipTests -Dspring-javaformat.skip=true)
  fi
done

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
redis_port="$(free_port)"; b1="$(free_port)"; b2="$(free_port)"; proxy="$(free_port)"; auth="$(free_port)"
auth_mgmt="$(free_port)"; plain="$(free_port)"; plain_mgmt="$(free_port)"; limited="$(free_port)"
limited_mgmt="$(free_port)"; bare="$(free_port)"; baseline="$(free_port)"; baseline_mgmt="$(free_port)"
baseline_jar="${BASELINE_JAR:-}"
if [[ -n "$baseline_jar" && ! -f "$baseline_jar" ]]; then
  echo "$script: BASELINE_JAR $baseline_jar is not a file" >&2; exit 1
fi

echo "== starting Redis, two static backends, nginx, auth-service and the gateways =="
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >"$work/redis.log" 2>&1 &
pids+=($!)

mkdir -p "$work/tmp"
nginx_common="pid PIDFILE; error_log $work/error.log warn;
events { worker_connections 1024; }"
cat >"$work/nginx-backends.conf" <<CONF
worker_processes 1;
${nginx_common//PIDFILE/$work/backends.pid}
http {
  access_log off;
  client_body_temp_path $work/tmp; proxy_temp_path $work/tmp; fastcgi_temp_path $work/tmp;
  uwsgi_temp_path $work/tmp; scgi_temp_path $work/tmp;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$b1; default_type application/json;
    location / { add_header X-Served-By b1; return 200 '{"message":"Hello from Fulcrum","instance":"b1"}'; } }
  server { listen 127.0.0.1:$b2; default_type application/json;
    location / { add_header X-Served-By b2; return 200 '{"message":"Hello from Fulcrum","instance":"b2"}'; } }
}
CONF
cat >"$work/nginx-proxy.conf" <<CONF
worker_processes 2;
${nginx_common//PIDFILE/$work/proxy.pid}
http {
  access_log $work/proxy-access.log combined buffer=64k flush=1s;
  client_body_temp_path $work/tmp; proxy_temp_path $work/tmp; fastcgi_temp_path $work/tmp;
  uwsgi_temp_path $work/tmp; scgi_temp_path $work/tmp;
  keepalive_requests 1000000;
  upstream api { server 127.0.0.1:$b1; server 127.0.0.1:$b2; keepalive 64; }
  server { listen 127.0.0.1:$proxy;
    location / { proxy_pass http://api; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For \$remote_addr; } }
}
CONF
nginx -p "$work" -c "$work/nginx-backends.conf"
nginx -p "$work" -c "$work/nginx-proxy.conf"

start_java() {
  local name="$1" jar="$2"; shift 2
  [[ "$jar" == */* ]] || jar="$root/$jar/target/$jar.jar"
  env "$@" INSTANCE_ID="$name" SPRING_PROFILES_ACTIVE=local REDIS_URL="redis://127.0.0.1:$redis_port" \
    "$jdk/bin/java" $java_opts -jar "$jar" >"$work/$name.log" 2>&1 &
  pids+=($!)
}
start_java auth-1 auth-service SERVER_PORT="$auth" MANAGEMENT_PORT="$auth_mgmt"
gateway_env=(API_SERVICE_URLS="http://127.0.0.1:$b1,http://127.0.0.1:$b2" AUTH_SERVICE_URLS="http://127.0.0.1:$auth"
  TOKEN_JWKS_URI="http://127.0.0.1:$auth/.well-known/jwks.json")
start_java gateway-plain gateway SERVER_PORT="$plain" MANAGEMENT_PORT="$plain_mgmt" "${gateway_env[@]}" \
  GATEWAY_RATE_LIMIT_ENABLED=false
limited_env=(GATEWAY_RATE_LIMIT_ENABLED=true GATEWAY_RATE_LIMIT=100000000 GATEWAY_RATE_LIMIT_BURST=100000000)
start_java gateway-limited gateway SERVER_PORT="$limited" MANAGEMENT_PORT="$limited_mgmt" "${gateway_env[@]}" \
  "${limited_env[@]}"
gateway_mgmts=("$plain_mgmt" "$limited_mgmt")
limited_ports=("$limited")
if [[ -n "$baseline_jar" ]]; then
  start_java gateway-baseline "$(realpath "$baseline_jar")" SERVER_PORT="$baseline" MANAGEMENT_PORT="$baseline_mgmt" \
    "${gateway_env[@]}" "${limited_env[@]}"
  gateway_mgmts+=("$baseline_mgmt")
  limited_ports+=("$baseline")
fi

# The ceiling: a bare Reactor Netty proxy (bench/BareProxy.java) on the gateway jar's own libraries.
mkdir -p "$work/libs"
(cd "$work" && "$jdk/bin/jar" xf "$root/gateway/target/gateway.jar" BOOT-INF/lib && mv BOOT-INF/lib/* libs/)
"$jdk/bin/java" $java_opts -cp "$work/libs/*" "$root/bench/BareProxy.java" "$bare" "http://127.0.0.1:$b1" \
  "http://127.0.0.1:$b2" >"$work/bare.log" 2>&1 &
pids+=($!)

for _ in $(seq 60); do curl -fsS "http://127.0.0.1:$bare/api/hello" >/dev/null 2>&1 && break; sleep 1; done
for mgmt in "$auth_mgmt" "${gateway_mgmts[@]}"; do
  for _ in $(seq 180); do
    curl -fsS "http://127.0.0.1:$mgmt/actuator/health/readiness" >/dev/null 2>&1 && break
    sleep 1
  done
  curl -fsS "http://127.0.0.1:$mgmt/actuator/health/readiness" >/dev/null || {
    echo "$script: a service on management port $mgmt did not become ready; logs in $work" >&2; tail -50 "$work"/*.log >&2; exit 1; }
done

# The demo user of the local profile (demo credentials, local only).
token="$(curl -fsS -X POST "http://127.0.0.1:$plain/auth/login" -H 'Content-Type: application/json' \
  -d '{"username":"demo","password":"demo-password"}' | sed -E 's/.*"access_token":"([^"]+)".*/\1/')"
for port in "${limited_ports[@]}"; do
  [[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/me")" == 200 ]] || {
    echo "$script: the token is not accepted by the gateway on port $port" >&2; exit 1; }
done
[[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$limited/api/me")" == 401 ]] || {
  echo "$script: /api/me is not protected" >&2; exit 1; }

declare -A rates p50 p99 errors
record() {
  local label="$1" log="$2"
  rates["$label"]="$(awk '/Requests\/sec/ { print $2 }' "$log")"
  p50["$label"]="$(awk '$1 == "50%" { print $2 }' "$log")"
  p99["$label"]="$(awk '$1 == "99%" { print $2 }' "$log")"
  errors["$label"]="$(awk '/Non-2xx/ { n += $NF } /Socket errors/ { n += 1 } END { print n + 0 }' "$log")"
}
saturate() {
  local label="$1"; shift
  wrk -t2 -c"$connections" -d"$duration" --latency "$@" >"$work/wrk.log"
  record "$label" "$work/wrk.log"
  printf '  %-34s %10s req/s   p50 %8s   p99 %8s   errors %s\n' "$label" "${rates[$label]}" "${p50[$label]}" \
    "${p99[$label]}" "${errors[$label]}"
}
paced() {
  local label="$1"; shift
  wrk -t2 -c"$paced_connections" -d"$duration" --latency -s "$root/bench/wrk/paced.lua" "$@" -- "$pace_ms" >"$work/wrk.log"
  record "$label" "$work/wrk.log"
  printf '  %-34s %10s req/s   p50 %8s   p99 %8s   errors %s\n' "$label" "${rates[$label]}" "${p50[$label]}" \
    "${p99[$label]}" "${errors[$label]}"
}
auth_header=(-H "Authorization: Bearer $token")

echo "== warm-up: 60 s per gateway and path (the JIT compiles every JVM on the same cores), not counted =="
for port in "$plain" "${limited_ports[@]}"; do
  wrk -t2 -c"$connections" -d30s "http://127.0.0.1:$port/api/hello" >/dev/null
  wrk -t2 -c"$connections" -d30s "${auth_header[@]}" "http://127.0.0.1:$port/api/me" >/dev/null
done
for port in "$plain" "${limited_ports[@]}"; do
  wrk -t2 -c"$connections" -d30s "http://127.0.0.1:$port/api/hello" >/dev/null
  wrk -t2 -c"$connections" -d30s "${auth_header[@]}" "http://127.0.0.1:$port/api/me" >/dev/null
done
wrk -t2 -c"$connections" -d5s "http://127.0.0.1:$proxy/api/hello" >/dev/null
wrk -t2 -c"$connections" -d30s "http://127.0.0.1:$bare/api/hello" >/dev/null

# Each configuration in every round, interleaved, so that a noisy neighbour or a late JIT touches
# them all alike; the summary takes the mean over the rounds.
declare -A sums
measured=("nginx" "bare Reactor Netty proxy" "gateway, public" "gateway, public, rate limit" "gateway, token" "gateway, token, rate limit")
[[ -n "$baseline_jar" ]] && measured+=("baseline, public, rate limit" "baseline, token, rate limit")
for round in $(seq "$rounds"); do
  echo "== throughput, saturated, round $round of $rounds ($connections connections, $duration each) =="
  [[ "$round" == 1 ]] && saturate "backend b1 directly" "http://127.0.0.1:$b1/api/hello"
  saturate "nginx" "http://127.0.0.1:$proxy/api/hello"
  saturate "bare Reactor Netty proxy" "http://127.0.0.1:$bare/api/hello"
  saturate "gateway, public" "http://127.0.0.1:$plain/api/hello"
  saturate "gateway, public, rate limit" "http://127.0.0.1:$limited/api/hello"
  saturate "gateway, token" "${auth_header[@]}" "http://127.0.0.1:$plain/api/me"
  saturate "gateway, token, rate limit" "${auth_header[@]}" "http://127.0.0.1:$limited/api/me"
  if [[ -n "$baseline_jar" ]]; then
    saturate "baseline, public, rate limit" "http://127.0.0.1:$baseline/api/hello"
    saturate "baseline, token, rate limit" "${auth_header[@]}" "http://127.0.0.1:$baseline/api/me"
  fi
  for label in "${measured[@]}"; do
    sums["$label"]="$(awk -v s="${sums[$label]:-0}" -v r="${rates[$label]}" 'BEGIN { print s + r }')"
  done
done

echo "== latency, paced ($paced_connections connections, $pace_ms ms between requests, $duration each) =="
paced "paced: backend b1 directly" "http://127.0.0.1:$b1/api/hello"
paced "paced: nginx" "http://127.0.0.1:$proxy/api/hello"
paced "paced: bare Reactor Netty proxy" "http://127.0.0.1:$bare/api/hello"
paced "paced: gateway, public" "http://127.0.0.1:$plain/api/hello"
paced "paced: gateway, token, rate limit" "${auth_header[@]}" "http://127.0.0.1:$limited/api/me"
paced_labels=("paced: nginx" "paced: bare Reactor Netty proxy" "paced: gateway, public" "paced: gateway, token, rate limit")
if [[ -n "$baseline_jar" ]]; then
  paced "paced: baseline, token, rate limit" "${auth_header[@]}" "http://127.0.0.1:$baseline/api/me"
  paced_labels+=("paced: baseline, token, rate limit")
fi

mean() { awk -v s="${sums[$1]}" -v n="$rounds" 'BEGIN { printf "%.0f", s / n }'; }
nginx_rate="$(mean nginx)"
echo "== summary: mean throughput over $rounds rounds, and the gateway's as a share of nginx's =="
for label in "${measured[@]}"; do
  awk -v l="$label" -v r="$(mean "$label")" -v n="$nginx_rate" \
    'BEGIN { printf "  %-34s %8d req/s  %5.1f %%\n", l, r, 100 * r / n }'
done
to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) print v / 1000; else if (v ~ /ms$/) print v + 0; else print v * 1000 }'; }
direct_p99="$(to_ms "${p99[paced: backend b1 directly]}")"
echo "== summary: p99 added to a direct call at the paced rate =="
for label in "${paced_labels[@]}"; do
  awk -v l="$label" -v p="$(to_ms "${p99[$label]}")" -v d="$direct_p99" -v r="${rates[$label]}" \
    'BEGIN { printf "  %-34s +%.2f ms (p99 %.2f ms at %s req/s)\n", l, p - d, p, r }'
done
