/** Splitting one CSV row (RFC 4180 quoting: "..." with "" inside), as PostgreSQL's csvlog writes it. */

/** The fields of the row in `text` (quoted newlines included); undefined when a quote never closes. */
export function splitCsvRow(text: string): string[] | undefined {
  const fields: string[] = []
  const n = text.length
  let i = 0
  for (;;) {
    if (text.charCodeAt(i) === 34) {
      let value = ""
      let start = i + 1
      let j = start
      for (;;) {
        const q = text.indexOf("\"", j)
        if (q < 0) return undefined
        if (text.charCodeAt(q + 1) === 34) {
          value += text.slice(start, q + 1)
          start = q + 2
          j = start
          continue
        }
        value += text.slice(start, q)
        i = q + 1
        break
      }
      fields.push(value)
    } else {
      const comma = text.indexOf(",", i)
      const end = comma < 0 ? n : comma
      fields.push(text.slice(i, end))
      i = end
    }
    if (i >= n) break
    if (text.charCodeAt(i) !== 44) return undefined
    i++
    if (i === n) { fields.push(""); break }
  }
  return fields
}
