package org.sparkpooling.pipeline;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferUShort;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.io.OutputStream;
import javax.imageio.ImageIO;

/** Writes a level as a PNG of the same channels and bit depth (gray, gray+alpha, RGB, RGBA; 8 or 16 bits). */
public final class PngEncoder {

    private PngEncoder() {
    }

    public static BufferedImage toImage(Planes p) {
        boolean alpha = p.channels() == 2 || p.channels() == 4;
        ColorSpace cs = ColorSpace.getInstance(p.channels() <= 2 ? ColorSpace.CS_GRAY : ColorSpace.CS_sRGB);
        int type = p.bitDepth() == 8 ? DataBuffer.TYPE_BYTE : DataBuffer.TYPE_USHORT;
        ComponentColorModel cm = new ComponentColorModel(cs, alpha, false,
                alpha ? Transparency.TRANSLUCENT : Transparency.OPAQUE, type);
        WritableRaster raster = cm.createCompatibleWritableRaster(p.width(), p.height());
        int c = p.channels();
        int plane = p.width() * p.height();
        float[] s = p.samples();
        if (type == DataBuffer.TYPE_BYTE) {
            byte[] a = ((DataBufferByte) raster.getDataBuffer()).getData();
            for (int b = 0; b < c; b++) {
                for (int i = 0, o = b; i < plane; i++, o += c) {
                    a[o] = (byte) (int) s[b * plane + i];
                }
            }
        } else {
            short[] a = ((DataBufferUShort) raster.getDataBuffer()).getData();
            for (int b = 0; b < c; b++) {
                for (int i = 0, o = b; i < plane; i++, o += c) {
                    a[o] = (short) (int) s[b * plane + i];
                }
            }
        }
        return new BufferedImage(cm, raster, false, null);
    }

    public static void write(Planes p, OutputStream out) throws IOException {
        if (!ImageIO.write(toImage(p), "png", out)) {
            throw new IOException("no PNG writer for " + p.channels() + " channels at " + p.bitDepth() + " bits");
        }
    }
}
