// A bookie's identity on disk and in the metadata store. A data directory that lost its cookie (a
// wiped or swapped disk) or carries another instance's cookie must never answer "no such entry":
// the bookie refuses to start until an operator repairs it.
//
// Cookie file `COOKIE` in the data directory: JSON
//   {"format":"strata-bookie-cookie","version":1,"bookieId":…,"instanceId":…,"createdAt":…}
// Metadata `/cookies/{bookieId}`: {"bookieId","instanceId","createdAt","repairedAt"?}
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { StrataError } from '../../common/index.js';
import { KeyExistsError, keys, jsonValue, parseJson, type MetadataStore } from '../../metadata/index.js';

export const COOKIE_FILE = 'COOKIE';
const FORMAT = 'strata-bookie-cookie';
const VERSION = 1;

export interface Cookie {
  bookieId: string;
  instanceId: string;
  createdAt: string;
  /** Set by `strata bookie repair`: this instance replaced a lost disk and holds only what it was sent since. */
  repairedAt?: string;
  /**
   * Set with repairedAt: ledgers with ids up to this one existed before the repair, so for them a
   * missing entry is "unknown", never "absent" (until re-replication clears the mark).
   */
  unknownUpToLedgerId?: number;
}

/** The data directory does not belong to the bookie registered under this id. */
export class CookieMismatchError extends StrataError {
  readonly code = 'COOKIE_MISMATCH';
  readonly retriable = false;
}

export class CookieFormatError extends StrataError {
  readonly code = 'COOKIE_FORMAT';
  readonly retriable = false;
}

async function readLocal(dataDir: string): Promise<Cookie | undefined> {
  let text: string;
  try {
    text = await fs.readFile(path.join(dataDir, COOKIE_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let json: Partial<Cookie> & { format?: unknown; version?: unknown };
  try {
    json = JSON.parse(text) as typeof json;
  } catch (err) {
    throw new CookieFormatError(`${path.join(dataDir, COOKIE_FILE)} is not valid JSON`, { cause: err });
  }
  if (json.format !== FORMAT) throw new CookieFormatError(`${path.join(dataDir, COOKIE_FILE)} is not a Strata bookie cookie`);
  if (json.version !== VERSION) throw new CookieFormatError(`${path.join(dataDir, COOKIE_FILE)} has unsupported version ${String(json.version)}`);
  if (typeof json.bookieId !== 'string' || typeof json.instanceId !== 'string') throw new CookieFormatError('cookie lacks bookieId or instanceId');
  return {
    bookieId: json.bookieId,
    instanceId: json.instanceId,
    createdAt: String(json.createdAt),
    repairedAt: json.repairedAt,
    unknownUpToLedgerId: json.unknownUpToLedgerId,
  };
}

async function writeLocal(dataDir: string, cookie: Cookie): Promise<void> {
  const file = path.join(dataDir, COOKIE_FILE);
  const tmp = `${file}.tmp`;
  const handle = await fs.open(tmp, 'w');
  try {
    await handle.writeFile(JSON.stringify({ format: FORMAT, version: VERSION, ...cookie }, null, 2) + '\n');
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await fs.rename(tmp, file);
  const dir = await fs.open(dataDir, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/** Files that hold ledger data: their presence without a cookie means a damaged directory. */
async function hasData(dataDir: string): Promise<boolean> {
  const names = await fs.readdir(dataDir).catch(() => [] as string[]);
  return names.some((n) => n !== COOKIE_FILE && n !== `${COOKIE_FILE}.tmp` && !n.startsWith('.'));
}

/**
 * Checks (or, for a brand-new bookie, creates) the cookie. Throws CookieMismatchError when the
 * directory cannot be vouched for: registered elsewhere with another instance, or missing its cookie.
 */
export async function verifyCookie(store: MetadataStore, bookieId: string, dataDir: string): Promise<Cookie> {
  await fs.mkdir(dataDir, { recursive: true });
  const local = await readLocal(dataDir);
  const entry = await store.get(keys.cookie(bookieId));
  const registered = entry ? parseJson<Cookie>(entry.value) : undefined;
  const repairHint = `run \`strata bookie repair --id ${bookieId} --data-dir ${dataDir}\` to give this directory a new identity (its ledgers are then re-replicated)`;

  if (local && local.bookieId !== bookieId) {
    throw new CookieMismatchError(`${dataDir} belongs to bookie ${local.bookieId}, not ${bookieId}`);
  }
  if (registered && !local) {
    throw new CookieMismatchError(`bookie ${bookieId} is registered with instance ${registered.instanceId} but ${dataDir} has no cookie (wiped or replaced disk); ${repairHint}`);
  }
  if (registered && local && registered.instanceId !== local.instanceId) {
    throw new CookieMismatchError(`${dataDir} holds instance ${local.instanceId} but bookie ${bookieId} is registered as instance ${registered.instanceId}; ${repairHint}`);
  }
  if (registered && local) return local;
  if (!local && (await hasData(dataDir))) {
    throw new CookieMismatchError(`${dataDir} holds data but no cookie; ${repairHint}`);
  }
  // A new bookie (or one whose registration was interrupted): the local cookie first, then register.
  const cookie = local ?? { bookieId, instanceId: randomUUID(), createdAt: new Date().toISOString() };
  if (!local) await writeLocal(dataDir, cookie);
  try {
    await store.put(keys.cookie(bookieId), jsonValue(cookie), { expectedVersion: 'absent' });
  } catch (err) {
    if (err instanceof KeyExistsError) return verifyCookie(store, bookieId, dataDir);
    throw err;
  }
  return cookie;
}

/**
 * Gives a damaged directory a new identity, registered by compare-and-set. The repaired bookie
 * holds none of its old ledgers; it answers "unknown" (never "absent") for them until they are
 * re-replicated, so recovery never reads a lost disk as evidence of absence.
 */
export async function repairCookie(store: MetadataStore, bookieId: string, dataDir: string): Promise<Cookie> {
  await fs.mkdir(dataDir, { recursive: true });
  const entry = await store.get(keys.cookie(bookieId));
  const counter = await store.get(keys.ledgerIdCounter);
  const now = new Date().toISOString();
  const cookie: Cookie = {
    bookieId,
    instanceId: randomUUID(),
    createdAt: now,
    repairedAt: now,
    unknownUpToLedgerId: counter ? Number(counter.value.toString()) : 0,
  };
  await writeLocal(dataDir, cookie);
  await store.put(keys.cookie(bookieId), jsonValue(cookie), { expectedVersion: entry ? entry.version : 'absent' });
  return cookie;
}
