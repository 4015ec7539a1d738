import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const ajvUnavailable = fileURLToPath(new URL('./src/forms/ajv-unavailable.ts', import.meta.url));

export default defineConfig({
  plugins: [react()],
  resolve: {
    // The browser never compiles JSON Schema (CSP forbids eval); see src/forms/ajv-unavailable.ts.
    alias: [
      { find: /^ajv\/dist\/2020\.js$/, replacement: ajvUnavailable },
      { find: /^ajv\/dist\/standalone\/index\.js$/, replacement: ajvUnavailable },
    ],
  },
  build: { outDir: 'dist', sourcemap: true, chunkSizeWarningLimit: 900 },
  server: { proxy: { '/api': 'http://localhost:3000' } },
});
