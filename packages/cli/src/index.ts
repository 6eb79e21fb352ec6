/**
 * @decodekit/cli: the `decodekit` command. The package is mainly its bin; these exports let other
 * tools run the same command line in-process (tests, wrappers) and reuse its argument parsing.
 */

export { type DrafterPackage, drafterPackages, type ResolvedDrafter, resolveDrafter } from './drafter-registry.js';
export { type GenerateJsonOutput, runGenerate } from './generate-command.js';
export { type GenerateRequest, generateFlags, parseGenerateArguments } from './generate-options.js';
export { type InspectReport, inspectFlags, inspectModelDirectory, runInspect } from './inspect-command.js';
export type { CliIo, OutputStream } from './io.js';
export { MissingPackageError } from './optional-import.js';
export { cliVersion, runCli } from './run-cli.js';
export { exitCodes, UsageError } from './usage-error.js';
