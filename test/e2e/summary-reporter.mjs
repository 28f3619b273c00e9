// node:test reporter that writes one JSON object at the end: { passed, failed, skipped, failures }.
// Counts tests, not suites, except a suite that failed on its own (e.g. in a before hook) counts once.
export default async function* summaryReporter(source) {
  let passed = 0, failed = 0, skipped = 0;
  const failures = [];
  const childFailed = []; // by nesting level: did anything below this open suite fail?
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { name, nesting, details, skip, todo } = event.data;
    const isSuite = details?.type === 'suite';
    if (event.type === 'test:fail' && (!isSuite || !childFailed[nesting])) {
      failed++;
      failures.push({ name, error: String(details?.error?.cause ?? details?.error ?? '') });
      for (let k = 0; k < nesting; k++) childFailed[k] = true;
    } else if (!isSuite && event.type === 'test:pass') {
      if (skip || todo) skipped++;
      else passed++;
    }
    if (isSuite) childFailed[nesting] = false;
  }
  yield JSON.stringify({ passed, failed, skipped, failures }) + '\n';
}
