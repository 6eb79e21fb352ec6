/** A package the command needs is not installed; the message says which one and how to add it. */
export class MissingPackageError extends Error {
  readonly code = 'missing-package';
  readonly packageName: string;
  constructor(packageName: string, purpose: string, cause?: unknown, problem?: string) {
    super(
      problem
        ? `${purpose} needs ${packageName}, which ${problem}.`
        : `${purpose} needs ${packageName}, which is not installed. Install it next to @decodekit/cli: npm install ${packageName}`,
      { cause },
    );
    this.name = 'MissingPackageError';
    this.packageName = packageName;
  }
}

/**
 * Imports a decodekit package at run time, so the CLI starts (and `--help` works) without the
 * optional ones, and a missing package gives an install hint instead of a stack trace.
 */
export async function importPackage<T>(packageName: string, purpose: string): Promise<T> {
  try {
    return (await import(packageName)) as T;
  } catch (error) {
    const code = (error as { code?: string }).code;
    const message = String((error as Error).message);
    // Only the package itself being absent is "not installed"; its own broken imports must surface.
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && message.includes(`'${packageName}'`)) {
      throw new MissingPackageError(packageName, purpose, error);
    }
    // In a workspace checkout a linked package may exist without its build output.
    if (code === 'ERR_MODULE_NOT_FOUND' && message.includes(`/${packageName}/dist/`)) {
      throw new MissingPackageError(packageName, purpose, error, 'is installed but not built; run `pnpm build` first');
    }
    throw error;
  }
}
