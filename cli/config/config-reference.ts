// The configuration reference as a Markdown table generated from the schema, and its place in
// README.md between the config markers (`npm run docs:config` writes it; a unit test checks it).
import { SETTINGS } from './config-schema.js';
import { describeType } from './setting-types.js';

export const START_MARKER = '<!-- config:start -->';
export const END_MARKER = '<!-- config:end -->';

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** The generated block, markers excluded. */
export function renderConfigReference(): string {
  const lines = [
    '<!-- Generated from cli/config/config-schema.ts by `npm run docs:config`; do not edit by hand. -->',
    '',
    'Every setting is a flag or a `STRATA_*` environment variable; a flag wins over the variable, which',
    'wins over the default. Invalid values stop the command with a message naming the flag or variable.',
    '',
    '| flag | environment | default | type | commands | what it does |',
    '|---|---|---|---|---|---|',
  ];
  for (const s of SETTINGS) {
    const fallback = 'required' in s ? '(required)' : 'default' in s ? `\`${s.default}\`` : '(unset)';
    lines.push(`| \`${s.flag}\` | \`${s.env}\` | ${fallback} | ${cell(describeType(s.type))} | ${s.commands.join(', ')} | ${cell(s.doc)} |`);
  }
  lines.push(
    '',
    'S3 credentials come from the AWS SDK\'s usual sources (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,',
    '`AWS_PROFILE`, instance roles). Commands and their arguments: [docs/cli.md](docs/cli.md).',
  );
  return lines.join('\n');
}

/** `readme` with the block between the markers replaced; throws when the markers are missing. */
export function withConfigReference(readme: string): string {
  const start = readme.indexOf(START_MARKER);
  const end = readme.indexOf(END_MARKER);
  if (start < 0 || end < start) throw new Error(`README.md has no ${START_MARKER} … ${END_MARKER} block`);
  return `${readme.slice(0, start + START_MARKER.length)}\n${renderConfigReference()}\n${readme.slice(end)}`;
}
