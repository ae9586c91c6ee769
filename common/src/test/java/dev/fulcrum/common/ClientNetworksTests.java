package dev.fulcrum.common;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ClientNetworksTests {

	@Test
	void countsIpv4AddressesWhole() {
		assertThat(ClientNetworks.of("203.0.113.7")).isEqualTo("203.0.113.7");
	}

	@Test
	void countsIpv6AddressesByTheirSlash64() {
		assertThat(ClientNetworks.of("2001:db8:1:2:3:4:5:6")).isEqualTo("2001:db8:1:2::/64");
		assertThat(ClientNetworks.of("2001:db8:1:2::ffff")).isEqualTo("2001:db8:1:2::/64");
		assertThat(ClientNetworks.of("2001:db8:1:3::1")).isEqualTo("2001:db8:1:3::/64");
		assertThat(ClientNetworks.of("::1")).isEqualTo("0:0:0:0::/64");
	}

	@Test
	void countsAnIpv4MappedAddressAsItsIpv4Address() {
		assertThat(ClientNetworks.of("::ffff:203.0.113.7")).isEqualTo("203.0.113.7");
	}

	@Test
	void neverLooksANameUp() {
		assertThat(ClientNetworks.of("not:an:address:at:all:x")).isEqualTo("invalid");
	}

}
