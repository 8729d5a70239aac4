/**
 * The real AWS layers of aurora-logs: `RdsLogs` on the RDS API, `Cursors` and `Leases` on DynamoDB, and the
 * process-wide RDS API budget they draw on.
 */
export * from "./ApiBudget.ts"
export * as AwsRdsLogs from "./AwsRdsLogs.ts"
export * from "./FleetFilter.ts"
export * as DynamoCursors from "./DynamoCursors.ts"
export * as DynamoLeases from "./DynamoLeases.ts"
export * from "./DynamoState.ts"
export * from "./RdsMetrics.ts"
export { markerFor, parseMarker, TRUNCATION_SUFFIX } from "./PortionReader.ts"
