// Shared tail of the image benches: the machine facts every report carries, and writing the report.
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';

/** CPU facts and the load at the end of the run (absolute times depend on it; the per-image ratios much less). */
export function machineInfo() {
  return {
    cpus: cpus().length,
    availableParallelism: availableParallelism(),
    cpuModel: cpus()[0]?.model,
    loadAverageAtEnd: loadavg(),
    note: 'absolute times depend on the machine and its load (loadAverageAtEnd); prefer the per-image ratios',
  };
}

/** Prints the report as JSON and writes it to `jsonPath` when given. */
export async function writeReport(report, jsonPath) {
  const text = `${JSON.stringify(report, null, 2)}\n`;
  if (jsonPath) {
    await mkdir(dirname(resolve(jsonPath)), { recursive: true });
    await writeFile(resolve(jsonPath), text);
  }
  process.stdout.write(text);
}
