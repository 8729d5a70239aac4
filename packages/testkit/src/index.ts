export * from "./fleet/DemoWorkload.ts"
export * from "./fleet/FleetDirectory.ts"
