// Label values (strings or numbers in the files) to class indices 0..C-1. The mapping depends only
// on the set of values in the training split, never on their order, so every run agrees on it.

export interface LabelMap {
  /** Class names by index. */
  classes: string[];
  /** Normalized label value → class index. */
  index: Map<string, number>;
  /** Where the values come from, for messages. */
  origin: string;
}

/** Labels read from one file, before mapping; `lines[i]` locates example i for error messages. */
export interface RawLabeled {
  file: string;
  texts: string[];
  labels: string[];
  lines: number[];
}

/** Texts with class indices. */
export interface LabeledTexts {
  texts: string[];
  labels: number[];
}

const TRAINING = 'the labels of the training split';
const NEGATIVE = new Set(['neg', 'negative']);
const POSITIVE = new Set(['pos', 'positive']);

/** Trims, and writes numbers canonically ("1.0" and 1 are the same label). */
export function normalizeLabel(value: string): string {
  const v = value.trim();
  return v !== '' && Number.isFinite(Number(v)) ? String(Number(v)) : v;
}

/**
 * The class order: sentiment names (neg/negative, pos/positive, any case) give negative = 0 and
 * positive = 1; all-numeric labels sort numerically (so 0/1, 1/2 and -1/1 keep their order);
 * anything else sorts by code point.
 */
export function buildLabelMap(values: Iterable<string>): LabelMap {
  const distinct = [...new Set([...values].map(normalizeLabel))];
  const lower = distinct.map((v) => v.toLowerCase());
  if (lower.every((v) => NEGATIVE.has(v) || POSITIVE.has(v))) {
    const index = new Map(distinct.map((v) => [v, POSITIVE.has(v.toLowerCase()) ? 1 : 0]));
    return { classes: ['negative', 'positive'], index, origin: TRAINING };
  }
  const numeric = distinct.every((v) => v !== '' && Number.isFinite(Number(v)));
  const classes = numeric
    ? distinct.sort((a, b) => Number(a) - Number(b))
    : distinct.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { classes, index: new Map(classes.map((c, i) => [c, i])), origin: TRAINING };
}

/** Maps each label through `map`; an unknown value is an error naming file:line and the known classes. */
export function encodeLabels(raw: RawLabeled, map: LabelMap): LabeledTexts {
  const labels = raw.labels.map((value, i) => {
    const k = map.index.get(normalizeLabel(value));
    if (k === undefined) {
      const known = [...map.index.keys()].map((v) => JSON.stringify(v)).join(', ');
      throw new Error(`${raw.file}:${raw.lines[i]}: unknown label ${JSON.stringify(value)}; expected one of ${known} (${map.origin}).`);
    }
    return k;
  });
  return { texts: raw.texts, labels };
}
