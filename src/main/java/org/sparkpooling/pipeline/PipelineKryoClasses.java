package org.sparkpooling.pipeline;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import org.sparkpooling.spark.KryoClasses;

/** The pipeline's: the listed files travel in parallelize()'s partitions, the rest in closures and task results (a striped image's stripes and their outcomes too). */
public final class PipelineKryoClasses implements KryoClasses {

    @Override
    public void register(Kryo kryo) {
        kryo.register(InputFile.class, new JavaSerializer());
        kryo.register(ErrorRecord.class, new JavaSerializer());
        kryo.register(DownsampleSpec.class, new JavaSerializer());
        kryo.register(RunStats.class, new JavaSerializer());
        kryo.register(RunStats.Totals.class, new JavaSerializer());
        kryo.register(StripedImages.Plan.class, new JavaSerializer());
        kryo.register(StripedImages.Stripe.class, new JavaSerializer());
        kryo.register(StripedImages.Outcome.class, new JavaSerializer());
        kryo.register(StripedImages.Gather.class, new JavaSerializer());
        // A batch whose rows hold no pixels brings them back with its job (DatasetFiles).
        kryo.register(org.apache.spark.sql.catalyst.expressions.GenericRow.class, new JavaSerializer());
        kryo.register(EdgeMode.class);
        kryo.register(OutputFormat.class);
    }
}
