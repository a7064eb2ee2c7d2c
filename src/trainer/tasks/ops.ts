// The modular operations: label formulas, which (a, b) pairs each op uses, and the number theory
// they need (a/b is a times the inverse of b, which exists for every b != 0 only when P is prime).
import type { ModularOp } from '../../config/schema';
import { isPrime } from '../../config/taskSizes';

/** b^-1 mod p for prime p (Fermat: b^(p-2)). */
export function modInverse(b: number, p: number): number {
  let result = 1, base = b % p, e = p - 2;
  while (e > 0) {
    if (e & 1) result = (result * base) % p;
    base = (base * base) % p;
    e >>= 1;
  }
  return result;
}

/** Whether op(a, b) is defined for b (a/b excludes b = 0). */
export function opUsesPair(op: ModularOp, b: number): boolean {
  return op !== 'a/b' || b !== 0;
}

/** The (a, b) pairs of an op in row-major order (a slowest). */
export function opPairs(op: ModularOp, p: number): Array<[number, number]> {
  const pairs: Array<[number, number]> = [];
  for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) if (opUsesPair(op, b)) pairs.push([a, b]);
  return pairs;
}

/**
 * op(a, b) mod p as a function of a and b. Throws for a/b when p is not prime (config validation
 * reports that case with its position first). Products stay below 2^53 for p <= 1024.
 */
export function opLabeler(op: ModularOp, p: number): (a: number, b: number) => number {
  const mod = (x: number) => ((x % p) + p) % p;
  switch (op) {
    case 'a+b': return (a, b) => mod(a + b);
    case 'a-b': return (a, b) => mod(a - b);
    case 'a*b': return (a, b) => mod(a * b);
    case 'a/b': {
      if (!isPrime(p)) throw new Error(`op "a/b" needs a prime modulus (b must have an inverse); got ${p}`);
      const inverse = Array.from({ length: p }, (_, b) => (b === 0 ? 0 : modInverse(b, p)));
      return (a, b) => mod(a * inverse[b]!); // operands are residues in [0, p)
    }
    case '(a+b)^2': return (a, b) => mod((a + b) * (a + b));
    case 'a^2+b^2': return (a, b) => mod(a * a + b * b);
    case 'a^2+ab+b^2': return (a, b) => mod(a * a + a * b + b * b);
    case 'a^3+ab': return (a, b) => mod(mod(a * a) * a + a * b);
  }
}
