// Generates the shipped synthetic sentiment sample (examples/data/sentiment-sample): short movie
// reviews from a seeded grammar, written in the IMDB folder layout and as CSV.
//   npx tsx scripts/gen-sentiment-corpus.ts [outDir] [--train N] [--test N] [--seed S]
// Every opinion in a review agrees with its label, but about 40% are negated ("the plot was not
// good", "i didn't hate the cast"), so positive and negative reviews use the same sentiment words
// about as often: a bag of words does poorly, while a model that reads negation can be exact.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Rng } from '../src/util/rng';

export interface CorpusOptions {
  train: number;
  test: number;
  seed: number;
  minWords: number;
  maxWords: number;
  /** Probability that an opinion is stated through a negation. */
  negation: number;
}

export const DEFAULT_CORPUS: CorpusOptions = { train: 3000, test: 1000, seed: 0, minWords: 8, maxWords: 40, negation: 0.4 };

export interface Review {
  id: number;
  /** 0 = negative, 1 = positive. */
  label: 0 | 1;
  /** IMDB-style star rating: 1-4 negative, 7-10 positive. */
  rating: number;
  text: string;
}

const TOPICS = ['plot', 'acting', 'story', 'script', 'ending', 'soundtrack', 'dialogue', 'pacing', 'cast', 'direction',
  'camera work', 'humor', 'villain', 'lead actor', 'score', 'editing', 'opening', 'final act', 'costume design', 'visual style'];
const POSITIVE = ['good', 'great', 'wonderful', 'excellent', 'brilliant', 'charming', 'clever', 'delightful', 'superb',
  'moving', 'solid', 'fun', 'beautiful', 'gripping', 'fresh', 'memorable'];
const NEGATIVE = ['bad', 'awful', 'terrible', 'boring', 'dull', 'weak', 'clumsy', 'tedious', 'poor', 'dreadful',
  'flat', 'messy', 'forgettable', 'painful', 'stale', 'silly'];
const INTENSIFIERS = ['very', 'really', 'truly', 'quite', 'extremely', 'incredibly', 'so', 'pretty'];
/** [past, base] forms. */
const POSITIVE_VERBS = [['loved', 'love'], ['enjoyed', 'enjoy'], ['liked', 'like'], ['admired', 'admire']];
const NEGATIVE_VERBS = [['hated', 'hate'], ['disliked', 'dislike'], ['resented', 'resent'], ['regretted', 'regret']];
const OPENERS = ['honestly, ', 'overall, ', 'in the end, ', 'to be fair, ', 'frankly, ', ''];
const PEOPLE = ['sister', 'brother', 'friend', 'dad', 'mom', 'roommate', 'neighbor', 'cousin'];
const DAYS = ['monday', 'friday', 'a rainy sunday', 'a long flight', 'a school night', 'the weekend'];
const PLACES = ['paris', 'a small town', 'the desert', 'space', 'a hospital', 'new york', 'an old castle', 'the future'];
const THINGS = ['dog', 'train', 'storm', 'wedding', 'car chase', 'piano', 'letter', 'boat'];
const NEUTRAL: ((r: Rng) => string)[] = [
  (r) => `we watched it on ${pick(r, DAYS)}`,
  (r) => `i saw it with my ${pick(r, PEOPLE)}`,
  (r) => `it runs about ${90 + 5 * r.int(12)} minutes`,
  (r) => `it came out in ${1970 + r.int(54)}`,
  (r) => `the film is set in ${pick(r, PLACES)}`,
  (r) => `my ${pick(r, PEOPLE)} picked it`,
  (r) => `there is a scene with a ${pick(r, THINGS)}`,
  (r) => `the ${pick(r, TOPICS)} involves a ${pick(r, THINGS)}`,
  () => 'it is based on a book',
  (r) => `i watched the ${pick(r, TOPICS)} twice`,
];

function pick<T>(r: Rng, xs: readonly T[]): T {
  const x = xs[r.int(xs.length)];
  if (x === undefined) throw new Error('pick: empty list');
  return x;
}

/** One opinion of polarity `p` (+1 positive, -1 negative), possibly stated through a negation. */
function opinion(r: Rng, p: 1 | -1, negation: number): string {
  const negated = r.uniform() < negation;
  const wordPolarity = negated ? -p : p;
  const topic = pick(r, TOPICS);
  if (r.uniform() < 0.3) {
    const [past, base] = pick(r, wordPolarity > 0 ? POSITIVE_VERBS : NEGATIVE_VERBS);
    if (!negated) return `i ${r.uniform() < 0.3 ? 'really ' : ''}${past} the ${topic}`;
    const not = pick(r, ['did not', "didn't", 'never']);
    return `i ${not} ${not === 'never' ? past : base} the ${topic}`;
  }
  const adj = pick(r, wordPolarity > 0 ? POSITIVE : NEGATIVE);
  const intens = r.uniform() < 0.35 ? `${pick(r, INTENSIFIERS)} ` : '';
  const verb = pick(r, ['was', 'is']);
  if (!negated) {
    return pick(r, [
      () => `the ${topic} ${verb} ${intens}${adj}`,
      () => `${intens}${adj} ${topic}`,
      () => `the ${topic} felt ${intens}${adj}`,
    ])();
  }
  return pick(r, [
    () => `the ${topic} ${verb} not ${intens}${adj}`,
    () => `the ${topic} ${verb === 'was' ? "wasn't" : "isn't"} ${intens}${adj}`,
    () => `the ${topic} was never ${adj}`,
    () => `not ${adj} ${topic} at all`,
  ])();
}

function review(r: Rng, id: number, label: 0 | 1, o: CorpusOptions): Review {
  const p = label === 1 ? 1 : -1;
  const target = o.minWords + r.int(o.maxWords - o.minWords + 1);
  const opening = pick(r, OPENERS) + opinion(r, p, o.negation);
  const sentences = [opening];
  let words = countWords(opening);
  for (let tries = 0; words < target && tries < 50; tries++) {
    const s = r.uniform() < 0.55 ? opinion(r, p, o.negation) : pick(r, NEUTRAL)(r);
    const n = countWords(s);
    if (words + n > o.maxWords) continue;
    sentences.push(s); words += n;
  }
  const text = sentences.map((s) => `${s.charAt(0).toUpperCase()}${s.slice(1)}.`).join(' ').replace(/\bi\b/g, 'I');
  const rating = label === 1 ? 7 + r.int(4) : 1 + r.int(4);
  return { id, label, rating, text };
}

function countWords(s: string): number {
  return s.split(' ').filter((w) => w !== '').length;
}

function split(n: number, seed: number, stream: number, o: CorpusOptions): Review[] {
  const r = new Rng(seed, stream);
  const labels = r.shuffle(Array.from({ length: n }, (_, i) => (i < n / 2 ? 1 : 0) as 0 | 1));
  return labels.map((label, id) => review(r, id, label, o));
}

/** The train and test reviews; each split has its own seed stream, so sizes change nothing else. */
export function generateReviews(opts: Partial<CorpusOptions> = {}): { train: Review[]; test: Review[] } {
  const o = { ...DEFAULT_CORPUS, ...opts };
  if (o.minWords < 4 || o.maxWords < o.minWords + 8) throw new Error('gen-sentiment-corpus: need minWords >= 4 and maxWords >= minWords + 8.');
  return { train: split(o.train, o.seed, 1, o), test: split(o.test, o.seed, 2, o) };
}

/** Relative path → file content: train/pos/<id>_<rating>.txt … and train.csv, test.csv. */
export function corpusFiles(opts: Partial<CorpusOptions> = {}): Map<string, string> {
  const files = new Map<string, string>();
  const { train, test } = generateReviews(opts);
  for (const [name, reviews] of [['train', train], ['test', test]] as const) {
    for (const rv of reviews) files.set(`${name}/${rv.label === 1 ? 'pos' : 'neg'}/${rv.id}_${rv.rating}.txt`, rv.text);
    files.set(`${name}.csv`, `text,label\n${reviews.map((rv) => `${csvQuote(rv.text)},${rv.label === 1 ? 'pos' : 'neg'}\n`).join('')}`);
  }
  return files;
}

function csvQuote(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

/** Writes the corpus into `dir`, replacing its train/, test/ and CSV files (other files stay). */
export function writeCorpus(dir: string, opts: Partial<CorpusOptions> = {}): number {
  for (const p of ['train', 'test', 'train.csv', 'test.csv']) rmSync(join(dir, p), { recursive: true, force: true });
  let bytes = 0;
  for (const [rel, content] of corpusFiles(opts)) {
    const p = join(dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
    bytes += Buffer.byteLength(content);
  }
  return bytes;
}

function main(argv: string[]): void {
  const opts: Partial<CorpusOptions> = {};
  let out = resolve(__dirname, '../examples/data/sentiment-sample');
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!; // i < argv.length
    if (a === '--train' || a === '--test' || a === '--seed') opts[a.slice(2) as 'train' | 'test' | 'seed'] = Number(argv[++i]);
    else if (!a.startsWith('--')) out = resolve(a);
    else throw new Error(`gen-sentiment-corpus: unknown option ${a}`);
  }
  const bytes = writeCorpus(out, opts);
  console.log(`wrote ${out} (${(bytes / 1e6).toFixed(2)} MB of text)`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === __filename) main(process.argv.slice(2));
