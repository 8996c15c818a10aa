#!/bin/bash
# Submits a sharded gyokaku batch to Slurm: an array job of N shards and a merge job that
# runs after all of them succeeded. Prints the two job ids.
#
#   scripts/slurm/submit.sh CONFIG.toml N OUT [INDEX]
#
# INDEX defaults to the `index` of the config (relative to the config's folder).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
config=${1:?usage: submit.sh CONFIG.toml N OUT [INDEX]}
count=${2:?usage: submit.sh CONFIG.toml N OUT [INDEX]}
out=${3:?usage: submit.sh CONFIG.toml N OUT [INDEX]}
config_dir=$(cd "$(dirname "$config")" && pwd)
configured=$(sed -n 's/^[[:space:]]*index[[:space:]]*=[[:space:]]*"\(.*\)".*/\1/p' "$config" | head -1)
index=${4:-$config_dir/${configured:-index}}
array=$(sbatch --parsable --array="1-$count" "$here/batch_array.sbatch" "$config" "$count")
merge=$(sbatch --parsable --dependency="afterok:$array" "$here/merge.sbatch" "$index" "$count" "$out")
echo "$array $merge"
