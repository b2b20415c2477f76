package org.sparkpooling.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Which input may write which Zarr store, decided on the driver before any batch, so that no two
 * tasks ever write one store and nothing already there that is not ours is written over. An input
 * that may not is an error row (counted; its store path named), and the run goes on:
 * <ul>
 *   <li>two inputs whose stores are the same ({@code a.png} and {@code a.jpg} are both
 *       {@code zarr/a.zarr}), or one inside the other's ({@code a.zarr/b.png} is
 *       {@code zarr/a.zarr/b.zarr}): the store is the first's by store path then input path, over
 *       every listed input, so a resumed run picks as the clean run did;</li>
 *   <li>on {@code --resume}, a store path that already holds something that is not this input's
 *       store (a file, or a directory whose {@code .zattrs} does not name this input as its source):
 *       it is left as it is. A store of ours that a killed run half wrote is this input's, and is
 *       written again.</li>
 * </ul>
 */
final class ZarrClaims {

    /** The {@code _creator.name} of every store this project writes. */
    static final String CREATOR = "spark-pooling";

    private ZarrClaims() {
    }

    /**
     * The store of an input record under the output: {@code zarr/} + its relative path with the
     * file name's extension replaced by {@code .zarr} ({@code a/b.jpg} is {@code zarr/a/b.zarr}; a
     * leading dot is not an extension).
     */
    static String store(String record) {
        int slash = record.lastIndexOf('/');
        int dot = record.lastIndexOf('.');
        String stem = dot > slash + 1 ? record.substring(0, dot) : record;
        return ZarrSink.DIR + "/" + stem + ".zarr";
    }

    /**
     * The inputs of {@code todo} that may not write their store, with the reason (an error row's).
     * {@code listed} is every input of the run, done before or not: the claims are made over all of
     * them, in one order, so they do not depend on what an earlier run finished.
     *
     * @param checkExisting whether stores may already exist (a resumed output): then each store
     *                      path of {@code todo} is looked at, one file-system call each
     */
    static Map<String, String> refused(Configuration conf, String outputDir, List<String> listed, Set<String> todo,
            boolean checkExisting) throws IOException {
        Map<String, String> refused = new LinkedHashMap<>();
        List<String> sorted = new ArrayList<>(listed);
        sorted.sort(Comparator.comparing(ZarrClaims::store).thenComparing(Comparator.naturalOrder()));
        Map<String, String> owner = new HashMap<>();
        for (String record : sorted) {
            String store = store(record);
            String reason = null;
            for (String p = store; p.indexOf('/') > 0 && reason == null; p = p.substring(0, p.lastIndexOf('/'))) {
                String other = owner.get(p);
                if (other != null) {
                    reason = p.equals(store)
                            ? "zarr: its store " + store + " is also the store of " + other + ", which comes first by path"
                            : "zarr: its store " + store + " lies inside the store of " + other + " (" + p + ")";
                }
            }
            if (reason == null) {
                owner.put(store, record);
            } else if (todo.contains(record)) {
                refused.put(record, reason + "; not written");
            }
        }
        Path root = new Path(outputDir);
        FileSystem fs = root.getFileSystem(conf);
        if (!checkExisting || !fs.exists(new Path(root, ZarrSink.DIR))) {
            return refused;
        }
        for (String record : todo) {
            if (!refused.containsKey(record)) {
                String reason = foreign(fs, root, record);
                if (reason != null) {
                    refused.put(record, reason);
                }
            }
        }
        return refused;
    }

    /**
     * Why {@code record}'s store path under {@code root} may not become its store, or null when it
     * may: nothing there, an empty directory, only our temporary files, or a group whose
     * {@code _creator} names this project and this record.
     */
    static String foreign(FileSystem fs, Path root, String record) throws IOException {
        String where = store(record);
        Path dir = new Path(root, where);
        FileStatus status;
        try {
            status = fs.getFileStatus(dir);
        } catch (FileNotFoundException e) {
            return null;
        }
        if (!status.isDirectory()) {
            return "zarr: its store path " + where + " is a file that downsample did not write; left as it is";
        }
        JsonNode attrs = ZarrStore.attrs(fs, dir);
        if (attrs != null) {
            JsonNode creator = attrs.path("_creator");
            if (CREATOR.equals(creator.path("name").asText()) && record.equals(creator.path("source").asText())) {
                return null;
            }
            return "zarr: its store path " + where + " holds another store (" + (creator.isMissingNode()
                    ? "not written by downsample" : "of " + creator.path("source").asText()) + "); left as it is";
        }
        for (FileStatus s : fs.listStatus(dir)) {
            String name = s.getPath().getName();
            if (!(s.isFile() && OutputFiles.isTemp(name))) {
                return "zarr: its store path " + where + " already holds " + name + ", not written by downsample; left"
                        + " as it is";
            }
        }
        return null;
    }
}
