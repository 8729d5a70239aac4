/**
 * The deploy/ definitions stay in step with the code that uses them.
 */
import * as NodeFs from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import { tableDefinition } from "./DynamoState.ts"

const deploy = (path: string) => NodeFs.readFileSync(new URL(`../../../deploy/${path}`, import.meta.url), "utf8")

describe("deploy definitions", () => {
  it("deploy/dynamodb/table.json is the table the code creates", () => {
    assert.deepStrictEqual(JSON.parse(deploy("dynamodb/table.json")), tableDefinition("aurora-logs-state"))
  })

  it("the CloudFormation table has the same keys and index, with TTL on `ttl`", () => {
    const cfn = deploy("dynamodb/table.cfn.yaml")
    for (const line of ["{ AttributeName: pk, KeyType: HASH }", "{ AttributeName: sk, KeyType: RANGE }", "IndexName: leases", "AttributeName: ttl"]) {
      assert.include(cfn, line)
    }
  })

  it("the IAM policy allows every call the layers make", () => {
    const policy = JSON.parse(deploy("iam/policy.json")) as { Statement: ReadonlyArray<{ Action: ReadonlyArray<string> }> }
    const actions = new Set(policy.Statement.flatMap((s) => s.Action))
    for (const action of [
      "rds:DescribeDBClusters",
      "rds:DescribeDBInstances",
      "rds:DescribeDBLogFiles",
      "rds:DownloadDBLogFilePortion",
      "rds:DownloadCompleteDBLogFile",
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
      "dynamodb:DeleteItem",
      "dynamodb:Query"
    ]) assert.isTrue(actions.has(action), action)
  })
})
