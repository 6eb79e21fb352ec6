import { defineProject } from 'vitest/config';

// The corpus round trip encodes the whole test split: generous timeout for loaded CI machines.
export default defineProject({ test: { include: ['test/**/*.test.ts'], testTimeout: 120_000 } });
