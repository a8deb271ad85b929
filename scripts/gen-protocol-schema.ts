// `npm run docs:protocol`: writes docs/protocol-schema.json, generated from the protocol's tables by
// scripts/protocol-schema-doc.ts (test/unit/protocol/protocol-schema-doc.test.ts fails when it is stale).
import fs from 'node:fs';
import { PROTOCOL_SCHEMA_FILE, renderProtocolSchema } from './protocol-schema-doc.js';

const file = new URL(`../${PROTOCOL_SCHEMA_FILE}`, import.meta.url);
const before = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
const after = renderProtocolSchema();
if (after === before) {
  console.log(`${PROTOCOL_SCHEMA_FILE}: already up to date`);
} else {
  fs.writeFileSync(file, after);
  console.log(`${PROTOCOL_SCHEMA_FILE}: ${before === undefined ? 'written' : 'rewritten'}`);
}
