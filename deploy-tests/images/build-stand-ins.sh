#!/usr/bin/env bash
# Builds local stand-ins for the registry images that Fulcrum's Dockerfile and compose files name,
# for machines that reach no container registry (this project's CI). Users never run this: their
# Docker pulls the real images. See README.md beside this file.
#
#   sudo deploy-tests/images/build-stand-ins.sh          # builds what is missing
#   sudo deploy-tests/images/build-stand-ins.sh --force  # rebuilds all of them
#
# Every stand-in is Debian bookworm (debootstrap --variant=minbase) plus Debian packages, or plus
# this machine's own JDK 25 for the Temurin images. Needs root, debootstrap and a Docker engine.
set -euo pipefail

force=false
[[ "${1:-}" == "--force" ]] && force=true

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cache="${FULCRUM_STAND_IN_CACHE:-/var/cache/fulcrum-stand-ins}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
base=fulcrum-stand-in/debian:bookworm-minbase

# A client that can build with BuildKit: one from before Docker 23, which has it built in (Debian's
# docker.io), or a later one with the buildx plugin. A newer client without buildx may come first
# on PATH.
pick_client() {
	local client version
	while read -r client; do
		if "$client" buildx version >/dev/null 2>&1; then
			echo "$client"
			return 0
		fi
		version="$("$client" version --format '{{.Client.Version}}' 2>/dev/null || true)"
		if [[ "${version%%.*}" =~ ^[0-9]+$ && "${version%%.*}" -lt 23 ]]; then
			echo "$client"
			return 0
		fi
	done < <(type -ap docker)
	return 1
}
docker="${DOCKER:-$(pick_client)}" || { printf 'stand-ins: no docker client that can build (BuildKit)\n' >&2; exit 1; }

log() { printf 'stand-ins: %s\n' "$*" >&2; }

# The images to stand in for, read from the files users run, so that a new tag there is a new
# stand-in here (or a clear failure below) rather than a pull from a registry that cannot answer.
named_images() {
	{
		sed -n 's/^FROM[[:space:]]\{1,\}\([^[:space:]]*\).*/\1/p' "$repo/Dockerfile"
		sed -n 's/^[[:space:]]*image:[[:space:]]*\([^[:space:]]*\).*/\1/p' "$repo"/docker-compose*.yml
	} | grep -v '^fulcrum/' | grep -vxF -f <(stages) | sort -u
}

# The Dockerfile's own stages ("FROM runtime AS aot" names no image).
stages() {
	sed -n 's/^FROM[[:space:]].*[[:space:]]AS[[:space:]]\{1,\}\([^[:space:]]*\).*/\1/p' "$repo/Dockerfile"
}

present() { "$docker" image inspect "$1" >/dev/null 2>&1; }

find_jdk25() {
	local candidate
	for candidate in "${STAND_IN_JDK:-}" "${JAVA_HOME:-}" /usr/lib/jvm/*; do
		[[ -n "$candidate" && -f "$candidate/release" && -x "$candidate/bin/jlink" ]] || continue
		if grep -q '^JAVA_VERSION="25' "$candidate/release"; then
			echo "$candidate"
			return 0
		fi
	done
	return 1
}

# Debian bookworm, minimal, as a local image; the root file system is kept as a tarball so that a
# rebuild does not fetch it again.
build_base() {
	if present "$base" && ! $force; then
		return
	fi
	mkdir -p "$cache"
	if [[ ! -f "$cache/bookworm-minbase.tar" ]]; then
		log "debootstrap bookworm (minbase) from $mirror"
		local rootfs
		rootfs="$(mktemp -d)"
		debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$cache/debootstrap.log" 2>&1 \
			|| { log "debootstrap failed, see $cache/debootstrap.log"; exit 1; }
		rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
		tar -C "$rootfs" -cf "$cache/bookworm-minbase.tar.partial" .
		mv "$cache/bookworm-minbase.tar.partial" "$cache/bookworm-minbase.tar"
		rm -rf "$rootfs"
	fi
	log "importing $base"
	"$docker" import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
		--change 'ENV LANG=C.UTF-8' --change 'CMD ["bash"]' \
		"$cache/bookworm-minbase.tar" "$base" >/dev/null
}

# This machine's trust stores go into every stand-in, so that a build inside one reaches what the
# machine reaches (a network may re-sign TLS with a certificate authority of its own).
trust_stores() {
	local context="$1" bundle=/etc/ssl/certs/ca-certificates.crt java=/etc/ssl/certs/java/cacerts
	mkdir -p "$context/trust"
	[[ -f "$bundle" ]] && cp -L "$bundle" "$context/trust/ca-certificates.crt"
	[[ -f "$java" ]] && cp -L "$java" "$context/cacerts"
	return 0
}

# Builds image $1 from the Dockerfile on standard input, with context directory $2 (none if absent).
build() {
	local image="$1" context="${2:-}"
	log "building $image"
	if [[ -n "$context" ]]; then
		DOCKER_BUILDKIT=1 "$docker" build -q -t "$image" -f - "$context" >/dev/null
	else
		DOCKER_BUILDKIT=1 "$docker" build -q -t "$image" - >/dev/null
	fi
}

# eclipse-temurin:25-jdk-*: the JDK at /opt/java/openjdk, as in Temurin's images, with the
# certificates and the tools the Maven wrapper uses.
temurin_jdk() {
	local image="$1" jdk context
	jdk="$(find_jdk25)" || { log "no JDK 25 with jlink found (set STAND_IN_JDK)"; exit 1; }
	context="$(mktemp -d)"
	cp -a "$jdk" "$context/openjdk"
	trust_stores "$context"
	java_trust "$context/openjdk"
	build "$image" "$context" <<EOF
FROM $base
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/*
COPY trust/ /tmp/trust/
RUN if [ -f /tmp/trust/ca-certificates.crt ]; then cp /tmp/trust/ca-certificates.crt /etc/ssl/certs/; fi \
 && rm -rf /tmp/trust
COPY openjdk /opt/java/openjdk
ENV JAVA_HOME=/opt/java/openjdk PATH=/opt/java/openjdk/bin:\$PATH
CMD ["jshell"]
EOF
	rm -rf "$context"
}

# The Java trust store of a JDK or runtime in a build context: this machine's, where it has one
# (a JDK installed from a package links it to a file that the image does not have).
java_trust() {
	local security="$1/lib/security"
	rm -f "$security/cacerts"
	if [[ -f "$(dirname "$1")/cacerts" ]]; then
		mv "$(dirname "$1")/cacerts" "$security/cacerts"
	else
		cp -L "$(find_jdk25)/lib/security/cacerts" "$security/cacerts"
	fi
}

# The JDK's modules less its development tools (compiler, jlink, jshell, ...), as in a JRE.
runtime_modules() {
	"$1/bin/java" --list-modules | sed 's/@.*//' \
		| grep -vxE 'jdk\.(compiler|javadoc|jlink|jpackage|jshell|jdeps|jartool|jdi|jstatd|hotspot\.agent|internal\.(ed|jshell|opt|le))' \
		| paste -sd, -
}

# eclipse-temurin:25-jre-*: a runtime made by jlink from the same JDK (its runtime modules, no
# debug symbols, with a default CDS archive), at /opt/java/openjdk.
temurin_jre() {
	local image="$1" jdk context
	jdk="$(find_jdk25)" || { log "no JDK 25 with jlink found (set STAND_IN_JDK)"; exit 1; }
	context="$(mktemp -d)"
	"$jdk/bin/jlink" --add-modules "$(runtime_modules "$jdk")" --strip-debug --no-man-pages --no-header-files \
		--generate-cds-archive --output "$context/openjdk"
	trust_stores "$context"
	java_trust "$context/openjdk"
	build "$image" "$context" <<EOF
FROM $base
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY trust/ /tmp/trust/
RUN if [ -f /tmp/trust/ca-certificates.crt ]; then cp /tmp/trust/ca-certificates.crt /etc/ssl/certs/; fi \
 && rm -rf /tmp/trust
COPY openjdk /opt/java/openjdk
ENV JAVA_HOME=/opt/java/openjdk PATH=/opt/java/openjdk/bin:\$PATH
CMD ["java", "-version"]
EOF
	rm -rf "$context"
}

# redis:7.*: Debian's redis-server (7.0) with the layout of the official image: a redis user,
# /data owned by it as the working directory, redis-server as the command.
redis() {
	build "$1" <<EOF
FROM $base
RUN apt-get update && apt-get install -y --no-install-recommends redis-server redis-tools \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir /data && chown redis:redis /data
WORKDIR /data
VOLUME /data
EXPOSE 6379
CMD ["redis-server"]
EOF
}

# prom/prometheus:*: Debian's Prometheus (2.x), started as the official image starts it.
prometheus() {
	build "$1" <<EOF
FROM $base
RUN apt-get update && apt-get install -y --no-install-recommends prometheus \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /prometheus && chown nobody:nogroup /prometheus
USER nobody
WORKDIR /prometheus
EXPOSE 9090
ENTRYPOINT ["/usr/bin/prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]
EOF
}

build_base
missing=()
while read -r image; do
	if present "$image" && ! $force; then
		log "$image is there"
		continue
	fi
	case "$image" in
		eclipse-temurin:25-jdk*) temurin_jdk "$image" ;;
		eclipse-temurin:25-jre*) temurin_jre "$image" ;;
		redis:7*) redis "$image" ;;
		prom/prometheus:*) prometheus "$image" ;;
		*) missing+=("$image") ;;
	esac
done < <(named_images)

# Grafana is not packaged by Debian: the compose profile "observability" cannot run here, and the
# compose system tests do not start it.
for image in "${missing[@]}"; do
	log "no stand-in for $image (not packaged by Debian); what needs it cannot run on this machine"
done
