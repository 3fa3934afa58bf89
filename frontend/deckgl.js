// deck.gl for the cockpit's maps (cockpit/ui/deckmap.py, assets/deckmap.js): the core, the
// layers the maps use and the JSON converter that turns pydeck's JSON into layers. No basemap
// library (maplibre) and no other layer packages: 0.9 MB instead of the 4.3 MB of pydeck's
// notebook bundle, which matters to a browser that evaluates it without a GPU.
import {Deck, MapView} from '@deck.gl/core';
import {GeoJsonLayer, LineLayer, PathLayer, ScatterplotLayer, SolidPolygonLayer, TextLayer} from '@deck.gl/layers';
import {JSONConverter} from '@deck.gl/json';

// Every class a pydeck spec may name with "@@type"; cockpit/ui/deckmap.py checks its specs against
// this list (DECK_CLASSES there).
const classes = {MapView, GeoJsonLayer, LineLayer, PathLayer, ScatterplotLayer, SolidPolygonLayer, TextLayer};
const converter = new JSONConverter({configuration: {classes}});

// A deck in `container` from pydeck's JSON (`Deck.to_json()`, with data and initialViewState);
// `props` are deck.gl props given as functions (onHover, onResize, getTooltip, ...).
function createDeck(container, json, props) {
  return new Deck(Object.assign({parent: container, width: '100%', height: '100%'}, converter.convert(json), props));
}

// Redraw `deck` from new JSON; layers keep their state where ids and data match.
function updateDeck(deck, json) {
  deck.setProps(converter.convert(json));
}

window.cockpitDeckGL = {createDeck: createDeck, updateDeck: updateDeck, classes: Object.keys(classes),
                        version: typeof __DECK_VERSION__ === 'string' ? __DECK_VERSION__ : ''};
