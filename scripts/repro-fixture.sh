#!/usr/bin/env bash
# Rebuilds test/fixtures/report-results/ (the `grok report` test's stored results) from the configs in
# test/report/fixture/: three tiny sweeps on the real engine (about a minute on 2 cores). The
# checkpoints are removed afterwards (the report does not read them) to keep the fixture small.
set -euo pipefail
cd "$(dirname "$0")/.."
out=test/fixtures/report-results
rm -rf "$out"
mkdir -p "$out"
for name in grid mixture; do
  npx tsx scripts/repro-run.ts "test/report/fixture/$name.grok.json" --out "$out/$name" --threads 1 --quiet
done
npx tsx scripts/repro-run.ts test/report/fixture/weights.grok.json --out "$out/weights" --threads 1 --quiet --snapshots 50 --prune-snapshots
find "$out" -name 'ckpt-*.safetensors' -not -path '*/snapshots/*' -delete
du -sh "$out"
