#!/usr/bin/env bash
# Queue the QC array (qc-array.sbatch) over a subjects directory, then the report
# (qc-report.sbatch) to run once every array task has succeeded. Prints the two job ids.
#
#   SUBJECTS_DIR=/data/subjects examples/slurm/submit.sh
#   SUBJECTS_DIR=/data/subjects QC_TASKS=16 QC_OUT=/scratch/qc examples/slurm/submit.sh --force
#
# Settings, from the environment:
#   SUBJECTS_DIR   the FreeSurfer subjects directory (required)
#   QC_SUBJECTS    which subject folders, a glob (default *)
#   QC_SPEC        the figure spec (default: examples/qc.toml beside this script)
#   QC_OUT         the output folder (default ./qc); SLURM's logs go to QC_OUT/logs
#   QC_TASKS       array tasks (default 4); each renders every QC_TASKS-th subject
#   SURFRENDER     the surfrender binary (default: surfrender on PATH)
#   QC_WAIT=1      wait until the report job has finished; exit with its status
# sbatch's own variables (SBATCH_PARTITION, SBATCH_ACCOUNT, SBATCH_TIMELIMIT, ...) apply to
# both jobs. Arguments go to `surfrender batch` in every array task.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

: "${SUBJECTS_DIR:?set SUBJECTS_DIR to the FreeSurfer subjects directory}"
tasks=${QC_TASKS:-4}
# The jobs run in this folder too, but absolute paths keep them independent of it.
abs() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
SUBJECTS_DIR=$(abs "$SUBJECTS_DIR")
QC_SUBJECTS=${QC_SUBJECTS:-*}
QC_SPEC=$(abs "${QC_SPEC:-$here/../qc.toml}")
QC_OUT=$(abs "${QC_OUT:-qc}")
SURFRENDER=${SURFRENDER:-surfrender}
[[ $SURFRENDER != */* ]] || SURFRENDER=$(abs "$SURFRENDER")
# sbatch passes this environment on to the jobs.
export SUBJECTS_DIR QC_SUBJECTS QC_SPEC QC_OUT SURFRENDER
mkdir -p "$QC_OUT/logs"

# --parsable prints "jobid" (or "jobid;cluster" on a federation).
array=$(sbatch --parsable --array="0-$((tasks - 1))" \
    --output="$QC_OUT/logs/qc-%A_%a.out" "$here/qc-array.sbatch" "$@")
array=${array%%;*}
echo "array job $array: $tasks tasks" >&2

# A failed task leaves the dependency unsatisfiable: --kill-on-invalid-dep cancels the
# report then, rather than leaving it pending for ever.
wait=()
[[ ${QC_WAIT:-0} == 1 ]] && wait=(--wait)
report=$(sbatch --parsable "${wait[@]}" --dependency="afterok:$array" --kill-on-invalid-dep=yes \
    --output="$QC_OUT/logs/qc-report-%j.out" "$here/qc-report.sbatch") || {
    echo "report job failed (array job $array; logs in $QC_OUT/logs)" >&2
    exit 1
}
report=${report%%;*}
echo "report job $report: after array job $array succeeds" >&2
if [[ ${QC_WAIT:-0} == 1 ]]; then
    # sbatch --wait exits 0 for a job cancelled before it ran (a task failed): ask SLURM.
    state=$(scontrol show job "$report" | grep -o 'JobState=[A-Z_]*' || true)
    if [[ $state != JobState=COMPLETED ]]; then
        echo "report job $report: ${state:-state unknown}; array job $array:" >&2
        scontrol show job "$array" | grep -o 'JobId=[0-9]* ArrayJobId=[0-9]* ArrayTaskId=[0-9]*\|JobState=[A-Z_]*' |
            paste - - >&2 || true
        echo "logs in $QC_OUT/logs" >&2
        exit 1
    fi
fi
echo "$array $report"
