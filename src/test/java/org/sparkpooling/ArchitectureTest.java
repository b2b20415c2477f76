package org.sparkpooling;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The packages' layering, written once (ARCHITECTURE.md of the workplace; README "Layout"): each
 * package uses only those below it, {@code bench} and {@code pipeline} never see each other, the
 * kernel layers never see Spark, and no package cycle exists. Main code only: tests may reach
 * across (an end-to-end test of a command is allowed to build its inputs with another feature).
 *
 * <pre>
 *   cli
 *   bench   pipeline      (never each other)
 *   spark
 *   pool
 *   tensor   io   report  (the bottom: no project package below them, except io under tensor and report)
 * </pre>
 */
class ArchitectureTest {

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.sparkpooling");

    @Test
    void eachPackageUsesOnlyThoseBelowIt() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("cli").definedBy("org.sparkpooling.cli..")
                .layer("bench").definedBy("org.sparkpooling.bench..")
                .layer("pipeline").definedBy("org.sparkpooling.pipeline..")
                .layer("spark").definedBy("org.sparkpooling.spark..")
                .layer("pool").definedBy("org.sparkpooling.pool..")
                .layer("tensor").definedBy("org.sparkpooling.tensor..")
                .layer("report").definedBy("org.sparkpooling.report..")
                .layer("io").definedBy("org.sparkpooling.io..")
                .whereLayer("cli").mayNotBeAccessedByAnyLayer()
                .whereLayer("bench").mayOnlyBeAccessedByLayers("cli")
                .whereLayer("pipeline").mayOnlyBeAccessedByLayers("cli")
                .whereLayer("spark").mayOnlyBeAccessedByLayers("bench", "pipeline", "cli")
                .whereLayer("pool").mayOnlyBeAccessedByLayers("spark", "bench", "pipeline", "cli")
                .whereLayer("tensor").mayOnlyBeAccessedByLayers("pool", "spark", "bench", "pipeline", "cli")
                .whereLayer("report").mayOnlyBeAccessedByLayers("spark", "bench", "pipeline", "cli")
                .whereLayer("io").mayOnlyBeAccessedByLayers("tensor", "report", "pool", "spark", "bench", "pipeline",
                        "cli")
                .check(MAIN);
    }

    @Test
    void kernelsAndTensorsNeverSeeSparkOrHadoop() {
        noClasses().that().resideInAnyPackage("org.sparkpooling.tensor..", "org.sparkpooling.pool..",
                        "org.sparkpooling.io..", "org.sparkpooling.report..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.spark..", "org.apache.hadoop..",
                        "scala..")
                .check(MAIN);
    }

    @Test
    void noPackageCycles() {
        slices().matching("org.sparkpooling.(*)..").should().beFreeOfCycles().check(MAIN);
    }

    /**
     * Modes are switched on, never compared: a {@code mode == MAX ... else} would hand a new mode the
     * {@code else} silently, where an exhaustive switch makes the compiler list the site.
     */
    @Test
    void noMainCodeComparesAPoolingModeInsteadOfSwitchingOnIt() throws IOException {
        Pattern compare = Pattern.compile("[=!]=\\s*(PoolMode|DownsampleMode)\\.");
        List<String> found = new ArrayList<>();
        try (var files = Files.walk(Path.of("src/main/java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                List<String> lines = Files.readAllLines(f);
                for (int n = 0; n < lines.size(); n++) {
                    if (compare.matcher(lines.get(n)).find()) {
                        found.add(f + ":" + (n + 1) + ": " + lines.get(n).trim());
                    }
                }
            }
        }
        assertEquals(List.of(), found);
    }
}
