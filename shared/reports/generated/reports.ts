// Generated from proto/toolflow/reports/v1/reports.proto by scripts/generate-report-types.mjs (npm run proto): do not edit.
/* eslint @typescript-eslint/no-explicit-any: "off", @typescript-eslint/no-empty-object-type: "off" */
import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { AttemptId as _toolflow_reports_v1_AttemptId, AttemptId__Output as _toolflow_reports_v1_AttemptId__Output } from './toolflow/reports/v1/AttemptId.js';
import type { AttemptRef as _toolflow_reports_v1_AttemptRef, AttemptRef__Output as _toolflow_reports_v1_AttemptRef__Output } from './toolflow/reports/v1/AttemptRef.js';
import type { AttemptReportServiceClient as _toolflow_reports_v1_AttemptReportServiceClient, AttemptReportServiceDefinition as _toolflow_reports_v1_AttemptReportServiceDefinition } from './toolflow/reports/v1/AttemptReportService.js';
import type { DiskFull as _toolflow_reports_v1_DiskFull, DiskFull__Output as _toolflow_reports_v1_DiskFull__Output } from './toolflow/reports/v1/DiskFull.js';
import type { ExitRequest as _toolflow_reports_v1_ExitRequest, ExitRequest__Output as _toolflow_reports_v1_ExitRequest__Output } from './toolflow/reports/v1/ExitRequest.js';
import type { ExitResponse as _toolflow_reports_v1_ExitResponse, ExitResponse__Output as _toolflow_reports_v1_ExitResponse__Output } from './toolflow/reports/v1/ExitResponse.js';
import type { KeepaliveRequest as _toolflow_reports_v1_KeepaliveRequest, KeepaliveRequest__Output as _toolflow_reports_v1_KeepaliveRequest__Output } from './toolflow/reports/v1/KeepaliveRequest.js';
import type { KeepaliveResponse as _toolflow_reports_v1_KeepaliveResponse, KeepaliveResponse__Output as _toolflow_reports_v1_KeepaliveResponse__Output } from './toolflow/reports/v1/KeepaliveResponse.js';
import type { OutputRecord as _toolflow_reports_v1_OutputRecord, OutputRecord__Output as _toolflow_reports_v1_OutputRecord__Output } from './toolflow/reports/v1/OutputRecord.js';
import type { RecordedOutputs as _toolflow_reports_v1_RecordedOutputs, RecordedOutputs__Output as _toolflow_reports_v1_RecordedOutputs__Output } from './toolflow/reports/v1/RecordedOutputs.js';
import type { StartRequest as _toolflow_reports_v1_StartRequest, StartRequest__Output as _toolflow_reports_v1_StartRequest__Output } from './toolflow/reports/v1/StartRequest.js';
import type { StartResponse as _toolflow_reports_v1_StartResponse, StartResponse__Output as _toolflow_reports_v1_StartResponse__Output } from './toolflow/reports/v1/StartResponse.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  toolflow: {
    reports: {
      v1: {
        AttemptId: MessageTypeDefinition<_toolflow_reports_v1_AttemptId, _toolflow_reports_v1_AttemptId__Output>
        AttemptRef: MessageTypeDefinition<_toolflow_reports_v1_AttemptRef, _toolflow_reports_v1_AttemptRef__Output>
        /**
         * The work manager's endpoint for attempt reports (one server per task, port 50051).
         */
        AttemptReportService: SubtypeConstructor<typeof grpc.Client, _toolflow_reports_v1_AttemptReportServiceClient> & { service: _toolflow_reports_v1_AttemptReportServiceDefinition }
        DiskFull: MessageTypeDefinition<_toolflow_reports_v1_DiskFull, _toolflow_reports_v1_DiskFull__Output>
        ExitRequest: MessageTypeDefinition<_toolflow_reports_v1_ExitRequest, _toolflow_reports_v1_ExitRequest__Output>
        ExitResponse: MessageTypeDefinition<_toolflow_reports_v1_ExitResponse, _toolflow_reports_v1_ExitResponse__Output>
        KeepaliveRequest: MessageTypeDefinition<_toolflow_reports_v1_KeepaliveRequest, _toolflow_reports_v1_KeepaliveRequest__Output>
        KeepaliveResponse: MessageTypeDefinition<_toolflow_reports_v1_KeepaliveResponse, _toolflow_reports_v1_KeepaliveResponse__Output>
        MemLimitKind: EnumTypeDefinition
        OutputRecord: MessageTypeDefinition<_toolflow_reports_v1_OutputRecord, _toolflow_reports_v1_OutputRecord__Output>
        RecordedOutputs: MessageTypeDefinition<_toolflow_reports_v1_RecordedOutputs, _toolflow_reports_v1_RecordedOutputs__Output>
        StartRequest: MessageTypeDefinition<_toolflow_reports_v1_StartRequest, _toolflow_reports_v1_StartRequest__Output>
        StartResponse: MessageTypeDefinition<_toolflow_reports_v1_StartResponse, _toolflow_reports_v1_StartResponse__Output>
        Watchdog: EnumTypeDefinition
      }
    }
  }
}

