/**
 * The acceptance suite for connectors (subpath `@opencdc-ts/sdk/acceptance`; imports vitest).
 * Call `runAcceptanceTests({...})` at the top level of a test file.
 */
export type { AcceptanceCheck, AcceptanceContext, AcceptanceOptions } from './options.js';
export { acceptanceChecks, runAcceptanceTests } from './suite.js';
