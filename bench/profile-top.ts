// Prints the hottest functions of V8 CPU profiles (.cpuprofile from `node --cpu-prof`): self time per function
// and file, summed over the given profiles, with the share of all samples.
//   node --import tsx bench/profile-top.ts PROFILE.cpuprofile [...] [--top N]
import fs from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

export function topFunctions(profiles: Profile[], top: number): { rows: Array<{ name: string; where: string; share: number; ms: number }>; totalMs: number } {
  const self = new Map<string, { name: string; where: string; hits: number }>();
  let hits = 0;
  let totalMs = 0;
  for (const p of profiles) {
    const perHit = (p.endTime - p.startTime) / 1000 / Math.max(1, p.samples?.length ?? 1);
    totalMs += (p.endTime - p.startTime) / 1000;
    for (const n of p.nodes) {
      const h = n.hitCount ?? 0;
      if (h === 0) continue;
      const url = n.callFrame.url.replace(/^file:\/\//, '').replace(process.cwd() + '/', '');
      const where = url ? `${url}:${n.callFrame.lineNumber + 1}` : '(native)';
      const name = n.callFrame.functionName || '(anonymous)';
      const k = `${name}@${where}`;
      const e = self.get(k) ?? { name, where, hits: 0 };
      e.hits += h * perHit;
      self.set(k, e);
      hits += h * perHit;
    }
  }
  const rows = [...self.values()]
    .sort((a, b) => b.hits - a.hits)
    .slice(0, top)
    .map((e) => ({ name: e.name, where: e.where, share: e.hits / hits, ms: e.hits }));
  return { rows, totalMs };
}

if (process.argv[1]?.endsWith('profile-top.ts')) {
  const args = process.argv.slice(2);
  const topAt = args.indexOf('--top');
  const top = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : 25;
  if (args.length === 0) {
    console.error('usage: node --import tsx bench/profile-top.ts PROFILE.cpuprofile [...] [--top N]');
    process.exit(2);
  }
  const profiles = args.map((f) => JSON.parse(fs.readFileSync(f, 'utf8')) as Profile);
  const { rows, totalMs } = topFunctions(profiles, top);
  console.log(`${args.length} profile(s), ${(totalMs / 1000).toFixed(1)} s sampled`);
  for (const r of rows) console.log(`${(r.share * 100).toFixed(1).padStart(5)} %  ${r.ms.toFixed(0).padStart(7)} ms  ${r.name}  ${r.where}`);
}
