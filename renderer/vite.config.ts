import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [react(), preloadBoot()],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
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
