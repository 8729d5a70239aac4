/**
 * Where `aurora-logs parse` writes: stdout, whose failure is seen however it comes (from a write's callback, or as
 * an 'error' event while no write waits: a stream that failed emits no 'drain', so waiting for one would hang), and
 * one-line notes on stderr.
 */
import { once } from "node:events"
import type { Writable } from "node:stream"

/** stdout failed: no file is at fault, and nothing more can be written. */
export class OutputFailed extends Error {
  readonly code: unknown
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause))
    this.code = (cause as { code?: unknown } | undefined)?.code
  }

  /** The reader went away (`| head`): it has what it wanted, as after SIGPIPE in a shell pipeline. */
  get readerGone(): boolean {
    return this.code === "EPIPE"
  }
}

export class Output {
  private readonly stream: Writable
  private failure: OutputFailed | undefined
  private readonly onError = (error: unknown) => {
    this.failure ??= new OutputFailed(error)
  }

  constructor(stream: Writable) {
    this.stream = stream
    stream.on("error", this.onError)
  }

  /** Writes, waiting while the stream asks for it; throws OutputFailed once the stream failed. */
  async write(data: string | Uint8Array): Promise<void> {
    if (this.failure !== undefined) throw this.failure
    if (!this.stream.write(data)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.stream.off("drain", done)
          this.stream.off("error", done)
          this.stream.off("close", done)
          resolve()
        }
        this.stream.on("drain", done)
        this.stream.on("error", done)
        this.stream.on("close", done)
      })
    }
    if (this.failure !== undefined) throw this.failure
  }

  close(): void {
    this.stream.off("error", this.onError)
  }
}

/** Writes and waits for 'drain' when the stream asks for it (stderr's notes). */
export async function write(stream: Writable, data: string | Uint8Array): Promise<void> {
  if (!stream.write(data)) await once(stream, "drain")
}
