#!/usr/bin/env bash
# Benchmark of issue 4: craft check over a generated repository of 50,000
# files, committed to git so that the git-based checks have history to read.
#
#   bash bench/checks.sh [files]
set -euo pipefail
cd "$(dirname "$0")/.."
files=${1:-50000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/craft" ./cmd/craft
go run ./bench/genrepo -dir "$work/repo" -files "$files"
(cd "$work/repo" && git init -q && git add -A && git -c user.name=bench -c user.email=bench@example.com commit -qm "import")
echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(go version)"
for run in 1 2 3; do
	/usr/bin/time -f "craft check, run $run: %e s wall, %M KB peak RSS" "$work/craft" check "$work/repo" -o json="$work/check.json" >/dev/null
done
python3 -c "
import json,sys
d=json.load(open(sys.argv[1]))
print('results:', {k: v for k, v in d.get('summary', {}).items()})" "$work/check.json"
