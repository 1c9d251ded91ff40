import { defineConfig } from 'vite';

// Preact's JSX through esbuild's automatic runtime: no Babel preset needed.
export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Hashed file names under assets/: the server caches them for a year.
    assetsDir: 'assets',
    chunkSizeWarningLimit: 600,
  },
  server: {
    // `npm run dev` beside `aima serve` on its default port.
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
