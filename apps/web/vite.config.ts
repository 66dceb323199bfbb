// The dashboard's build. In development `vite` proxies the API and socket.io to a running server
// (PORTCULLIS_API, default http://127.0.0.1:8080); in production the server serves dist/ itself.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const api = process.env.PORTCULLIS_API ?? 'http://127.0.0.1:8080';
const proxy = {
  '/api': { target: api, changeOrigin: false },
  '/socket.io': { target: api, ws: true, changeOrigin: false },
};

export default defineConfig({
  plugins: [react()],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  server: { proxy },
  preview: { proxy },
  build: {
    outDir: 'dist',
    sourcemap: true,
    chunkSizeWarningLimit: 900,
    rolldownOptions: {
      output: {
        // The editor is large and only the rule, response and log-test pages need it.
        advancedChunks: { groups: [{ name: 'codemirror', test: /[\\/]node_modules[\\/](@codemirror|@lezer|codemirror|crelt|style-mod|w3c-keyname)/ }] },
      },
    },
  },
});
