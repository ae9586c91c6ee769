package dev.fulcrum.token;

import java.time.Duration;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.ReactiveSubscription;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.ReactiveRedisMessageListenerContainer;

/**
 * Listens on {@link RevocationKeys#CHANNEL} and feeds each revocation to the
 * {@link RevocationChecker}, so that a revoked token is refused locally from then on.
 * Resubscribes by itself when Redis comes back; while it is away, nothing is lost that
 * matters, because every unrevoked-looking token is still checked in Redis.
 */
final class RevocationSubscription implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(RevocationSubscription.class);

	private final ReactiveRedisConnectionFactory connectionFactory;

	private final RevocationChecker checker;

	private volatile Disposable subscription;

	RevocationSubscription(ReactiveRedisConnectionFactory connectionFactory, RevocationChecker checker) {
		this.connectionFactory = connectionFactory;
		this.checker = checker;
	}

	@Override
	public void start() {
		this.subscription = Flux
			.usingWhen(Mono.fromCallable(() -> new ReactiveRedisMessageListenerContainer(this.connectionFactory)),
					(container) -> container.receive(ChannelTopic.of(RevocationKeys.CHANNEL)),
					ReactiveRedisMessageListenerContainer::destroyLater)
			.map(ReactiveSubscription.Message::getMessage)
			.doOnError((ex) -> logger.debug("Revocation channel lost; resubscribing: " + ex))
			.retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(500)).maxBackoff(Duration.ofSeconds(10)))
			.subscribe(this.checker::remember);
	}

	@Override
	public void stop() {
		Disposable current = this.subscription;
		if (current != null) {
			current.dispose();
		}
		this.subscription = null;
	}

	@Override
	public boolean isRunning() {
		return this.subscription != null;
	}

}
