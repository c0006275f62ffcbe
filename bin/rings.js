#!/usr/bin/env node
// The bundled CLI with V8's code cache when `npm run build` made it; the compiled modules otherwise.
require('../build/src/bin/rings.js');
