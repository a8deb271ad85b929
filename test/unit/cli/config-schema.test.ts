// The settings schema: its rows are consistent, every default and type parses as documented, and the
// options built from it give flags precedence over STRATA_* variables over defaults.
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { COMMANDS, SETTINGS, addSettings, parseSetting, resolveSettings, settingKey, settingsOf, type SettingType } from '../../../cli/config/index.js';

describe('settings schema', () => {
  it('gives each command at most one row per flag and per variable, all named STRATA_*', () => {
    for (const command of COMMANDS) {
      const rows = settingsOf(command);
      expect(new Set(rows.map((r) => r.flag)).size, command).toBe(rows.length);
      expect(new Set(rows.map((r) => r.env)).size, command).toBe(rows.length);
    }
    for (const s of SETTINGS) {
      expect(s.env).toMatch(/^STRATA_[A-Z0-9_]+$/);
      expect(s.flag).toMatch(/^--[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(s.commands.length).toBeGreaterThan(0);
      expect('default' in s && 'required' in s, s.flag).toBe(false);
    }
  });

  it('keeps one meaning per variable: rows sharing a variable share the flag and type', () => {
    for (const a of SETTINGS) {
      for (const b of SETTINGS.filter((s) => s.env === a.env)) {
        expect(b.flag).toBe(a.flag);
        expect(b.type).toEqual(a.type);
      }
    }
  });

  it('has defaults that parse with their own type', () => {
    for (const s of SETTINGS) if ('default' in s) expect(() => parseSetting(s.type, s.default), s.flag).not.toThrow();
  });

  it('keeps the flags, variables and defaults the processes had before the schema', () => {
    const row = (command: (typeof COMMANDS)[number], flag: string) => settingsOf(command).find((s) => s.flag === flag);
    expect(row('standalone', '--data-dir')).toMatchObject({ env: 'STRATA_DATA_DIR', default: './data' });
    expect(row('standalone', '--http-port')).toMatchObject({ env: 'STRATA_HTTP_PORT', default: '8080' });
    expect(row('bookie', '--port')).toMatchObject({ env: 'STRATA_BOOKIE_PORT', default: '3181' });
    expect(row('bookie', '--data-dir')).toMatchObject({ env: 'STRATA_DATA_DIR', required: true });
    expect(row('broker', '--s3-prefix')).toMatchObject({ env: 'STRATA_S3_PREFIX', default: 'strata/' });
    expect(row('broker', '--etcd-namespace')).toMatchObject({ env: 'STRATA_ETCD_NAMESPACE', default: '/strata' });
    expect(row('bookie repair', '--etcd')).toMatchObject({ env: 'STRATA_ETCD_ENDPOINTS' });
    expect(settingKey(row('broker', '--advertised-http-url')!)).toBe('advertisedHttpUrl');
  });
});

describe('setting types', () => {
  const cases: Array<[SettingType, string, unknown]> = [
    [{ kind: 'port' }, '0', 0],
    [{ kind: 'port' }, '65535', 65535],
    [{ kind: 'integer', min: 1, max: 64 }, '64', 64],
    [{ kind: 'url' }, 'https://broker:8080/', 'https://broker:8080'],
    [{ kind: 'url-list' }, 'http://a:2379, http://b:2379', ['http://a:2379', 'http://b:2379']],
    [{ kind: 'broker-url' }, 'strata://broker-1:6650/', 'strata://broker-1:6650'],
    [{ kind: 'broker-url' }, 'strata+tls://[::1]', 'strata+tls://[::1]'],
    [{ kind: 'host-port' }, 'bookie-1:3181', 'bookie-1:3181'],
    [{ kind: 'enum', values: ['a', 'b'] }, 'b', 'b'],
  ];
  it.each(cases)('%o accepts %s', (type, raw, value) => expect(parseSetting(type, raw)).toEqual(value));

  const bad: Array<[SettingType, string, RegExp]> = [
    [{ kind: 'port' }, '65536', /port number \(0-65535\)/],
    [{ kind: 'port' }, '80.5', /port number/],
    [{ kind: 'port' }, '', /port number/],
    [{ kind: 'integer', min: 1, max: 64 }, '0', /integer from 1 to 64/],
    [{ kind: 'integer', min: 1, max: 64 }, '1e1', /integer from 1 to 64/],
    [{ kind: 'url' }, 'localhost:8080', /http:\/\/ or https:\/\//],
    [{ kind: 'url-list' }, 'http://a:2379,etcd:2379', /"etcd:2379" is not an http\(s\):\/\/host:port URL/],
    [{ kind: 'url-list' }, ' , ', /at least one/],
    [{ kind: 'broker-url' }, 'http://broker:6650', /strata:\/\/host:port/],
    [{ kind: 'broker-url' }, 'strata://broker:70000', /strata:\/\/host:port/],
    [{ kind: 'broker-url' }, 'strata://broker:6650/path', /strata:\/\/host:port/],
    [{ kind: 'host-port' }, 'bookie-1', /host:port/],
    [{ kind: 'host-port' }, 'bookie-1:0', /port from 1 to 65535/],
    [{ kind: 'enum', values: ['a', 'b'] }, 'c', /one of a, b/],
    [{ kind: 'string' }, '  ', /must not be empty/],
  ];
  it.each(bad)('%o rejects %j', (type, raw, message) => expect(() => parseSetting(type, raw)).toThrow(message));
});

describe('options built from the schema', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const key of Object.keys(process.env)) if (key.startsWith('STRATA_')) delete process.env[key];
    Object.assign(process.env, saved);
  });

  function parse(argv: string[]): Record<string, unknown> {
    const cmd = addSettings(new Command('broker').exitOverride().configureOutput({ writeErr: () => undefined }), 'broker').action(() => undefined);
    cmd.parse(argv, { from: 'user' });
    return cmd.opts();
  }

  it('takes flags over STRATA_* variables over defaults, and parses each to its type', () => {
    process.env.STRATA_HTTP_PORT = '9090';
    process.env.STRATA_S3_PREFIX = 'env/';
    const settings = resolveSettings('broker', parse(['--id', 'b1', '--etcd', 'http://e1:2379,http://e2:2379', '--s3-prefix', 'flag/']));
    expect(settings).toMatchObject({ id: 'b1', etcd: ['http://e1:2379', 'http://e2:2379'], httpPort: 9090, s3Prefix: 'flag/', ensembleSize: 2, etcdNamespace: '/strata', logLevel: 'info' });
    expect(settings.s3Bucket).toBeUndefined();
  });

  it('names the flag, or the variable a bad value came from', () => {
    expect(() => parse(['--http-port', 'http'])).toThrow("option '--http-port <port>' argument 'http' is invalid. It must be a port number (0-65535).");
    process.env.STRATA_ENSEMBLE_SIZE = '0';
    expect(() => parse([])).toThrow("option '--ensemble-size <n>' value '0' from env 'STRATA_ENSEMBLE_SIZE' is invalid. It must be an integer from 1 to 64.");
  });

  it('refuses a missing required setting and inconsistent quorums', () => {
    expect(() => resolveSettings('broker', parse(['--etcd', 'http://e:2379']))).toThrow('--id is required (or set STRATA_BROKER_ID)');
    expect(() => resolveSettings('broker', parse(['--id', 'b', '--etcd', 'http://e:2379', '--ensemble-size', '3', '--write-quorum', '3', '--ack-quorum', '3']))).not.toThrow();
    expect(() => resolveSettings('broker', parse(['--id', 'b', '--etcd', 'http://e:2379', '--write-quorum', '3']))).toThrow('--write-quorum (3) must not exceed --ensemble-size (2)');
  });
});
