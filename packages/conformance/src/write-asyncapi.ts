/** Writes `docs/asyncapi.json` from the protocol's valibot schemas: `npm run asyncapi -w @handoff/conformance`. */
import { writeFileSync } from 'node:fs';
import { buildAsyncApi, ASYNCAPI_PATH } from './asyncapi.js';

writeFileSync(ASYNCAPI_PATH, `${JSON.stringify(buildAsyncApi(), null, 2)}\n`);
process.stdout.write(`wrote ${ASYNCAPI_PATH}\n`);
