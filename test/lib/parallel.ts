// A few independent processes at a time: the slow corpus tests spend their time starting
// one tool or oracle per capture (node, tcpdump, tshark), and those runs do not depend on
// each other. Running them testJobs() at a time uses both cores of a CI machine; the
// tests still assert on every result, in the order they listed the runs.
import { availableParallelism } from 'node:os';

/** How many runs a test keeps in flight: $PKTWASM_TEST_JOBS, else the cores Node may use
 *  (at least 2, so a one-core report still overlaps a run's start-up with another's work). */
export function testJobs(): number {
  const env = Number(process.env.PKTWASM_TEST_JOBS);
  if (Number.isInteger(env) && env >= 1) return env;
  return Math.max(2, availableParallelism());
}

/** Runs `jobs` with at most `limit` in flight; the results in the order of `jobs`. */
export async function pool<T>(jobs: ReadonlyArray<() => Promise<T>>, limit = testJobs()): Promise<T[]> {
  const out = new Array<T>(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return out;
}
