/**
 * Kysely (https://kysely.dev), for the store's modules: they import it from here, never from
 * 'kysely'. Kysely's ES build is ~280 small files, and Node pays per file: importing it costs
 * ~70 ms and ~15 MB of memory at every process start, where the same code in one file costs ~10 ms
 * and ~3 MB. So `npm run build` replaces this module's compiled file (dist/shared/store/kysely.js)
 * with Kysely bundled into one file by esbuild (scripts/bundle-dependencies.mjs); the sources (and
 * vitest) use the package as it is. Same code, same version (package-lock.json), same types.
 */
export * from 'kysely';
