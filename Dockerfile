# One image recipe for every Fulcrum service, chosen with a build argument:
#
#   docker build --build-arg SERVICE=gateway -t fulcrum/gateway .
#
# SERVICE is gateway, auth-service, api-service or worker-service. docker-compose.yml builds all
# four from this file, with one Maven wrapper run that all four share (tests are for CI, not for
# image builds);
# the image holds a JRE 25, the service's jar and its libraries in layers, and an AOT cache from a
# training run (JDK 25, JEP 483/514: the service starts in about half the time; docs/containers.md),
# and runs as an unprivileged user on a read-only root (only /tmp is written).
# --target runtime builds it without the cache (bench/container-startup.sh compares the two).

ARG SERVICE=gateway

# ---- build: the wrapper and all four services in one Maven run ----------------------------------
# Nothing here depends on SERVICE, so the four images share this stage: `docker compose build`
# compiles the modules once instead of four times, and no two Maven runs write the repository cache
# at the same moment.
FROM eclipse-temurin:25-jdk-noble AS build
WORKDIR /src
# Maven's repository is a build cache, not a layer: a source change re-resolves nothing.
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -q -pl gateway,auth-service,api-service,worker-service -am package -DskipTests \
      -Dspring-javaformat.skip=true

# ---- layers: the chosen service's jar, split into plain jars by how often they change ------------
FROM build AS layers
ARG SERVICE
RUN java -Djarmode=tools -jar "${SERVICE}/target/${SERVICE}.jar" extract --layers --destination /layers \
 && mv "/layers/application/${SERVICE}.jar" /layers/application/service.jar

# ---- runtime: a JRE, the layers (plain jars: an AOT cache needs them), an unprivileged user -------
FROM eclipse-temurin:25-jre-noble AS runtime
ARG SERVICE
# Nothing is installed into the JRE image: the compose healthcheck is a bash script (no curl).
RUN groupadd --system --gid 10001 fulcrum \
 && useradd --system --uid 10001 --gid fulcrum --home-dir /app --shell /usr/sbin/nologin fulcrum
COPY docker/healthcheck /usr/local/bin/healthcheck
WORKDIR /app
# Least-changing layers first: libraries, the Spring Boot loader, snapshots, then the service.
COPY --from=layers /layers/dependencies/ ./
COPY --from=layers /layers/spring-boot-loader/ ./
COPY --from=layers /layers/snapshot-dependencies/ ./
COPY --from=layers /layers/application/ ./
USER 10001:10001
# Memory, sized for the container's limit (512 MiB in compose and Kubernetes; docs/containers.md):
# half of it for the heap, a ceiling on every other region the JVM grows (class metadata, compiled
# code, direct buffers), two malloc arenas instead of eight per core, and the serial collector,
# the JVM's own choice for a container this size, written down so that it cannot change under us.
ENV SERVICE=${SERVICE} \
    MALLOC_ARENA_MAX=2 \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=50 -XX:MaxMetaspaceSize=128m -XX:ReservedCodeCacheSize=64m -XX:MaxDirectMemorySize=64m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError"
# The public and management ports of the four services (docker-compose.yml); the worker has only one.
EXPOSE 8080 8081 8091 8095 9080 9081 9091
ENTRYPOINT ["java", "-jar", "/app/service.jar"]

# ---- the shipped image: the runtime and an AOT cache of its start --------------------------------
# A training run starts the application context and stops (spring.context.exit=onRefresh); the JVM
# writes the classes it loaded and linked, and their profiles, to service.aot, which every start
# then maps instead of loading them again. Same JVM, same jars, same flags: the run happens here.
FROM runtime AS aot
USER root
RUN java -XX:AOTCacheOutput=/app/service.aot -Dspring.context.exit=onRefresh -jar /app/service.jar \
      > /tmp/training.log 2>&1 || { cat /tmp/training.log; exit 1; }; rm -f /tmp/training.log
USER 10001:10001
ENV JAVA_TOOL_OPTIONS="${JAVA_TOOL_OPTIONS} -XX:AOTCache=/app/service.aot"
