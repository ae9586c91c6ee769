package dev.fulcrum.gateway.balancing;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Instances from DNS and from a file: what a lookup or a read adds, keeps, drains and
 * drops. The name's answers are set by the test (the JDK's resolver is exercised by
 * {@code DnsRoutingTests}, a file rewritten under a running gateway by
 * {@code FileRoutingTests}).
 */
class UpstreamPoolsTests {

	final List<String> answers = new ArrayList<>(List.of("10.0.0.1", "10.0.0.2"));

	boolean failing;

	final UpstreamPools pools = new UpstreamPools(
			new UpstreamProperties(Map.of(), Map.of("api-service", URI.create("http://api-service:8091")),
					Duration.ofHours(1), Map.of(), Duration.ofHours(1)),
			(host) -> {
				if (this.failing) {
					throw new IllegalStateException("resolver down");
				}
				if (this.answers.isEmpty()) {
					throw new UnknownHostException(host);
				}
				List<InetAddress> addresses = new ArrayList<>();
				for (String answer : this.answers) {
					addresses.add(InetAddress.getByName(answer));
				}
				return addresses;
			});

	@AfterEach
	void stopRefreshing() {
		this.pools.destroy();
	}

	@Test
	void findsOneInstancePerAddressOnThePortOfTheUrl() {
		assertThat(ids()).containsExactly("10.0.0.1:8091", "10.0.0.2:8091");
		assertThat(this.pools.available("api-service").getFirst().uri()).isEqualTo(URI.create("http://10.0.0.1:8091"));
	}

	@Test
	void addsNewAddressesAndKeepsTheStateOfThoseThatStay() {
		Upstream first = this.pools.available("api-service").getFirst();
		first.started();
		this.answers.add("10.0.0.3");
		lookUp();
		assertThat(ids()).containsExactly("10.0.0.1:8091", "10.0.0.2:8091", "10.0.0.3:8091");
		assertThat(this.pools.available("api-service").getFirst()).isSameAs(first);
		assertThat(first.inFlight()).isEqualTo(1);
	}

	@Test
	void tellsOfEachInstanceAddedAfterTheFirstLookUpBeforeItCanBeChosen() {
		List<String> heard = new ArrayList<>();
		this.pools.onNewInstance((service, upstream) -> heard.add(service + " " + upstream.id() + " "
				+ this.pools.available(service).stream().map(Upstream::id).toList()));
		this.answers.add("10.0.0.3");
		lookUp();
		lookUp();
		assertThat(heard).containsExactly("api-service 10.0.0.3:8091 [10.0.0.1:8091, 10.0.0.2:8091]");
	}

	@Test
	void dropsAddressesThatLeaveAndTellsListeners() {
		List<List<Upstream>> heard = new ArrayList<>();
		this.pools.onChange((service, upstreams) -> heard.add(upstreams));
		this.answers.remove("10.0.0.1");
		lookUp();
		assertThat(ids()).containsExactly("10.0.0.2:8091");
		assertThat(heard).hasSize(2);
		assertThat(heard.getLast()).extracting(Upstream::id).containsExactly("10.0.0.2:8091");
	}

	@Test
	void aNameWithNoAddressIsAServiceWithNoInstance() {
		this.answers.clear();
		lookUp();
		assertThat(this.pools.available("api-service")).isEmpty();
	}

	@Test
	void keepsWhatItKnewWhenTheResolverFails() {
		this.failing = true;
		lookUp();
		assertThat(ids()).containsExactly("10.0.0.1:8091", "10.0.0.2:8091");
	}

	@Test
	void ignoresAnEmptyDnsEntry() {
		UpstreamProperties properties = new UpstreamProperties(Map.of(), Map.of("api-service", URI.create("")),
				Duration.ofSeconds(5), Map.of(), Duration.ofSeconds(1));
		assertThat(properties.dns()).isEmpty();
	}

	@Test
	void readsTheInstancesOfAFileAndFollowsItsChanges(@TempDir Path folder) throws Exception {
		Path file = folder.resolve("api-service");
		write(file, "# the local stack", "http://127.0.0.1:8091", "", "http://127.0.0.1:8092");
		UpstreamPools fromFile = fromFile(file);
		List<String> added = new ArrayList<>();
		fromFile.onNewInstance((service, upstream) -> added.add(upstream.id()));
		assertThat(ids(fromFile)).containsExactly("127.0.0.1:8091", "127.0.0.1:8092");
		Upstream first = fromFile.available("api-service").getFirst();

		write(file, "http://127.0.0.1:8091", "http://127.0.0.1:8092", "http://127.0.0.1:8093");
		fromFile.read("api-service", file);
		assertThat(ids(fromFile)).containsExactly("127.0.0.1:8091", "127.0.0.1:8092", "127.0.0.1:8093");
		assertThat(added).as("announced, so that it joins by health check").containsExactly("127.0.0.1:8093");
		assertThat(fromFile.available("api-service").getFirst()).as("kept with its state").isSameAs(first);

		write(file, "http://127.0.0.1:8091", "http://127.0.0.1:8092", "http://127.0.0.1:8093 draining");
		fromFile.read("api-service", file);
		assertThat(ids(fromFile)).as("a draining instance takes no new request")
			.containsExactly("127.0.0.1:8091", "127.0.0.1:8092");
		assertThat(fromFile.all().get("api-service")).as("but is still known, its requests under way counted")
			.hasSize(3);

		write(file, "http://127.0.0.1:8091", "http://127.0.0.1:8092");
		fromFile.read("api-service", file);
		assertThat(fromFile.all().get("api-service")).extracting(Upstream::id)
			.containsExactly("127.0.0.1:8091", "127.0.0.1:8092");
		fromFile.destroy();
	}

	@Test
	void keepsTheInstancesWhenTheFileIsMalformed(@TempDir Path folder) throws Exception {
		Path file = folder.resolve("api-service");
		write(file, "http://127.0.0.1:8091");
		UpstreamPools fromFile = fromFile(file);
		write(file, "http://127.0.0.1:8092 leaving");
		fromFile.read("api-service", file);
		assertThat(ids(fromFile)).containsExactly("127.0.0.1:8091");
		fromFile.destroy();
	}

	@Test
	void aFileNotWrittenYetIsAServiceWithNoInstance(@TempDir Path folder) {
		UpstreamPools fromFile = fromFile(folder.resolve("api-service"));
		assertThat(fromFile.available("api-service")).isEmpty();
		fromFile.destroy();
	}

	@Test
	void panicModeNeverSendsToADrainingInstanceWhileAnotherIsLeft(@TempDir Path folder) throws Exception {
		Path file = folder.resolve("api-service");
		write(file, "http://127.0.0.1:8091", "http://127.0.0.1:8092 draining");
		UpstreamPools fromFile = fromFile(file);
		fromFile.all().get("api-service").forEach((upstream) -> upstream.countCheck(false, UpstreamTests.CHECKS));
		fromFile.all().get("api-service").forEach((upstream) -> upstream.countCheck(false, UpstreamTests.CHECKS));
		assertThat(ids(fromFile)).as("none healthy: panic, but not the draining one").containsExactly("127.0.0.1:8091");
		write(file, "http://127.0.0.1:8091 draining", "http://127.0.0.1:8092 draining");
		fromFile.read("api-service", file);
		assertThat(ids(fromFile)).as("all draining: better than refusing")
			.containsExactly("127.0.0.1:8091", "127.0.0.1:8092");
		fromFile.destroy();
	}

	@Test
	void aRequestCannotUndrainWhatTheFileDrains(@TempDir Path folder) throws Exception {
		Path file = folder.resolve("api-service");
		write(file, "http://127.0.0.1:8091", "http://127.0.0.1:8092 draining");
		UpstreamPools fromFile = fromFile(file);
		fromFile.drain("api-service", "127.0.0.1:8092", false);
		assertThat(ids(fromFile)).containsExactly("127.0.0.1:8091");
		fromFile.drain("api-service", "127.0.0.1:8091", true);
		assertThat(ids(fromFile)).as("all draining: better than refusing")
			.containsExactly("127.0.0.1:8091", "127.0.0.1:8092");
		fromFile.drain("api-service", "127.0.0.1:8091", false);
		assertThat(ids(fromFile)).containsExactly("127.0.0.1:8091");
		fromFile.destroy();
	}

	@Test
	void parsesOnlyUrlsAndTheDrainingMark() {
		assertThat(UpstreamFile.parse(List.of("  http://10.0.0.1:8091  draining ", "#http://10.0.0.9:1")))
			.containsExactly(new UpstreamFile.Member(URI.create("http://10.0.0.1:8091"), true));
		for (String bad : List.of("http://10.0.0.1:8091 gone", "10.0.0.1:8091", "ftp://10.0.0.1/", "a b c")) {
			org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
				.as(bad)
				.isThrownBy(() -> UpstreamFile.parse(List.of(bad)));
		}
	}

	private static UpstreamPools fromFile(Path file) {
		return new UpstreamPools(new UpstreamProperties(Map.of(), Map.of(), Duration.ofHours(1),
				Map.of("api-service", file), Duration.ofHours(1)), (host) -> List.of());
	}

	/**
	 * Writes the file as the launcher does (a new file, renamed over), with a new time.
	 */
	private static void write(Path file, String... lines) throws Exception {
		Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
		Files.write(temporary, List.of(lines));
		long previous = Files.exists(file) ? Files.getLastModifiedTime(file).toMillis() : 0;
		Files.setLastModifiedTime(temporary,
				FileTime.fromMillis(Math.max(System.currentTimeMillis(), previous + 1000)));
		Files.move(temporary, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
				java.nio.file.StandardCopyOption.ATOMIC_MOVE);
	}

	private static List<String> ids(UpstreamPools pools) {
		return pools.available("api-service").stream().map(Upstream::id).toList();
	}

	@Test
	void anInstanceDrainedAtARequestStaysDrainingAcrossLookUpsUntilDnsDropsIt() {
		assertThat(this.pools.drain("api-service", "10.0.0.9:8091", true)).as("unknown").isEmpty();
		assertThat(this.pools.drain("api-service", "10.0.0.2:8091", true)).isPresent();
		lookUp();
		assertThat(ids()).containsExactly("10.0.0.1:8091");
		// The container is stopped: DNS drops it, and the drain is forgotten.
		this.answers.remove("10.0.0.2");
		lookUp();
		// Its address comes back for a new container: a new instance, not draining.
		this.answers.add("10.0.0.2");
		lookUp();
		assertThat(ids()).containsExactly("10.0.0.1:8091", "10.0.0.2:8091");
	}

	@Test
	void anInstanceDrainedAtARequestTakesRequestsAgainWhenUndrained() {
		this.pools.drain("api-service", "10.0.0.1:8091", true);
		assertThat(ids()).containsExactly("10.0.0.2:8091");
		this.pools.drain("api-service", "10.0.0.1:8091", false);
		lookUp();
		assertThat(ids()).containsExactly("10.0.0.1:8091", "10.0.0.2:8091");
	}

	private void lookUp() {
		this.pools.lookUp("api-service", URI.create("http://api-service:8091"));
	}

	private List<String> ids() {
		return this.pools.available("api-service").stream().map(Upstream::id).toList();
	}

}
