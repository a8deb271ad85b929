// docker-compose.yml and the Dockerfile, checked offline: the compose file validates with
// docker-compose (1.29, Debian's), runs 3 bookies and 3 brokers with settings the schema knows, and
// keeps its published ports on 127.0.0.1, its data in named volumes, and health checks everywhere.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { SETTINGS, parseSetting, settingsOf, type CommandName } from '../../../cli/config/index.js';
import { repoRoot } from '../../helpers/node-child.js';

interface Service {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  restart?: string;
}

const composeFile = path.join(repoRoot, 'docker-compose.yml');
const text = fs.readFileSync(composeFile, 'utf8');
const compose = parse(text, { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const services = Object.entries(compose.services);
const strataServices = services.filter(([, s]) => s.image === 'strata:local');
const argv = (s: Service) => (Array.isArray(s.command) ? s.command : []);
const flagValue = (s: Service, flag: string) => argv(s)[argv(s).indexOf(flag) + 1];

describe('docker-compose.yml', () => {
  it('is valid for docker-compose (`docker-compose config -q`)', () => {
    const probe = spawnSync('docker-compose', ['version'], { encoding: 'utf8' });
    if (probe.error) throw new Error('docker-compose is not installed: apt-get install docker-compose (scripts/test-all.sh installs it)');
    const run = spawnSync('docker-compose', ['-f', composeFile, 'config', '-q'], { cwd: repoRoot, encoding: 'utf8', timeout: 30_000, env: { ...process.env, BIND_ADDRESS: '' } });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('runs etcd, MinIO with a one-shot bucket creation, 3 bookies and 3 brokers of the Strata image', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['bookie-1', 'bookie-2', 'bookie-3', 'broker-1', 'broker-2', 'broker-3', 'etcd', 'minio', 'minio-init']);
    expect(strataServices.map(([, s]) => argv(s)[0]).sort()).toEqual(['bookie', 'bookie', 'bookie', 'broker', 'broker', 'broker']);
    const init = compose.services['minio-init']!;
    expect(init.restart).toBe('no');
    expect(JSON.stringify(init.command)).toMatch(/mc mb --ignore-existing/);
    for (const [name, s] of strataServices) {
      expect(s.build, name).toBe('.');
      expect(flagValue(s, '--id'), name).toBe(name);
      if (argv(s)[0] === 'bookie') expect(flagValue(s, '--advertised-address')).toBe(`${name}:3181`);
      if (argv(s)[0] !== 'broker') continue;
      expect(flagValue(s, '--s3-endpoint')).toBe('http://minio:9000');
      expect(flagValue(s, '--s3-bucket')).toBe('${S3_BUCKET:-strata}');
      expect(s.depends_on?.['minio-init']?.condition).toBe('service_completed_successfully');
      for (const b of ['bookie-1', 'bookie-2', 'bookie-3', 'etcd']) expect(s.depends_on?.[b]?.condition).toBe('service_healthy');
    }
  });

  it('sets only STRATA_* variables and flags the settings schema has for each command, with valid values', () => {
    const known = new Set<string>(SETTINGS.map((s) => s.env));
    for (const name of text.match(/\bSTRATA_[A-Z0-9_]+/g) ?? []) expect(known, `${name} is not in cli/config/config-schema.ts`).toContain(name);
    for (const [name, s] of strataServices) {
      const command = argv(s)[0] as CommandName;
      const specs = settingsOf(command);
      const given = new Set<string>();
      for (const [key, value] of Object.entries(s.environment ?? {})) {
        if (!key.startsWith('STRATA_')) continue;
        const spec = specs.find((x) => x.env === key);
        expect(spec, `${name}: ${key} is not a setting of \`strata ${command}\``).toBeDefined();
        expect(() => parseSetting(spec!.type, String(value)), `${name}: ${key}=${value}`).not.toThrow();
        given.add(spec!.flag);
      }
      const args = argv(s).slice(1);
      for (let i = 0; i < args.length; i += 2) {
        const spec = specs.find((x) => x.flag === args[i]);
        expect(spec, `${name}: ${args[i]} is not a flag of \`strata ${command}\``).toBeDefined();
        if (!args[i + 1]!.includes('${')) expect(() => parseSetting(spec!.type, args[i + 1]!), `${name}: ${args[i]}`).not.toThrow();
        given.add(spec!.flag);
      }
      for (const spec of specs.filter((x) => 'required' in x)) expect(given, `${name} misses ${spec.flag}`).toContain(spec.flag);
    }
  });

  it('publishes ports on 127.0.0.1 unless BIND_ADDRESS says otherwise', () => {
    const published = services.flatMap(([, s]) => s.ports ?? []);
    expect(published.length).toBeGreaterThanOrEqual(6);
    for (const p of published) expect(p).toMatch(/^\$\{BIND_ADDRESS:-127\.0\.0\.1\}:\d+:\d+$/);
    expect(compose.services['broker-1']!.ports).toEqual(['${BIND_ADDRESS:-127.0.0.1}:8080:8080', '${BIND_ADDRESS:-127.0.0.1}:6650:6650']);
  });

  it('keeps data in named volumes and checks the health of every long-running service', () => {
    for (const [name, s] of services) {
      if (name === 'minio-init') continue;
      expect(s.healthcheck?.test.length, name).toBeGreaterThan(1);
      if (!name.startsWith('broker')) {
        expect(s.volumes?.length, name).toBe(1);
        const [volume] = s.volumes![0]!.split(':');
        expect(Object.keys(compose.volumes), name).toContain(volume);
      }
    }
  });
});

describe('Dockerfile', () => {
  const dockerfile = fs.readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');

  it('copies every part the build compiles, and runs the strata command as an unprivileged user', () => {
    const build = JSON.parse(fs.readFileSync(path.join(repoRoot, 'tsconfig.build.json'), 'utf8')) as { include: string[] };
    for (const part of build.include) expect(dockerfile, `COPY ${part}`).toMatch(new RegExp(`^COPY ${part} \\./${part}$`, 'm'));
    expect(dockerfile).toMatch(/^RUN npx tsc -p tsconfig\.build\.json$/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["node", "\/app\/bin\/strata\.js"\]$/m);
  });
});
