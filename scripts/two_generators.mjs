#!/usr/bin/env node
// Writes two CSV samples standing in for two generators of the same process, for the
// `omnifold reweight` example in the README: `a.csv` with pt ~ N(10, 3) GeV, eta ~ N(0, 1),
// and `b.csv` with pt ~ N(11, 3.5) GeV, eta ~ N(0.2, 1.1); 20000 events each, weight 1.
//   node scripts/two_generators.mjs DIR
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? '.';
mkdirSync(dir, { recursive: true });
let state = 1;
const uniform = () => {
  state = (state * 1103515245 + 12345) % 2147483648;
  return (state + 0.5) / 2147483648;
};
const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
const sample = (n, ptMean, ptSigma, etaMean, etaSigma) => {
  const lines = ['pt,eta,w'];
  for (let i = 0; i < n; i++)
    lines.push(`${(ptMean + ptSigma * normal()).toFixed(5)},${(etaMean + etaSigma * normal()).toFixed(5)},1`);
  return `${lines.join('\n')}\n`;
};
writeFileSync(join(dir, 'a.csv'), sample(20000, 10, 3, 0, 1));
writeFileSync(join(dir, 'b.csv'), sample(20000, 11, 3.5, 0.2, 1.1));
console.log(`wrote ${join(dir, 'a.csv')} and ${join(dir, 'b.csv')}`);
