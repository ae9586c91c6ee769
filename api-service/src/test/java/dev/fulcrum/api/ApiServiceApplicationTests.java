package dev.fulcrum.api;

import java.net.http.HttpResponse;

import dev.fulcrum.testsupport.ServiceContractTests;
import dev.fulcrum.testsupport.TestHttp;
import dev.fulcrum.testsupport.TestRedisConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "fulcrum.instance-id=api-test-1" })
@Import(TestRedisConfiguration.class)
class ApiServiceApplicationTests extends ServiceContractTests {

	@Override
	protected String instanceId() {
		return "api-test-1";
	}

	@Test
	void helloNamesTheInstanceInBodyAndHeader() {
		HttpResponse<String> response = TestHttp.get("http://localhost:" + this.port + "/api/hello");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("X-Served-By")).hasValue("api-test-1");
		assertThat(TestHttp.json(response).get("instance").asString()).isEqualTo("api-test-1");
		assertThat(TestHttp.json(response).get("message").asString()).isNotBlank();
	}

}
