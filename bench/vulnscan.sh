#!/usr/bin/env bash
# Benchmark of issue 3.
#  1. a whole `craft scan --sbom` of 10,000 components against 500,000
#     generated advisories (bench/advisorygen), three warm runs;
#  2. `craft scan` of 1,000 lockfiles (40,000 entries, bench/gentree) against
#     real OSV records and the KEV catalog, if their paths are given (for
#     example the team's shared corpus: osv/* and kev/cisa-kev/*.json).
#
#   bash bench/vulnscan.sh [OSV-OR-KEV-PATH...]
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/craft" ./cmd/craft
go build -o "$work/advisorygen" ./bench/advisorygen
echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(go version)"

echo "== 500,000 generated advisories: generate and import"
"$work/advisorygen" -dir "$work/adv"
"$work/advisorygen" -sbom "$work/10k.cdx.json"
for run in 1 2 3; do
	/usr/bin/time -f "craft scan --sbom (10,000 components), run $run: %e s wall, %M KB peak RSS" \
		"$work/craft" scan --sbom "$work/10k.cdx.json" --db "$work/adv/advisories.db" --max-db-age 10000h -o json="$work/v.json" >/dev/null
done
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print('   findings:', len(d['vulnerabilities']['findings']))" "$work/v.json"

if (($# > 0)); then
	echo "== 1,000 lockfiles (40,000 entries) against the given OSV records and KEV"
	/usr/bin/time -f "craft db import: %e s wall, %M KB peak RSS" "$work/craft" db import --db "$work/real.db" "$@" | tail -4
	go run ./bench/gentree -dir "$work/tree" -projects 1000 -entries 40
	for run in 1 2 3; do
		/usr/bin/time -f "craft scan (1,000 lockfiles), run $run: %e s wall, %M KB peak RSS" \
			"$work/craft" scan "$work/tree" --no-checks --db "$work/real.db" --max-db-age 10000h -o json="$work/t.json" >/dev/null
	done
fi
