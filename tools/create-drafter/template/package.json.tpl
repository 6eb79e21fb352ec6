{
  "name": "@decodekit/drafter-__NAME__",
  "version": "0.0.0",
  "description": "A decodekit drafter: __NAME__.",
  "license": "MIT",
  "type": "module",
  "sideEffects": false,
  "exports": {
    ".": { "types": "./dist/index.d.ts", "default": "./dist/index.js" },
    "./package.json": "./package.json"
  },
  "files": ["dist"],
  "engines": { "node": ">=20.19" },
  "publishConfig": { "access": "public" },
  "scripts": {
    "build": "tsdown",
    "typecheck": "tsc -p tsconfig.json",
    "test": "vitest run",
    "lint:pkg": "publint --strict && attw --pack . --profile esm-only"
  },
  "dependencies": {
    "@decodekit/core": "workspace:^"
  },
  "devDependencies": {
    "@decodekit/testing": "workspace:^"
  }
}
