package org.sparkpooling.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 8, defect 5: {@code curl -X POST "http://127.0.0.1:8080/app/kill/?id=$APP&terminate=true"}
 * killed a running application although spark.authenticate was on. On the real cluster: a job runs,
 * the master UI's kill URLs are POSTed without credentials and with the owner's, and afterwards the
 * application is still RUNNING and its job completes. The worker UIs (which have no kill handler, but
 * serve the executors' logs) refuse requests without credentials.
 */
class UiKillRefusedIT {

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER) // a kill answers 302: it must be seen, not followed
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    @Test
    @Timeout(300)
    void killPostsAreRefusedAndTheRunningAppSurvives() throws Exception {
        String master = ClusterSupport.assumeCluster();
        URI ui = ClusterSupport.uiUrl();
        String owner = ClusterSupport.uiAuthorization();
        Map<String, String> settings = new HashMap<>(ClusterSupport.driverSettings());
        settings.put("spark.jars", ClusterSupport.appJar() + "," + ClusterSupport.testClassesJar());
        settings.putAll(ClusterSettings.waitForBothExecutors());
        try (SparkSession spark = SparkSetup.session("ui-kill-refused-it", master, settings)) {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            String app = sc.sc().applicationId();
            CompletableFuture<Long> job = CompletableFuture.supplyAsync(() ->
                    sc.parallelize(IntStream.range(0, 4).boxed().toList(), 4).mapPartitions(new Sleep(4_000)).count());
            awaitRunningTasks(sc, job);

            List<String> answers = new ArrayList<>();
            Map<String, Integer> anonymous = new HashMap<>();
            Map<String, Integer> asOwner = new HashMap<>();
            for (String path : List.of("/app/kill/?id=" + app + "&terminate=true", "/driver/kill/?id=" + app + "&terminate=true")) {
                int a = post(ui.resolve(path), null).statusCode();
                int o = post(ui.resolve(path), owner).statusCode();
                anonymous.put(path, a);
                asOwner.put(path, o);
                answers.add("POST " + path + ": " + a + " without credentials, " + o + " as the owner");
            }
            Thread.sleep(3_000); // the master acts on a kill asynchronously (MasterPage sleeps 100 ms, then RPC)

            assertFalse(sc.sc().isStopped(), "the application was stopped after " + answers);
            assertEquals(4L, job.get(120, TimeUnit.SECONDS), "the job that ran during " + answers);
            assertEquals("RUNNING", appState(ui, owner, app), "the master's state of " + app + " after " + answers);
            assertEquals(2L, sc.parallelize(List.of(1, 2), 2).count(), "a job after " + answers);
            anonymous.forEach((path, code) -> assertEquals(401, code,
                    "POST " + path + " without credentials must be refused by the UI's authentication: " + answers));
            // No handler at all (the kill switch is off): the servlet at / refuses POST. 302 would be a kill.
            asOwner.forEach((path, code) -> assertTrue(code == 404 || code == 405,
                    "POST " + path + " with the owner's credentials must find no kill handler: " + answers));
        }
    }

    @Test
    @Timeout(120)
    void masterAndWorkerUisRequireTheOwnersSecret() throws Exception {
        ClusterSupport.assumeCluster();
        URI ui = ClusterSupport.uiUrl();
        String owner = ClusterSupport.uiAuthorization();
        String wrong = "Basic " + java.util.Base64.getEncoder().encodeToString(
                (System.getProperty("user.name") + ":not-the-secret").getBytes(java.nio.charset.StandardCharsets.UTF_8));

        assertEquals(401, get(ui.resolve("/json/"), null).statusCode(), "master /json/ without credentials");
        assertEquals(401, get(ui.resolve("/json/"), wrong).statusCode(), "master /json/ with a wrong password");
        HttpResponse<String> json = get(ui.resolve("/json/"), owner);
        assertEquals(200, json.statusCode(), "master /json/ as the owner: " + json.body());

        List<String> workerUis = new ArrayList<>();
        new ObjectMapper().readTree(json.body()).get("workers").forEach(w -> {
            if ("ALIVE".equals(w.get("state").asText())) {
                workerUis.add(w.get("webuiaddress").asText());
            }
        });
        assertEquals(2, workerUis.size(), "ALIVE workers in the master's /json: " + workerUis);
        for (String w : workerUis) {
            URI base = URI.create(w);
            for (String path : List.of("/", "/json/", "/logPage/?appId=none&executorId=0&logType=stderr")) {
                assertEquals(401, get(base.resolve(path), null).statusCode(), "worker UI " + base.resolve(path) + " without credentials");
            }
            assertEquals(200, get(base.resolve("/json/"), owner).statusCode(), "worker UI " + base + "/json/ as the owner");
            // A worker UI has no kill handler at all (WorkerWebUI attaches none); nor may one appear.
            int kill = post(base.resolve("/app/kill/?id=none&terminate=false"), owner).statusCode();
            assertTrue(kill == 404 || kill == 405, "worker UI " + base + " POST /app/kill/ as the owner: " + kill);
        }
    }

    /** Until the job's tasks run on the executors, so the kill POSTs meet a running job. */
    private static void awaitRunningTasks(JavaSparkContext sc, CompletableFuture<Long> job) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline && !job.isDone()) {
            for (int stage : sc.statusTracker().getActiveStageIds()) {
                var info = sc.statusTracker().getStageInfo(stage);
                if (info != null && info.numActiveTasks() > 0) {
                    return;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the job's tasks did not start within 120 s (done: " + job.isDone() + ")");
    }

    /** The application's state in the master's /json/ (activeapps, else completedapps), or "absent". */
    private static String appState(URI ui, String owner, String app) throws Exception {
        JsonNode json = new ObjectMapper().readTree(get(ui.resolve("/json/"), owner).body());
        for (String list : List.of("activeapps", "completedapps")) {
            for (JsonNode a : json.get(list)) {
                if (app.equals(a.get("id").asText())) {
                    return a.get("state").asText();
                }
            }
        }
        return "absent";
    }

    static HttpResponse<String> get(URI uri, String authorization) throws Exception {
        return send(HttpRequest.newBuilder(uri).GET(), authorization);
    }

    static HttpResponse<String> post(URI uri, String authorization) throws Exception {
        return send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody()), authorization);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request, String authorization) throws Exception {
        request.timeout(Duration.ofSeconds(20));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Tasks long enough for the POSTs to arrive while they run. */
    static final class Sleep implements FlatMapFunction<Iterator<Integer>, Integer> {
        private static final long serialVersionUID = 1L;
        private final long millis;

        Sleep(long millis) {
            this.millis = millis;
        }

        @Override
        public Iterator<Integer> call(Iterator<Integer> values) throws Exception {
            Thread.sleep(millis);
            return values;
        }
    }
}
