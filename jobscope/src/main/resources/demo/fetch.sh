#!/usr/bin/env bash
# A demo task that stages its inputs: real I/O (random bytes to a file, then a checksum), phase marker lines.
set -euo pipefail
task="$1"; mb="$2"; dir="$3"
echo "JOBSCOPE PHASE stage-in start"
echo "$task: copying ${mb} MB of inputs to $dir"
dd if=/dev/urandom of="$dir/$task.input" bs=1M count="$mb" status=none
sleep 2
sha256sum "$dir/$task.input" | cut -c1-16 | sed "s/^/$task: input checksum /"
sleep 2
echo "JOBSCOPE PHASE stage-in done"
rm -f "$dir/$task.input"
echo "$task: inputs ready"
