package dev.fulcrum.testsupport;

import java.util.Arrays;
import java.util.List;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The package boundaries every service keeps, checked on its compiled classes and the
 * shared modules it ships with (ArchUnit): no cycle between its feature packages
 * ({@code dev.fulcrum.<service>.<feature>}), no dependency on another service, and shared
 * modules ({@code common}, {@code token}, {@code jobs}) that depend on no service. A
 * service's {@code ArchitectureTests} extends this and names its application class.
 */
public abstract class ArchitectureTests {

	/** The packages of the services, each deployed on its own. */
	static final List<String> SERVICES = List.of("dev.fulcrum.gateway", "dev.fulcrum.dashboard", "dev.fulcrum.auth",
			"dev.fulcrum.api", "dev.fulcrum.worker");

	/** What two services must agree on, shared as modules. */
	static final List<String> SHARED = List.of("dev.fulcrum.common", "dev.fulcrum.token", "dev.fulcrum.jobs");

	/** Tools that run beside the stack and never inside a service. */
	static final List<String> TOOLS = List.of("dev.fulcrum.launcher", "dev.fulcrum.load", "dev.fulcrum.testsupport");

	private final String service;

	private final JavaClasses classes;

	/**
	 * Imports the service's classes and everything of Fulcrum's on its class path.
	 * @param application the service's application class, in its root package
	 */
	protected ArchitectureTests(Class<?> application) {
		this.service = application.getPackageName();
		this.classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
			.importPackages("dev.fulcrum");
	}

	/** The classes imported, for a service's own rules. */
	protected JavaClasses classes() {
		return this.classes;
	}

	@Test
	void featurePackagesFormNoCycle() {
		slices().matching(this.service + ".(*)..")
			.namingSlices(this.service + ".$1")
			.should()
			.beFreeOfCycles()
			.because("a feature package that needs another must not be needed by it; move what both need")
			.check(this.classes);
	}

	@Test
	void reachesNoOtherService() {
		String[] others = SERVICES.stream()
			.filter((other) -> !this.service.startsWith(other))
			.map((other) -> other + "..")
			.toArray(String[]::new);
		noClasses().that()
			.resideInAPackage(this.service + "..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage(others)
			.because("services talk over HTTP and Redis; what two must agree on lives in a shared module")
			.check(this.classes);
	}

	@Test
	void sharedModulesReachNoServiceAndNoTool() {
		noClasses().that()
			.resideInAnyPackage(packages(SHARED))
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage(packages(SERVICES, TOOLS))
			.because("a shared module is the contract between services, not a part of one")
			.check(this.classes);
	}

	@Test
	void shipsNoOtherServicesCode() {
		List<String> foreign = this.classes.stream()
			.map(JavaClass::getPackageName)
			.filter((name) -> SERVICES.stream()
				.anyMatch((other) -> !this.service.startsWith(other) && !isGatewayPair(other)
						&& (name.equals(other) || name.startsWith(other + "."))))
			.distinct()
			.toList();
		assertThat(foreign).as("packages of other services on %s's class path", this.service).isEmpty();
	}

	/** The dashboard's routes ship with the gateway, outside its component scan. */
	private boolean isGatewayPair(String other) {
		return this.service.equals("dev.fulcrum.gateway") && other.equals("dev.fulcrum.dashboard");
	}

	@SafeVarargs
	private static String[] packages(List<String>... lists) {
		return Arrays.stream(lists).flatMap(List::stream).map((name) -> name + "..").toArray(String[]::new);
	}

}
