import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

// Paths from import.meta.dirname (the folder of this file, set when Vite loads its config): no Node module here.
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [react(), preloadBoot()],
  build: {
    outDir: `${import.meta.dirname}/../dist/renderer`,
    emptyOutDir: true,
    sourcemap: true,
  },
});

/** The entry script (src/main.tsx) loads the app (src/boot.tsx) with a dynamic import, so that it can start the
 *  opening page's requests first. This link lets the browser fetch the app chunk alongside the entry, not after. */
function preloadBoot(): Plugin {
  return {
    name: 'viewzenix-preload-boot',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const boot = Object.values(ctx.bundle ?? {}).find((c) => c.type === 'chunk' && c.facadeModuleId?.endsWith('/src/boot.tsx'));
        if (!boot) throw new Error('the app chunk (src/boot.tsx) is missing from the build');
        return [{ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `./${boot.fileName}` }, injectTo: 'head' }];
      },
    },
  };
}
