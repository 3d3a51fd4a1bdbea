// `node dist/bench/profile-intake.js [seconds]`: the agent under saturation load with --cpu-prof, then the
// top frames by self time. Used when the durable-intake ratio misses its bar, to see where the time goes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createBenchStrategy, spawnAgent } from './lib/agent-process.js';
import { alertStream, runTag } from './lib/alerts.js';
import { runLoad } from './lib/load.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

const seconds = Number(process.argv[2] ?? 8);
const profDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vz-prof-'));
const agent = await spawnAgent({ nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profDir}`] });
const strategy = await createBenchStrategy(agent);
const res = await runLoad({ url: agent.webhookUrl(strategy.webhookId), connections: 10, durationS: seconds, body: alertStream(runTag()).next });
await agent.stop();
const file = fs.readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
if (!file) throw new Error(`no profile written in ${profDir}`);
const profile = JSON.parse(fs.readFileSync(path.join(profDir, file), 'utf8')) as { nodes: ProfileNode[] };
const total = profile.nodes.reduce((s, n) => s + (n.hitCount ?? 0), 0);
const bySelf = new Map<string, number>();
for (const n of profile.nodes) {
  const f = n.callFrame;
  const key = `${f.functionName || '(anonymous)'} ${f.url ? `${f.url.replace(/^.*\/(dist|node_modules)\//, '$1/')}:${f.lineNumber + 1}` : ''}`.trim();
  bySelf.set(key, (bySelf.get(key) ?? 0) + (n.hitCount ?? 0));
}
process.stdout.write(`agent: ${Math.round(res.okPerSecond)} alerts/s acknowledged over ${seconds} s; profile ${path.join(profDir, file)}\n`);
for (const [k, v] of [...bySelf.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15)) process.stdout.write(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}\n`);
