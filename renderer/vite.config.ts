import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Paths from import.meta.dirname (the folder of this file, set when Vite loads its config): no Node module here.
// No modulepreload of the app chunk (src/boot.tsx): the entry script starts it itself, at once on most pages and
// after the early rows on the orders page. Preloaded, its download and compile ran alongside the orders page's
// first request on the same two cores, and the early rows came 100–300 ms later (docs/ui.md).
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [react()],
  build: {
    outDir: `${import.meta.dirname}/../dist/renderer`,
    emptyOutDir: true,
    sourcemap: true,
  },
});
