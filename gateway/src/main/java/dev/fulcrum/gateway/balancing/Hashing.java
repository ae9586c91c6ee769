package dev.fulcrum.gateway.balancing;

import java.nio.charset.StandardCharsets;

/**
 * A fast, well-mixed 64-bit hash of text (FNV-1a, then the finaliser of SplitMix64), for
 * placing clients and instances on the hash ring. Not for anything secret.
 */
final class Hashing {

	private Hashing() {
	}

	static long hash64(String text) {
		long hash = 0xcbf29ce484222325L;
		for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
			hash ^= (b & 0xff);
			hash *= 0x100000001b3L;
		}
		hash = (hash ^ (hash >>> 30)) * 0xbf58476d1ce4e5b9L;
		hash = (hash ^ (hash >>> 27)) * 0x94d049bb133111ebL;
		return hash ^ (hash >>> 31);
	}

}
