/**
 * Where cursors and leases live: a local file (one process, small fleets) or DynamoDB (replicas sharing a fleet).
 */
import * as NodePath from "node:path"
import { DynamoCursors, DynamoLeases } from "@aurora-logs/aws"
import { Cursors, Leases } from "@aurora-logs/core"
import { Config, Effect, Layer } from "effect"

export const StateKind = Config.Literals(["file", "dynamodb"], "AURORA_LOGS_STATE").pipe(Config.withDefault("file" as const))

export const stateLayer = (kind: "file" | "dynamodb", dataDir: string) =>
  kind === "dynamodb"
    ? Layer.mergeAll(DynamoCursors.layerConfig, DynamoLeases.layerConfig)
    : Layer.mergeAll(Cursors.layerFile(NodePath.join(dataDir, "cursors.json")), Leases.layerMemory)

export const describeState = (kind: "file" | "dynamodb", dataDir: string) =>
  Effect.map(Config.String("AURORA_LOGS_DYNAMODB_TABLE").pipe(Config.withDefault("aurora-logs-state")), (table) =>
    kind === "dynamodb" ? `DynamoDB table ${table}` : NodePath.join(dataDir, "cursors.json"))
