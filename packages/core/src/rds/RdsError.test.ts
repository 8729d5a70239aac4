import { describe, expect, it } from "vitest"
import { InstanceNotFound, RdsError, RdsRejected, RdsUnavailable, Throttled } from "./RdsError.ts"

describe("RdsError's message", () => {
  it("reads as a sentence: the reason, then what the API or the network said", () => {
    expect(new RdsError({ reason: new RdsUnavailable({ message: "DescribeDBClusters: Error: connect ECONNREFUSED 127.0.0.1:1" }) }).message)
      .toBe("RdsUnavailable: DescribeDBClusters: Error: connect ECONNREFUSED 127.0.0.1:1")
    expect(new RdsError({ reason: new RdsRejected({ code: "AccessDenied", message: "not authorized to perform rds:DescribeDBClusters" }) }).message)
      .toBe("RdsRejected: AccessDenied: not authorized to perform rds:DescribeDBClusters")
  })

  it("names the operation or instance of the reasons that carry no message", () => {
    expect(new RdsError({ reason: new Throttled({ operation: "DownloadDBLogFilePortion" }) }).message).toBe("Throttled: DownloadDBLogFilePortion")
    expect(new RdsError({ reason: new InstanceNotFound({ instance: "pg-1" }) }).message).toBe("InstanceNotFound: pg-1")
  })
})
