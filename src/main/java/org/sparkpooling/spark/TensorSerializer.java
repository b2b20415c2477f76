package org.sparkpooling.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import org.sparkpooling.tensor.Shape;
import org.sparkpooling.tensor.Tensor;

/** Writes a tensor as its four dimensions and its raw floats, nothing else. */
public final class TensorSerializer extends Serializer<Tensor> {

    @Override
    public void write(Kryo kryo, Output output, Tensor tensor) {
        Shape s = tensor.shape();
        output.writeInt(s.n());
        output.writeInt(s.c());
        output.writeInt(s.h());
        output.writeInt(s.w());
        output.writeFloats(tensor.data());
    }

    @Override
    public Tensor read(Kryo kryo, Input input, Class<Tensor> type) {
        Shape s = new Shape(input.readInt(), input.readInt(), input.readInt(), input.readInt());
        return new Tensor(s, input.readFloats(s.size()));
    }
}
