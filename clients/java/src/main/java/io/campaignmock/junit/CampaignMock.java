package io.campaignmock.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs one campaign-mock server for the annotated test class (started before its first
 * test, stopped after its last, {@code @Nested} classes included) and injects into test
 * methods, constructors and lifecycle methods:
 * <ul>
 *   <li>an {@link io.campaignmock.CampaignMock} parameter: the class's server;</li>
 *   <li>a {@link io.campaignmock.Tenant} parameter: a fresh tenant of that server, made
 *       from the template {@code *} and named after the test, so that tests running in
 *       parallel never share state. The test's {@code @BeforeEach} and {@code @AfterEach}
 *       methods get the same tenant as the test (the N-th Tenant parameter of each is
 *       the test's N-th tenant); a {@code @BeforeAll} one gets a tenant of the class.</li>
 * </ul>
 * This annotation and the server class share their simple name: import this one, and
 * reach the server through {@code tenant.mock()}, or name the parameter's type
 * {@code io.campaignmock.CampaignMock} in full.
 *
 * <pre>{@code
 * @CampaignMock(clock = "manual")
 * class IngestionTest {
 *     @Test
 *     void succeeds(Tenant tenant) { ... }
 * }
 * }</pre>
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(CampaignMockExtension.class)
public @interface CampaignMock {
    /** {@code --auth}: {@code off}, {@code presence} or {@code strict}; "" for the server's default (presence). */
    String auth() default "";

    /** {@code --clock}: {@code real} or {@code manual}; "" for the server's default (real). */
    String clock() default "";

    /**
     * {@code --fixtures} paths, in order; none for the bundled set. They replace the
     * bundled set: list {@code "bundled"} to keep it. A relative path is taken from the
     * {@code basedir} system property (Maven Surefire's module directory), else the
     * working directory.
     */
    String[] fixtures() default {};

    /** More command-line options: {@code {"--seed", "7"}}. */
    String[] args() default {};
}
