package io.campaignmock.junit;

import io.campaignmock.Tenant;
import java.lang.reflect.AnnotatedElement;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The extension behind {@link CampaignMock}: one server per annotated class, kept in
 * that class's {@link ExtensionContext.Store}; {@code CampaignMock} and {@code Tenant}
 * parameters resolved from it. Safe under JUnit's parallel execution: the server is
 * started once (the store computes it atomically), and each test gets tenants of its
 * own (shared with its {@code @BeforeEach} and {@code @AfterEach} methods).
 */
public class CampaignMockExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(CampaignMockExtension.class);
    private static final String KEY = "server";

    /** The store's value: closed by the store too, should afterAll not run. */
    private static final class Server implements ExtensionContext.Store.CloseableResource {
        final io.campaignmock.CampaignMock mock;

        Server(io.campaignmock.CampaignMock mock) {
            this.mock = mock;
        }

        @Override
        public void close() {
            mock.close();
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (annotationOn(context).isPresent()) {
            server(context);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (annotationOn(context).isPresent()) {
            Server s = context.getStore(NAMESPACE).remove(serverKey(context), Server.class);
            if (s != null) {
                s.close(); // throws when the server did not stop cleanly: the class fails
            }
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == io.campaignmock.CampaignMock.class || type == Tenant.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        io.campaignmock.CampaignMock mock = server(context);
        if (parameter.getParameter().getType() == io.campaignmock.CampaignMock.class) {
            return mock;
        }
        // The N-th Tenant parameter of a method is the test's N-th tenant: @BeforeEach,
        // the test and @AfterEach share it; (Tenant a, Tenant b) are two. Keyed by the
        // context's id, as a store also answers its parents' values.
        int ordinal = 0;
        Class<?>[] types = parameter.getDeclaringExecutable().getParameterTypes();
        for (int i = 0; i < parameter.getIndex(); i++) {
            if (types[i] == Tenant.class) {
                ordinal++;
            }
        }
        String hint = context.getTestMethod().map(m -> m.getName())
                .orElse(context.getTestClass().map(Class::getSimpleName).orElse("t"));
        return context.getStore(NAMESPACE).getOrComputeIfAbsent("tenant " + context.getUniqueId() + " " + ordinal,
                k -> mock.tenant(hint), Tenant.class);
    }

    /**
     * The server of the nearest annotated class around this context, started on first
     * use (before beforeAll when a PER_CLASS test instance takes it in its constructor).
     */
    private static io.campaignmock.CampaignMock server(ExtensionContext context) {
        for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
            Optional<CampaignMock> a = annotationOn(c);
            if (a.isPresent()) {
                CampaignMock options = a.get();
                ExtensionContext owner = c;
                Server s = owner.getStore(NAMESPACE).getOrComputeIfAbsent(serverKey(owner), k -> start(options),
                        Server.class);
                return s.mock;
            }
        }
        throw new ParameterResolutionException("no @CampaignMock on " + context.getDisplayName()
                + " or a class around it");
    }

    /**
     * The key of a class's server: a store also answers its parents' values, so an
     * annotated @Nested class would otherwise get its outer class's server.
     */
    private static String serverKey(ExtensionContext classContext) {
        return KEY + " " + classContext.getUniqueId();
    }

    /** The annotation of a class-level context's own class (or its superclasses). */
    private static Optional<CampaignMock> annotationOn(ExtensionContext c) {
        Optional<AnnotatedElement> element = c.getElement();
        if (element.isEmpty() || !(element.get() instanceof Class)) {
            return Optional.empty();
        }
        return AnnotationSupport.findAnnotation(element.get(), CampaignMock.class);
    }

    private static Server start(CampaignMock options) {
        return new Server(io.campaignmock.CampaignMock.builder()
                .auth(options.auth())
                .clock(options.clock())
                .fixtures(options.fixtures())
                .args(options.args())
                .start());
    }
}
