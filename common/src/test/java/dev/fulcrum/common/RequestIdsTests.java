package dev.fulcrum.common;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RequestIdsTests {

	@Test
	void keepsAValidIncomingId() {
		assertThat(RequestIds.acceptOrGenerate("req-42.a:b_C")).isEqualTo("req-42.a:b_C");
	}

	@Test
	void replacesMissingOrUnsafeIds() {
		for (String unsafe : new String[] { null, "", "has space", "new\nline", "x".repeat(129), "<script>" }) {
			String id = RequestIds.acceptOrGenerate(unsafe);
			assertThat(id).as("replacement for %s", unsafe).isNotEqualTo(unsafe);
			assertThat(RequestIds.isValid(id)).isTrue();
		}
	}

	@Test
	void generatesDistinctIds() {
		assertThat(RequestIds.generate()).isNotEqualTo(RequestIds.generate());
	}

}
