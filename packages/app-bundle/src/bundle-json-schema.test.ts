import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Ajv2020 from 'ajv/dist/2020.js';
import { BUNDLE_SCHEMA_VERSION, bundleJsonSchema } from './index.js';
import { REPO_ROOT, templateBundle } from './template-fixture.test.js';

describe('the published JSON Schema (README rule 1)', () => {
  it('docs/app-bundle.schema.json is exactly bundleJsonSchema (regenerate: scripts/write-json-schema.mjs)', () => {
    const published = JSON.parse(
      readFileSync(join(REPO_ROOT, 'docs', 'app-bundle.schema.json'), 'utf8'),
    );
    assert.deepEqual(published, bundleJsonSchema);
  });

  it('is a valid JSON Schema 2020-12 that ajv compiles in strict mode', () => {
    const ajv = new Ajv2020.default({ strict: true, strictRequired: false, allowUnionTypes: true });
    assert.equal(ajv.validateSchema(bundleJsonSchema), true, JSON.stringify(ajv.errors));
    const validate = ajv.compile(bundleJsonSchema);
    assert.equal(validate(templateBundle()), true, JSON.stringify(validate.errors?.slice(0, 3)));
  });

  it('pins the current schema version', () => {
    const properties = bundleJsonSchema['properties'] as Record<string, { const?: number }>;
    assert.equal(properties['schemaVersion']?.const, BUNDLE_SCHEMA_VERSION);
    assert.equal(BUNDLE_SCHEMA_VERSION, 2);
  });
});
