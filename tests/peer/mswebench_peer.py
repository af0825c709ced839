# The reference side of tests/peer/mswebench_*_test.ts: multi-swe-bench's own code, run on what
# the tests send on stdin (one JSON object), answering one JSON object on stdout.
#
# {"mode": "parse", "cases": [{"org", "repo", "number", "log"}], "via_file": bool}
#   -> {"results": [{"passed", "failed", "skipped"} | {"error": "<exception type>: <message>"}]}
#   Each log goes through the parse_log of the instance class Instance.create() picks for the row,
#   built the way gen_report's ReportTask.instance builds it (empty tag and number_interval).
#   via_file: the log is first written and read back as the harness does (docker_util.run writes
#   fix-patch-run.log in text mode, ReportTask.fix_patch_run_log reads it in text mode).
#
# {"mode": "rule", "rows": [<dataset row>], "logs": {"<org>/<repo>:pr-<n>": <fix log> | null}}
#   -> {"final": <final_report.json>, "reports": {"<id>": <report.json> | null}}
#   gen_report's CliArgs(mode="evaluation").run_evaluation() over a work directory holding each
#   log as evals/pr-<n>/fix-patch-run.log (null: the directory without a log), the dataset file
#   holding the rows. A row the dataset cannot load makes the run raise: {"raised": "<type>: ..."}.
import json
import sys
import tempfile
import warnings
from pathlib import Path

warnings.filterwarnings("ignore")

import multi_swe_bench.harness.repos  # noqa: E402,F401 (registers every Instance class)
from multi_swe_bench.harness.image import Config  # noqa: E402
from multi_swe_bench.harness.instance import Instance  # noqa: E402
from multi_swe_bench.harness.pull_request import Base, PullRequest  # noqa: E402


def instance(org, repo, number):
    pr = PullRequest(
        org=org,
        repo=repo,
        number=number,
        state="",
        title="",
        body="",
        base=Base(label="", ref="", sha=""),
        resolved_issues=[],
        fix_patch="",
        test_patch="",
    )
    return Instance.create(pr, Config(need_clone=False, global_env=None, clear_env=False))


def through_file(log):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fix-patch-run.log"
        with open(path, "w", encoding="utf-8") as f:
            f.write(log)
        with open(path, "r", encoding="utf-8") as f:
            return f.read()


def parse(cases, via_file):
    results = []
    for case in cases:
        log = through_file(case["log"]) if via_file else case["log"]
        try:
            r = instance(case["org"], case["repo"], case["number"]).parse_log(log)
            results.append(
                {
                    "passed": sorted(r.passed_tests),
                    "failed": sorted(r.failed_tests),
                    "skipped": sorted(r.skipped_tests),
                }
            )
        except Exception as e:  # the harness counts any exception as an error
            results.append({"error": f"{type(e).__name__}: {e}"})
    return {"results": results}


def rule(rows, logs):
    from multi_swe_bench.harness.gen_report import CliArgs

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        workdir, out, log_dir = root / "work", root / "out", root / "logs"
        for d in (workdir, out, log_dir):
            d.mkdir()
        dataset = root / "dataset.jsonl"
        dataset.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        dirs = {}
        for row in rows:
            rid = f"{row['org']}/{row['repo']}:pr-{row['number']}"
            d = workdir / row["org"] / row["repo"] / "evals" / f"pr-{row['number']}"
            d.mkdir(parents=True)
            dirs[rid] = d
            if logs.get(rid) is not None:
                (d / "fix-patch-run.log").write_text(logs[rid], encoding="utf-8")
        args = CliArgs(
            mode="evaluation",
            workdir=workdir,
            output_dir=out,
            specifics=None,
            skips=None,
            raw_dataset_files=None,
            dataset_files=[str(dataset)],
            max_workers=1,
            log_dir=log_dir,
            log_level="CRITICAL",
            log_to_console=False,
            regen=True,
        )
        try:
            args.run_evaluation()
        except Exception as e:
            return {"raised": f"{type(e).__name__}: {e}"}
        final = json.loads((out / "final_report.json").read_text(encoding="utf-8"))
        reports = {}
        for rid, d in dirs.items():
            p = d / "report.json"
            reports[rid] = json.loads(p.read_text(encoding="utf-8")) if p.exists() else None
        return {"final": final, "reports": reports}


def main():
    request = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    if request["mode"] == "parse":
        answer = parse(request["cases"], request.get("via_file", False))
    else:
        answer = rule(request["rows"], request["logs"])
    sys.stdout.write(json.dumps(answer))  # ASCII: \u escapes survive any locale


main()
