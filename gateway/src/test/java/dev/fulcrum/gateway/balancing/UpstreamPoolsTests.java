package dev.fulcrum.gateway.balancing;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Instances from DNS: what a lookup adds, keeps and drops. The name's answers are set by
 * the test (the JDK's resolver is exercised by {@code DnsRoutingTests}).
 */
class UpstreamPoolsTests {

	final List<String> answers = new ArrayList<>(List.of("10.0.0.1", "10.0.0.2"));

	boolean failing;

	final UpstreamPools pools = new UpstreamPools(new UpstreamProperties(Map.of(),
			Map.of("api-service", URI.create("http://api-service:8091")), Duration.ofHours(1)), (host) -> {
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
				Duration.ofSeconds(5));
		assertThat(properties.dns()).isEmpty();
	}

	private void lookUp() {
		this.pools.lookUp("api-service", URI.create("http://api-service:8091"));
	}

	private List<String> ids() {
		return this.pools.available("api-service").stream().map(Upstream::id).toList();
	}

}
