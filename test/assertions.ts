// Reads that fail the test loudly, for tests under noUncheckedIndexedAccess.
import assert from 'node:assert/strict';

/** xs[i] (negative i counts from the end, as Array.at), failing the test when there is no such item. */
export function at<T>(xs: ArrayLike<T>, i: number): T {
  const x = xs[i < 0 ? xs.length + i : i];
  assert.ok(x !== undefined, `no item ${i} in a list of ${xs.length}`);
  return x;
}

/** record[key], failing the test when the record has no such key. */
export function entry<T>(record: Readonly<Record<string, T>>, key: string): T {
  const x = record[key];
  assert.ok(x !== undefined, `no entry ${JSON.stringify(key)} (there are: ${Object.keys(record).join(', ')})`);
  return x;
}
