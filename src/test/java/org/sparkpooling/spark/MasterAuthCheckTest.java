package org.sparkpooling.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkException;
import org.apache.spark.rpc.RpcEndpointNotFoundException;
import org.apache.spark.rpc.RpcTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpooling.spark.MasterAuthCheck.Outcome;
import org.sparkpooling.spark.MasterAuthCheck.Probe;

/** The pure parts of the master probe: URLs, verdicts, messages. DriverSecretRefusedIT runs it for real. */
class MasterAuthCheckTest {

    @Test
    void hostPortsOfOneMasterAndOfAnHaList() {
        assertEquals(List.of("127.0.0.1:7177"), MasterAuthCheck.hostPorts("spark://127.0.0.1:7177"));
        assertEquals(List.of("a:7077", "b:7078"), MasterAuthCheck.hostPorts("spark://a:7077, b:7078"));
        assertEquals(List.of("h:1"), MasterAuthCheck.hostPorts("spark://h:1/"));
        assertThrows(IllegalArgumentException.class, () -> MasterAuthCheck.hostPorts("local[2]"));
    }

    @Test
    void localAndYarnMastersAreNotProbed() {
        MasterAuthCheck.requireAccepted(new SparkConf(false).set("spark.master", "local[2]"));
        MasterAuthCheck.requireAccepted(new SparkConf(false).set("spark.master", "yarn"));
    }

    @Test
    void aRefusalIsReportedOnlyWhenNoMasterAccepted() {
        Probe refused = new Probe("a:1", Outcome.REFUSED, "Unknown challenge message.");
        Probe broken = new Probe("c:3", Outcome.HANDSHAKE_BROKEN, "io.netty.channel.StacklessClosedChannelException");
        Probe accepted = new Probe("b:2", Outcome.ACCEPTED, "");
        Probe unreachable = new Probe("b:2", Outcome.UNREACHABLE, "Connection refused");
        assertNull(MasterAuthCheck.refusal("spark://a:1,b:2", true, List.of(refused, accepted), "hint"),
                "the other master of an HA pair took the driver");
        assertNull(MasterAuthCheck.refusal("spark://b:2", true, List.of(unreachable), "hint"),
                "unreachable is Spark's to retry and report");
        assertNull(MasterAuthCheck.refusal("spark://b:2", true, List.of(new Probe("b:2", Outcome.UNKNOWN, "timeout")), "hint"));

        String m = MasterAuthCheck.refusal("spark://a:1,b:2", true, List.of(refused, unreachable), "HINT");
        assertTrue(m.startsWith("authentication failed: the standalone master a:1 of spark://a:1,b:2 refused this driver's secret"), m);
        assertTrue(m.contains("; HINT [master: Unknown challenge message.]"), m);
        String hungUp = MasterAuthCheck.refusal("spark://c:3", true, List.of(broken), "HINT");
        assertTrue(hungUp.startsWith("authentication failed: the standalone master spark://c:3 broke off the authentication"
                + " handshake (a wrong spark.authenticate.secret or spark.network.crypto.enabled, or no Spark master at that port)"), hungUp);
        assertTrue(MasterAuthCheck.refusal("spark://a:1,c:3", true, List.of(broken, refused), "HINT").contains(" a:1 of "),
                "a refusal names its master before a broken handshake does");
        String single = MasterAuthCheck.refusal("spark://a:1", false, List.of(refused), "HINT");
        assertTrue(single.startsWith("authentication failed: the standalone master spark://a:1 requires authentication"), single);
        assertTrue(single.contains("spark.authenticate is not true"), single);
    }

    @Test
    void hintNamesTheSecretFileAndAMismatchedUrl(@TempDir Path home) throws IOException {
        String before = System.getProperty("pooling.home");
        System.setProperty("pooling.home", home.toString());
        try {
            assertTrue(MasterAuthCheck.clusterHint("spark://x:1").contains("there is none at " + home.resolve("target/cluster/driver.args")));
            Files.createDirectories(home.resolve("target/cluster"));
            Files.writeString(home.resolve("target/cluster/driver.args"), "-Dspark.authenticate=true\n");
            Files.writeString(home.resolve("target/cluster/master-url"), "spark://127.0.0.1:7177\n");
            String same = MasterAuthCheck.clusterHint("spark://127.0.0.1:7177");
            assertTrue(same.contains(home.resolve("target/cluster/driver.args") + ", which scripts/pooling adds only for --master spark://127.0.0.1:7177"), same);
            assertFalse(same.contains("this driver has"), same);
            String other = MasterAuthCheck.clusterHint("spark://localhost:7177");
            assertTrue(other.endsWith("(this driver has spark://localhost:7177)"), other);
        } finally {
            if (before == null) {
                System.clearProperty("pooling.home");
            } else {
                System.setProperty("pooling.home", before);
            }
        }
    }

    /** A master's RPC failure reply as Spark's client makes it: a bare RuntimeException from TransportResponseHandler. */
    private static RuntimeException reply(String errorText) {
        RuntimeException e = new RuntimeException(errorText);
        e.setStackTrace(new StackTraceElement[] {
            new StackTraceElement(MasterAuthCheck.RESPONSE_HANDLER, "handle", "TransportResponseHandler.java", 216),
            new StackTraceElement("org.apache.spark.network.server.TransportChannelHandler", "channelRead0", null, 145)});
        return e;
    }

    @Test
    void handshakeFailuresByWhereTheyArose() {
        // sendRpcSync wraps the reply once more.
        assertEquals(Outcome.REFUSED, MasterAuthCheck.classifyHandshakeFailure(
                new RuntimeException(reply("java.lang.IllegalArgumentException: Authentication failed.\n\tat x"))));
        assertEquals(Outcome.HANDSHAKE_BROKEN, MasterAuthCheck.classifyHandshakeFailure(
                new RuntimeException(new IOException("Failed to send RPC", new java.nio.channels.ClosedChannelException()))),
                "the peer hung up: a master dropping a wrong secret, or no master at all");
        assertEquals(Outcome.HANDSHAKE_BROKEN, MasterAuthCheck.classifyHandshakeFailure(
                new RuntimeException(new RuntimeException("made here, not a reply"))), "a RuntimeException from elsewhere");
        assertEquals(Outcome.UNKNOWN, MasterAuthCheck.classifyHandshakeFailure(
                new RuntimeException(new TimeoutException("Timeout waiting for task."))));
    }

    @Test
    void lookupFailuresByWhereTheyArose() {
        Exception refused = new SparkException("Exception thrown in awaitResult: ",
                reply("java.lang.IllegalStateException: Expected SaslMessage, received something else\n\tat x"));
        assertEquals(Outcome.REFUSED, MasterAuthCheck.classifyLookupFailure(refused));
        assertEquals(Outcome.UNREACHABLE, MasterAuthCheck.classifyLookupFailure(
                new SparkException("Exception thrown in awaitResult: ", new IOException("Failed to connect", new ConnectException("refused")))));
        assertEquals(Outcome.UNKNOWN, MasterAuthCheck.classifyLookupFailure(
                new RpcTimeoutException("Futures timed out", new TimeoutException())));
        assertEquals(Outcome.UNKNOWN, MasterAuthCheck.classifyLookupFailure(
                new SparkException("Exception thrown in awaitResult: ", new RpcEndpointNotFoundException("spark://Master@h:1"))));
        assertEquals(Outcome.UNKNOWN, MasterAuthCheck.classifyLookupFailure(new RuntimeException("not a reply")));
        assertEquals(Outcome.UNKNOWN, MasterAuthCheck.classifyLookupFailure(new IllegalStateException("anything else")));
        assertTrue(MasterAuthCheck.hasTimeout(new RuntimeException(new TimeoutException("late"))));
        assertFalse(MasterAuthCheck.hasTimeout(refused));
    }

    @Test
    void firstLineOfTheInnermostMessage() {
        assertEquals("javax.security.sasl.SaslException: DIGEST-MD5: digest response format violation. Mismatched response.",
                MasterAuthCheck.firstLine(new RuntimeException(new RuntimeException(
                        "java.lang.RuntimeException: java.lang.RuntimeException: javax.security.sasl.SaslException: DIGEST-MD5:"
                                + " digest response format violation. Mismatched response.\n\tat org.apache.spark.Foo"))));
        assertEquals("java.nio.channels.ClosedChannelException",
                MasterAuthCheck.firstLine(new IOException(new java.nio.channels.ClosedChannelException())));
    }
}
