package dev.fulcrum.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The supervisor's autoscaler for a compose project ({@code ./fulcrum autoscale-compose
 * PROJECT}), since Compose has none: the same {@link HorizontalAutoscaler} and settings
 * as {@code ./fulcrum up --autoscale}, driving the project's replicas through the Docker
 * Engine's API.
 * <ul>
 * <li>The api-service scales on the CPU its healthy containers used over the last period
 * (the engine's counters), counted as the HPA's replica calculator counts it; the
 * worker-service on the job queue's lag, the sum over its shards, asked from the
 * project's Redis with {@code redis-cli} in its container.</li>
 * <li>Out: a new container made from the lowest-numbered one's configuration, as Compose
 * makes a replica (its labels with the next number, its network under the service's
 * name), so that {@code docker compose ps} and {@code down} count it. The gateway finds
 * it through Docker's DNS, health-checks it and slow-starts it.</li>
 * <li>In: an unhealthy container first, then the newest, never the last healthy one. An
 * api-service is drained at the gateway first ({@code POST /actuator/draining}, with the
 * management token) until none of its requests is in flight, then stopped (SIGTERM,
 * Spring's graceful shutdown) and removed; a worker is stopped, finishing its jobs.</li>
 * </ul>
 */
final class ComposeAutoscaler {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final Pattern NUMBERED = Pattern.compile("^(.*[_-])(\\d+)$");

	private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);

	private static final Duration STOP_GRACE = Duration.ofSeconds(30);

	private final DockerApi docker;

	private final String project;

	private final URI management;

	private final String managementToken;

	private final Autoscaling autoscaling;

	private final PrintStream log;

	private final Map<String, HorizontalAutoscaler> scalers = new LinkedHashMap<>();

	private final Map<String, CpuSample> cpu = new HashMap<>();

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	/**
	 * An autoscaler for one project.
	 * @param docker the engine
	 * @param project the compose project's name
	 * @param management the gateway's management base URL (draining)
	 * @param managementToken the token that writes on it need
	 * @param autoscaling the targets, bounds and windows
	 * @param log where each decision goes
	 */
	ComposeAutoscaler(DockerApi docker, String project, URI management, String managementToken, Autoscaling autoscaling,
			PrintStream log) {
		this.docker = docker;
		this.project = project;
		this.management = management;
		this.managementToken = managementToken;
		this.autoscaling = autoscaling;
		this.log = log;
		for (String service : Autoscaling.SERVICES) {
			this.scalers.put(service, new HorizontalAutoscaler(autoscaling.policy(service)));
		}
	}

	/** Decides every period until interrupted. */
	void run() throws InterruptedException {
		say("autoscaling compose project " + this.project + " every " + this.autoscaling.period().toSeconds()
				+ "s: api-service 1-" + this.autoscaling.maxApi() + " on cpu (target " + this.autoscaling.cpuTarget()
				+ " cores each), worker-service 1-" + this.autoscaling.maxWorkers() + " on queue lag (target "
				+ this.autoscaling.lagTarget() + " jobs each), scale-down window "
				+ this.autoscaling.downWindow().toSeconds() + "s");
		while (!Thread.currentThread().isInterrupted()) {
			decide(Instant.now());
			Thread.sleep(this.autoscaling.period());
		}
	}

	/**
	 * Measures each scaled service once, and scales it if its autoscaler says so.
	 * @param now the time of the measurement
	 */
	void decide(Instant now) {
		for (Map.Entry<String, HorizontalAutoscaler> entry : this.scalers.entrySet()) {
			String service = entry.getKey();
			try {
				List<JsonNode> members = containers(service);
				if (members.isEmpty()) {
					continue;
				}
				OptionalDouble metric = service.equals(Autoscaling.API) ? cpu(members) : lag();
				if (metric.isEmpty()) {
					continue;
				}
				HorizontalAutoscaler.Decision decision = entry.getValue()
					.recommend(now, members.size(), metric.getAsDouble());
				if (!decision.changes()) {
					continue;
				}
				entry.getValue().scaled(now, decision.current(), decision.desired());
				say(service + " " + decision.current() + " -> " + decision.desired() + ": " + decision.reason());
				if (decision.desired() > decision.current()) {
					scaleOut(service, members, decision.desired() - decision.current());
				}
				else {
					scaleIn(service, members, decision.current() - decision.desired());
				}
			}
			catch (IOException | RuntimeException ex) {
				say(service + ": no decision this period: " + ex.getMessage());
			}
		}
	}

	/** The running containers of a service, by replica number. */
	List<JsonNode> containers(String service) throws IOException {
		return containers(service, false);
	}

	private List<JsonNode> containers(String service, boolean all) throws IOException {
		List<JsonNode> containers = new ArrayList<>(this.docker.containers(all,
				"com.docker.compose.project=" + this.project, "com.docker.compose.service=" + service));
		containers.sort(Comparator.comparingInt(ComposeAutoscaler::number));
		return containers;
	}

	private OptionalDouble cpu(List<JsonNode> members) throws IOException {
		double cores = 0;
		int measured = 0;
		int missing = 0;
		Map<String, CpuSample> next = new HashMap<>();
		for (JsonNode member : members) {
			String id = member.get("Id").asString();
			long nanos = this.docker.cpuNanos(id);
			long at = System.nanoTime();
			JsonNode inspected = this.docker.inspect(id);
			if (!healthy(inspected)) {
				continue;
			}
			// A restarted container starts its counter again: a sample of its last life
			// is no sample.
			String life = id + " " + inspected.at("/State/StartedAt").asString();
			next.put(life, new CpuSample(at, nanos));
			CpuSample previous = this.cpu.get(life);
			if (previous != null && at > previous.atNanos()) {
				cores += Math.max(0, nanos - previous.usedNanos()) / (double) (at - previous.atNanos());
				measured++;
			}
			else {
				missing++;
			}
		}
		this.cpu.clear();
		this.cpu.putAll(next);
		return Autoscaling.cpuTotal(cores, measured, missing, this.autoscaling.cpuTarget());
	}

	private OptionalDouble lag() throws IOException {
		List<JsonNode> redis = containers("redis");
		if (redis.isEmpty()) {
			return OptionalDouble.empty();
		}
		return totalLag(this.docker.exec(redis.getFirst().get("Id").asString(), List.of("sh", "-c", LAG)));
	}

	/**
	 * Prints, for every shard of the job queue the api-services recorded (one unless
	 * {@code JOBS_SHARDS} is more), {@code == <stream>} and its {@code XINFO GROUPS}.
	 * {@code -c} follows a Redis Cluster's redirections to the node of each shard.
	 * Bounded in time; "no such key" (no job yet) is an answer, any other failure is not.
	 */
	static final String LAG = """
			cli() { timeout 5 redis-cli -c --no-auth-warning -a "$REDIS_PASSWORD" "$@" 2>&1; }
			n=$(cli GET 'fulcrum:{jobs}:shards') || { echo "$n"; exit 1; }
			case "$n" in '') n=1;; *[!0-9]*) echo "$n"; exit 1;; esac
			i=0
			while [ "$i" -lt "$n" ]; do
			  if [ "$i" -eq 0 ]; then s='fulcrum:{jobs}:stream'; else s="fulcrum:{jobs-$i}:stream"; fi
			  echo "== $s"
			  out=$(cli XINFO GROUPS "$s"); rc=$?
			  echo "$out"
			  case "$out" in *'no such key'*) ;; *) [ "$rc" -eq 0 ] || exit "$rc";; esac
			  i=$((i + 1))
			done""";

	/**
	 * The lag of every shard {@link #LAG} printed, summed: empty if any shard's is
	 * unknown, or if the output names no shard.
	 */
	static OptionalDouble totalLag(String output) {
		String[] shards = ("\n" + output).split("\n== ");
		if (shards.length < 2) {
			return OptionalDouble.empty();
		}
		double total = 0;
		for (int i = 1; i < shards.length; i++) {
			OptionalDouble lag = queueLag(shards[i].substring(shards[i].indexOf('\n') + 1));
			if (lag.isEmpty()) {
				return lag;
			}
			total += lag.getAsDouble();
		}
		return OptionalDouble.of(total);
	}

	/**
	 * The workers' group's {@code lag} from {@code redis-cli XINFO GROUPS}'s output (one
	 * value a line): 0 before the stream exists; empty when Redis cannot tell.
	 */
	static OptionalDouble queueLag(String output) {
		if (output.contains("no such key")) {
			return OptionalDouble.of(0);
		}
		List<String> lines = output.lines().map(String::strip).toList();
		for (int i = 0; i + 1 < lines.size(); i++) {
			if (lines.get(i).equals("name") && lines.get(i + 1).equals(Supervisor.GROUP)) {
				for (int j = i + 2; j + 1 < lines.size() && !lines.get(j).equals("name"); j++) {
					if (lines.get(j).equals("lag")) {
						String lag = lines.get(j + 1);
						return lag.matches("\\d+") ? OptionalDouble.of(Long.parseLong(lag)) : OptionalDouble.empty();
					}
				}
			}
		}
		return lines.stream().anyMatch((line) -> line.equals("name")) || output.isBlank() ? OptionalDouble.of(0)
				: OptionalDouble.empty();
	}

	private void scaleOut(String service, List<JsonNode> members, int count) throws IOException {
		JsonNode template = this.docker.inspect(members.getFirst().get("Id").asString());
		// Numbered past every container of the service, stopped ones too: their names
		// are taken.
		int highest = containers(service, true).stream().mapToInt(ComposeAutoscaler::number).max().orElse(0);
		for (int i = 1; i <= count; i++) {
			int number = highest + i;
			String name = name(template.get("Name").asString(), number);
			String id = this.docker.create(name, replica(template, service, number));
			this.docker.start(id);
			say("started " + name + "; the gateway takes it in through Docker's DNS once it answers its health check");
		}
	}

	private void scaleIn(String service, List<JsonNode> members, int count) throws IOException {
		List<JsonNode> inspected = new ArrayList<>();
		for (JsonNode member : members) {
			inspected.add(this.docker.inspect(member.get("Id").asString()));
		}
		// Not healthy first (it serves nothing), then the newest; never the last healthy.
		inspected.sort(Comparator.comparing((JsonNode c) -> healthy(c))
			.thenComparing(Comparator.comparingInt((JsonNode c) -> number(c.get("Config"))).reversed()));
		long healthy = inspected.stream().filter(ComposeAutoscaler::healthy).count();
		for (JsonNode victim : inspected.subList(0, Math.min(count, inspected.size()))) {
			if (healthy(victim)) {
				if (healthy <= 1) {
					break;
				}
				healthy--;
			}
			String name = victim.get("Name").asString().replaceFirst("^/", "");
			String instance = service.equals(Autoscaling.API) ? drain(victim, name) : null;
			this.docker.stop(victim.get("Id").asString(), STOP_GRACE);
			this.docker.remove(victim.get("Id").asString());
			say("stopped and removed " + name);
			if (instance != null) {
				awaitGone(instance, name);
			}
		}
	}

	/**
	 * Waits until the gateway no longer lists a removed instance (its DNS refresh), so
	 * that its drain is forgotten before Docker can give its address to a new replica.
	 */
	private void awaitGone(String instance, String name) {
		long start = System.nanoTime();
		try {
			while (System.nanoTime() - start < DRAIN_TIMEOUT.toNanos()) {
				if (instances().stream()
					.noneMatch((candidate) -> candidate.path("instance").asString().equals(instance))) {
					return;
				}
				Thread.sleep(500);
			}
			say("the gateway still lists " + name + " (" + instance + ") after " + DRAIN_TIMEOUT.toSeconds() + "s");
		}
		catch (IOException | RuntimeException ex) {
			say("could not ask the gateway whether " + name + " is gone: " + ex.getMessage());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Drains an api-service container at the gateway and waits until none of its requests
	 * is in flight (at most {@link #DRAIN_TIMEOUT}).
	 * @return the instance as the gateway names it, or {@code null} if it was not drained
	 */
	private String drain(JsonNode container, String name) {
		List<String> addresses = new ArrayList<>();
		container.at("/NetworkSettings/Networks")
			.forEach((network) -> addresses.add(network.get("IPAddress").asString()));
		try {
			String instance = null;
			for (JsonNode candidate : instances()) {
				String id = candidate.path("instance").asString();
				if (id.contains(":") && addresses.contains(id.substring(0, id.lastIndexOf(':')))) {
					instance = id;
				}
			}
			if (instance == null) {
				say(name + " is not among the gateway's instances; stopping it without draining");
				return null;
			}
			HttpResponse<String> drained = this.http.send(HttpRequest
				.newBuilder(this.management.resolve("/actuator/draining/" + Autoscaling.API + "/" + instance))
				.timeout(Duration.ofSeconds(10))
				.header("Authorization", "Bearer " + this.managementToken)
				.POST(HttpRequest.BodyPublishers.noBody())
				.build(), HttpResponse.BodyHandlers.ofString());
			if (drained.statusCode() != 200) {
				say("the gateway answered " + drained.statusCode() + " to draining " + name + ": " + drained.body());
				return null;
			}
			long start = System.nanoTime();
			while (System.nanoTime() - start < DRAIN_TIMEOUT.toNanos()) {
				String id = instance;
				boolean idle = instances().stream()
					.noneMatch((candidate) -> candidate.path("instance").asString().equals(id)
							&& candidate.path("inFlight").asInt() > 0);
				if (idle) {
					say(String.format(Locale.ROOT,
							"%s drained (none of its requests in flight at the gateway after %.1fs)", name,
							(System.nanoTime() - start) / 1e9));
					return instance;
				}
				Thread.sleep(200);
			}
			say(name + " still had requests in flight after " + DRAIN_TIMEOUT.toSeconds() + "s; stopping it");
			return instance;
		}
		catch (IOException | RuntimeException ex) {
			say("could not drain " + name + " at the gateway (" + ex.getMessage() + "); stopping it");
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		return null;
	}

	/** The api-service's instances as the gateway sees them. */
	private List<JsonNode> instances() throws IOException, InterruptedException {
		HttpResponse<String> answer = this.http
			.send(HttpRequest.newBuilder(this.management.resolve("/actuator/balancing"))
				.timeout(Duration.ofSeconds(10))
				.build(), HttpResponse.BodyHandlers.ofString());
		List<JsonNode> instances = new ArrayList<>();
		JSON.readTree(answer.body()).path("routes").forEach((route) -> {
			if (Autoscaling.API.equals(route.path("service").asString())) {
				route.path("instances").forEach(instances::add);
			}
		});
		return instances;
	}

	/**
	 * The body that creates one more replica like the template: its configuration and
	 * host configuration, the next number in its labels, a host name of its own, and the
	 * template's first network with the service's name as alias (which Docker's DNS
	 * answers with every replica).
	 */
	static ObjectNode replica(JsonNode template, String service, int number) {
		ObjectNode body = (ObjectNode) template.get("Config").deepCopy();
		body.remove("Hostname");
		((ObjectNode) body.get("Labels")).put("com.docker.compose.container-number", String.valueOf(number));
		body.set("HostConfig", template.get("HostConfig").deepCopy());
		ObjectNode endpoints = body.putObject("NetworkingConfig").putObject("EndpointsConfig");
		template.at("/NetworkSettings/Networks").propertyNames().stream().findFirst().ifPresent((network) -> {
			endpoints.putObject(network).putArray("Aliases").add(service);
		});
		return body;
	}

	/** {@code /fulcrum_api-service_1} and 3: {@code fulcrum_api-service_3}. */
	static String name(String templateName, int number) {
		Matcher matcher = NUMBERED.matcher(templateName.replaceFirst("^/", ""));
		if (!matcher.matches()) {
			throw new IllegalArgumentException("not a replica's name: " + templateName);
		}
		return matcher.group(1) + number;
	}

	private static int number(JsonNode container) {
		return Integer.parseInt(container.path("Labels").path("com.docker.compose.container-number").asString("0"));
	}

	private static boolean healthy(JsonNode inspected) {
		JsonNode health = inspected.at("/State/Health/Status");
		return health.isMissingNode() ? "running".equals(inspected.at("/State/Status").asString())
				: "healthy".equals(health.asString());
	}

	private void say(String line) {
		this.log.println(Instant.now().truncatedTo(ChronoUnit.SECONDS) + " " + line);
	}

	private record CpuSample(long atNanos, long usedNanos) {
	}

}
