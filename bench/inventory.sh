#!/usr/bin/env bash
# Benchmark of issue 2: craft scan and craft sbom over a generated tree of
# 5,000 lockfiles (200,000 package entries). Prints wall time, peak RSS and
# components per second for each command. Needs GNU time (/usr/bin/time).
#
#   bash bench/inventory.sh [projects] [entries-per-lockfile]
set -euo pipefail
cd "$(dirname "$0")/.."
projects=${1:-5000}
entries=${2:-40}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/craft" ./cmd/craft
go run ./bench/gentree -dir "$work/tree" -projects "$projects" -entries "$entries"

# measure NAME CMD...: runs CMD, prints wall time and peak RSS to stderr
# and the wall seconds to stdout.
measure() {
	local name=$1
	shift
	/usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || {
		cat "$work/stderr" >&2
		return 1
	}
	read -r secs kb <"$work/time"
	echo "$name: ${secs}s wall, $((kb / 1024)) MiB peak RSS" >&2
	echo "$secs"
}

echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(go version)"
scan_secs=$(measure "craft scan (inventory, no checks, no database)" "$work/craft" scan "$work/tree" --no-checks --db "$work/none.db" -o json="$work/scan.json")
components=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['inventory']['components']))" "$work/scan.json")
echo "   $components distinct components from $((projects * entries)) entries: $(python3 -c "print(round($projects*$entries/$scan_secs))") entries/s"
meta=(--product-name bench --manufacturer-email bench@example.com --reproducible)
measure "craft sbom -o cyclonedx-json" "$work/craft" sbom "$work/tree" "${meta[@]}" -o cyclonedx-json="$work/bom.cdx.json" >/dev/null
measure "craft sbom -o spdx-json" "$work/craft" sbom "$work/tree" "${meta[@]}" -o spdx-json="$work/bom.spdx.json" >/dev/null
echo "   CycloneDX SBOM: $(du -h "$work/bom.cdx.json" | cut -f1)"
measure "craft scan --sbom (decode the CycloneDX SBOM above)" "$work/craft" scan --sbom "$work/bom.cdx.json" --db "$work/none.db" -o json="$work/sbomscan.json" >/dev/null
