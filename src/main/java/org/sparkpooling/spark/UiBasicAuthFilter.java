package org.sparkpooling.spark;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.Principal;
import java.util.Base64;
import java.util.Locale;

/**
 * HTTP Basic authentication for the web UIs of the standalone master and workers that
 * {@code scripts/cluster} starts ({@code spark.ui.filters}): a request passes only with the cluster's
 * owner as user name and the cluster's authentication secret as password, and then reaches Spark as
 * that user ({@link HttpServletRequest#getRemoteUser()}), the name Spark's ACLs
 * ({@code spark.acls.enable}, {@code spark.admin.acls}) check. Without a filter like this one every
 * request is anonymous, and Spark's {@code SecurityManager} lets an anonymous (null) user through every
 * ACL check: the ACLs alone protect nothing.
 *
 * <p>Only {@code jakarta.servlet} and the JDK: {@code scripts/cluster} compiles this one file for the
 * daemons' class path, which holds Spark's jars but not the app jar.
 *
 * <p>Basic authentication sends the secret in every request, readable by anyone who can see the
 * traffic: on loopback that is this machine's root; across a network it needs TLS on the UIs
 * ({@code spark.ssl.standalone.*}), see docs/cluster-security.md.
 */
public final class UiBasicAuthFilter implements Filter {

    /** Init parameter (Spark: {@code spark.org.sparkpooling.spark.UiBasicAuthFilter.param.user}): the one user. */
    public static final String USER_PARAM = "user";
    /** Init parameter: the password, the cluster's {@code spark.authenticate.secret}. */
    public static final String SECRET_PARAM = "secret";

    static final String CHALLENGE = "Basic realm=\"spark-pooling cluster\", charset=\"UTF-8\"";

    private String user;
    private byte[] credentials; // "user:secret" in UTF-8, what a client's header must decode to

    @Override
    public void init(FilterConfig config) throws ServletException {
        String u = config.getInitParameter(USER_PARAM);
        String secret = config.getInitParameter(SECRET_PARAM);
        // A failed init stops the daemon's UI from starting: a UI without its filter must not come up.
        if (u == null || u.isBlank() || u.indexOf(':') >= 0) {
            throw new ServletException(getClass().getName() + ": init parameter " + USER_PARAM + " (" + u
                    + ") must be a user name without ':'");
        }
        if (secret == null || secret.isEmpty()) {
            throw new ServletException(getClass().getName() + ": init parameter " + SECRET_PARAM + " is missing");
        }
        user = u;
        credentials = (u + ":" + secret).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest http = (HttpServletRequest) request;
        if (authorized(http.getHeader("Authorization"), credentials)) {
            chain.doFilter(new Authenticated(http, user), response);
            return;
        }
        HttpServletResponse out = (HttpServletResponse) response;
        out.setHeader("WWW-Authenticate", CHALLENGE);
        out.sendError(HttpServletResponse.SC_UNAUTHORIZED, "user and password (the cluster's secret) required");
    }

    /**
     * Whether an {@code Authorization} header carries exactly these {@code user:password} bytes, by
     * RFC 7617's Basic scheme (scheme name in any case). Compared in constant time, so response times
     * do not tell how much of a guess was right.
     */
    static boolean authorized(String header, byte[] credentials) {
        if (header == null || credentials == null) {
            return false;
        }
        String h = header.trim();
        if (h.length() < 6 || !h.substring(0, 6).toLowerCase(Locale.ROOT).equals("basic ")) {
            return false;
        }
        byte[] given;
        try {
            given = Base64.getDecoder().decode(h.substring(6).trim());
        } catch (IllegalArgumentException notBase64) {
            return false;
        }
        return MessageDigest.isEqual(given, credentials);
    }

    @Override
    public void destroy() {
    }

    /** The request as the authenticated user sees it: Spark's ACL checks read getRemoteUser(). */
    private static final class Authenticated extends HttpServletRequestWrapper {
        private final String user;

        Authenticated(HttpServletRequest request, String user) {
            super(request);
            this.user = user;
        }

        @Override
        public String getRemoteUser() {
            return user;
        }

        @Override
        public Principal getUserPrincipal() {
            return () -> user;
        }

        @Override
        public String getAuthType() {
            return HttpServletRequest.BASIC_AUTH;
        }
    }
}
