// Builds the renderer benchmark page (bench/renderer) with the renderer's Vite setup (React, aliases).
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import type { UserConfig } from 'vite';

const root = resolve(import.meta.dirname, '../..');

const config: UserConfig = {
  root: import.meta.dirname,
  base: './',
  plugins: [react()],
  resolve: {
    alias: {
      '@shared': resolve(root, 'src/shared'),
      '@core': resolve(root, 'src/core'),
    },
  },
  build: {
    outDir: resolve(root, 'out/bench-renderer'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 4000,
    minify: process.env.BENCH_NO_MINIFY ? false : undefined,
    rollupOptions: { input: resolve(import.meta.dirname, 'index.html') },
  },
};

export default config;
