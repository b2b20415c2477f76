package org.sparkpooling.spark;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The UI filter's decision, which the cluster tests exercise through the real master and workers. */
class UiBasicAuthFilterTest {

    private static final byte[] CREDENTIALS = "alice:s3cret".getBytes(StandardCharsets.UTF_8);

    private static String basic(String userColonPassword) {
        return "Basic " + Base64.getEncoder().encodeToString(userColonPassword.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void acceptsExactlyTheOwnerAndTheSecret() {
        assertTrue(UiBasicAuthFilter.authorized(basic("alice:s3cret"), CREDENTIALS));
        assertTrue(UiBasicAuthFilter.authorized("  " + basic("alice:s3cret") + " ", CREDENTIALS), "surrounding blanks");
        assertTrue(UiBasicAuthFilter.authorized(basic("alice:s3cret").replace("Basic", "bAsIc"), CREDENTIALS),
                "the scheme name in any case (RFC 7617)");
    }

    @Test
    void refusesEverythingElse() {
        for (String header : new String[] {
            null, "", "Basic", "Basic ", "Bearer " + Base64.getEncoder().encodeToString(CREDENTIALS),
            basic("alice:s3cre"), basic("alice:s3cret "), basic("alice:s3cretX"), basic("bob:s3cret"),
            basic("alice"), basic(":s3cret"), basic("alice:"), "Basic not*base64", "Basic YWxpY2U6czNjcmV0===",
            Base64.getEncoder().encodeToString(CREDENTIALS), // no scheme
        }) {
            assertFalse(UiBasicAuthFilter.authorized(header, CREDENTIALS), "header " + header);
        }
        assertFalse(UiBasicAuthFilter.authorized(basic("alice:s3cret"), null), "a filter without credentials lets nobody in");
    }

    @Test
    void initRefusesAMissingOrBadUserAndAMissingSecret() throws ServletException {
        assertThrows(ServletException.class, () -> new UiBasicAuthFilter().init(config(Map.of("secret", "x"))));
        assertThrows(ServletException.class, () -> new UiBasicAuthFilter().init(config(Map.of("user", "a:b", "secret", "x"))));
        assertThrows(ServletException.class, () -> new UiBasicAuthFilter().init(config(Map.of("user", " ", "secret", "x"))));
        assertThrows(ServletException.class, () -> new UiBasicAuthFilter().init(config(Map.of("user", "alice"))));
        assertThrows(ServletException.class, () -> new UiBasicAuthFilter().init(config(Map.of("user", "alice", "secret", ""))));
        new UiBasicAuthFilter().init(config(Map.of("user", "alice", "secret", "s3cret")));
    }

    /** Init parameters as Jetty hands them over from spark.&lt;filter&gt;.param.* settings. */
    private static FilterConfig config(Map<String, String> params) {
        Map<String, String> copy = new HashMap<>(params);
        return new FilterConfig() {
            @Override
            public String getFilterName() {
                return "UiBasicAuthFilter";
            }

            @Override
            public ServletContext getServletContext() {
                return null; // init reads parameters only
            }

            @Override
            public String getInitParameter(String name) {
                return copy.get(name);
            }

            @Override
            public Enumeration<String> getInitParameterNames() {
                return Collections.enumeration(copy.keySet());
            }
        };
    }
}
