// Writes schemas/grok.schema.json (editor validation, completion and hover docs for *.grok.json)
// from the zod schema. Sweep axes get one entry per known field path, so editors complete axis
// names and check their values. Run by scripts/build.mjs; test/config/schema.test.ts checks the
// committed file is fresh.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigSchema } from '../src/config/schema';
import { sweepableFields } from '../src/config/sweepChecks';

export const SCHEMA_PATH = join(__dirname, '..', 'schemas', 'grok.schema.json');

type Json = Record<string, unknown>;

export function generateSchema(): string {
  const schema = z.toJSONSchema(ConfigSchema, { io: 'input' }) as Json;
  schema.$id = 'https://grok-lab.dev/schemas/grok.schema.json';
  schema.title = 'Grok experiment (*.grok.json)';
  const sweep = (schema.properties as Record<string, Json>).sweep;
  if (!sweep) throw new Error('ConfigSchema has no sweep property');
  // One entry per field path; a path of several task kinds (task.kind) allows any of their values.
  const variants = new Map<string, { items: Json[]; description?: unknown }>();
  for (const { path, schema: field } of sweepableFields()) {
    const { $schema: _, default: __, description, ...items } = z.toJSONSchema(field, { io: 'input', unrepresentable: 'any' }) as Json;
    if (items.type === 'array' || items.type === 'object') continue; // sweep values are scalars
    const entry = variants.get(path.join('.')) ?? { items: [], description };
    if (!entry.items.some((i) => JSON.stringify(i) === JSON.stringify(items))) entry.items.push(items);
    variants.set(path.join('.'), entry);
  }
  const axes: Record<string, Json> = {};
  for (const [key, { items, description }] of variants) {
    axes[key] = {
      type: 'array', minItems: 1, items: items.length === 1 ? items[0] : { anyOf: items },
      description: `Sweep axis: values of ${key}.${description ? ` ${String(description)}` : ''}`,
    };
  }
  sweep.properties = axes;
  // Completion in an empty *.grok.json offers a whole experiment (values as tab stops).
  schema.defaultSnippets = [{
    label: 'Grok experiment',
    description: 'A sweep of model size × data size × seeds on modular addition',
    body: {
      name: '${1:my-experiment}',
      description: '${2}',
      task: { kind: 'modular', op: '${3|a+b,a-b,a*b,a/b|}', modulus: '^${4:23}' },
      model: { kind: '${5|mlp,transformer|}', dModel: '^${6:16}' },
      optimizer: { kind: 'adamw', lr: '^${7:0.01}', weightDecay: '^${8:1.0}' },
      training: { steps: '^${9:4000}', evalEvery: '^${10:40}' },
      sweep: { 'model.dModel': ['^${11:8}', '^${12:32}'], 'training.trainSize': ['^${13:200}', '^${14:420}'], seed: ['^0', '^1'] },
      analysis: { epsilon: '^${15:0.95}' },
    },
  }];
  return `${JSON.stringify(schema, null, 2)}\n`;
}

if (require.main === module) writeFileSync(SCHEMA_PATH, generateSchema());
