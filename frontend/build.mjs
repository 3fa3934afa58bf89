// Builds the two vendored bundles (see package.json). Output paths are relative to the repo root.
import {build} from 'esbuild';
import {readFileSync} from 'node:fs';

const version = (name) => JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8')).version;
const plotly = version('plotly.js'), deck = version('@deck.gl/core');

await build({
  entryPoints: ['plotly.js'], outfile: `../assets/_vendor/plotly/plotly-cockpit.min.js`,
  bundle: true, minify: true, format: 'iife', globalName: 'Plotly', target: 'es2018', legalComments: 'none',
  // plotly.js registers maplibre's CSS for its map traces, which this bundle does not have
  loader: {'.css': 'empty'},
  define: {global: 'window', 'define.amd': 'false'},
  banner: {js: `/* plotly.js ${plotly} (MIT, Plotly, Inc.): core with bar, funnel, scatter, scatterpolar. Built by frontend/build.mjs. */`},
  logLevel: 'warning',
});

await build({
  entryPoints: ['deckgl.js'], outfile: `../assets/_vendor/deckgl/deckgl-cockpit-${deck}.min.js`,
  bundle: true, minify: true, format: 'iife', target: 'es2020', legalComments: 'none',
  define: {__DECK_VERSION__: JSON.stringify(deck)},
  banner: {js: `/* deck.gl ${deck} (MIT, vis.gl / OpenJS Foundation), luma.gl, math.gl, loaders.gl (MIT): core, layers, json. Built by frontend/build.mjs. */`},
  logLevel: 'warning',
});
console.log(`plotly.js ${plotly}, deck.gl ${deck}: built`);
