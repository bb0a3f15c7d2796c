// Generated from package.json by scripts/version-file.mjs (build, generate): do not edit.
/** The version of @opencdc-ts/connector-file (its package.json). */
export const VERSION = '0.0.0';
