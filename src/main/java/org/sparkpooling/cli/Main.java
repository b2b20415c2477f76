package org.sparkpooling.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The command line: {@code scripts/pooling <command>}. One class per subcommand. */
@Command(name = "pooling",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Exact, fast CNN pooling kernels, run alone or at scale on Apache Spark.",
        subcommands = {
            CommandLine.HelpCommand.class,
            PoolCommand.class,

            BenchCommand.class, GenerateCommand.class,

            DownsampleCommand.class, // downsample: the image pipeline
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:a run failed (verification mismatch, nothing pooled, errors with --fail-on-error)",
            "2:invalid input or options"})
public final class Main {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line; tests execute it with their own writers. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, cmd, parseResult) -> {
            if (e instanceof IllegalArgumentException || e instanceof java.io.UncheckedIOException
                    || e instanceof java.io.IOException) {
                // An I/O exception's message is often just a path: say what happened to it.
                String what = e instanceof java.io.IOException ? e.getClass().getSimpleName() + ": " : "";
                cmd.getErr().println("pooling " + cmd.getCommandName() + ": " + what + e.getMessage());
                return 2;
            }
            throw e;
        });
        // A bad option gets its message and a pointer to --help, not the whole usage text.
        cli.setParameterExceptionHandler((e, args) -> {
            CommandLine cmd = e.getCommandLine();
            cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + e.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(e, cmd.getErr());
            cmd.getErr().println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
            return cmd.getCommandSpec().exitCodeOnInvalidInput();
        });
        return cli;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"spark-pooling " + (v == null ? "(development build)" : v)};
        }
    }
}
