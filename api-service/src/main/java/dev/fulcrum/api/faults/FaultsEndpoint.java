package dev.fulcrum.api.faults;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.lang.Nullable;

/**
 * {@code /actuator/faults} on the management port: read, set ({@code POST
 * {"delayMillis":300,"failureRate":0.2}}, either field alone keeps the other), clear
 * ({@code DELETE}).
 */
@Endpoint(id = "faults")
class FaultsEndpoint {

	private final FaultsFilter filter;

	FaultsEndpoint(FaultsFilter filter) {
		this.filter = filter;
	}

	@ReadOperation
	Faults faults() {
		return this.filter.faults();
	}

	@WriteOperation
	Faults set(@Nullable Integer delayMillis, @Nullable Double failureRate) {
		Faults current = this.filter.faults();
		try {
			Faults next = new Faults((delayMillis != null) ? delayMillis : current.delayMillis(),
					(failureRate != null) ? failureRate : current.failureRate());
			this.filter.set(next);
			return next;
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidEndpointRequestException(ex.getMessage(), ex.getMessage());
		}
	}

	@DeleteOperation
	Faults clear() {
		this.filter.set(Faults.NONE);
		return Faults.NONE;
	}

}
