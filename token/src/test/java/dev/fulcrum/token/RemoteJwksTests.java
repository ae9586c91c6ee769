package dev.fulcrum.token;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RemoteJwksTests {

	final JwksServer server = new JwksServer();

	@AfterEach
	void stop() {
		this.server.close();
	}

	@Test
	void servesKnownKeysFromMemory() {
		JwksServer.Signer signer = this.server.publish();
		RemoteJwks jwks = new RemoteJwks(this.server.properties(Duration.ofSeconds(1)), Clock.systemUTC());
		for (int i = 0; i < 5; i++) {
			assertThat(jwks.find(signer.keyId()).block()).extracting(VerificationKey::id).isEqualTo(signer.keyId());
		}
		assertThat(this.server.fetches).hasValue(1);
	}

	@Test
	void boundsFetchesForUnknownKeyIds() {
		this.server.publish();
		RemoteJwks jwks = new RemoteJwks(this.server.properties(Duration.ofMillis(300)), Clock.systemUTC());
		List<VerificationKey> found = Flux.fromStream(IntStream.range(0, 50).mapToObj((i) -> "made-up-" + i))
			.flatMap(jwks::find, 50)
			.collectList()
			.block(Duration.ofSeconds(10));
		assertThat(found).isEmpty();
		// Fifty unknown ids at once: one shared fetch, perhaps a second after the
		// interval.
		assertThat(this.server.fetches.get()).isBetween(1, 2);
	}

	@Test
	void findsAKeyPublishedJustAfterTheLastFetch() {
		this.server.publish();
		RemoteJwks jwks = new RemoteJwks(this.server.properties(Duration.ofMillis(500)), Clock.systemUTC());
		assertThat(jwks.find("unknown").blockOptional()).isEmpty();
		JwksServer.Signer fresh = this.server.publish();
		// Asked within the minimum interval: waits for the next allowed fetch, not
		// refused.
		assertThat(jwks.find(fresh.keyId()).block(Duration.ofSeconds(5))).extracting(VerificationKey::id)
			.isEqualTo(fresh.keyId());
		assertThat(this.server.fetches).hasValue(2);
	}

	@Test
	void reportsAnUnreachableKeySetAsUnavailable() {
		this.server.close();
		RemoteJwks jwks = new RemoteJwks(this.server.properties(Duration.ofMillis(100)), Clock.systemUTC());
		assertThatThrownBy(() -> jwks.find(UUID.randomUUID().toString()).block(Duration.ofSeconds(5)))
			.isInstanceOf(TokenCheckUnavailableException.class);
	}

	@Test
	void forgetsVerifiedTokensOfAWithdrawnKey() throws Exception {
		JwksServer.Signer signer = this.server.publish();
		TokenProperties properties = this.server.properties(Duration.ofMillis(10));
		RemoteJwks jwks = new RemoteJwks(properties, Clock.systemUTC());
		TokenVerifier verifier = new TokenVerifier(properties, jwks, Clock.systemUTC());
		String token = signer.token(Instant.now(), Duration.ofMinutes(5));
		assertThat(verifier.verify(token).block()).isNotNull();
		assertThat(verifier.cachedTokens()).isEqualTo(1);

		this.server.withdrawAll();
		jwks.refreshNow();

		assertThat(verifier.cachedTokens()).isZero();
		assertThatThrownBy(() -> verifier.verify(token).block()).isInstanceOf(InvalidTokenException.class)
			.hasMessageContaining("unknown key");
	}

	@Test
	void keepsOnlyPublicSigningKeysOfAcceptedAlgorithms() {
		String set = """
				{"keys":[
				 {"kty":"oct","k":"c2VjcmV0","kid":"hmac","alg":"HS256"},
				 {"kty":"EC","crv":"P-256","kid":"enc","alg":"ES256","use":"enc",
				  "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
				 {"kty":"EC","crv":"P-256","kid":"ok","alg":"ES256","use":"sig",
				  "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
				 {"kty":"EC","crv":"P-256","kid":"private","alg":"ES256",
				  "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
				  "d":"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"},
				 {"kty":"OKP","crv":"Ed25519","kid":"eddsa","alg":"EdDSA",
				  "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
				]}""";
		assertThat(JwkSets.parse(set, List.of("ES256")).keySet()).containsExactly("ok");
		assertThat(JwkSets.parse(set, List.of("ES256", "EdDSA")).keySet()).containsExactlyInAnyOrder("ok", "eddsa");
	}

}
