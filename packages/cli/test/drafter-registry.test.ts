import type { Drafter } from '@decodekit/core';
import { describe, expect, it } from 'vitest';
import { drafterPackages, registriesOf, resolveDrafter } from '../src/drafter-registry.js';
import { MissingPackageError } from '../src/optional-import.js';
import { UsageError } from '../src/usage-error.js';

const fakeDrafter = (name: string): Drafter => ({
  name,
  propose: () => ({ tokens: [], parents: [], sampling: 'deterministic' }),
});

/** A loader that has only the given packages "installed". */
function installed(modules: Record<string, Record<string, unknown>>) {
  return async (packageName: string) => {
    const module = modules[packageName];
    if (!module) throw new MissingPackageError(packageName, 'test');
    return module;
  };
}

describe('drafter registry', () => {
  it('finds a drafter by CLI name in an installed package registry', async () => {
    const load = installed({
      '@decodekit/drafter-ngram': { ngramDrafters: { pld: () => fakeDrafter('pld'), aded: () => fakeDrafter('aded') } },
    });
    const resolved = await resolveDrafter('aded', load);
    expect(resolved.packageName).toBe('@decodekit/drafter-ngram');
    expect(resolved.needsDraftModel).toBe(false);
    expect(resolved.create().name).toBe('aded');
  });

  it('names the package to install for a known drafter whose package is missing', async () => {
    const load = installed({ '@decodekit/drafter-ngram': { ngramDrafters: { pld: () => fakeDrafter('pld') } } });
    const error = await resolveDrafter('sps', load).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MissingPackageError);
    expect((error as MissingPackageError).packageName).toBe('@decodekit/drafter-model');
    expect((error as Error).message).toContain('npm install @decodekit/drafter-model');
  });

  it('lists the installed drafters for an unknown name', async () => {
    const load = installed({
      '@decodekit/drafter-ngram': { ngramDrafters: { pld: () => fakeDrafter('pld'), rest: () => fakeDrafter('rest') } },
    });
    const error = await resolveDrafter('nonsense', load).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(/unknown drafter 'nonsense'. Installed drafters: pld, rest/);
    for (const entry of drafterPackages) expect((error as Error).message).toContain(entry.packageName);
  });

  it('marks drafters of model-drafter packages as needing a draft model', async () => {
    const load = installed({ '@decodekit/drafter-model': { modelDrafters: { sps: () => fakeDrafter('sps') } } });
    expect((await resolveDrafter('sps', load)).needsDraftModel).toBe(true);
  });

  it('reads only objects named ...Drafters, and only their functions', () => {
    const registry = registriesOf({
      ngramDrafters: { pld: () => fakeDrafter('pld'), notAFactory: 3 },
      promptLookup: () => fakeDrafter('x'),
      otherThing: { aded: () => fakeDrafter('aded') },
    });
    expect([...registry.keys()]).toEqual(['pld']);
  });

  it('finds the real n-gram drafters of @decodekit/drafter-ngram', async () => {
    for (const name of ['pld', 'token-recycling', 'aded', 'lookahead']) {
      const resolved = await resolveDrafter(name);
      expect(resolved.create().name).toBe(name);
    }
  });
});
