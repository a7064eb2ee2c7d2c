import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { generateSchema, SCHEMA_PATH } from '../../scripts/gen-schema';

test('the committed schemas/grok.schema.json equals a fresh generation (run `npm run build`)', () => {
  assert.equal(readFileSync(SCHEMA_PATH, 'utf8'), generateSchema());
});

test('the JSON Schema carries hover docs and sweep axis entries', () => {
  const schema = JSON.parse(generateSchema());
  const model = schema.properties.model;
  assert.match(model.properties.dModel.description, /Hidden \(embedding\) size/);
  assert.equal(schema.properties.task.oneOf.length, 4);
  const axis = schema.properties.sweep.properties['model.dModel'];
  assert.deepEqual(axis.items, { type: 'integer', minimum: 1, maximum: 4096 });
  assert.deepEqual(schema.properties.sweep.properties['task.kind'].items.anyOf.map((o: { const: string }) => o.const),
    ['modular', 'memorization', 'mixture', 'text']);
  assert.equal(schema.properties.sweep.properties.name, undefined);
});
