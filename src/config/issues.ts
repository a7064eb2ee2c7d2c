// Turns zod's validation issues into problems that say what is wrong and what is allowed.
import type { z } from 'zod';
import { closestMatch, describeAllowed, describeValue } from './describe';
import type { ConfigProblem, PathSegment } from './errors';
import { fieldSchemaAt, getAtPath, objectFieldNames } from './paths';

type Issue = z.core.$ZodIssue;

/** `schema` is the root schema the issues came from and `input` the value it checked. */
export function problemsFromIssues(issues: readonly Issue[], schema: z.ZodType, input: unknown): ConfigProblem[] {
  return issues.flatMap((issue) => problemsFromIssue(issue, schema, input));
}

function problemsFromIssue(issue: Issue, schema: z.ZodType, input: unknown): ConfigProblem[] {
  const path = issue.path.filter((s): s is PathSegment => typeof s !== 'symbol');
  const value = getAtPath(input, path);

  if (issue.code === 'unrecognized_keys') {
    const parent = fieldSchemaAt(schema, path, input);
    const allowed = parent ? objectFieldNames(parent, value) : [];
    return issue.keys.map((key) => ({
      path: [...path, key],
      atKey: true,
      message: `unknown field ${JSON.stringify(key)}${suggestion(key, allowed)}; allowed fields: ${allowed.join(', ')}`,
    }));
  }

  if (issue.code === 'invalid_union' && 'discriminator' in issue && issue.discriminator) {
    const options = ((issue as { options?: unknown[] }).options ?? []).map(String);
    const owner = path.length >= 2 ? String(path[path.length - 2]) : 'object';
    const allowed = `allowed ${owner} kinds: ${options.map((o) => JSON.stringify(o)).join(', ')}`;
    if (value === undefined) return [{ path, message: `missing required field "${issue.discriminator}"; ${allowed}` }];
    const hint = typeof value === 'string' ? suggestion(value, options) : '';
    return [{ path, message: `unknown ${owner} ${issue.discriminator} ${JSON.stringify(value)}${hint}; ${allowed}` }];
  }

  const field = fieldSchemaAt(schema, path, input);
  // Custom messages (the name's pattern) say what is allowed better than the pattern itself.
  const allowed = issue.code === 'invalid_format' || issue.code === 'custom' || !field
    ? issue.message : describeAllowed(field);

  if (value === undefined) {
    return [{ path, message: `missing required field ${JSON.stringify(String(path[path.length - 1]))}; expected ${allowed}` }];
  }
  if (path[0] === 'sweep' && path.length === 2 && Array.isArray(value) && value.length === 0) {
    return [{ path, message: 'empty sweep axis: list at least one value (a single value fixes the field for every run)' }];
  }
  return [{ path, message: `got ${describeValue(value)}; allowed: ${allowed}` }];
}

function suggestion(word: string, options: readonly string[]): string {
  const match = closestMatch(word, options);
  return match ? ` (did you mean ${JSON.stringify(match)}?)` : '';
}
