/**
 * The `validate` function: `POST` a JSON submission (workflow text, values, inputs as upload ids)
 * with a bearer token; answers `200` with the `task.submitted` CloudEvent it implies (structured
 * mode), or `422 SPEC_INVALID` with every issue (`shared/http/request-functions.ts`). Publishes nothing.
 */
import { functionModule, runIfMain } from '../../shared/http/function-module.js';
import { validateFunction } from '../../shared/http/request-functions.js';

const fn = functionModule(validateFunction);

export const { init, shutdown, handle, liveness, readiness, serve, bodyLimit } = fn;

runIfMain(import.meta.url, fn);
