/**
 * Stands in for ajv in the browser build (see vite.config.ts). ajv compiles validators with
 * `new Function`, which our Content-Security-Policy forbids, so the browser never compiles:
 * it loads the API's precompiled validator module or uses form-engine's field-by-field path.
 * Leaving ajv out keeps about 40 KB of compressed code away from every form screen.
 */
function unavailable(): never {
  throw new Error('ajv does not run in the browser: pass a precompiled jsonSchemaValidator');
}

const ajvStub = Object.assign(unavailable, { default: unavailable });

export default ajvStub;
