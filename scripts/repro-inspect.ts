// Prints a results folder's runs (params, status, regime, fit/reach steps, final accuracies) and its
// summary numbers (CDS, memorization capacity), plus the report's U-curves and emergence: what
// docs/reproduction.md's tables are made from.
//
//   npx tsx scripts/repro-inspect.ts DIR
import { buildSweepReport } from '../src/report/data';

const dir = process.argv[2];
if (!dir) { console.error('usage: tsx scripts/repro-inspect.ts DIR'); process.exit(2); }
const s = buildSweepReport(dir, dir);
const f = (x: number | null | undefined, d = 3) => (x == null ? '-' : Number.isInteger(x) ? String(x) : x.toFixed(d));
console.log(`${s.name}: ${s.status}; wall: max run ${(s.wall.maxRunMs / 1000).toFixed(0)} s, sum ${(s.wall.sumRunMs / 1000).toFixed(0)} s`);
for (const r of s.runs) {
  const p = Object.entries(r.params).map(([k, v]) => `${k.split('.').pop()}=${v}`).join(' ');
  const comps = r.components ? ' ' + Object.entries(r.components).map(([k, v]) => `${k}:${f(v.valAcc)}`).join(' ') : '';
  console.log(`${p.padEnd(40)} ${r.status.padEnd(7)} ${String(r.regime).padEnd(13)} fit ${f(r.trainFitStep).padStart(5)} reach ${f(r.valReachStep).padStart(5)} last ${f(r.lastStep).padStart(5)} train ${f(r.trainAcc)} val ${f(r.valAcc)}${comps}`);
}
for (const t of s.cds) {
  console.log(`CDS ${t.label}: ${f(t.cds.value, 1)} (${t.cds.kind}, ${f(t.cds.low, 1)}..${f(t.cds.high, 1)}); D_mem ${f(t.memorization?.value, 1)} (${t.memorization?.kind})`);
  for (const r of t.rows) console.log(`   D=${r.dataSize}: val ${f(r.meanValAcc)} [${f(r.minValAcc)}, ${f(r.maxValAcc)}] fit ${f(r.meanTrainFitStep, 0)} reach ${f(r.meanValReachStep, 0)} (${r.reached}/${r.finished}) ${JSON.stringify(r.regimes)}`);
}
for (const u of s.uCurves) for (const l of u.lines) {
  console.log(`U ${u.label} D=${l.dataSize}: ${l.points.map((p) => `${p.modelSize}:${f(p.mean, 2)}`).join(' ')} | dip ${l.shape.detected} depth ${f(l.shape.depth)} peak ${l.shape.peak?.modelSize} trough ${l.shape.trough?.modelSize} rec ${l.shape.recovery?.modelSize}`);
}
if (s.emergence) for (const l of s.emergence.lines) {
  console.log(`E ${l.label}: ${l.points.map((p) => `${p.modelSize}(${p.params}):${f(p.mean, 2)}/${f(p.max, 2)}`).join(' ')} | best ${f(l.best.value, 1)} (${l.best.kind}) mean ${f(l.mean.value, 1)} (${l.mean.kind})`);
}
for (const w of s.weightNorm) {
  console.log(`W ${w.label} ${w.regime} drop ${f(w.weightNormDrop)} phases ${w.phases.map((p) => `${p.name} ${p.from}-${p.to}`).join(', ')} heatmaps ${w.heatmaps.map((h) => h.step).join(',')}`);
}
