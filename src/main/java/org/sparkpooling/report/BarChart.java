package org.sparkpooling.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.sparkpooling.io.AtomicFiles;

/**
 * A grouped bar chart drawn with java.awt into a PNG, headless: one group per category (an
 * implementation), one bar per series (an executor) in each. Needs no display and no library.
 */
public final class BarChart {

    private static final Color[] PALETTE = {
        new Color(0x4e79a7), new Color(0xf28e2b), new Color(0x59a14f), new Color(0xe15759),
        new Color(0x76b7b2), new Color(0xedc948), new Color(0xb07aa1), new Color(0x9c755f),
    };

    private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 14);

    private final String title;
    private final String valueLabel;
    private final List<String> categories = new ArrayList<>();
    private final List<String> series = new ArrayList<>();
    private final Map<String, Double> values = new LinkedHashMap<>();

    public BarChart(String title, String valueLabel) {
        this.title = title;
        this.valueLabel = valueLabel;
    }

    /** Sets the bar of {@code series} in group {@code category}; a value must be finite and >= 0. */
    public BarChart put(String category, String seriesName, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) { // also rejects NaN
            throw new IllegalArgumentException("bar value (" + value + ") must be finite and >= 0");
        }
        if (!categories.contains(category)) {
            categories.add(category);
        }
        if (!series.contains(seriesName)) {
            series.add(seriesName);
        }
        values.put(category + "\u0000" + seriesName, value);
        return this;
    }

    public void writePng(Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        int groupWidth = Math.max(120, 40 * series.size() + 40);
        int left = 80;
        int right = 180;
        int top = 50;
        int bottom = 60;
        int plotH = 320;
        int width = Math.max(left + Math.max(1, categories.size()) * groupWidth + right, left + 20 + titleWidth());
        int height = top + plotH + bottom;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setColor(Color.BLACK);
            g.setFont(TITLE_FONT);
            g.drawString(title, left, 25);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            FontMetrics fm = g.getFontMetrics();

            double max = values.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
            double scaleMax = niceCeiling(max);
            // axes and grid
            int x0 = left;
            int y0 = top + plotH;
            for (int i = 0; i <= 5; i++) {
                double v = scaleMax * i / 5;
                int y = y0 - (int) Math.round(plotH * (v / scaleMax));
                g.setColor(new Color(0xdddddd));
                g.drawLine(x0, y, x0 + categories.size() * groupWidth, y);
                g.setColor(Color.BLACK);
                String label = format(v);
                g.drawString(label, x0 - 6 - fm.stringWidth(label), y + fm.getAscent() / 2);
            }
            g.setStroke(new BasicStroke(1.2f));
            g.drawLine(x0, top, x0, y0);
            g.drawLine(x0, y0, x0 + categories.size() * groupWidth, y0);
            // the value label, rotated along the y axis
            Graphics2D gv = (Graphics2D) g.create();
            gv.rotate(-Math.PI / 2);
            gv.drawString(valueLabel, -(top + plotH / 2 + fm.stringWidth(valueLabel) / 2), 18);
            gv.dispose();

            int barW = Math.max(8, (groupWidth - 40) / Math.max(1, series.size()));
            for (int c = 0; c < categories.size(); c++) {
                int gx = x0 + c * groupWidth + 20;
                for (int s = 0; s < series.size(); s++) {
                    Double v = values.get(categories.get(c) + "\u0000" + series.get(s));
                    if (v == null) {
                        continue;
                    }
                    int h = scaleMax == 0 ? 0 : (int) Math.round(plotH * (v / scaleMax));
                    g.setColor(PALETTE[s % PALETTE.length]);
                    g.fillRect(gx + s * barW, y0 - h, barW - 2, h);
                    g.setColor(Color.BLACK);
                    String label = format(v);
                    g.drawString(label, gx + s * barW + (barW - 2 - fm.stringWidth(label)) / 2, y0 - h - 3);
                }
                String name = categories.get(c);
                g.drawString(name, x0 + c * groupWidth + (groupWidth - fm.stringWidth(name)) / 2, y0 + 18);
            }
            // legend
            int lx = x0 + categories.size() * groupWidth + 20;
            for (int s = 0; s < series.size(); s++) {
                int ly = top + 10 + s * 18;
                g.setColor(PALETTE[s % PALETTE.length]);
                g.fillRect(lx, ly - 10, 12, 12);
                g.setColor(Color.BLACK);
                g.drawString(series.get(s), lx + 18, ly);
            }
        } finally {
            g.dispose();
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        AtomicFiles.writeStream(file, "report file", out -> {
            if (!ImageIO.write(img, "png", out)) {
                throw new IOException("no PNG writer available for " + file);
            }
        });
    }

    /** The title's width in its font, measured on a scratch image (fonts differ between JDKs). */
    private int titleWidth() {
        Graphics2D g = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        try {
            return g.getFontMetrics(TITLE_FONT).stringWidth(title);
        } finally {
            g.dispose();
        }
    }

    /** 1, 2 or 5 times a power of ten, at least {@code v}: round axis steps. */
    static double niceCeiling(double v) {
        if (!(v > 0)) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static String format(double v) {
        if (v == 0) {
            return "0";
        }
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v)
                : v >= 1 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.3f", v);
    }
}
