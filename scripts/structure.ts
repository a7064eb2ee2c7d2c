// The shape of the code, for reviews of layering work (`node --import tsx scripts/structure.ts`):
//   1. the import graph between the top-level folders of src/ (and webview/): every arrow with its
//      import count, arrows that point against the layer order, and cycles;
//   2. the longest functions of src/ (lines from the declaration to its closing brace).
// Options: --top N (functions listed, default 15), --max N (also list every function over N lines).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(__dirname, '..');
const args = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};

/** The layer order of the brief: an import may point only to a lower (or the same) rank. */
const RANK: Record<string, number> = {
  util: 0, config: 1, store: 2, analysis: 3, trainer: 4, sweep: 5, distributed: 5, report: 6, cli: 6, extension: 6, webview: 6,
};

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'node_modules' || name === 'assembly') continue;
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.ts$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** `src/trainer/x.ts` -> 'trainer'; `webview/curves/x.ts` -> 'webview'. */
function folderOf(file: string): string | null {
  const rel = relative(root, file).split('/');
  if (rel[0] === 'src' && rel.length > 2) return rel[1] ?? null;
  if (rel[0] === 'webview') return 'webview';
  return null;
}

/** Inside webview/: `webview/shared` must not import a panel's folder. */
function webviewFolderOf(file: string): string | null {
  const rel = relative(root, file).split('/');
  return rel[0] === 'webview' && rel.length > 2 ? `webview/${rel[1] ?? ''}` : null;
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  const re = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const spec = m[1] ?? m[2];
    if (spec && spec.startsWith('.')) out.push(resolve(dirname(file), spec));
  }
  return out;
}

function importGraph(): void {
  const files = [...walk(join(root, 'src')), ...walk(join(root, 'webview'))];
  const edges = new Map<string, number>();
  for (const f of files) {
    const from = folderOf(f);
    if (!from) continue;
    for (const target of importsOf(f)) {
      const to = folderOf(target + '.ts') ?? folderOf(join(target, 'index.ts'));
      if (!to || to === from) continue;
      const key = `${from} -> ${to}`;
      edges.set(key, (edges.get(key) ?? 0) + 1);
    }
  }
  console.log('## Import graph between top-level folders (src/*, webview)');
  const up: string[] = [];
  for (const [key, n] of [...edges].sort()) {
    const [from, to] = key.split(' -> ') as [string, string];
    const upward = (RANK[to] ?? 0) > (RANK[from] ?? 0);
    if (upward) up.push(key);
    console.log(`${key}  (${n})${upward ? '  UP' : ''}`);
  }
  console.log(`arrows pointing up: ${up.length}${up.length ? ` (${up.join(', ')})` : ''}`);
  const shared: string[] = [];
  for (const f of files) {
    if (webviewFolderOf(f) !== 'webview/shared') continue;
    for (const target of importsOf(f)) {
      const to = webviewFolderOf(target + '.ts');
      if (to && to !== 'webview/shared') shared.push(`${relative(root, f)} -> ${to}`);
    }
  }
  console.log(`webview/shared importing a panel: ${shared.length}${shared.length ? ` (${shared.join(', ')})` : ''}`);
  const cycles = stronglyConnected([...edges.keys()].map((k) => k.split(' -> ') as [string, string])).filter((c) => c.length > 1);
  console.log(`cycles: ${cycles.length}${cycles.length ? ` (${cycles.map((c) => c.join(' <-> ')).join('; ')})` : ''}`);
}

function stronglyConnected(edges: Array<[string, string]>): string[][] {
  const adj = new Map<string, string[]>();
  for (const [a, b] of edges) {
    if (!adj.has(a)) adj.set(a, []);
    if (!adj.has(b)) adj.set(b, []);
    adj.get(a)?.push(b);
  }
  let index = 0;
  const idx = new Map<string, number>(), low = new Map<string, number>(), on = new Set<string>(), stack: string[] = [], out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index); low.set(v, index); index++;
    stack.push(v); on.add(v);
    for (const w of adj.get(v) ?? []) {
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0)); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v) ?? 0, idx.get(w) ?? 0));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      for (let w = stack.pop(); w !== undefined; w = stack.pop()) { on.delete(w); comp.push(w); if (w === v) break; }
      out.push(comp.sort());
    }
  };
  for (const v of adj.keys()) if (!idx.has(v)) visit(v);
  return out;
}

interface Fn { where: string; name: string; lines: number }

function functions(): Fn[] {
  const out: Fn[] = [];
  for (const file of walk(join(root, 'src'))) {
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    const visit = (node: ts.Node, owner: string): void => {
      let name = owner;
      if (ts.isClassDeclaration(node) && node.name) name = node.name.text;
      if (ts.isFunctionLike(node) && 'body' in node && node.body) {
        const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
        const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
        const own = (node as ts.FunctionLikeDeclaration).name;
        let label = own && ts.isIdentifier(own) ? own.text : ts.isConstructorDeclaration(node) ? 'constructor' : '';
        if (!label && ts.isVariableDeclaration(node.parent) && ts.isIdentifier(node.parent.name)) label = node.parent.name.text;
        label = label ? (owner && owner !== label ? `${owner}.${label}` : label) : `${owner || '(anonymous)'} => (anonymous)`;
        out.push({ where: `${relative(root, file)}:${start + 1}`, name: label, lines: end - start + 1 });
      }
      ts.forEachChild(node, (c) => visit(c, name));
    };
    visit(sf, '');
  }
  return out.sort((a, b) => b.lines - a.lines);
}

importGraph();
const fns = functions();
const top = opt('--top', 15);
const max = opt('--max', 120);
console.log(`\n## Longest functions in src/ (top ${top})`);
for (const f of fns.slice(0, top)) console.log(`${String(f.lines).padStart(4)}  ${f.name}  ${f.where}`);
const over = fns.filter((f) => f.lines > max);
console.log(`functions over ${max} lines: ${over.length}${over.length ? ` (${over.map((f) => `${f.name} ${f.lines}`).join(', ')})` : ''}`);
