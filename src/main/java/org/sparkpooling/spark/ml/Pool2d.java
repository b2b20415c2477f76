package org.sparkpooling.spark.ml;

import static org.apache.spark.sql.functions.col;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReadable;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.classic.ExpressionUtils;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.sparkpooling.pool.NdPoolSpec;
import org.sparkpooling.pool.PoolMode;
import org.sparkpooling.pool.PoolSpec;
import org.sparkpooling.spark.sql.PoolCall;
import org.sparkpooling.spark.sql.PoolColumn;
import org.sparkpooling.spark.sql.PoolExpression;
import scala.runtime.AbstractFunction1;

/**
 * PyTorch's 2-D max or average pooling as an ML Transformer, on a tensor, image or downsample-level
 * struct column (by default {@code image}, the column Spark's image source makes), written to
 * {@code outputCol} as the same kind of struct; for max, the argmax of each output optionally to
 * {@code indicesCol}. Every parameter of {@code max_pool2d}/{@code avg_pool2d} is a typed
 * {@link Param}; sizes are {@code (h, w)} pairs. Saved and loaded with the rest of a Pipeline
 * ({@link DefaultParamsWritable}, {@link #read()}, {@link #load(String)}).
 *
 * <pre>{@code
 * Pool2d half = new Pool2d().setMode("avg").setKernel(2).setOutputCol("half");
 * Dataset<Row> out = half.transform(spark.read().format("image").load("photos/"));
 * }</pre>
 */
public final class Pool2d extends Transformer implements DefaultParamsWritable {

    private static final long serialVersionUID = 1L;

    private final String uid;

    private final Param<String> mode;
    private final IntArrayParam kernel;
    private final IntArrayParam stride;
    private final IntArrayParam padding;
    private final IntArrayParam dilation;
    private final BooleanParam ceilMode;
    private final BooleanParam countIncludePad;
    private final IntParam divisorOverride;
    private final Param<String> inputCol;
    private final Param<String> outputCol;
    private final Param<String> indicesCol;
    private final Param<String> handleInvalid;

    public Pool2d() {
        this(Identifiable.randomUID("pool2d"));
    }

    /** With the given uid: the constructor {@link #copy} and the reader call. */
    public Pool2d(String uid) {
        this.uid = uid;
        // Params made after the uid: each names this stage as its parent, which Params checks.
        mode = new Param<>(this, "mode", "max or avg", ParamValidators.inArray(List.of("max", "avg")));
        kernel = new IntArrayParam(this, "kernel", "window size (h, w), each > 0", new Pair(1));
        stride = new IntArrayParam(this, "stride", "step between windows (h, w), each > 0; unset: the kernel",
                new Pair(1));
        padding = new IntArrayParam(this, "padding", "implicit padding on both sides (h, w), each >= 0 and at most"
                + " half the effective kernel", new Pair(0));
        dilation = new IntArrayParam(this, "dilation", "spacing of the window's taps (h, w), each > 0; max only",
                new Pair(1));
        ceilMode = new BooleanParam(this, "ceilMode", "ceil instead of floor for the output size");
        countIncludePad = new BooleanParam(this, "countIncludePad", "avg: count the padding in the divisor");
        divisorOverride = new IntParam(this, "divisorOverride", "avg: divide by this instead (not 0); unset: none",
                new NonZero());
        inputCol = new Param<>(this, "inputCol", "the struct column to pool: tensor, Spark image or downsample level");
        outputCol = new Param<>(this, "outputCol", "the pooled struct's column (the input's type)");
        indicesCol = new Param<>(this, "indicesCol", "max only: a column for the argmax of each output, little-endian"
                + " int32 h * W + w inside its plane, in the output's sample order; unset: none");
        handleInvalid = new Param<>(this, "handleInvalid", "a malformed row: error (fail the job, naming the row),"
                + " keep (a null output) or skip (drop the row)",
                ParamValidators.inArray(List.of("error", "keep", "skip")));
        // Defaults, in one place: PyTorch's, and the image source's column name.
        setDefault(mode, "max");
        setDefault(kernel, new int[] {2, 2});
        setDefault(padding, new int[] {0, 0});
        setDefault(dilation, new int[] {1, 1});
        setDefault(ceilMode, false);
        setDefault(countIncludePad, true);
        setDefault(inputCol, "image");
        setDefault(outputCol, uid + "__output");
        setDefault(handleInvalid, "error");
    }

    /** Two ints, each at least {@code min}: a size pair. */
    private static final class Pair extends AbstractFunction1<int[], Object> implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        private final int min;

        Pair(int min) {
            this.min = min;
        }

        @Override
        public Object apply(int[] v) {
            return v != null && v.length == 2 && v[0] >= min && v[1] >= min;
        }
    }

    private static final class NonZero extends AbstractFunction1<Object, Object> implements java.io.Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public Object apply(Object v) {
            return ((Integer) v) != 0;
        }
    }

    @Override
    public String uid() {
        return uid;
    }

    // ---- params, as Spark's own stages expose them: the Param, a getter, a setter returning this

    public Param<String> mode() {
        return mode;
    }

    public IntArrayParam kernel() {
        return kernel;
    }

    public IntArrayParam stride() {
        return stride;
    }

    public IntArrayParam padding() {
        return padding;
    }

    public IntArrayParam dilation() {
        return dilation;
    }

    public BooleanParam ceilMode() {
        return ceilMode;
    }

    public BooleanParam countIncludePad() {
        return countIncludePad;
    }

    public IntParam divisorOverride() {
        return divisorOverride;
    }

    public Param<String> inputCol() {
        return inputCol;
    }

    public Param<String> outputCol() {
        return outputCol;
    }

    public Param<String> indicesCol() {
        return indicesCol;
    }

    public Param<String> handleInvalid() {
        return handleInvalid;
    }

    public String getMode() {
        return getOrDefault(mode);
    }

    public int[] getKernel() {
        return getOrDefault(kernel).clone();
    }

    /** The stride, or the kernel when it was never set (PyTorch's {@code stride=None}). */
    public int[] getStride() {
        return isSet(stride) ? getOrDefault(stride).clone() : getKernel();
    }

    public int[] getPadding() {
        return getOrDefault(padding).clone();
    }

    public int[] getDilation() {
        return getOrDefault(dilation).clone();
    }

    public boolean getCeilMode() {
        return (Boolean) getOrDefault(ceilMode);
    }

    public boolean getCountIncludePad() {
        return (Boolean) getOrDefault(countIncludePad);
    }

    /** The divisor override, or null when unset. */
    public Integer getDivisorOverride() {
        return isSet(divisorOverride) ? (Integer) getOrDefault(divisorOverride) : null;
    }

    public String getInputCol() {
        return getOrDefault(inputCol);
    }

    public String getOutputCol() {
        return getOrDefault(outputCol);
    }

    /** The indices column, or null when unset. */
    public String getIndicesCol() {
        return isSet(indicesCol) ? getOrDefault(indicesCol) : null;
    }

    public String getHandleInvalid() {
        return getOrDefault(handleInvalid);
    }

    public Pool2d setMode(String value) {
        set(mode, value);
        return this;
    }

    public Pool2d setKernel(int size) {
        return setKernel(size, size);
    }

    public Pool2d setKernel(int h, int w) {
        set(kernel, new int[] {h, w});
        return this;
    }

    public Pool2d setStride(int size) {
        return setStride(size, size);
    }

    public Pool2d setStride(int h, int w) {
        set(stride, new int[] {h, w});
        return this;
    }

    public Pool2d setPadding(int size) {
        return setPadding(size, size);
    }

    public Pool2d setPadding(int h, int w) {
        set(padding, new int[] {h, w});
        return this;
    }

    public Pool2d setDilation(int size) {
        return setDilation(size, size);
    }

    public Pool2d setDilation(int h, int w) {
        set(dilation, new int[] {h, w});
        return this;
    }

    public Pool2d setCeilMode(boolean value) {
        set(ceilMode, value);
        return this;
    }

    public Pool2d setCountIncludePad(boolean value) {
        set(countIncludePad, value);
        return this;
    }

    public Pool2d setDivisorOverride(int value) {
        set(divisorOverride, value);
        return this;
    }

    public Pool2d setInputCol(String value) {
        set(inputCol, value);
        return this;
    }

    public Pool2d setOutputCol(String value) {
        set(outputCol, value);
        return this;
    }

    public Pool2d setIndicesCol(String value) {
        set(indicesCol, value);
        return this;
    }

    public Pool2d setHandleInvalid(String value) {
        set(handleInvalid, value);
        return this;
    }

    /**
     * The layer the params describe.
     *
     * @throws IllegalArgumentException naming the parameter and value PyTorch would refuse
     */
    public PoolSpec spec() {
        PoolMode m = PoolMode.parse(getMode());
        int[] k = getKernel();
        int[] s = getStride();
        int[] p = getPadding();
        int[] d = getDilation();
        PoolSpec.Builder b = PoolSpec.builder(m, k[0], k[1]).stride(s[0], s[1]).padding(p[0], p[1])
                .ceilMode(getCeilMode()).countIncludePad(getCountIncludePad()).divisorOverride(getDivisorOverride());
        switch (m) {
            case MAX -> b.dilation(d[0], d[1]);
            case AVG -> {
                if (d[0] != 1 || d[1] != 1) {
                    throw new IllegalArgumentException(uid + ": dilation (" + d[0] + "," + d[1]
                            + ") must be 1,1 for avg pooling");
                }
            }
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(uid + ": " + e.getMessage(), e);
        }
    }

    @Override
    public StructType transformSchema(StructType schema) {
        String in = getInputCol();
        if (!Arrays.asList(schema.fieldNames()).contains(in)) {
            throw new IllegalArgumentException(uid + ": input column " + in + " does not exist; the columns are "
                    + String.join(", ", schema.fieldNames()));
        }
        StructField field = schema.apply(in);
        try {
            PoolColumn.of(in, field.dataType());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(uid + ": " + e.getMessage(), e);
        }
        PoolSpec spec = spec();
        String indices = getIndicesCol();
        if (indices != null) {
            switch (spec.mode()) {
                case MAX -> { }
                case AVG -> throw new IllegalArgumentException(uid + ": indicesCol (" + indices
                        + ") is for max pooling; mode is " + getMode());
            }
        }
        StructType out = schema;
        for (String name : indices == null ? List.of(getOutputCol()) : List.of(getOutputCol(), indices)) {
            if (Arrays.asList(out.fieldNames()).contains(name)) {
                throw new IllegalArgumentException(uid + ": output column " + name + " already exists");
            }
            out = out.add(name, name.equals(indices) ? DataTypes.BinaryType : field.dataType(), true);
        }
        return out;
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        String in = getInputCol();
        String indices = getIndicesCol();
        PoolCall call = PoolCall.of(NdPoolSpec.of(spec()), indices != null, !getHandleInvalid().equals("error"));
        Column pooled = ExpressionUtils.column(new PoolExpression(ExpressionUtils.expression(col(in)), call));
        Dataset<Row> out;
        if (indices == null) {
            out = dataset.toDF().withColumn(getOutputCol(), pooled);
        } else {
            // one evaluation, then its two fields: the optimizer keeps a costly expression referenced twice
            // in its own projection rather than inlining it into both
            String both = uid + "__pooled";
            out = dataset.toDF().withColumn(both, pooled)
                    .withColumn(getOutputCol(), col(both).getField("output"))
                    .withColumn(indices, col(both).getField("indices"))
                    .drop(both);
        }
        if (getHandleInvalid().equals("skip")) {
            out = out.where(col(getOutputCol()).isNotNull().or(col(in).isNull()));
        }
        return out;
    }

    @Override
    public Pool2d copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    private static final DefaultParamsReadable<Pool2d> READABLE = new DefaultParamsReadable<>() {
    };

    /** Reads a saved Pool2d; {@code Pipeline.load} finds this method by reflection, as Spark's own companions offer it. */
    public static MLReader<Pool2d> read() {
        return READABLE.read();
    }

    public static Pool2d load(String path) {
        return READABLE.load(path);
    }
}
