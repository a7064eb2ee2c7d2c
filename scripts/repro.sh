#!/usr/bin/env bash
# Runs the reproduction suite (docs/reproduction.md): every examples/repro-*.grok.json (the small
# variants, or the paper-scale ones with --full), then one `grok report` of all of them, and PNGs of
# its sections into docs/img/ (with --shots).
#
#   scripts/repro.sh [--full] [--shots] [--threads N] [NAME...]     e.g. scripts/repro.sh samplewise u-shape
#
# Results: examples/.grok/<name>/; the report: examples/.grok/report.html. A finished sweep is not
# trained again (delete its folder to start over). Wall times are printed per example.
set -euo pipefail
cd "$(dirname "$0")/.."
full=""; shots=""; threads=(); names=()
while [ $# -gt 0 ]; do
  case "$1" in
    --full) full=".full" ;;
    --shots) shots=1 ;;
    --threads) threads=(--threads "$2"); shift ;;
    *) names+=("$1") ;;
  esac
  shift
done
[ ${#names[@]} -gt 0 ] || names=(samplewise four-dynamics cds-vs-model u-shape harder-task emergence weight-norm text)
npm run build >/dev/null
for n in "${names[@]}"; do
  file="examples/repro-$n$full.grok.json"
  echo "== $file"
  start=$(date +%s)
  if [ "$n" = weight-norm ]; then
    # The store keeps only the latest checkpoint: snapshots for the phase heatmaps come from repro-run.
    npx tsx scripts/repro-run.ts "$file" --snapshots "$([ -n "$full" ] && echo 500 || echo 50)" --prune-snapshots --quiet "${threads[@]}"
  else
    node bin/grok.js sweep "$file" "${threads[@]}"
  fi
  echo "== $n: $(( $(date +%s) - start )) s"
done
node bin/grok.js report examples/.grok --out examples/.grok/report.html --title "Grok reproduction suite"
if [ -n "$shots" ]; then
  npx tsx scripts/repro-shots.ts examples/.grok/report.html docs/img
fi
