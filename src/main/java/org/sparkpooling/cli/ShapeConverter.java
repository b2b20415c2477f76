package org.sparkpooling.cli;

import org.sparkpooling.tensor.Shape;
import picocli.CommandLine;

/** {@code N,C,H,W} to a {@link Shape}, with Shape's own message on a bad value. */
final class ShapeConverter implements CommandLine.ITypeConverter<Shape> {
    @Override
    public Shape convert(String value) {
        try {
            return Shape.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
