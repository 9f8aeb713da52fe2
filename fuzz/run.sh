#!/usr/bin/env bash
# Coverage-guided fuzzing of one reader with SharpFuzz + AFL++.
#   fuzz/run.sh TARGET SECONDS [FINDINGS_DIR]     TARGET: safetensors | onnx | cache
# Builds fuzz/Alds.Fuzz (Release), copies the output to a scratch folder, instruments Alds.Engine.dll and
# OnnxSharp.dll (the generated ONNX protobuf code) there with sharpfuzz, and runs afl-fuzz for SECONDS
# seconds from the seeds in fuzz/corpus/TARGET. Findings go to FINDINGS_DIR (default /tmp/findings-TARGET).
set -euo pipefail
target=${1:?usage: fuzz/run.sh TARGET SECONDS [FINDINGS_DIR]}
seconds=${2:?usage: fuzz/run.sh TARGET SECONDS [FINDINGS_DIR]}
findings=${3:-/tmp/findings-$target}
root=$(cd "$(dirname "$0")/.." && pwd)
tools=$root/fuzz/.tools
bin=/tmp/alds-fuzz-bin-$target

if [[ ! -x $tools/sharpfuzz ]]; then
    dotnet tool install --tool-path "$tools" SharpFuzz.CommandLine --version 2.3.0
fi
# NO_BUILD=1 reuses the last build (e.g. while other builds run in the same checkout).
[[ ${NO_BUILD:-0} == 1 ]] || dotnet build -c Release --nologo -v q "$root/fuzz/Alds.Fuzz/Alds.Fuzz.csproj"
rm -rf "$bin"
cp -r "$root/fuzz/Alds.Fuzz/bin/Release/net10.0" "$bin"
"$tools/sharpfuzz" "$bin/Alds.Engine.dll"
"$tools/sharpfuzz" "$bin/OnnxSharp.dll"

rm -rf "$findings"
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1
dict=()
[[ -f $root/fuzz/dict/$target.dict ]] && dict=(-x "$root/fuzz/dict/$target.dict")
afl-fuzz -i "$root/fuzz/corpus/$target" -o "$findings" "${dict[@]}" -t 5000 -m none -V "$seconds" \
    -- dotnet "$bin/Alds.Fuzz.dll" "$target"
