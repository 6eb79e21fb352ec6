# @decodekit/drafter-__NAME__

A drafter for decodekit's speculative decoding loop.

```ts
import { generate, speculative } from '@decodekit/core';
import { defaultVerifier } from '@decodekit/verifiers';
import { __FACTORY__ } from '@decodekit/drafter-__NAME__';

const result = await generate({
  model,
  prompt,
  strategy: speculative({ drafter: __FACTORY__(), verifier: defaultVerifier() }),
});
```

`pnpm test` runs the drafter conformance suite of `@decodekit/testing` (well-formed drafts,
greedy output identical to autoregressive decoding, sampling distribution preserved).
