#!/usr/bin/env bash
# Folds a run's queue into the committed corpus: afl-cmin over seeds + queue, keeping the hand-written
# seeds by name and at most 200 files in all (smallest first).
#   fuzz/minimize.sh TARGET [FINDINGS_DIR]     (run fuzz/run.sh TARGET first: it leaves the instrumented build)
set -euo pipefail
target=${1:?usage: fuzz/minimize.sh TARGET [FINDINGS_DIR]}
findings=${2:-/tmp/findings-$target}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=/tmp/alds-fuzz-bin-$target
corpus=$root/fuzz/corpus/$target
work=$(mktemp -d "$root/fuzz/.work.XXXXXX")
trap 'rm -rf "$work"' EXIT

mkdir "$work/all" "$work/min"
cp "$corpus"/* "$work/all/"
n=0
for f in "$findings"/default/queue/id:*; do
    cp "$f" "$work/all/q-$(printf %05d $n)"
    n=$((n + 1))
done
export AFL_SKIP_BIN_CHECK=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
afl-cmin -i "$work/all" -o "$work/min" -t 5000 -m none -- "$(command -v dotnet)" "$bin/Alds.Fuzz.dll" "$target"

# Hand-written seeds stay as they are; earlier and new queue entries are renumbered TARGET-NNN.
find "$corpus" -name "$target-[0-9]*" -delete
i=0
for f in $(cd "$work/min" && ls -S -r | grep -E "^(q-|$target-[0-9])"); do
    (( $(ls "$corpus" | wc -l) >= 200 )) && break
    cp "$work/min/$f" "$corpus/$target-$(printf %03d $i)"
    i=$((i + 1))
done
echo "$target: $(ls "$corpus" | wc -l) files, $(du -sb "$corpus" | cut -f1) bytes"
