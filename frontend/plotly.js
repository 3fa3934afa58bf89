// Plotly.js with only the trace types the cockpit draws (cockpit/ui/charts.py,
// cockpit/ui/screen_charts.py). The full bundle is 4.8 MB and takes about a second to evaluate in
// a browser without a GPU; this one is a quarter of that. dcc.Graph uses `window.Plotly` when a
// page already has it, so Dash never fetches its own copy. To draw another trace type, add it to
// TRACES below and to cockpit/ui/charts.py's PLOTLY_TRACES, then run `bash frontend/build.sh`.
'use strict';
var Plotly = require('plotly.js/lib/core');

Plotly.register([
  require('plotly.js/lib/bar'),
  require('plotly.js/lib/funnel'),
  require('plotly.js/lib/scatterpolar'),
]);

module.exports = Plotly;
