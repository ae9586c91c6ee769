package dev.fulcrum.gateway.balancing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The instances of every upstream service, by service name (the host of an
 * {@code lb://service} route): from the static list, from DNS (looked up at start and
 * again every {@code dnsRefresh}), or from a file (read at start and again when it
 * changes, checked every {@code fileRefresh}). An instance that stays keeps its state
 * (requests in flight, latency, ejection); one that leaves is dropped, one that appears
 * is added, and one that the file marks draining takes no new request.
 */
@Component
class UpstreamPools implements DisposableBean {

	private static final Log logger = LogFactory.getLog(UpstreamPools.class);

	private final Map<String, List<Upstream>> pools = new ConcurrentHashMap<>();

	private final List<BiConsumer<String, List<Upstream>>> listeners = new CopyOnWriteArrayList<>();

	private final List<BiConsumer<String, Upstream>> newInstanceListeners = new CopyOnWriteArrayList<>();

	/** The services looked up in DNS, or read from their file, at least once. */
	private final Set<String> lookedUp = ConcurrentHashMap.newKeySet();

	/**
	 * What identifies the version of each service's file last read: its time, size and
	 * inode (which a rename always changes).
	 */
	private final Map<String, List<Object>> fileVersions = new ConcurrentHashMap<>();

	/**
	 * Instances drained at an operator's request, as {@code service id}; guarded by this
	 * object, as the updates are.
	 */
	private final Set<String> drainRequested = new HashSet<>();

	/**
	 * Instances that their file marks draining, as {@code service id}; guarded likewise.
	 */
	private final Set<String> sourceDraining = new HashSet<>();

	private final Resolver resolver;

	private final ScheduledExecutorService refresher;

	@Autowired
	UpstreamPools(UpstreamProperties properties) {
		this(properties, (host) -> Arrays.asList(InetAddress.getAllByName(host)));
	}

	UpstreamPools(UpstreamProperties properties, Resolver resolver) {
		this.resolver = resolver;
		properties.upstreams()
			.forEach((service, urls) -> this.pools.put(service, urls.stream().map(UpstreamPools::upstream).toList()));
		Map<String, Path> files = new LinkedHashMap<>(properties.files());
		files.keySet().removeAll(properties.dns().keySet());
		if (properties.dns().isEmpty() && files.isEmpty()) {
			this.refresher = null;
			return;
		}
		// The JVM keeps each answer for 1 s (GatewayApplication sets it before the first
		// look-up; set here, it would come too late to count).
		properties.dns().forEach(this::lookUp);
		files.forEach(this::read);
		this.refresher = Executors
			.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("upstream-refresh").factory());
		if (!properties.dns().isEmpty()) {
			long period = properties.dnsRefresh().toMillis();
			this.refresher.scheduleWithFixedDelay(() -> properties.dns().forEach(this::lookUp), period, period,
					TimeUnit.MILLISECONDS);
		}
		if (!files.isEmpty()) {
			long period = properties.fileRefresh().toMillis();
			this.refresher.scheduleWithFixedDelay(() -> files.forEach(this::read), period, period,
					TimeUnit.MILLISECONDS);
		}
	}

	/**
	 * The instances of a service that may take requests: healthy, not ejected, not
	 * draining. When none is, all that are not draining (panic mode, as Envoy's): better
	 * to try an instance that may have recovered than to refuse every request; and when
	 * all are draining, all of them. Empty only for an unknown service, or one whose name
	 * or file has no instance.
	 */
	List<Upstream> available(String service) {
		List<Upstream> all = this.pools.getOrDefault(service, List.of());
		long now = System.nanoTime();
		int available = 0;
		int draining = 0;
		for (Upstream upstream : all) {
			if (upstream.draining()) {
				draining++;
			}
			else if (upstream.available(now)) {
				available++;
			}
		}
		if (available == all.size() || draining == all.size()) {
			return all;
		}
		boolean panic = available == 0;
		List<Upstream> some = new ArrayList<>(panic ? all.size() - draining : available);
		for (Upstream upstream : all) {
			if (!upstream.draining() && (panic || upstream.available(now))) {
				some.add(upstream);
			}
		}
		return some;
	}

	/** Every instance of every service. */
	Map<String, List<Upstream>> all() {
		return Map.copyOf(this.pools);
	}

	/**
	 * Calls the listener with each service's instances now and whenever they change.
	 */
	void onChange(BiConsumer<String, List<Upstream>> listener) {
		this.listeners.add(listener);
		this.pools.forEach(listener);
	}

	/**
	 * Drains an instance at an operator's request ({@code POST /actuator/draining}): it
	 * takes no new request, finishes those under way, and stays draining until its source
	 * (DNS, the file) no longer lists it; then it is forgotten.
	 * @param service the service
	 * @param id the instance, as {@code /actuator/balancing} shows it ({@code host:port})
	 * @param draining {@code false} to take requests again (unless its file says it is
	 * draining)
	 * @return the instance, or empty if the service has none of that id
	 */
	synchronized Optional<Upstream> drain(String service, String id, boolean draining) {
		Optional<Upstream> found = this.pools.getOrDefault(service, List.of())
			.stream()
			.filter((upstream) -> upstream.id().equals(id))
			.findFirst();
		found.ifPresent((upstream) -> {
			if (draining) {
				this.drainRequested.add(service + " " + id);
			}
			else {
				this.drainRequested.remove(service + " " + id);
			}
			// A request cannot undo what the instance's file says.
			boolean now = draining || this.sourceDraining.contains(service + " " + id);
			if (upstream.draining() != now) {
				upstream.drain(now);
				logger.info(service + " instance " + id
						+ (now ? " is draining at a request: no new request" : " takes requests again"));
			}
		});
		return found;
	}

	/**
	 * Calls the listener with each instance that DNS adds to a service after the first
	 * look-up, before any request can reach it.
	 */
	void onNewInstance(BiConsumer<String, Upstream> listener) {
		this.newInstanceListeners.add(listener);
	}

	/** Looks a service's name up and updates its instances; keeps them if DNS fails. */
	void lookUp(String service, URI url) {
		List<InetAddress> addresses;
		try {
			addresses = this.resolver.resolve(url.getHost());
		}
		catch (UnknownHostException ex) {
			// A name with no address yet (no replica started) is an empty service; a
			// failing resolver keeps what was known.
			addresses = List.of();
			logger.debug("No address for " + url.getHost() + ": " + ex.getMessage());
		}
		catch (RuntimeException ex) {
			logger.warn("Looking up " + url.getHost() + " failed; keeping its instances: " + ex.getMessage());
			return;
		}
		List<UpstreamFile.Member> members = new ArrayList<>();
		for (InetAddress address : addresses) {
			members.add(new UpstreamFile.Member(
					UriComponentsBuilder.fromUri(url).host(address.getHostAddress()).build().toUri(), false));
		}
		update(service, members, "DNS (" + url.getHost() + ")");
	}

	/**
	 * Reads a service's file if it changed since the last read, and updates its
	 * instances; keeps them if the file cannot be read or is malformed. A file that does
	 * not exist (yet) is a service with no instance.
	 */
	void read(String service, Path file) {
		try {
			List<Object> version = List.of();
			if (Files.exists(file)) {
				BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
				version = Arrays.asList(attributes.lastModifiedTime(), attributes.size(), attributes.fileKey());
			}
			if (version.equals(this.fileVersions.put(service, version)) && this.lookedUp.contains(service)) {
				return;
			}
			update(service, UpstreamFile.read(file).orElse(List.of()), file.toString());
		}
		catch (IOException | RuntimeException ex) {
			this.fileVersions.remove(service);
			logger.warn("Reading " + file + " failed; keeping the instances of " + service + ": " + ex.getMessage());
		}
	}

	/**
	 * Makes the members the instances of a service: known ones keep their state, new ones
	 * are announced (after the first update) before any request can reach them.
	 */
	private synchronized void update(String service, List<UpstreamFile.Member> members, String source) {
		Map<String, Upstream> known = new LinkedHashMap<>();
		this.pools.getOrDefault(service, List.of()).forEach((upstream) -> known.put(upstream.id(), upstream));
		List<Upstream> next = new ArrayList<>();
		boolean first = this.lookedUp.add(service);
		Set<String> ids = new HashSet<>();
		for (UpstreamFile.Member member : members) {
			String id = Upstream.idOf(member.url());
			ids.add(id);
			if (member.draining()) {
				this.sourceDraining.add(service + " " + id);
			}
			else {
				this.sourceDraining.remove(service + " " + id);
			}
			boolean draining = member.draining() || this.drainRequested.contains(service + " " + id);
			Upstream upstream = known.get(id);
			if (upstream == null) {
				upstream = upstream(member.url());
				upstream.drain(draining);
				if (!first) {
					Upstream added = upstream;
					this.newInstanceListeners.forEach((listener) -> listener.accept(service, added));
				}
			}
			else if (upstream.draining() != draining) {
				upstream.drain(draining);
				logger.info(service + " instance " + upstream.id()
						+ (draining ? " is draining: no new request" : " takes requests again"));
			}
			next.add(upstream);
		}
		// A drained instance that is gone is forgotten: its address may come back as a
		// new instance (Docker gives a stopped container's address to a later one).
		this.drainRequested
			.removeIf((key) -> key.startsWith(service + " ") && !ids.contains(key.substring(service.length() + 1)));
		this.sourceDraining
			.removeIf((key) -> key.startsWith(service + " ") && !ids.contains(key.substring(service.length() + 1)));
		next.sort((a, b) -> a.id().compareTo(b.id()));
		List<Upstream> previous = this.pools.put(service, List.copyOf(next));
		if (!next.equals(previous)) {
			logger.info(service + " instances from " + source + ": " + next);
			this.listeners.forEach((listener) -> listener.accept(service, List.copyOf(next)));
		}
	}

	@Override
	public void destroy() {
		if (this.refresher != null) {
			this.refresher.shutdownNow();
		}
	}

	private static Upstream upstream(URI url) {
		String weight = UriComponentsBuilder.fromUri(url).build().getQueryParams().getFirst("weight");
		URI base = UriComponentsBuilder.fromUri(url).replaceQuery(null).build().toUri();
		return new Upstream(base, (weight != null) ? Integer.parseInt(weight) : 1, new PeakEwma());
	}

	/** Looks a host name up: {@link InetAddress#getAllByName}, or a stand-in in tests. */
	@FunctionalInterface
	interface Resolver {

		List<InetAddress> resolve(String host) throws UnknownHostException;

	}

}
