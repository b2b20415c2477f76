package org.sparkpooling.pool;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.sparkpooling.tensor.Shape;
import org.sparkpooling.tensor.Tensor;

/** One PyTorch reference case of {@code ../shared/golden/README.md}'s format. */
record GoldenCase(String name, PoolSpec spec, Tensor input, Tensor output, int[] indices, Tensor gradOutput,
        Tensor gradInput) {

    /** The golden file: system property {@code golden}, else the shared PyTorch cases. */
    static Path defaultFile() {
        String p = System.getProperty("golden");
        if (p == null || p.isBlank() || p.startsWith("${")) {
            p = "../shared/golden/pytorch-pool2d.json";
        }
        return Path.of(p);
    }

    static List<GoldenCase> load(Path file) throws IOException {
        List<GoldenCase> result = new ArrayList<>();
        for (JsonNode c : cases(file)) {
            result.add(parse(c));
        }
        return result;
    }

    /** The non-empty {@code cases} array of a golden file; anything else fails, naming the file. */
    static JsonNode cases(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("golden file (" + file + ") does not exist");
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("golden file (" + file + ") is not valid JSON: " + e.getOriginalMessage());
        }
        JsonNode cases = root == null ? null : root.get("cases");
        if (cases == null || !cases.isArray()) {
            throw new IllegalArgumentException("golden file (" + file + ") has no \"cases\" array");
        }
        if (cases.isEmpty()) {
            // An empty file would otherwise pass the golden test with nothing checked.
            throw new IllegalArgumentException("golden file (" + file + ") has no cases");
        }
        return cases;
    }

    private static GoldenCase parse(JsonNode c) {
        String name = c.path("name").asText("(unnamed)");
        for (String key : new String[] {"name", "mode", "kernel", "stride", "padding", "dilation", "ceil_mode",
                "input_shape", "output_shape", "input", "output", "grad_output", "grad_input"}) {
            if (!c.hasNonNull(key)) {
                throw new IllegalArgumentException("case " + name + ": missing \"" + key + "\"");
            }
        }
        if (!"float32".equals(c.path("dtype").asText("float32"))) {
            throw new IllegalArgumentException("case " + name + ": dtype (" + c.get("dtype").asText() + ") is not float32");
        }
        PoolMode mode = PoolMode.parse(c.get("mode").asText());
        int[] k = ints(c.get("kernel"));
        int[] s = ints(c.get("stride"));
        int[] p = ints(c.get("padding"));
        int[] d = ints(c.get("dilation"));
        boolean avg = switch (mode) {
            case MAX -> false;
            case AVG -> true;
        };
        JsonNode div = c.get("divisor_override");
        PoolSpec spec = new PoolSpec(mode, k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1],
                c.get("ceil_mode").asBoolean(),
                !avg || c.path("count_include_pad").asBoolean(true),
                avg && div != null && !div.isNull() ? Integer.valueOf(div.asInt()) : null);
        Shape in = shape(c.get("input_shape"));
        Shape out = shape(c.get("output_shape"));
        int[] indices = c.has("indices") ? ints(c.get("indices")) : null;
        return new GoldenCase(name, spec, tensor(in, c.get("input")), tensor(out, c.get("output")), indices,
                tensor(out, c.get("grad_output")), tensor(in, c.get("grad_input")));
    }

    private static Shape shape(JsonNode a) {
        int[] v = ints(a);
        return new Shape(v[0], v[1], v[2], v[3]);
    }

    static int[] ints(JsonNode a) {
        int[] v = new int[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).asInt();
        }
        return v;
    }

    private static Tensor tensor(Shape shape, JsonNode a) {
        float[] v = new float[a.size()];
        for (int i = 0; i < v.length; i++) {
            JsonNode e = a.get(i);
            v[i] = e.isTextual() ? Float.parseFloat(e.asText()) : e.floatValue();
        }
        return new Tensor(shape, v);
    }

    @Override
    public String toString() {
        return name;
    }
}
