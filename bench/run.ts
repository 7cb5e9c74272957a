import { readdirSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve, basename } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createReporter, machine, type BenchSuite, type Figure } from './harness';

const here = resolve(fileURLToPath(import.meta.url), '..');
const only = process.argv.slice(2);
const suites = readdirSync(join(here, 'suites'))
  .filter((f) => f.endsWith('.ts'))
  .sort()
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)));

const figures: Figure[] = [];
console.log(`Live Desk benchmarks — ${machine()}`);
for (const file of suites) {
  const name = basename(file, '.ts');
  console.log(`\n${name}`);
  const mod = (await import(pathToFileURL(join(here, 'suites', file)).href)) as { run: BenchSuite };
  await mod.run(createReporter(name, figures, (line) => console.log(line)));
}
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'latest.json'), JSON.stringify({ machine: machine(), at: new Date().toISOString(), figures }, null, 2));
const missed = figures.filter((f) => f.met === false);
console.log(`\n${figures.length} figures, ${missed.length} targets not met${missed.length ? `: ${missed.map((f) => `${f.suite}/${f.name}`).join(', ')}` : ''}`);
