// Counters and gauges for GET /metrics, in the Prometheus text format. Plain numbers updated on
// the hot path; the text is only built when scraped.

/** Upper bounds (seconds) of the histogram buckets for DB write time and ingest lag. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class Histogram {
  readonly counts = new Array<number>(BUCKETS.length).fill(0);
  sum = 0;
  count = 0;

  observe(seconds: number): void {
    this.sum += seconds;
    this.count++;
    for (let i = 0; i < BUCKETS.length; i++) {
      if (seconds <= BUCKETS[i]!) {
        this.counts[i]!++;
        break;
      }
    }
  }

  render(name: string, help: string): string {
    let out = `# HELP ${name} ${help}\n# TYPE ${name} histogram\n`;
    let cumulative = 0;
    for (let i = 0; i < BUCKETS.length; i++) {
      cumulative += this.counts[i]!;
      out += `${name}_bucket{le="${BUCKETS[i]}"} ${cumulative}\n`;
    }
    out += `${name}_bucket{le="+Inf"} ${this.count}\n${name}_sum ${this.sum}\n${name}_count ${this.count}\n`;
    return out;
  }
}

export class PipelineMetrics {
  lines = 0;
  events = 0;
  alerts = 0;
  readonly alertsByLevel = new Map<number, number>();
  /** Lines handed to the pipeline that failed (the source retries them). */
  failedBatches = 0;
  readonly dbWrite = new Histogram();
  /** Reception to commit, per batch (its oldest line). */
  readonly ingestLag = new Histogram();
  lastLagSeconds = 0;
  /**
   * Seconds the ingest thread was paused for garbage collection (0 where nothing observes it). What
   * it holds on to shows here first: keeping a batch's Events until the commit doubled it.
   */
  gcSeconds = 0;

  countAlert(level: number): void {
    this.alerts++;
    this.alertsByLevel.set(level, (this.alertsByLevel.get(level) ?? 0) + 1);
  }
}

export function counter(name: string, help: string, samples: Array<[labels: string, value: number]>, type = 'counter'): string {
  let out = `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`;
  for (const [labels, value] of samples) out += `${name}${labels ? `{${labels}}` : ''} ${value}\n`;
  return out;
}

/** A label value escaped for the text format. */
export function label(value: string): string {
  return JSON.stringify(value);
}
