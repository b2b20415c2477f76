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
 * {@code blockId}, an image's {@code origin}, a level's {@code path} and {@code level}); the pooled
 * struct has the input's type.
 *
 * <p>Tensors come in three ranks, told apart by their spatial fields: {@code (n, c, l, data)} 1-D,
 * {@code (n, c, h, w, data)} 2-D (the project's tensor dataset), {@code (n, c, d, h, w, data)} 3-D;
 * {@code data} little-endian float32, channels-first. Images and levels are 2-D.
 */
public final class PoolColumn {

    /** The struct kinds. */
    public enum Kind {
        /** A channels-first float32 tensor of one to three spatial dimensions. */
        TENSOR("tensor", "a tensor struct (n, c, then l or h, w or d, h, w int; data binary: little-endian"
                + " float32, channels-first)", "blockId"),
        /** Spark's image data source: OpenCV types CV_8UC1/3/4, {@code data} interleaved BGR(A) bytes. */
        IMAGE("image", "Spark's image struct (origin string; height, width, nChannels, mode int; data binary)",
                "origin"),
        /** A level of the downsample dataset: interleaved samples of 8, 16 (little-endian) or 32 (float) bits. */
        LEVEL("level", "a downsample level struct (height, width, channels, bitDepth int; pixels binary)", "path");

        private final String label;
        private final String description;
        private final String labelField;

        Kind(String label, String description, String labelField) {
            this.label = label;
            this.description = description;
            this.labelField = labelField;
        }

        /** {@code tensor}, {@code image} or {@code level}, as messages name a row of this kind. */
        public String label() {
            return label;
        }

        public String description() {
            return description;
        }
    }

    /** OpenCV's type codes Spark's image source writes: CV_8UC1, CV_8UC3, CV_8UC4. */
    public static final int CV_8UC1 = 0;
    public static final int CV_8UC3 = 16;
    public static final int CV_8UC4 = 24;

    private static final String[][] TENSOR_SPATIAL = {{"l"}, {"h", "w"}, {"d", "h", "w"}};
    private static final String[] IMAGE_FIELDS = {"height", "width", "nChannels", "mode"};
    private static final String[] LEVEL_FIELDS = {"height", "width", "channels", "bitDepth"};

    private final Kind kind;
    private final StructType type;
    private final int rank;
    private final int[] ints;
    private final int data;
    private final int label;

    /**
     * @param ints  positions of the int fields: tensors {@code n, c,} then the spatial sizes; images
     *              {@code height, width, nChannels, mode}; levels {@code height, width, channels, bitDepth}
     * @param data  position of the binary field
     * @param label position of the field that names a row in messages, or -1
     */
    private PoolColumn(Kind kind, StructType type, int rank, int[] ints, int data, int label) {
        this.kind = kind;
        this.type = type;
        this.rank = rank;
        this.ints = ints;
        this.data = data;
        this.label = label;
    }

    /**
     * The kind of {@code type}.
     *
     * @param column how the message names the column, e.g. {@code image} or {@code t.image}
     * @throws IllegalArgumentException naming the column and its type when it is no pooling struct
     */
    public static PoolColumn of(String column, DataType type) {
        List<PoolColumn> found = new ArrayList<>();
        if (type instanceof StructType struct) {
            for (int rank = 3; rank >= 1; rank--) {
                String[] names = concat(new String[] {"n", "c"}, TENSOR_SPATIAL[rank - 1]);
                PoolColumn t = match(Kind.TENSOR, struct, rank, names, "data");
                if (t != null) {
                    found.add(t); // the highest rank whose fields are all there: (d, h, w) before (h, w)
                    break;
                }
            }
            addIfMatch(found, match(Kind.IMAGE, struct, 2, IMAGE_FIELDS, "data"));
            addIfMatch(found, match(Kind.LEVEL, struct, 2, LEVEL_FIELDS, "pixels"));
        }
        if (found.size() == 1) {
            return found.get(0);
        }
        StringBuilder expected = new StringBuilder();
        for (Kind k : Kind.values()) {
            expected.append(expected.length() == 0 ? "" : ", or ").append(k.description());
        }
        String what = found.isEmpty() ? "which is not a struct the pooling functions take" : "which has the fields of both "
                + found.get(0).describe() + " and " + found.get(1).describe();
        throw new IllegalArgumentException("column " + column + " has type " + type.catalogString() + ", " + what
                + ": it must be " + expected);
    }

    private static void addIfMatch(List<PoolColumn> found, PoolColumn c) {
        if (c != null) {
            found.add(c);
        }
    }

    private static PoolColumn match(Kind k, StructType struct, int rank, String[] intFields, String dataField) {
        int[] ints = new int[intFields.length];
        for (int i = 0; i < ints.length; i++) {
            ints[i] = indexOf(struct, intFields[i], DataTypes.IntegerType);
            if (ints[i] < 0) {
                return null;
            }
        }
        int data = indexOf(struct, dataField, DataTypes.BinaryType);
        if (data < 0) {
            return null;
        }
        int label = -1;
        for (int i = 0; i < struct.fields().length; i++) {
            if (struct.fields()[i].name().equals(k.labelField)) {
                label = i;
            }
        }
        return new PoolColumn(k, struct, rank, ints, data, label);
    }

    private static int indexOf(StructType struct, String name, DataType want) {
        StructField[] fields = struct.fields();
        for (int i = 0; i < fields.length; i++) {
            if (fields[i].name().equals(name) && fields[i].dataType().equals(want)) {
                return i;
            }
        }
        return -1;
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** {@code a 2-D tensor struct}, {@code an image struct}, {@code a level struct}. */
    public String describe() {
        return switch (kind) {
            case TENSOR -> "a " + rank + "-D tensor struct (n, c, " + String.join(", ", TENSOR_SPATIAL[rank - 1])
                    + ", data)";
            case IMAGE -> "an image struct";
            case LEVEL -> "a level struct";
        };
    }

    public Kind kind() {
        return kind;
    }

    public StructType type() {
        return type;
    }

    /** Spatial dimensions: 1 to 3 for tensors, 2 for images and levels. */
    public int rank() {
        return rank;
    }

    /** Position of the {@code i}-th int field (see the constructor). */
    public int intField(int i) {
        return ints[i];
    }

    public int intFields() {
        return ints.length;
    }

    /** Position of the binary field ({@code data} or {@code pixels}). */
    public int data() {
        return data;
    }

    /** Position of the field that names a row ({@code blockId}, {@code origin}, {@code path}), or -1. */
    public int label() {
        return label;
    }
}
