package org.sparkpooling.pool;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.sparkpooling.tensor.Dtype;
import org.sparkpooling.tensor.DoubleTensor;
import org.sparkpooling.tensor.FloatTensor;
import org.sparkpooling.tensor.Layout;
import org.sparkpooling.tensor.NdTensor;
import org.sparkpooling.tensor.TensorShape;

/**
 * One PyTorch reference case of the pooling family ({@code ../shared/golden/README.md}, "The
 * pooling family"), channels-first as the file holds it. {@code indices} are the expected argmax
 * for max and adaptive-max, and unpool's input indices; null for the other ops.
 */
record GoldenOpsCase(String name, NdPoolSpec spec, NdTensor input, NdTensor output, int[] indices,
        NdTensor gradOutput, NdTensor gradInput) {

    /** The golden file: system property {@code goldenOps}, else the shared PyTorch cases. */
    static Path defaultFile() {
        String p = System.getProperty("goldenOps");
        if (p == null || p.isBlank() || p.startsWith("${")) {
            p = "../shared/golden/pytorch-pool-ops.json";
        }
        return Path.of(p);
    }

    static List<GoldenOpsCase> load(Path file) throws IOException {
        List<GoldenOpsCase> result = new ArrayList<>();
        for (JsonNode c : GoldenCase.cases(file)) {
            result.add(parse(c));
        }
        return result;
    }

    static PoolOp op(String text, String name) {
        return switch (text) {
            case "max_pool" -> PoolOp.MAX;
            case "avg_pool" -> PoolOp.AVG;
            case "adaptive_max_pool" -> PoolOp.ADAPTIVE_MAX;
            case "adaptive_avg_pool" -> PoolOp.ADAPTIVE_AVG;
            case "lp_pool" -> PoolOp.LP;
            case "max_unpool" -> PoolOp.UNPOOL;
            default -> throw new IllegalArgumentException("case " + name + ": op (" + text + ") is not one of the family's");
        };
    }

    private static GoldenOpsCase parse(JsonNode c) {
        String name = c.path("name").asText("(unnamed)");
        for (String key : new String[] {"name", "op", "dims", "dtype", "input_shape", "output_shape", "input", "output",
                "grad_output", "grad_input"}) {
            if (!c.hasNonNull(key)) {
                throw new IllegalArgumentException("case " + name + ": missing \"" + key + "\"");
            }
        }
        PoolOp op = op(c.get("op").asText(), name);
        Dtype dtype = Dtype.parse(c.get("dtype").asText());
        NdPoolSpec spec = spec(op, c, name);
        if (spec.dims() != c.get("dims").asInt()) {
            throw new IllegalArgumentException("case " + name + ": dims (" + c.get("dims").asInt()
                    + ") differs from the spec's " + spec.dims());
        }
        TensorShape in = TensorShape.ofDims(GoldenCase.ints(c.get("input_shape")), Layout.CHANNELS_FIRST);
        TensorShape out = TensorShape.ofDims(GoldenCase.ints(c.get("output_shape")), Layout.CHANNELS_FIRST);
        int[] indices = c.hasNonNull("indices") ? GoldenCase.ints(c.get("indices")) : null;
        boolean wantsIndices = switch (op.indices()) {
            case WRITTEN, READ -> true;
            case NONE -> false;
        };
        if (wantsIndices && indices == null) {
            throw new IllegalArgumentException("case " + name + ": missing \"indices\"");
        }
        return new GoldenOpsCase(name, spec, tensor(in, dtype, c.get("input")), tensor(out, dtype, c.get("output")),
                indices, tensor(out, dtype, c.get("grad_output")), tensor(in, dtype, c.get("grad_input")));
    }

    private static NdPoolSpec spec(PoolOp op, JsonNode c, String name) {
        try {
            return switch (op) {
                case MAX -> NdPoolSpec.max(ints(c, "kernel", name)).stride(ints(c, "stride", name))
                        .padding(ints(c, "padding", name)).dilation(ints(c, "dilation", name))
                        .ceilMode(c.path("ceil_mode").asBoolean()).build();
                case AVG -> NdPoolSpec.avg(ints(c, "kernel", name)).stride(ints(c, "stride", name))
                        .padding(ints(c, "padding", name)).ceilMode(c.path("ceil_mode").asBoolean())
                        .countIncludePad(c.path("count_include_pad").asBoolean(true))
                        .divisorOverride(c.hasNonNull("divisor_override") ? c.get("divisor_override").asInt() : null)
                        .build();
                case LP -> NdPoolSpec.lp(c.get("norm_type").asDouble(), ints(c, "kernel", name))
                        .stride(ints(c, "stride", name)).ceilMode(c.path("ceil_mode").asBoolean()).build();
                case ADAPTIVE_MAX -> NdPoolSpec.adaptiveMax(ints(c, "output_size", name));
                case ADAPTIVE_AVG -> NdPoolSpec.adaptiveAvg(ints(c, "output_size", name));
                // PyTorch's kernel, stride and padding only choose a default output size, given here.
                case UNPOOL -> NdPoolSpec.unpool(ints(c, "output_size", name));
            };
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("case " + name + ": " + e.getMessage(), e);
        }
    }

    private static int[] ints(JsonNode c, String key, String name) {
        if (!c.hasNonNull(key)) {
            throw new IllegalArgumentException("case " + name + ": missing \"" + key + "\"");
        }
        return GoldenCase.ints(c.get(key));
    }

    private static NdTensor tensor(TensorShape shape, Dtype dtype, JsonNode a) {
        return switch (dtype) {
            case FLOAT32 -> {
                float[] v = new float[a.size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = Float.parseFloat(a.get(i).asText());
                }
                yield new FloatTensor(shape, v);
            }
            case FLOAT64 -> {
                double[] v = new double[a.size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = Double.parseDouble(a.get(i).asText());
                }
                yield new DoubleTensor(shape, v);
            }
        };
    }

    /** The same case with every tensor and index array channels-last. */
    GoldenOpsCase channelsLast() {
        Layout last = Layout.CHANNELS_LAST;
        int[] lastIndices = indices == null ? null : new org.sparkpooling.tensor.IndexTensor(
                switch (spec.op().indices()) {
                    case WRITTEN -> output.shape();
                    case READ -> input.shape();
                    case NONE -> throw new IllegalStateException("no indices");
                }, indices).toLayout(last).data();
        return new GoldenOpsCase(name + " (channels-last)", spec, input.toLayout(last), output.toLayout(last),
                lastIndices, gradOutput.toLayout(last), gradInput.toLayout(last));
    }

    @Override
    public String toString() {
        return name;
    }
}
