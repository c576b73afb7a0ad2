// Generated from proto/toolflow/reports/v1/reports.proto by scripts/generate-report-types.mjs (npm run proto): do not edit.
/* eslint @typescript-eslint/no-explicit-any: "off", @typescript-eslint/no-empty-object-type: "off" */
// Original file: proto/toolflow/reports/v1/reports.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ExitRequest as _toolflow_reports_v1_ExitRequest, ExitRequest__Output as _toolflow_reports_v1_ExitRequest__Output } from '../../../toolflow/reports/v1/ExitRequest.js';
import type { ExitResponse as _toolflow_reports_v1_ExitResponse, ExitResponse__Output as _toolflow_reports_v1_ExitResponse__Output } from '../../../toolflow/reports/v1/ExitResponse.js';
import type { KeepaliveRequest as _toolflow_reports_v1_KeepaliveRequest, KeepaliveRequest__Output as _toolflow_reports_v1_KeepaliveRequest__Output } from '../../../toolflow/reports/v1/KeepaliveRequest.js';
import type { KeepaliveResponse as _toolflow_reports_v1_KeepaliveResponse, KeepaliveResponse__Output as _toolflow_reports_v1_KeepaliveResponse__Output } from '../../../toolflow/reports/v1/KeepaliveResponse.js';
import type { StartRequest as _toolflow_reports_v1_StartRequest, StartRequest__Output as _toolflow_reports_v1_StartRequest__Output } from '../../../toolflow/reports/v1/StartRequest.js';
import type { StartResponse as _toolflow_reports_v1_StartResponse, StartResponse__Output as _toolflow_reports_v1_StartResponse__Output } from '../../../toolflow/reports/v1/StartResponse.js';

/**
 * The work manager's endpoint for attempt reports (one server per task, port 50051).
 */
export interface AttemptReportServiceClient extends grpc.Client {
  /**
   * The attempt ended (or could not be launched): how.
   */
  Exit(argument: _toolflow_reports_v1_ExitRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_toolflow_reports_v1_ExitResponse__Output>): grpc.ClientUnaryCall;
  Exit(argument: _toolflow_reports_v1_ExitRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_toolflow_reports_v1_ExitResponse__Output>): grpc.ClientUnaryCall;
  Exit(argument: _toolflow_reports_v1_ExitRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_toolflow_reports_v1_ExitResponse__Output>): grpc.ClientUnaryCall;
  Exit(argument: _toolflow_reports_v1_ExitRequest, callback: grpc.requestCallback<_toolflow_reports_v1_ExitResponse__Output>): grpc.ClientUnaryCall;
  /**
   * The attempt ended (or could not be launched): how.
   */
  exit(argument: _toolflow_reports_v1_ExitRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_toolflow_reports_v1_ExitResponse__Output>): grpc.ClientUnaryCall;
  exit(argument: _toolflow_reports_v1_ExitRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_toolflow_reports_v1_ExitResponse__Output>): grpc.ClientUnaryCall;
  exit(argument: _toolflow_reports_v1_ExitRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_toolflow_reports_v1_ExitResponse__Output>): grpc.ClientUnaryCall;
  exit(argument: _toolflow_reports_v1_ExitRequest, callback: grpc.requestCallback<_toolflow_reports_v1_ExitResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * The attempt is still running; sent every keepalive interval (30 s by default).
   */
  Keepalive(argument: _toolflow_reports_v1_KeepaliveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_toolflow_reports_v1_KeepaliveResponse__Output>): grpc.ClientUnaryCall;
  Keepalive(argument: _toolflow_reports_v1_KeepaliveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_toolflow_reports_v1_KeepaliveResponse__Output>): grpc.ClientUnaryCall;
  Keepalive(argument: _toolflow_reports_v1_KeepaliveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_toolflow_reports_v1_KeepaliveResponse__Output>): grpc.ClientUnaryCall;
  Keepalive(argument: _toolflow_reports_v1_KeepaliveRequest, callback: grpc.requestCallback<_toolflow_reports_v1_KeepaliveResponse__Output>): grpc.ClientUnaryCall;
  /**
   * The attempt is still running; sent every keepalive interval (30 s by default).
   */
  keepalive(argument: _toolflow_reports_v1_KeepaliveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_toolflow_reports_v1_KeepaliveResponse__Output>): grpc.ClientUnaryCall;
  keepalive(argument: _toolflow_reports_v1_KeepaliveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_toolflow_reports_v1_KeepaliveResponse__Output>): grpc.ClientUnaryCall;
  keepalive(argument: _toolflow_reports_v1_KeepaliveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_toolflow_reports_v1_KeepaliveResponse__Output>): grpc.ClientUnaryCall;
  keepalive(argument: _toolflow_reports_v1_KeepaliveRequest, callback: grpc.requestCallback<_toolflow_reports_v1_KeepaliveResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * The tool of the attempt started.
   */
  Start(argument: _toolflow_reports_v1_StartRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_toolflow_reports_v1_StartResponse__Output>): grpc.ClientUnaryCall;
  Start(argument: _toolflow_reports_v1_StartRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_toolflow_reports_v1_StartResponse__Output>): grpc.ClientUnaryCall;
  Start(argument: _toolflow_reports_v1_StartRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_toolflow_reports_v1_StartResponse__Output>): grpc.ClientUnaryCall;
  Start(argument: _toolflow_reports_v1_StartRequest, callback: grpc.requestCallback<_toolflow_reports_v1_StartResponse__Output>): grpc.ClientUnaryCall;
  /**
   * The tool of the attempt started.
   */
  start(argument: _toolflow_reports_v1_StartRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_toolflow_reports_v1_StartResponse__Output>): grpc.ClientUnaryCall;
  start(argument: _toolflow_reports_v1_StartRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_toolflow_reports_v1_StartResponse__Output>): grpc.ClientUnaryCall;
  start(argument: _toolflow_reports_v1_StartRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_toolflow_reports_v1_StartResponse__Output>): grpc.ClientUnaryCall;
  start(argument: _toolflow_reports_v1_StartRequest, callback: grpc.requestCallback<_toolflow_reports_v1_StartResponse__Output>): grpc.ClientUnaryCall;
  
}

/**
 * The work manager's endpoint for attempt reports (one server per task, port 50051).
 */
export interface AttemptReportServiceHandlers extends grpc.UntypedServiceImplementation {
  /**
   * The attempt ended (or could not be launched): how.
   */
  Exit: grpc.handleUnaryCall<_toolflow_reports_v1_ExitRequest__Output, _toolflow_reports_v1_ExitResponse>;
  
  /**
   * The attempt is still running; sent every keepalive interval (30 s by default).
   */
  Keepalive: grpc.handleUnaryCall<_toolflow_reports_v1_KeepaliveRequest__Output, _toolflow_reports_v1_KeepaliveResponse>;
  
  /**
   * The tool of the attempt started.
   */
  Start: grpc.handleUnaryCall<_toolflow_reports_v1_StartRequest__Output, _toolflow_reports_v1_StartResponse>;
  
}

export interface AttemptReportServiceDefinition extends grpc.ServiceDefinition {
  Exit: MethodDefinition<_toolflow_reports_v1_ExitRequest, _toolflow_reports_v1_ExitResponse, _toolflow_reports_v1_ExitRequest__Output, _toolflow_reports_v1_ExitResponse__Output>
  Keepalive: MethodDefinition<_toolflow_reports_v1_KeepaliveRequest, _toolflow_reports_v1_KeepaliveResponse, _toolflow_reports_v1_KeepaliveRequest__Output, _toolflow_reports_v1_KeepaliveResponse__Output>
  Start: MethodDefinition<_toolflow_reports_v1_StartRequest, _toolflow_reports_v1_StartResponse, _toolflow_reports_v1_StartRequest__Output, _toolflow_reports_v1_StartResponse__Output>
}
