package org.sparkpooling.spark.sql;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A struct column the pooling functions take, recognised by its fields: which kind it is and where
 * its fields sit. Fields beyond the ones a kind needs are kept as they are in the output (a tensor's
 * {@code blockId}, an image's {@code origin}, a level's {@code path}); the pooled struct has the
 * input's type.
 */
public final class PoolColumn {

    private final Kind kind;
    private final StructType type;
    private final int[] ordinals;
    private final int label;

    private PoolColumn(Kind kind, StructType type, int[] ordinals, int label) {
        this.kind = kind;
        this.type = type;
        this.ordinals = ordinals;
        this.label = label;
    }

    /** The struct kinds, each with the fields it needs (all int but the last, which is binary). */
    public enum Kind {
        /** The project's tensor dataset: NCHW, {@code data} little-endian float32. */
        TENSOR("tensor", "the tensor struct (n, c, h, w int; data binary: little-endian float32 NCHW)",
                "blockId", "n", "c", "h", "w", "data"),
        /** Spark's image data source: OpenCV types CV_8UC1/3/4, {@code data} interleaved BGR(A) bytes. */
        IMAGE("image", "Spark's image struct (origin string; height, width, nChannels, mode int; data binary)",
                "origin", "height", "width", "nChannels", "mode", "data"),
        /** A level of the downsample dataset: interleaved samples of 8, 16 (little-endian) or 32 (float) bits. */
        LEVEL("level", "a downsample level struct (height, width, channels, bitDepth int; pixels binary)",
                "path", "height", "width", "channels", "bitDepth", "pixels");

        private final String label;
        private final String description;
        private final String labelField;
        private final String[] fields;

        Kind(String label, String description, String labelField, String... fields) {
            this.label = label;
            this.description = description;
            this.labelField = labelField;
            this.fields = fields;
        }

        /** {@code tensor}, {@code image} or {@code level}, as messages name a row of this kind. */
        public String label() {
            return label;
        }

        public String description() {
            return description;
        }

        /** The fields this kind needs: four int fields, then the binary one. */
        public String[] fields() {
            return fields.clone();
        }
    }

    /** OpenCV's type codes Spark's image source writes: CV_8UC1, CV_8UC3, CV_8UC4. */
    public static final int CV_8UC1 = 0;
    public static final int CV_8UC3 = 16;
    public static final int CV_8UC4 = 24;

    /**
     * The kind of {@code type}, or a message naming what it is and what was expected.
     *
     * @param column how the message names the column, e.g. {@code image} or {@code `image`}
     * @throws IllegalArgumentException naming the column and its type when it is no pooling struct
     */
    public static PoolColumn of(String column, DataType type) {
        List<PoolColumn> found = new ArrayList<>();
        if (type instanceof StructType struct) {
            for (Kind k : Kind.values()) {
                PoolColumn c = match(k, struct);
                if (c != null) {
                    found.add(c);
                }
            }
        }
        if (found.size() == 1) {
            return found.get(0);
        }
        StringBuilder expected = new StringBuilder();
        for (Kind k : Kind.values()) {
            expected.append(expected.length() == 0 ? "" : ", or ").append(k.description());
        }
        String what = found.isEmpty() ? "which is not a struct the pooling functions take" : "which matches both "
                + found.get(0).kind().label() + " and " + found.get(1).kind().label() + " fields";
        throw new IllegalArgumentException("column " + column + " has type " + type.catalogString() + ", " + what
                + ": it must be " + expected);
    }

    private static PoolColumn match(Kind k, StructType struct) {
        int[] ordinals = new int[k.fields.length];
        for (int i = 0; i < ordinals.length; i++) {
            int at = indexOf(struct, k.fields[i]);
            DataType want = i == ordinals.length - 1 ? DataTypes.BinaryType : DataTypes.IntegerType;
            if (at < 0 || !struct.fields()[at].dataType().equals(want)) {
                return null;
            }
            ordinals[i] = at;
        }
        return new PoolColumn(k, struct, ordinals, indexOf(struct, k.labelField));
    }

    private static int indexOf(StructType struct, String name) {
        StructField[] fields = struct.fields();
        for (int i = 0; i < fields.length; i++) {
            if (fields[i].name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    public Kind kind() {
        return kind;
    }

    public StructType type() {
        return type;
    }

    /** Position of the kind's {@code i}-th field in the struct. */
    public int ordinal(int i) {
        return ordinals[i];
    }

    /** Position of the field that names a row ({@code blockId}, {@code origin}, {@code path}), or -1. */
    public int label() {
        return label;
    }
}
