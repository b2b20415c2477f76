package org.sparkpooling.spark;

import org.apache.spark.sql.SparkSessionExtensions;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.sparkpooling.spark.sql.PoolingSqlFunctions;
import scala.Function1;
import scala.Tuple3;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;
import scala.runtime.BoxedUnit;

/**
 * The SQL functions in every session: {@code spark.sql.extensions=org.sparkpooling.spark.PoolingSparkExtensions}
 * (with the jar on the class path, {@code --jars} or {@code --packages}) makes {@code pool2d},
 * {@code max_pool2d}, {@code avg_pool2d}, {@code max_pool2d_with_indices} and their {@code try_}
 * twins callable from SQL, as {@link PoolingSqlFunctions} lists them.
 */
public final class PoolingSparkExtensions extends AbstractFunction1<SparkSessionExtensions, BoxedUnit> {

    @Override
    public BoxedUnit apply(SparkSessionExtensions extensions) {
        for (PoolingSqlFunctions.Function f : PoolingSqlFunctions.all()) {
            Function1<Seq<Expression>, Expression> builder = args -> f.build(CollectionConverters.asJava(args));
            extensions.injectFunction(new Tuple3<>(FunctionIdentifier.apply(f.name()), f.info(), builder));
        }
        return BoxedUnit.UNIT;
    }
}
