package org.sparkpooling.spark.sql;

import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.analysis.TypeCheckResult;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.codegen.CodegenContext;
import org.apache.spark.sql.catalyst.expressions.codegen.CodegenFallback;
import org.apache.spark.sql.catalyst.expressions.codegen.ExprCode;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.collection.immutable.IndexedSeq;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * A pooling function as a Catalyst expression: one struct column in (and, for unpool, the indices
 * max pooling wrote), the pooled struct out (the input's type), or {@code struct<output, indices>}
 * for max with indices. Each row costs one pooling call on its whole tensor or image and no
 * per-element work beyond reading and writing its bytes; rows are evaluated through
 * {@link CodegenFallback} (the generated projection calls {@link #eval}), which for rows of
 * kilobytes to megabytes is nothing next to the pooling.
 *
 * <p>Null in, null out. A malformed row (a null field, a byte count that does not match the shape,
 * a shape the op cannot pool, an unpool index outside its volume) fails the query with a message
 * naming the function, the row and the value, or gives null when the call says so (the
 * {@code try_} functions).
 */
public final class PoolExpression extends Expression implements CodegenFallback, java.io.Serializable {

    private static final long serialVersionUID = 1L;

    private final Expression child;
    /** Unpool's indices column; null for every other op. */
    private final Expression indices;
    private final PoolCall call;

    /** One pooler per thread that evaluates this instance (normally one: the task's). */
    private transient RowPooler pooler;
    private transient Thread owner;
    private transient long rows;
    private transient PoolColumn column;
    private transient Seq<Expression> children;

    public PoolExpression(Expression child, PoolCall call) {
        this(child, null, call);
    }

    /** @param indices unpool's indices, a binary column; null for every other op */
    public PoolExpression(Expression child, Expression indices, PoolCall call) {
        if (child == null || call == null) {
            throw new IllegalArgumentException("child and call must not be null");
        }
        if ((indices != null) != call.readsIndices()) {
            throw new IllegalArgumentException(call.function() + (call.readsIndices()
                    ? " needs the indices max pooling wrote" : " takes no indices column"));
        }
        this.child = child;
        this.indices = indices;
        this.call = call;
    }

    public PoolCall call() {
        return call;
    }

    @Override
    public Seq<Expression> children() {
        Seq<Expression> c = children;
        if (c == null) {
            c = CollectionConverters.asScala(indices == null ? List.of(child) : List.of(child, indices)).toList();
            children = c;
        }
        return c;
    }

    /** (Not UnaryExpression: its final withNewChildrenInternal has no generic signature javac can override.) */
    @Override
    public Expression withNewChildrenInternal(IndexedSeq<Expression> newChildren) {
        return new PoolExpression(newChildren.apply(0), indices == null ? null : newChildren.apply(1), call);
    }

    @Override
    public boolean foldable() {
        return child.foldable() && (indices == null || indices.foldable());
    }

    @Override
    public Object eval(InternalRow input) {
        Object value = child.eval(input);
        Object index = indices == null ? null : indices.eval(input);
        Thread current = Thread.currentThread();
        if (owner != current) {
            pooler = new RowPooler(call, column());
            owner = current;
            rows = 0;
        }
        long row = ++rows; // null rows count too: the number is the row's place in what this task evaluated
        if (value == null || (indices != null && index == null)) {
            return null;
        }
        InternalRow struct = (InternalRow) value;
        try {
            return pooler.pool(struct, (byte[]) index);
        } catch (RowPooler.Malformed e) {
            if (call.nullOnMalformed()) {
                return null;
            }
            throw new IllegalArgumentException(describe(struct, row) + ": " + e.getMessage() + " ("
                    + tryName() + " gives null for such rows)");
        }
    }

    /** The input's kind and fields; only once the child is resolved. */
    private PoolColumn column() {
        PoolColumn c = column;
        if (c == null) {
            c = PoolColumn.of(child.sql(), child.dataType());
            column = c;
        }
        return c;
    }

    @Override
    public TypeCheckResult checkInputDataTypes() {
        PoolColumn c;
        try {
            c = column();
        } catch (IllegalArgumentException e) {
            return new TypeCheckResult.TypeCheckFailure(call.function() + ": " + e.getMessage());
        }
        int dims = call.spec().dims();
        if (c.rank() != dims) {
            return new TypeCheckResult.TypeCheckFailure(call.function() + ": column " + child.sql() + " is "
                    + c.describe() + ", and " + call.function() + " pools " + dims + "-D inputs");
        }
        if (call.readsIndices()) {
            if (c.kind() != PoolColumn.Kind.TENSOR) {
                return new TypeCheckResult.TypeCheckFailure(call.function() + ": column " + child.sql() + " is "
                        + c.describe() + "; unpooling takes tensor structs only");
            }
            if (!indices.dataType().equals(DataTypes.BinaryType)) {
                return new TypeCheckResult.TypeCheckFailure(call.function() + ": indices " + indices.sql()
                        + " has type " + indices.dataType().catalogString() + "; it must be binary (little-endian"
                        + " int32, as the _with_indices functions write them)");
            }
        }
        return TypeCheckResult.TypeCheckSuccess$.MODULE$;
    }

    @Override
    public DataType dataType() {
        StructType pooled = column().type();
        if (!call.withIndices()) {
            return pooled;
        }
        return new StructType()
                .add("output", pooled, true)
                .add("indices", DataTypes.BinaryType, true);
    }

    @Override
    public boolean nullable() {
        return true;
    }

    @Override
    public boolean nullIntolerant() {
        return true;
    }

    /** {@code pool2d: image row 3 of partition 0 (origin file:/a.png)}: rows counted from 1 as this task evaluated them. */
    private String describe(InternalRow struct, long row) {
        TaskContext task = TaskContext.get();
        String label = pooler.label(struct);
        return call.function() + ": " + column().kind().label() + " row " + row
                + (task == null ? "" : " of partition " + task.partitionId())
                + (label == null ? "" : " (" + label + ")");
    }

    private String tryName() {
        return call.function().startsWith("try_") ? call.function() : "try_" + call.function();
    }

    @Override
    public ExprCode doGenCode(CodegenContext ctx, ExprCode ev) {
        return CodegenFallback.super.doGenCode(ctx, ev);
    }

    @Override
    public String prettyName() {
        return call.function();
    }

    /** The call as SQL would write it: {@code pool2d(image, 'max', 2, 2)}; also the default column name. */
    @Override
    public String sql() {
        return call.function() + "(" + child.sql() + (indices == null ? "" : ", " + indices.sql())
                + (call.sqlArguments().isEmpty() ? "" : ", " + call.sqlArguments()) + ")";
    }

    @Override
    public String toString() {
        return call.function() + "(" + child + (indices == null ? "" : ", " + indices)
                + (call.sqlArguments().isEmpty() ? "" : ", " + call.sqlArguments()) + ")";
    }

    @Override
    public int productArity() {
        return indices == null ? 2 : 3;
    }

    /** What TreeNode copies and compares: the constructor's arguments, in order. */
    @Override
    public Object productElement(int n) {
        if (n == 0) {
            return child;
        }
        if (n == productArity() - 1) {
            return call;
        }
        if (n == 1 && indices != null) {
            return indices;
        }
        throw new IndexOutOfBoundsException("element (" + n + ") of a " + productArity() + "-element product");
    }

    @Override
    public boolean canEqual(Object that) {
        return that instanceof PoolExpression;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PoolExpression p && child.equals(p.child) && java.util.Objects.equals(indices, p.indices)
                && call.equals(p.call);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(child, indices, call);
    }
}
