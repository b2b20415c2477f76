package org.sparkpooling.report;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.sparkpooling.io.AtomicFiles;

/** A CSV file (RFC 4180: comma, CRLF-free lines, quotes doubled) built row by row. */
public final class CsvTable {

    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    public CsvTable(List<String> header) {
        if (header == null || header.isEmpty()) {
            throw new IllegalArgumentException("a CSV table needs at least one column");
        }
        this.header = List.copyOf(header);
    }

    /** Adds a row; values are written with {@code String.valueOf}, {@code null} as an empty field. */
    public CsvTable add(Object... values) {
        if (values.length != header.size()) {
            throw new IllegalArgumentException("row has " + values.length + " values, the header " + header.size());
        }
        List<String> row = new ArrayList<>(values.length);
        for (Object v : values) {
            row.add(v == null ? "" : String.valueOf(v));
        }
        rows.add(row);
        return this;
    }

    public int size() {
        return rows.size();
    }

    public void write(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        AtomicFiles.writeStream(file, "report file", out -> {
            Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
            writeLine(w, header);
            for (List<String> row : rows) {
                writeLine(w, row);
            }
            w.flush();
        });
    }

    private static void writeLine(Writer w, List<String> fields) throws IOException {
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                w.write(',');
            }
            w.write(quote(fields.get(i)));
        }
        w.write('\n');
    }

    static String quote(String field) {
        if (field.indexOf(',') < 0 && field.indexOf('"') < 0 && field.indexOf('\n') < 0 && field.indexOf('\r') < 0) {
            return field;
        }
        return '"' + field.replace("\"", "\"\"") + '"';
    }
}
