import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    adapter: adapter({ out: 'build' }),
    files: {
      src: 'web/src',
      assets: 'web/static',
      lib: 'web/src/lib',
      routes: 'web/src/routes',
      appTemplate: 'web/src/app.html',
      hooks: { client: 'web/src/hooks.client', server: 'web/src/hooks.server', universal: 'web/src/hooks' },
      params: 'web/src/params',
      serviceWorker: 'web/src/service-worker'
    },
    // registered by $lib/ui/app-update.ts (workbox-window) so the page can offer "Reload to update"
    serviceWorker: { register: false },
    // absolute asset URLs: the service worker starts any page under /pos/, /admin/ or /raptag/ from
    // its app's prerendered shell, where `./_app/...` would resolve against the wrong directory
    paths: { relative: false },
    csp: { mode: 'auto', directives: { 'default-src': ['self'], 'img-src': ['self', 'data:', 'blob:'], 'style-src': ['self', 'unsafe-inline'] } }
  }
};

export default config;
