//! The deployment recipes of docs/deploy/, checked and run on this machine:
//! - the Kubernetes manifests parse, hold the fields an Indexed Job and its merge need, and
//!   their commands, run as Kubernetes would run them (one process per completion index with
//!   `JOB_COMPLETION_INDEX` set, the shared volume a temporary folder), give the single run's
//!   report.json;
//! - the Slurm scripts, submitted through a stand-in `sbatch` that runs each array task at
//!   once with `SLURM_ARRAY_TASK_ID` set, give it too, the merge depending on the array;
//! - the one-machine script (GNU parallel, or xargs without it) gives it too.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use yaml_rust2::{Yaml, YamlLoader};

fn manifest(name: &str) -> Vec<Yaml> {
    let path = root().join("docs/deploy/kubernetes").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    YamlLoader::load_from_str(&text).unwrap_or_else(|e| panic!("{name}: not YAML: {e}"))
}

/// The document of `kind` in `docs`.
fn of_kind<'a>(docs: &'a [Yaml], kind: &str) -> &'a Yaml {
    docs.iter()
        .find(|d| d["kind"].as_str() == Some(kind))
        .unwrap_or_else(|| panic!("no {kind}"))
}

fn strings(node: &Yaml) -> Vec<String> {
    node.as_vec()
        .unwrap_or_else(|| panic!("a list: {node:?}"))
        .iter()
        .map(|v| match v {
            Yaml::String(s) => s.clone(),
            Yaml::Integer(i) => i.to_string(),
            other => panic!("not a string: {other:?}"),
        })
        .collect()
}

/// The Job's one container, checked to run as a Job pod must (no restarts in place, the
/// shared volume mounted).
fn container<'a>(job: &'a Yaml, name: &str) -> &'a Yaml {
    assert_eq!(job["apiVersion"].as_str(), Some("batch/v1"));
    let pod = &job["spec"]["template"]["spec"];
    assert_eq!(pod["restartPolicy"].as_str(), Some("Never"), "{name}");
    let containers = pod["containers"].as_vec().expect("containers");
    assert_eq!(containers.len(), 1, "{name}");
    let c = &containers[0];
    assert_eq!(c["name"].as_str(), Some(name));
    assert!(c["image"].as_str().is_some(), "{name}: an image");
    assert_eq!(c["workingDir"].as_str(), Some("/work"), "{name}");
    let mount = &c["volumeMounts"][0];
    let volume = &pod["volumes"][0];
    assert_eq!(
        mount["name"], volume["name"],
        "{name}: the mount is the volume"
    );
    assert_eq!(mount["mountPath"].as_str(), Some("/results"), "{name}");
    assert_eq!(
        volume["persistentVolumeClaim"]["claimName"].as_str(),
        Some("gauntlet-results"),
        "{name}"
    );
    c
}

/// Exit codes the Job's pod failure policy fails the whole Job on, for `container`.
fn fail_job_codes(job: &Yaml, container: &str) -> Vec<i64> {
    job["spec"]["podFailurePolicy"]["rules"]
        .as_vec()
        .expect("podFailurePolicy.rules")
        .iter()
        .filter(|r| r["action"].as_str() == Some("FailJob"))
        .filter(|r| r["onExitCodes"]["containerName"].as_str() == Some(container))
        .filter(|r| r["onExitCodes"]["operator"].as_str() == Some("In"))
        .flat_map(|r| {
            r["onExitCodes"]["values"]
                .as_vec()
                .cloned()
                .unwrap_or_default()
        })
        .filter_map(|v| v.as_i64())
        .collect()
}

/// Runs `command` (a container's, its first word `gauntlet`) from the repository's root
/// (the image's /work), the volume mounted at /results standing at `volume`.
fn run_container(command: &[String], volume: &Path, env: &[(&str, String)]) -> Option<i32> {
    assert_eq!(command[0], "gauntlet");
    let args: Vec<String> = command[1..]
        .iter()
        .map(|a| a.replacen("/results", path_str(volume), 1))
        .collect();
    let output = Command::new(env!("CARGO_BIN_EXE_gauntlet"))
        .args(&args)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .current_dir(root())
        .output()
        .expect("gauntlet runs");
    assert!(
        !stderr(&output).contains("internal error"),
        "{}",
        stderr(&output)
    );
    output.status.code()
}

#[test]
fn the_kubernetes_indexed_job_and_its_merge_give_the_single_runs_report() {
    let shards_docs = manifest("shards.yaml");
    let claim = of_kind(&shards_docs, "PersistentVolumeClaim");
    assert_eq!(claim["metadata"]["name"].as_str(), Some("gauntlet-results"));
    assert_eq!(strings(&claim["spec"]["accessModes"]), ["ReadWriteMany"]);

    let job = of_kind(&shards_docs, "Job");
    let spec = &job["spec"];
    assert_eq!(spec["completionMode"].as_str(), Some("Indexed"));
    let completions = spec["completions"].as_i64().expect("completions");
    assert!(spec["parallelism"].as_i64().is_some());
    // A failed index is retried on its own; a configuration error (exit 2) fails the Job.
    assert!(
        spec["backoffLimitPerIndex"]
            .as_i64()
            .is_some_and(|n| n >= 1)
    );
    assert_eq!(fail_job_codes(job, "shard"), [2]);
    let command = strings(&container(job, "shard")["command"]);
    let at = command
        .iter()
        .position(|a| a == "--shard")
        .expect("--shard");
    assert_eq!(
        command[at + 1],
        format!("auto/{completions}"),
        "--shard auto/N with N = completions"
    );
    let out_at = command.iter().position(|a| a == "--out").expect("--out");
    let shards_out = command[out_at + 1].clone();

    let merge_docs = manifest("merge.yaml");
    let merge_job = of_kind(&merge_docs, "Job");
    // A failed gate (1) and an unmergeable set (2) are final.
    assert_eq!(fail_job_codes(merge_job, "merge"), [1, 2]);
    let merge_command = strings(&container(merge_job, "merge")["command"]);
    assert_eq!(merge_command[1], "merge");
    assert_eq!(
        merge_command[2], shards_out,
        "merge reads what the shards wrote"
    );

    // Kubernetes runs one pod per index, 0 to completions - 1, in any order.
    let volume = tempfile::tempdir().expect("tempdir");
    for index in (0..completions).rev() {
        let code = run_container(
            &command,
            volume.path(),
            &[("JOB_COMPLETION_INDEX", index.to_string())],
        );
        assert_eq!(code, Some(0), "shard pod {index}");
    }
    assert_eq!(run_container(&merge_command, volume.path(), &[]), Some(1));
    let report_dir = merge_command[merge_command
        .iter()
        .position(|a| a == "--out")
        .expect("--out")
        + 1]
    .replacen("/results", path_str(volume.path()), 1);
    let report = PathBuf::from(report_dir).join("sma_cross/report.json");
    assert!(
        std::fs::read(&report).expect("report.json") == single_sma_cross_report(),
        "the Indexed Job's merged report differs from the single run's"
    );
}

/// A stand-in for Slurm's sbatch: logs its arguments, runs the script at once (each task of
/// an array in turn, with the variables Slurm sets) and prints a job id.
const FAKE_SBATCH: &str = r#"#!/usr/bin/env bash
touch "$SBATCH_LOG"
id=$((1000 + $(wc -l < "$SBATCH_LOG")))
echo "sbatch $*" >> "$SBATCH_LOG"
array= exports= script=
for a in "$@"; do
  case $a in
    --array=*) array=${a#--array=} ;;
    --export=*) exports=${a#--export=} ;;
    --*) ;;
    *) script=$a ;;
  esac
done
vars=()
IFS=, read -ra pairs <<< "$exports"
for p in "${pairs[@]}"; do [ "$p" = ALL ] || vars+=("$p"); done
if [ -n "$array" ]; then
  for t in $(seq "${array%-*}" "${array#*-}"); do
    env "${vars[@]}" SLURM_ARRAY_TASK_ID="$t" SLURM_ARRAY_TASK_MIN="${array%-*}" \
      bash "$script" >> "$SBATCH_LOG.out" 2>&1
    echo "task $t exit $?" >> "$SBATCH_LOG"
  done
else
  env "${vars[@]}" bash "$script" >> "$SBATCH_LOG.out" 2>&1
  echo "job exit $?" >> "$SBATCH_LOG"
fi
echo "$id"
"#;

#[test]
fn the_slurm_array_and_its_dependent_merge_give_the_single_runs_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).expect("bin");
    let sbatch = bin.join("sbatch");
    std::fs::write(&sbatch, FAKE_SBATCH).expect("sbatch");
    std::fs::set_permissions(&sbatch, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let gauntlet = Path::new(env!("CARGO_BIN_EXE_gauntlet"));
    let log = dir.path().join("sbatch.log");
    let out = dir.path().join("out");
    let path = format!(
        "{}:{}",
        path_str(&bin),
        std::env::var("PATH").unwrap_or_default()
    );
    let run = Command::new("bash")
        .arg("docs/deploy/slurm/submit.sh")
        .args([SPEC, "3", path_str(&out)])
        .env("PATH", path)
        .env("GAUNTLET", gauntlet)
        .env("SBATCH_LOG", &log)
        .current_dir(root())
        .output()
        .expect("bash runs");
    let log_text = std::fs::read_to_string(&log).unwrap_or_default();
    let task_output = std::fs::read_to_string(log.with_extension("log.out")).unwrap_or_default();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}\n{log_text}\n{task_output}",
        stderr(&run)
    );
    assert!(
        stdout(&run).contains("submitted shards as job array 1000 (1-3)"),
        "{}",
        stdout(&run)
    );
    // Each array task ran well, and the merge was submitted to wait for all of them.
    for t in 1..=3 {
        assert!(log_text.contains(&format!("task {t} exit 0")), "{log_text}");
    }
    assert!(
        log_text.contains("--dependency=afterok:1000 --kill-on-invalid-dep=yes"),
        "{log_text}"
    );
    // The merge judged the spec: it fails its gate (exit 1), as the single run does.
    assert!(log_text.contains("job exit 1"), "{log_text}\n{task_output}");
    let report = std::fs::read(out.join("sma_cross/report.json")).expect("report.json");
    assert!(
        report == single_sma_cross_report(),
        "the Slurm array's merged report differs from the single run's"
    );
}

#[test]
fn the_one_machine_script_gives_the_single_runs_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let run = Command::new("bash")
        .arg("docs/deploy/parallel.sh")
        .args([SPEC, "4", path_str(&out)])
        .env("GAUNTLET", env!("CARGO_BIN_EXE_gauntlet"))
        .current_dir(root())
        .output()
        .expect("bash runs");
    // The merge's exit code: the spec fails its gate.
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    let shards: Vec<_> = std::fs::read_dir(out.join("shards/sma_cross"))
        .expect("the shards' folder")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(shards.len(), 4, "{shards:?}");
    let report = std::fs::read(out.join("sma_cross/report.json")).expect("report.json");
    assert!(
        report == single_sma_cross_report(),
        "the one-machine script's report differs from the single run's"
    );
}
