// The configuration schema of the `strata` command and what is built from it: options, validation, the reference.
export { COMMANDS, CROSS_CHECKS, SETTINGS, settingKey, settingsOf, type CommandName, type SettingSpec, type SettingsFor } from './config-schema.js';
export { addSettings, resolveSettings, settingOption } from './command-settings.js';
export { END_MARKER, START_MARKER, renderConfigReference, withConfigReference } from './config-reference.js';
export { describeType, parseSetting, type SettingType, type ValueOf } from './setting-types.js';
