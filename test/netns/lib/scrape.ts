/** Reading one sample of a loomd's /metrics (the lab's configured metrics address) inside its namespace. */
import type { NetnsLab } from './netns-lab'

/** The value of `name{labels}` exactly as exposed (e.g. `loom_x_total{reason="auth"}`); 0 when absent. */
export async function scrapeMetric (lab: NetnsLab, ns: string, sample: string): Promise<number> {
  const r = await lab.exec(ns, ['curl', '-sf', 'http://127.0.0.1:9784/metrics'])
  const m = new RegExp(`^${sample.replace(/[{}"]/g, (c) => '\\' + c)} (\\S+)$`, 'm').exec(r.stdout)
  return m === null ? 0 : Number(m[1])
}
