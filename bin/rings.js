#!/usr/bin/env node
require('../build/src/cli/main.js');
