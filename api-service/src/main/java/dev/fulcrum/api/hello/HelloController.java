package dev.fulcrum.api.hello;

import dev.fulcrum.common.InstanceId;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
class HelloController {

	private final Hello hello;

	HelloController(InstanceId instanceId) {
		this.hello = new Hello("Hello from Fulcrum", instanceId.value());
	}

	@GetMapping("/api/hello")
	Hello hello() {
		return this.hello;
	}

	record Hello(String message, String instance) {
	}

}
