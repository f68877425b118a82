// The 1 MB JSON result every contender returns: rows of mixed values, as a search or table
// result would be. Built once per process and cached, so the suites time transport and
// checking, not construction.

const TARGET_BYTES = 1_000_000;
let cached;

export function megabyteResult() {
  if (cached !== undefined) return cached;
  const rows = [];
  let bytes = 12;
  for (let i = 0; bytes < TARGET_BYTES; i++) {
    const row = {
      id: i,
      name: `row ${i}`,
      score: i / 7,
      tags: ['alpha', 'beta'],
      ok: i % 2 === 0,
      nested: { x: i, label: 'value' },
    };
    bytes += JSON.stringify(row).length + 1;
    rows.push(row);
  }
  cached = { rows };
  return cached;
}
