package org.sparkpooling.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWritersTest {

    @Test
    void csvQuotesOnlyWhatNeedsIt(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("t.csv");
        new CsvTable(List.of("a", "b", "c")).add(1, "x,y", null).add("say \"hi\"", "line\nbreak", 2.5).write(f);
        assertEquals("a,b,c\n1,\"x,y\",\n\"say \"\"hi\"\"\",\"line\nbreak\",2.5\n", Files.readString(f));
        assertThrows(IllegalArgumentException.class, () -> new CsvTable(List.of("a")).add(1, 2));
    }

    @Test
    void chartIsAPngWithBarsScaledToTheLargestValue(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("c.png");
        new BarChart("t", "seconds").put("loops", "executor 0", 12.5).put("fast", "executor 0", 1.5)
                .put("loops", "executor 1", 12.0).writePng(f);
        BufferedImage img = ImageIO.read(f.toFile());
        assertNotNull(img);
        assertEquals(20.0, BarChart.niceCeiling(12.5));
        assertEquals(0.5, BarChart.niceCeiling(0.31));
        assertEquals(1.0, BarChart.niceCeiling(0));
        assertThrows(IllegalArgumentException.class, () -> new BarChart("t", "s").put("a", "b", Double.NaN));
    }

    @Test
    void jsonWritesRecordsByComponentName() throws Exception {
        record Row(String name, double kernelSeconds) {
        }
        assertEquals("{\"rows\":[{\"name\":\"fast\",\"kernelSeconds\":1.5}]}",
                JsonReport.toJson(Map.of("rows", List.of(new Row("fast", 1.5)))).replaceAll("\\s", ""));
    }
}
