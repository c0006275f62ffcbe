#!/usr/bin/env node
/**
 * `npm run docs:diagram`: rewrites the README's ring diagram, between its marker comments, with what
 * `rings status --mermaid` prints for the example registry in rings/. test/docs/readme-diagram.test.ts
 * fails when the two differ.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const root = path.join(__dirname, '..');
const readmePath = path.join(root, 'README.md');
const BEGIN = '<!-- rings status --mermaid: begin -->\n';
const END = '<!-- rings status --mermaid: end -->';

const diagram = execFileSync(process.execPath, [path.join(root, 'bin/rings.js'), 'status', '--mermaid', '--registry', path.join(root, 'rings')], { encoding: 'utf8' });
const readme = fs.readFileSync(readmePath, 'utf8');
const from = readme.indexOf(BEGIN);
const to = readme.indexOf(END);
if (from < 0 || to < from) {
  console.error(`docs:diagram: README.md has no "${BEGIN.trim()}" … "${END}" markers`);
  process.exit(1);
}
const next = readme.slice(0, from + BEGIN.length) + diagram + readme.slice(to);
if (next === readme) {
  console.log('docs:diagram: README.md is up to date');
} else {
  fs.writeFileSync(readmePath, next);
  console.log('docs:diagram: rewrote the ring diagram in README.md');
}
