/**
 * An Aurora DB instance as discovery sees it: the unit that leases share out and that every record is enriched with.
 */
import { Schema } from "effect"

export const Engine = Schema.Literals(["postgres", "mysql"])
export type Engine = typeof Engine.Type

export const Role = Schema.Literals(["writer", "reader"])
export type Role = typeof Role.Type

export const Instance = Schema.Struct({
  id: Schema.String,
  cluster: Schema.String,
  engine: Engine,
  role: Role,
  region: Schema.String,
  tags: Schema.Record(Schema.String, Schema.String)
})
export type Instance = typeof Instance.Type
