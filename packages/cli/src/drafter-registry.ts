import type { Drafter } from '@decodekit/core';
import { importPackage, MissingPackageError } from './optional-import.js';
import { UsageError } from './usage-error.js';

/** Builds a drafter from its options (a drafter package's registry entry). */
export type DrafterFactory = (options?: Readonly<Record<string, unknown>>) => Drafter;

/** A drafter package the CLI knows how to look into. */
export interface DrafterPackage {
  readonly packageName: string;
  /** What its drafters draft with, for the help text and install hints. */
  readonly description: string;
  /** Drafter names it is known to provide (so a missing package can be named before it is installed). */
  readonly knownNames: readonly string[];
  /** Its drafters take a draft language model (`draftModel` option; `--draft-model`). */
  readonly needsDraftModel: boolean;
}

/**
 * The drafter packages of decodekit. Each exports a registry (an object named `...Drafters` that
 * maps CLI names to factories); the CLI imports the installed ones when `--draft` is given.
 */
export const drafterPackages: readonly DrafterPackage[] = [
  {
    packageName: '@decodekit/drafter-ngram',
    description: 'training-free n-gram drafters (no extra model)',
    knownNames: ['pld', 'token-recycling', 'aded', 'lookahead', 'rest'],
    needsDraftModel: false,
  },
  {
    packageName: '@decodekit/drafter-model',
    description: 'a small draft language model (--draft-model)',
    knownNames: ['sps', 'pearl', 'specdec-pp', 'spectr', 'rsd', 'vocabtrim'],
    needsDraftModel: true,
  },
  {
    packageName: '@decodekit/drafter-heads',
    description:
      'Medusa/Hydra/EAGLE-style/Clover/Chimera heads, PPD prompt tokens, Hidden Transfer layers on the target',
    knownNames: ['medusa', 'hydra', 'eagle', 'clover', 'chimera', 'ppd', 'hidden-transfer'],
    needsDraftModel: false,
  },
  {
    packageName: '@decodekit/drafter-early-exit',
    description: "the target's own early layers (self-speculation)",
    knownNames: ['layerskip', 'del'],
    needsDraftModel: false,
  },
];

/** A drafter found in an installed package. */
export interface ResolvedDrafter {
  readonly name: string;
  readonly packageName: string;
  readonly needsDraftModel: boolean;
  readonly create: DrafterFactory;
  /**
   * The `@decodekit/verifiers` export this drafter is meant for under sampling, when its package
   * says (an object named `...DrafterVerifiers`); otherwise `defaultVerifier`.
   */
  readonly verifier?: string;
}

/** The registries a drafter module exports: plain objects named `...Drafters` whose values are functions. */
export function registriesOf(module: Record<string, unknown>): Map<string, DrafterFactory> {
  const found = new Map<string, DrafterFactory>();
  for (const [exportName, value] of Object.entries(module)) {
    if (!exportName.endsWith('Drafters') || typeof value !== 'object' || value === null) continue;
    for (const [name, factory] of Object.entries(value)) {
      if (typeof factory === 'function') found.set(name, factory as DrafterFactory);
    }
  }
  return found;
}

/** The verifier a drafter package recommends for `name` (an export named `...DrafterVerifiers`). */
function verifierOf(module: Record<string, unknown>, name: string): string | undefined {
  for (const [exportName, value] of Object.entries(module)) {
    if (!exportName.endsWith('DrafterVerifiers') || typeof value !== 'object' || value === null) continue;
    const verifier = (value as Record<string, unknown>)[name];
    if (typeof verifier === 'string') return verifier;
  }
  return undefined;
}

/**
 * Finds drafter `name` in the installed drafter packages. A known name whose package is missing
 * gives a `MissingPackageError` naming the package; an unknown name a `UsageError` listing the
 * drafters that are installed.
 */
export async function resolveDrafter(
  name: string,
  load: (packageName: string) => Promise<Record<string, unknown>> = (packageName) =>
    importPackage(packageName, `--draft ${name}`),
): Promise<ResolvedDrafter> {
  const owner = drafterPackages.find((entry) => entry.knownNames.includes(name));
  const order = owner ? [owner, ...drafterPackages.filter((entry) => entry !== owner)] : drafterPackages;
  const installed: string[] = [];
  for (const entry of order) {
    let module: Record<string, unknown>;
    try {
      module = await load(entry.packageName);
    } catch (error) {
      if (error instanceof MissingPackageError && entry !== owner) continue;
      throw error;
    }
    const registry = registriesOf(module);
    const create = registry.get(name);
    if (create) {
      const verifier = verifierOf(module, name);
      return {
        name,
        packageName: entry.packageName,
        needsDraftModel: entry.needsDraftModel,
        create,
        ...(verifier ? { verifier } : {}),
      };
    }
    installed.push(...registry.keys());
  }
  const others = drafterPackages.map((entry) => `  ${entry.packageName}: ${entry.description}`).join('\n');
  throw new UsageError(
    `unknown drafter '${name}'. Installed drafters: ${installed.length ? installed.join(', ') : 'none'}.\n` +
      `Drafter packages:\n${others}`,
  );
}
