package dev.fulcrum.dashboard;

import java.time.Duration;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import dev.fulcrum.gateway.dashboard.DashboardSampler;

import org.springframework.context.SmartLifecycle;
import org.springframework.http.codec.ServerSentEvent;

/**
 * The dashboard's event streams: for each page, a {@code history} event, then the newest
 * snapshot every second, all pages sharing one timer. The streams end when the management
 * server stops, first of its parts: an open page never holds up the graceful shutdown,
 * which would otherwise wait for it as for any request under way.
 */
class DashboardStreams implements SmartLifecycle {

	private final DashboardSampler sampler;

	private final Flux<ServerSentEvent<String>> snapshots;

	private final Sinks.Empty<Void> closing = Sinks.empty();

	private volatile boolean running;

	DashboardStreams(DashboardSampler sampler) {
		this.sampler = sampler;
		this.snapshots = Flux.interval(Duration.ofSeconds(1)).onBackpressureDrop().map((tick) -> {
			String latest = sampler.latest();
			return (latest != null) ? ServerSentEvent.builder(latest).event("snapshot").build()
					: ServerSentEvent.<String>builder().comment("starting").build();
		}).share();
	}

	/**
	 * A new page's stream.
	 * @return its events
	 */
	Flux<ServerSentEvent<String>> stream() {
		return Flux
			.concat(Mono.fromSupplier(() -> ServerSentEvent.builder(this.sampler.history()).event("history").build()),
					this.snapshots)
			.takeUntilOther(this.closing.asMono());
	}

	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
		this.closing.tryEmitEmpty();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

}
