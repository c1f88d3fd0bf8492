/**
 * Where a V8 CPU profile (node --cpu-prof) spent its samples: self time grouped by package
 * (node_modules/<pkg>), app bundle, Node internals, GC and idle, then the hottest functions.
 *
 *   npx tsx bench/diagnostics/summarize-cpuprofile.ts <file.cpuprofile> [top=25]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: summarize-cpuprofile.ts <file.cpuprofile> [top]');
  process.exit(1);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

function area(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (functionName === '(idle)') return '(idle)';
  if (functionName === '(garbage collector)') return '(gc)';
  if (functionName === '(program)') return '(program: native/V8)';
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (match?.[1]) return match[1];
  if (url.startsWith('node:')) return 'node internals';
  if (url.includes('/dist/apps/')) return 'app bundle';
  return url ? url : '(native)';
}

const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
const busy =
  total -
  [...selfUs.entries()]
    .filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)')
    .reduce((a, [, us]) => a + us, 0);
const areas = new Map<string, number>();
const functions = new Map<string, number>();
for (const [id, us] of selfUs) {
  const node = byId.get(id);
  if (!node) continue;
  const name = area(node);
  areas.set(name, (areas.get(name) ?? 0) + us);
  if (name === '(idle)') continue;
  const key = `${node.callFrame.functionName || '(anonymous)'}  [${name}${node.callFrame.url ? `:${node.callFrame.lineNumber + 1}` : ''}]`;
  functions.set(key, (functions.get(key) ?? 0) + us);
}
const pct = (us: number): string => `${((100 * us) / busy).toFixed(1).padStart(5)} %`;
console.log(
  `${file}: ${(total / 1e6).toFixed(1)} s profiled, ${(busy / 1e6).toFixed(1)} s busy (percentages of busy time)`,
);
console.log('\nself time by package / area:');
for (const [name, us] of [...areas.entries()]
  .filter(([n]) => n !== '(idle)')
  .sort((a, b) => b[1] - a[1])
  .slice(0, top)) {
  console.log(`  ${pct(us)}  ${name}`);
}
console.log('\nhottest functions (self time):');
for (const [name, us] of [...functions.entries()].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`  ${pct(us)}  ${name}`);
