/**
 * The `velora` command tree. Each subcommand lazy-loads its implementation from `src/cli/`;
 * error classes map to exit codes here, once.
 *
 * @module
 */
import { Command, CommanderError, InvalidArgumentError, Option } from "@commander-js/extra-typings";
import { DiskError, EXIT, VeloraError } from "./src/errors.ts";
import { redact } from "./src/redact.ts";

const collect = (value: string, previous: string[]) => [...previous, value];
const positiveInt = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  }
  return n;
};
const collectList = (value: string, previous: string[]) => [
  ...previous,
  ...value.split(",").map((s) => s.trim()).filter(Boolean),
];

/**
 * Adds `flags` as a hidden other name of the option stored as `target`: the names of OpenHands'
 * run_infer.py and earlier velora flags keep working while `--help` shows one name per concept.
 */
function alsoAs(
  // deno-lint-ignore no-explicit-any -- any command of the typed tree
  command: Command<any, any, any>,
  flags: string,
  target: string,
  parse?: (value: string) => unknown,
) {
  const option = new Option(flags).hideHelp();
  command.addOption(option);
  command.on(`option:${option.name()}`, (value: string) => {
    const previous = command.getOptionValue(target);
    let parsed: unknown = value;
    try {
      if (parse) parsed = parse(value);
    } catch (error) {
      if (!(error instanceof InvalidArgumentError)) throw error;
      command.error(`error: option '${flags}' argument '${value}' is invalid. ${error.message}`, {
        code: "commander.invalidArgument",
        exitCode: EXIT.usage,
      });
    }
    command.setOptionValueWithSource(
      target,
      Array.isArray(parsed) && Array.isArray(previous) ? [...previous, ...parsed] : parsed,
      "cli",
    );
  });
}
/** `--backend` and the Kubernetes flags (src/cli/_backend_flags.ts) on `command`. */
// deno-lint-ignore no-explicit-any -- any command of the typed tree
function addBackendOptions(command: Command<any, any, any>) {
  command
    .addOption(
      new Option("--backend <kind>", "where sandboxes and containers run")
        .choices(["docker", "kubernetes"]).default("docker"),
    )
    .option("--registry <host:port>", "registry the cluster pulls images from (kubernetes)")
    .option("--namespace <name>", "Kubernetes namespace (default: the kubeconfig context's)")
    .option("--kube-context <name>", "kubeconfig context (default: its current one)")
    .option("--kubeconfig <file>", "kubeconfig file (default: $KUBECONFIG, ~/.kube/config)")
    .option(
      "--engine <url[=capacity]>",
      "a Docker engine to use (repeatable; unix:///path, tcp://host:port, ssh://user@host; " +
        "capacity: containers at once, default 4)",
      collect,
      [],
    );
}
const idList = (value: string) => value.split(",").map((s) => s.trim()).filter(Boolean);

/** Builds the command tree (exported for tests of the help and errors). */
export function buildProgram(): Command {
  const program = new Command("velora")
    .description(
      "Run pipelines that generate and evaluate coding-agent trajectories in Docker",
    )
    .exitOverride()
    .showSuggestionAfterError()
    .configureOutput({
      // One line per error: fold commander's "(Did you mean ...?)" line into the message.
      outputError: (text, write) =>
        write(text.replace(/\n\(Did you mean/, " (did you mean").trimEnd() + "\n"),
    });

  // Listed for --help; main() answers it before commander parses.
  program.option("-V, --version", "print the version (as `velora version` does)");

  program
    .command("run")
    .description("Run a pipeline file (TOML or YAML); run it again to resume where it stopped")
    .argument("<pipeline>", "pipeline file (.toml, .yaml or .yml)")
    .option(
      "--set <key=value>",
      "override a value: <phase>.<key>=<v> or defaults.<key>=<v>",
      collect,
      [],
    )
    .option("--only <phases>", "run only these phases (comma list, repeatable)", collectList, [])
    .option("--from <phase>", "start at this phase; earlier phases are left as they are")
    .option("--rerun <phases>", "run these phases again even if done (comma list)", collectList, [])
    .option("--restart", "move the old run directory aside and start a new run")
    .option("--dry-run", "print the resolved plan and what would run, then exit")
    .action(async (pipeline, options) => {
      const { runCommand } = await import("./src/cli/run.ts");
      await runCommand(pipeline, options);
    });

  const infer = program
    .command("infer")
    .description("Run the infer phase from run_infer.py-style flags (resumes by output.jsonl rows)")
    .requiredOption("--dataset <file>", "JSONL dataset (Velora, Multi-SWE-bench or SWE-bench rows)")
    .option("--agent-cls <name>", "CodeActAgent, DummyAgent or GoldPatchAgent", "CodeActAgent")
    .option("--llm-config <section>", "LLM section of the config file, e.g. llm.eval_gpt4o")
    .option("--config-file <file>", "OpenHands-style config with [llm.*] sections", "config.toml")
    .option("--max-iterations <n>", "agent steps per instance", positiveInt, 50)
    .option("--workers <n>", "instances at once (also --eval-num-workers)", positiveInt, 1)
    .option(
      "--output <dir>",
      "output root (also --eval-output-dir)",
      "evaluation/evaluation_outputs/outputs",
    )
    .option("--split <name>", "split name for the output directory", "train")
    .option("--eval-note <note>", "suffix of the output directory name")
    .option(
      "--instance-ids <ids>",
      "only these instance ids (comma list, repeatable; also --eval-ids)",
      collectList,
      [],
    )
    .option(
      "--skip-ids <ids>",
      "never these instance ids (comma list, repeatable; SKIP_IDS too)",
      collectList,
      [],
    )
    .option("--filter <regex>", "only ids this regular expression matches from their start")
    .option("--slice <start:stop>", "a Python slice over the selected ids, e.g. 10:20")
    .option(
      "--limit <n>",
      "at most n instances (also --eval-n-limit: OpenHands' seeded sample)",
      positiveInt,
    )
    .option("--sample <how>", '"first" or "random:<seed>" (default: random:42 with --eval-n-limit)')
    .option("--max-budget-per-task <usd>", "stop an instance at this cost", Number)
    .option("--retry-errors", "run rows with infrastructure errors again")
    .action(async (options) => {
      const { inferCommand } = await import("./src/cli/infer.ts");
      await inferCommand(options);
    });
  addBackendOptions(infer);
  alsoAs(infer, "--eval-num-workers <n>", "workers", positiveInt);
  alsoAs(infer, "--num-workers <n>", "workers", positiveInt);
  alsoAs(infer, "--eval-output-dir <dir>", "output");
  alsoAs(infer, "--eval-ids <ids>", "instanceIds", idList);
  alsoAs(infer, "--eval-n-limit <n>", "evalNLimit", positiveInt);

  const evaluate = program
    .command("evaluate")
    .description("Evaluate the patches of an output.jsonl: apply, test, parse, judge")
    .requiredOption("--trajectory-file <file>", "output.jsonl written by infer (or OpenHands)")
    .option("--dataset-file <file>", "dataset rows to use instead of each row's own instance")
    .option("--timeout <seconds>", "time limit of each instance's tests", positiveInt, 600)
    .option("--output <dir>", "where eval_outputs/ goes (default: next to the trajectory file)")
    .option("--workers <n>", "instances at once", positiveInt, 1)
    .option(
      "--instance-ids <ids>",
      "only these instance ids (comma list, repeatable)",
      collectList,
      [],
    )
    .option("--filter <regex>", "only ids this regular expression matches from their start")
    .option("--force", "evaluate again even when a patch did not change")
    .option(
      "--trust-row-parsers",
      "run the rows' cmd: parsers on this machine (default: inside the evaluation container)",
    )
    .action(async (options) => {
      const { evaluateCommand } = await import("./src/cli/evaluate.ts");
      await evaluateCommand(options);
    });
  addBackendOptions(evaluate);
  alsoAs(evaluate, "--num-workers <n>", "workers", positiveInt);
  alsoAs(evaluate, "--output-dir <dir>", "output");

  const validate = program
    .command("validate")
    .description("Check a dataset: each gold patch must resolve, and no patch must not")
    .argument("<dataset>", "JSONL dataset with images, test_command and test_output_parser")
    .option("--timeout <seconds>", "time limit of each run", positiveInt, 600)
    .option("--workers <n>", "tasks at once", positiveInt, 1)
    .option("--output <dir>", "where the per-task reports go (default: <dataset>.validation)")
    .option(
      "--trust-row-parsers",
      "run the rows' cmd: parsers on this machine (default: inside the evaluation container)",
    )
    .action(async (dataset, options) => {
      const { validateCommand } = await import("./src/cli/evaluate.ts");
      await validateCommand(dataset, options);
    });
  addBackendOptions(validate);
  alsoAs(validate, "--num-workers <n>", "workers", positiveInt);
  alsoAs(validate, "--output-dir <dir>", "output");

  program
    .command("parse")
    .description(
      "Print the tests the evaluate phase reads from a test log: passed, failed, skipped",
    )
    .argument("<log-file>", "test_output.txt, fix-patch-run.log or a test command's output")
    .option("--parser <name>", "a test_output_parser name, as in Velora and SWE-bench rows")
    .option("--repo <org/repo>", "a Multi-SWE-bench repository: the parser its rows get")
    .option(
      "--number <n>",
      "with --repo: the PR number (zstd and express parse by it)",
      positiveInt,
    )
    .option("--json", 'print {"passed": [...], "failed": [...], "skipped": [...]}')
    .action(async (logFile, options) => {
      const { parseCommand } = await import("./src/cli/parse.ts");
      await parseCommand(logFile, options);
    });

  program
    .command("collect")
    .description("Make task rows from a GitHub repository's merged pull requests")
    .argument("<repo>", "the repository, <owner>/<repo> (token: GITHUB_TOKEN)")
    .option("-o, --output <file>", "JSONL file rows are appended to", "tasks.jsonl")
    .option("--prs <numbers>", "only these pull requests (comma list, repeatable)", collectList, [])
    .option("--since <date>", "merged on or after this date (ISO)")
    .option("--until <date>", "merged on or before this date (ISO)")
    .option("--limit <n>", "stop once n selected pull requests are rows of the output", positiveInt)
    .option("--require-issue", "skip pull requests that link no issue (default: use the PR text)")
    .option("--no-require-tests", "keep pull requests that do not change both test and other files")
    .option(
      "--test-glob <glob>",
      "test files are these (repeatable; replaces the defaults)",
      collect,
      [],
    )
    .option("--test-command <command>", "test_command of every row")
    .option("--test-output-parser <name>", "test_output_parser of every row")
    .option("--image <template>", "image of every row, e.g. tasks/{org}_m_{repo}:pr-{number}")
    .option("--api-url <url>", "REST API root (default: GITHUB_API_URL or api.github.com)")
    .action(async (repo, options) => {
      const { collectCommand } = await import("./src/cli/collect.ts");
      await collectCommand(repo, options);
    });

  const derive = program
    .command("derive")
    .description("Fill FAIL_TO_PASS / PASS_TO_PASS of task rows by running their tests")
    .argument("<tasks>", "JSONL task rows (from velora collect) with images")
    .option("-o, --output <file>", "where derived rows go (default: <tasks>.derived.jsonl)")
    .option(
      "--runs <n>",
      "identical runs per side; tests whose status varies are dropped",
      positiveInt,
      1,
    )
    .option("--timeout <seconds>", "time limit of each run", positiveInt, 600)
    .option("--workers <n>", "tasks at once", positiveInt, 1)
    .option("--network <mode>", "container network: none, bridge or host (unsafe)", "none")
    .option("--test-command <command>", "test_command for rows without one")
    .option("--test-output-parser <name>", "test_output_parser for rows without one")
    .option("--image <template>", "image template, e.g. tasks/{org}_m_{repo}:pr-{number}")
    .option("--work-dir <dir>", "run logs (default: <output>.runs)")
    .option("--force", "derive rows already in the output again")
    .option(
      "--trust-row-parsers",
      "run the rows' cmd: parsers on this machine (default: inside the evaluation container)",
    )
    .action(async (tasks, options) => {
      const { deriveCommand } = await import("./src/cli/derive.ts");
      await deriveCommand(tasks, options);
    });
  addBackendOptions(derive);
  alsoAs(derive, "--num-workers <n>", "workers", positiveInt);

  program
    .command("status")
    .description("Show the phases of a run, or the summary numbers of an output directory")
    .argument("<pipeline-or-run-dir>", "a pipeline file, a run directory or an output directory")
    .addOption(
      new Option("--set <key=value>", "overrides, as given to run").default([] as string[])
        .argParser(collect),
    )
    .option("--json", "print JSON (for scripts) instead of the table")
    .action(async (target, options) => {
      const { statusCommand } = await import("./src/cli/status.ts");
      await statusCommand(target, options);
    });

  const report = program
    .command("report")
    .description("Write report.html for an output directory: summary, charts, table, trajectories")
    .argument("<output-dir>", "an output directory (with output.jsonl), or the output.jsonl")
    .option("-o, --output <file>", "where to write (default: report.html in the output directory)")
    .option("--title <text>", "page title")
    .option("--max-chars <n>", "longest observation kept whole (default 4000)", positiveInt)
    .action(async (target, options) => {
      const { reportCommand } = await import("./src/cli/report.ts");
      await reportCommand(target, options);
    });
  alsoAs(report, "--out <file>", "output");

  const exportOutputs = program
    .command("export")
    .description("Export trajectories for fine-tuning, or patches for benchmark harnesses")
    .argument("<output-dir>", "an output directory (with output.jsonl), or the output.jsonl")
    .addOption(
      new Option("--format <format>", "what to write")
        .choices(["openai", "sharegpt", "swe-bench-preds", "multi-swe-bench"] as const)
        .makeOptionMandatory(),
    )
    .option("-o, --output <dir>", "folder to write into (default: <output-dir>/export/<format>)")
    .option("--resolved-only", "only resolved instances")
    .option(
      "--exclude-errors",
      "leave out rows with an error (agent limits, failures, eval errors)",
    )
    .option("--min-turns <n>", "at least n model turns", positiveInt)
    .option("--max-turns <n>", "at most n model turns", positiveInt)
    .option(
      "--instance-ids <ids>",
      "only these instance ids (comma list, repeatable)",
      collectList,
      [],
    )
    .option("--model-name <name>", "model_name_or_path of SWE-bench predictions")
    .action(async (target, options) => {
      const { exportCommand } = await import("./src/cli/export.ts");
      await exportCommand(target, options);
    });
  alsoAs(exportOutputs, "--out <dir>", "output");
  alsoAs(exportOutputs, "--ids <ids>", "instanceIds", idList);

  const sandbox = program
    .command("sandbox")
    .description("Start a sandbox from an image and type commands into its bash session")
    .argument("<image>", "an instance image: loaded in Docker, or in --registry (used unchanged)")
    .option("--workdir <dir>", "working directory of the session", "/workspace")
    .option("--timeout <seconds>", "send ^C to a command still running after this long", Number)
    .option("--network <mode>", "none, bridge or host (unsafe: the host's 127.0.0.1)", "bridge")
    .action(async (image, options) => {
      const { sandboxCommand } = await import("./src/cli/sandbox.ts");
      await sandboxCommand(image, options);
    });
  addBackendOptions(sandbox);

  program
    .command("runtime-server")
    .description("Run the in-container action server (what sandboxes run; OpenHands-compatible)")
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument("[args...]", "the OpenHands server's arguments: <port> --working-dir <dir> ...")
    .action(async (args) => {
      const { runtimeServerCommand } = await import("./src/cli/runtime_server.ts");
      await runtimeServerCommand(args);
    });

  const images = program.command("images").description("Load instance images into Docker");
  const load = images
    .command("load")
    .description(
      "Load docker-save archives (folders, paths, file://, s3://, https://), skipping loaded ones",
    )
    .argument("[sources...]", "folders of *.tar/*.tar.gz, archive paths, or URIs")
    .option("--dataset <file>", "JSONL dataset: load each row's image_storage_uri, tag its aliases")
    .option("--workers <n>", "archives loaded at once", positiveInt, 2)
    .option(
      "--tag <template>",
      "alias tag template (repeatable; replaces the defaults)",
      collect,
      [],
    )
    .option("--no-tags", "add no alias tags")
    .option(
      "--source-tag <pattern>",
      "archive tag naming the instance",
      "velora/{instance_id}:base",
    )
    .option("--keep-tars <dir>", "keep a copy of remote archives in this folder")
    .option("--endpoint <url>", "S3-compatible endpoint URL (default: AWS_ENDPOINT_URL_S3)")
    .option("--region <region>", "S3 region (default: AWS_REGION or the profile's)")
    .option(
      "--registry <host:port>",
      "push each loaded image's tags to this registry (host[:port][/path])",
    )
    .action(async (sources, options) => {
      const { imagesLoadCommand } = await import("./src/cli/images.ts");
      await imagesLoadCommand(sources, options);
    });
  alsoAs(load, "--parallel <n>", "workers", positiveInt);

  program
    .command("schema")
    .description("Print the JSON Schema of pipeline files (for editor completion)")
    .action(async () => {
      const { schemaCommand } = await import("./src/cli/schema.ts");
      schemaCommand();
    });

  program
    .command("completions")
    .description(
      "Print a shell completion script: velora completions bash > /etc/bash_completion.d/velora",
    )
    .argument("<shell>", "bash, zsh or fish")
    .action(async (shell) => {
      const { completionsCommand } = await import("./src/cli/completions.ts");
      completionsCommand(shell, program as unknown as Command);
    });

  program
    .command("version")
    .description("Print the velora version, the Deno version and how it runs")
    .action(async () => {
      const { versionCommand } = await import("./src/cli/version.ts");
      versionCommand();
    });

  return program as unknown as Command;
}

/** Runs the CLI with the given arguments and returns the exit code. */
export async function main(args: string[]): Promise<number> {
  try {
    if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
      const { versionCommand } = await import("./src/cli/version.ts");
      versionCommand();
      return EXIT.ok;
    }
    await buildProgram().parseAsync(args, { from: "user" });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      const ok = ["commander.helpDisplayed", "commander.help", "commander.version"];
      return ok.includes(error.code) || error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    // A full or read-only disk is one line even where no writer of src/fs.ts named the path.
    const known = error instanceof VeloraError ? error : DiskError.from(error);
    if (known) {
      console.error(redact(`velora: ${known.message}`));
      return known.exitCode;
    }
    console.error(redact(Deno.inspect(error)));
    return EXIT.failed;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
