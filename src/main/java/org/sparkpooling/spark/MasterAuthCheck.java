package org.sparkpooling.spark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.apache.spark.SecurityManager;
import org.apache.spark.SparkConf;
import org.apache.spark.deploy.master.Master$;
import org.apache.spark.internal.config.package$;
import org.apache.spark.network.TransportContext;
import org.apache.spark.network.client.TransportClient;
import org.apache.spark.network.client.TransportClientFactory;
import org.apache.spark.network.crypto.AuthClientBootstrap;
import org.apache.spark.network.server.NoOpRpcHandler;
import org.apache.spark.network.util.MapConfigProvider;
import org.apache.spark.network.util.TransportConf;
import org.apache.spark.rpc.RpcAddress;
import org.apache.spark.rpc.RpcEndpointNotFoundException;
import org.apache.spark.rpc.RpcEnv;
import scala.Option;
import scala.Tuple2;

/**
 * Before a SparkContext is made for a {@code spark://} master: does the master accept this driver's
 * authentication? A missing or wrong secret then ends the command at once with one sentence
 * ({@link IllegalArgumentException}: the CLI prints it as one line and exits 2).
 *
 * <p>Why a probe of its own rather than a listener: Spark's standalone client takes a refused handshake
 * for an unreachable master. It retries registration 3 times 20 s apart (constants in
 * {@code StandaloneAppClient}, no setting changes them) and then gives up with "All masters are
 * unresponsive", two minutes and pages of SASL traces later; its listener hears nothing before that.
 * The probe makes the connection the client's first attempt makes, and judges by where it fails, not
 * by the master's words:
 * <ul>
 * <li>a driver with a secret: a bare connection, then Spark's own handshake ({@link AuthClientBootstrap},
 * the one every RPC client of the driver runs). A connect failure is not ours to judge (the master
 * may still be starting: Spark's retries stay). In the handshake, an RPC failure reply is the master
 * refusing; a connection closed or garbled is a broken handshake (the master hangs up on some wrong
 * secrets, and so does a port that is no Spark master): both end the command, in different words;
 * <li>a driver without one: the lookup of the master's endpoint that registration starts with, in a
 * client-only RpcEnv. A master without authentication answers it; one with authentication answers it
 * with an RPC failure reply (its auth handler refusing a message that is not a handshake): the refusal.
 * </ul>
 * An RPC failure reply is recognised by its origin: the bare RuntimeException that Spark's
 * TransportResponseHandler makes of the master's error text. Timeouts, a process without a master
 * endpoint, and anything else are unknown, and Spark goes on as before.
 */
public final class MasterAuthCheck {

    /** How long a probe may wait for the master; a refused handshake takes milliseconds. */
    static final String PROBE_TIMEOUT = "10s";

    /** Where Spark turns a master's RPC failure reply into an exception on the client. */
    static final String RESPONSE_HANDLER = "org.apache.spark.network.client.TransportResponseHandler";

    enum Outcome { ACCEPTED, REFUSED, HANDSHAKE_BROKEN, UNREACHABLE, UNKNOWN }

    /** What one master said: its outcome and, for a refusal, its reason as one line. */
    record Probe(String hostPort, Outcome outcome, String detail) {
    }

    private MasterAuthCheck() {
    }

    /**
     * Throws when no master of the URL accepted this driver and one of them refused its authentication.
     * Does nothing for other masters than {@code spark://}.
     */
    public static void requireAccepted(SparkConf conf) {
        String master = conf.get("spark.master", "");
        if (!master.startsWith("spark://")) {
            return;
        }
        List<Probe> probes = new ArrayList<>();
        QuietNetworkLogs quiet = new QuietNetworkLogs();
        try {
            for (String hostPort : hostPorts(master)) {
                probes.add(probe(conf, hostPort));
            }
        } finally {
            quiet.restore();
        }
        String message = refusal(master, conf.getBoolean("spark.authenticate", false), probes, clusterHint(master));
        if (message != null) {
            throw new IllegalArgumentException(message);
        }
    }

    /** {@code host:port} of each master in {@code spark://h1:p1,h2:p2} (standalone HA lists several). */
    static List<String> hostPorts(String masterUrl) {
        if (!masterUrl.startsWith("spark://")) {
            throw new IllegalArgumentException("master URL (" + masterUrl + ") must start with spark://");
        }
        List<String> out = new ArrayList<>();
        for (String part : masterUrl.substring("spark://".length()).split(",")) {
            String hp = part.trim();
            int slash = hp.indexOf('/');
            if (slash >= 0) {
                hp = hp.substring(0, slash);
            }
            if (!hp.isEmpty()) {
                out.add(hp);
            }
        }
        return out;
    }

    /**
     * The sentence for a refusal, or null when the driver may go on: some master accepted it, or none
     * refused (unreachable and unknown outcomes are Spark's to report, after its retries).
     */
    static String refusal(String masterUrl, boolean driverAuthenticates, List<Probe> probes, String hint) {
        if (probes.stream().anyMatch(p -> p.outcome() == Outcome.ACCEPTED)) {
            return null;
        }
        Probe refused = probes.stream().filter(p -> p.outcome() == Outcome.REFUSED).findFirst()
                .or(() -> probes.stream().filter(p -> p.outcome() == Outcome.HANDSHAKE_BROKEN).findFirst()).orElse(null);
        if (refused == null) {
            return null;
        }
        String what;
        if (!driverAuthenticates) {
            what = "requires authentication, which this driver does not attempt (spark.authenticate is not true)";
        } else if (refused.outcome() == Outcome.REFUSED) {
            what = "refused this driver's secret (a wrong spark.authenticate.secret, or spark.network.crypto.enabled"
                    + " other than the cluster's)";
        } else {
            what = "broke off the authentication handshake (a wrong spark.authenticate.secret or"
                    + " spark.network.crypto.enabled, or no Spark master at that port)";
        }
        String which = probes.size() == 1 ? masterUrl : refused.hostPort() + " of " + masterUrl;
        return "authentication failed: the standalone master " + which + " " + what + "; " + hint
                + " [master: " + refused.detail() + "]";
    }

    /** Where the secret of scripts/cluster's cluster comes from, with what this driver was given. */
    static String clusterHint(String masterUrl) {
        Path home = Path.of(System.getProperty("pooling.home", ".")).toAbsolutePath().normalize();
        Path args = home.resolve("target/cluster/driver.args");
        Path url = home.resolve("target/cluster/master-url");
        if (!Files.isRegularFile(args)) {
            return "a driver of a cluster that scripts/cluster started takes its secret from that checkout's"
                    + " target/cluster/driver.args (there is none at " + args + ")";
        }
        String ownUrl = null;
        try {
            ownUrl = Files.readString(url, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            // no master-url: the hint below names the file without a URL
        }
        String hint = "scripts/cluster keeps its cluster's secret in " + args + ", which scripts/pooling adds only for"
                + " --master " + (ownUrl == null ? "the URL in " + url : ownUrl);
        if (ownUrl != null && !ownUrl.equals(masterUrl)) {
            hint += " (this driver has " + masterUrl + ")";
        }
        return hint;
    }

    static Probe probe(SparkConf conf, String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        String host = colon > 0 ? hostPort.substring(0, colon) : hostPort;
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            return new Probe(hostPort, Outcome.UNKNOWN, "no port"); // Spark rejects the URL itself, in its words
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        SparkConf probeConf = conf.clone();
        probeConf.setIfMissing("spark.network.auth.rpcTimeout", PROBE_TIMEOUT);
        probeConf.setIfMissing("spark.rpc.io.connectionTimeout", PROBE_TIMEOUT);
        probeConf.set("spark.rpc.lookupTimeout", PROBE_TIMEOUT);
        SecurityManager security = new SecurityManager(probeConf, Option.empty(), package$.MODULE$.AUTH_SECRET_FILE_DRIVER());
        if (!security.isAuthenticationEnabled()) {
            return lookup(probeConf, security, host, port, hostPort);
        }
        try {
            security.getSecretKey();
        } catch (IllegalArgumentException noSecret) {
            // spark.authenticate without a secret: SparkContext says so itself, in one line
            return new Probe(hostPort, Outcome.UNKNOWN, noSecret.getMessage());
        }
        return handshake(probeConf, security, host, port, hostPort);
    }

    /** A bare connection (no client bootstraps), then the handshake of Spark's RPC clients on it. */
    private static Probe handshake(SparkConf conf, SecurityManager security, String host, int port, String hostPort) {
        Map<String, String> settings = new HashMap<>();
        for (Tuple2<String, String> kv : conf.getAll()) {
            settings.put(kv._1(), kv._2());
        }
        TransportConf transport = new TransportConf("rpc", new MapConfigProvider(settings));
        try (TransportContext context = new TransportContext(transport, new NoOpRpcHandler());
             TransportClientFactory factory = context.createClientFactory(List.of())) {
            TransportClient client;
            try {
                client = factory.createUnmanagedClient(host, port);
            } catch (IOException e) {
                return new Probe(hostPort, Outcome.UNREACHABLE, firstLine(e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Probe(hostPort, Outcome.UNKNOWN, "interrupted");
            }
            try {
                new AuthClientBootstrap(transport, security.getSaslUser(), security).doBootstrap(client, client.getChannel());
                return new Probe(hostPort, Outcome.ACCEPTED, "");
            } catch (RuntimeException e) {
                return new Probe(hostPort, classifyHandshakeFailure(e), firstLine(e));
            } finally {
                client.close();
            }
        }
    }

    /** The master endpoint's lookup, unauthenticated, as StandaloneAppClient's registration starts. */
    private static Probe lookup(SparkConf conf, SecurityManager security, String host, int port, String hostPort) {
        RpcEnv env = RpcEnv.create("pooling-master-check", conf.get("spark.driver.host", "localhost"), 0, conf,
                security, true);
        try {
            env.setupEndpointRef(new RpcAddress(host, port), Master$.MODULE$.ENDPOINT_NAME());
            return new Probe(hostPort, Outcome.ACCEPTED, "");
        } catch (Exception e) { // SparkException too, which Scala throws undeclared
            return new Probe(hostPort, classifyLookupFailure(e), firstLine(e));
        } finally {
            env.shutdown();
        }
    }

    /** A handshake that failed on an open connection: refused by a reply, else broken, unless it timed out. */
    static Outcome classifyHandshakeFailure(Throwable e) {
        if (hasTimeout(e)) {
            return Outcome.UNKNOWN;
        }
        return hasFailureReply(e) ? Outcome.REFUSED : Outcome.HANDSHAKE_BROKEN;
    }

    /**
     * A failed lookup: a failure reply is a refusal; a connect failure is unreachable; a timeout, a
     * process without a master endpoint, or anything else is unknown.
     */
    static Outcome classifyLookupFailure(Throwable e) {
        if (hasTimeout(e)) {
            return Outcome.UNKNOWN;
        }
        if (hasFailureReply(e)) {
            return Outcome.REFUSED;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RpcEndpointNotFoundException) {
                return Outcome.UNKNOWN;
            }
            if (t instanceof java.net.SocketException || t instanceof java.net.UnknownHostException) {
                return Outcome.UNREACHABLE;
            }
        }
        return Outcome.UNKNOWN;
    }

    /**
     * Whether the failure is the master's RPC failure reply: a bare RuntimeException made by Spark's
     * TransportResponseHandler out of the error text the master sent back.
     */
    static boolean hasFailureReply(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            StackTraceElement[] stack = t.getStackTrace();
            if (t.getClass() == RuntimeException.class && t.getCause() == null && stack.length > 0
                    && stack[0].getClassName().equals(RESPONSE_HANDLER)) {
                return true;
            }
        }
        return false;
    }

    static boolean hasTimeout(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }

    /**
     * The innermost message's first line, without the "java.lang.RuntimeException: " prefixes that
     * each wrapping adds (a master's reply is its whole stack trace as text).
     */
    static String firstLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage() == null ? root.getClass().getName() : root.getMessage();
        int nl = m.indexOf('\n');
        String line = (nl >= 0 ? m.substring(0, nl) : m).trim();
        while (line.startsWith("java.lang.RuntimeException: ")) {
            line = line.substring("java.lang.RuntimeException: ".length());
        }
        return line;
    }

    /**
     * Silences Spark's network loggers while the probes run: the probe reports a refusal itself, in one
     * sentence, where Spark's client would add an ERROR and a stack trace for the same closed channel.
     * Restores the configuration it found (no SparkContext, and so no other Spark traffic, exists yet).
     */
    private static final class QuietNetworkLogs {
        private static final String NAME = "org.apache.spark.network";
        private final org.apache.logging.log4j.core.LoggerContext context;
        private final org.apache.logging.log4j.core.config.LoggerConfig previous;

        QuietNetworkLogs() {
            var ctx = org.apache.logging.log4j.LogManager.getContext(false);
            context = ctx instanceof org.apache.logging.log4j.core.LoggerContext c ? c : null;
            previous = context == null ? null : context.getConfiguration().getLoggers().get(NAME);
            if (context != null) {
                org.apache.logging.log4j.core.config.Configurator.setLevel(NAME, org.apache.logging.log4j.Level.OFF);
            }
        }

        void restore() {
            if (context == null) {
                return;
            }
            if (previous == null) {
                context.getConfiguration().removeLogger(NAME);
                context.updateLoggers();
            } else {
                org.apache.logging.log4j.core.config.Configurator.setLevel(NAME, previous.getLevel());
            }
        }
    }
}
