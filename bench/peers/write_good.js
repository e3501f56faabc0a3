// Run write-good (https://github.com/btford/write-good) over texts for bench/eval_news_attributions.py.
// Reads a JSON array of texts on stdin; writes a JSON array with, for each text, its suggestions as
// [start, end, check] in UTF-16 code units.  Only the checks that point at unsourced claims are on:
// weasel words ("many", "several", "various") and passive voice ("it is believed").
'use strict';
const writeGood = require('write-good');

const ONLY = { weasel: true, passive: true };
const OFF = ['illusion', 'so', 'thereIs', 'adverb', 'tooWordy', 'cliches', 'eprime'];

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const options = { ...ONLY };
  for (const check of OFF) options[check] = false;
  const out = JSON.parse(input).map((text) => writeGood(text, options).map((s) => {
    const check = /weasel/.test(s.reason) ? 'weasel' : 'passive';
    return [s.index, s.index + s.offset, check];
  }));
  process.stdout.write(JSON.stringify(out));
});
