/**
 * The attempt report service as loaded from `proto/toolflow/reports/v1/reports.proto` (the one source
 * of the wire format) with `@grpc/proto-loader`, typed by the generated types in `generated/`
 * (`npm run proto`). Both ends, the work manager's server and the sidecar's client, load it here.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadPackageDefinition } from '@grpc/grpc-js';
import { loadSync, type Options } from '@grpc/proto-loader';
import type { ProtoGrpcType } from './generated/reports.js';
import type { AttemptReportServiceDefinition } from './generated/toolflow/reports/v1/AttemptReportService.js';

/** The service's file, relative to the `proto/` folder (its import root). */
export const REPORTS_PROTO = 'toolflow/reports/v1/reports.proto';

/**
 * How messages become objects. Must match the flags of scripts/generate-report-types.mjs, which
 * types these objects: camelCase field names, 64-bit integers as JS numbers (exact up to 2^53, far
 * beyond any epoch ms or byte count here; larger values arrive inexact and are refused as not safe
 * integers), enums as their names (an unknown value as its number), defaults for absent plain
 * fields (`''`, `0`, `false`, `[]`), and the virtual oneof fields: an `optional` field that was not
 * sent is absent from the object.
 */
export const LOADER_OPTIONS: Options = { keepCase: false, longs: Number, enums: String, defaults: true, oneofs: true };

/**
 * Where `proto/` is: at the package root, two folders up from this module in the sources
 * (`shared/reports/`) and three in the build (`dist/shared/reports/`). The image must ship it
 * (`COPY --from=build /app/proto ./proto`).
 * @throws Error naming the places looked at.
 */
export function protoRoot(): string {
  const candidates = ['../../proto/', '../../../proto/'].map((p) => fileURLToPath(new URL(p, import.meta.url)));
  const found = candidates.find((p) => existsSync(`${p}${REPORTS_PROTO}`));
  if (!found) throw new Error(`the report service's .proto is missing: looked for ${REPORTS_PROTO} in ${candidates.join(' and ')}`);
  return found;
}

/** The loaded service: its definition (for `Server.addService`) and its client class. */
export interface ReportService {
  definition: AttemptReportServiceDefinition;
  Client: ProtoGrpcType['toolflow']['reports']['v1']['AttemptReportService'];
}

let loaded: ReportService | undefined;

/** The report service, loaded once per process. @throws Error when the .proto is missing or does not parse. */
export function reportService(): ReportService {
  if (!loaded) {
    const definition = loadSync(REPORTS_PROTO, { ...LOADER_OPTIONS, includeDirs: [protoRoot()] });
    const proto = loadPackageDefinition(definition) as unknown as ProtoGrpcType;
    const Client = proto.toolflow.reports.v1.AttemptReportService;
    loaded = { definition: Client.service, Client };
  }
  return loaded;
}
