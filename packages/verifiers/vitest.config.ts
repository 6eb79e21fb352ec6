import { defineProject } from 'vitest/config';

// Distribution tests run 10^5 trials each; on a busy machine one can take several seconds.
export default defineProject({ test: { include: ['test/**/*.test.ts'], testTimeout: 60_000 } });
