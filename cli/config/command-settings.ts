// Settings as commander options (flag, STRATA_* variable, default, validation — all from the schema),
// and the checked, typed settings of a command once commander has parsed them.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { ConfigError } from '../errors.js';
import { CROSS_CHECKS, settingKey, settingsOf, type CommandName, type SettingSpec, type SettingsFor } from './config-schema.js';
import { parseSetting } from './setting-types.js';

/** Adds every setting `command` reads as an option. Commander applies flag > environment > default. */
export function addSettings(command: Command, name: CommandName): Command {
  for (const spec of settingsOf(name)) command.addOption(settingOption(spec));
  return command;
}

export function settingOption(spec: SettingSpec): Option {
  const option = new Option(`${spec.flag} ${spec.arg}`, spec.required ? `${spec.doc} (required)` : spec.doc)
    .env(spec.env)
    .argParser((raw: string) => {
      try {
        return parseSetting(spec.type, raw);
      } catch (err) {
        // Commander prefixes the flag, or the variable when the value came from the environment.
        throw new InvalidArgumentError(err instanceof Error ? `It ${err.message}.` : String(err));
      }
    });
  if (spec.default !== undefined) option.default(parseSetting(spec.type, spec.default), spec.default);
  return option;
}

/** The parsed options of `command` as its typed settings; throws ConfigError for a missing or inconsistent one. */
export function resolveSettings<C extends CommandName>(command: C, parsed: object): SettingsFor<C> {
  const opts = parsed as Record<string, unknown>;
  const settings: Record<string, unknown> = {};
  for (const spec of settingsOf(command)) {
    const key = settingKey(spec);
    const value = opts[key];
    if (value === undefined && spec.required) throw new ConfigError(`${spec.flag} is required (or set ${spec.env}): ${spec.doc}`);
    settings[key] = value;
  }
  for (const rule of CROSS_CHECKS) {
    if (!rule.commands.includes(command)) continue;
    const broken = rule.check(settings);
    if (broken !== undefined) throw new ConfigError(broken);
  }
  return settings as SettingsFor<C>;
}
