/** lcov tracefile → line coverage percent. */
export function parseLcov(text: string) {
  let found = 0;
  let hit = 0;
  let files = 0;
  let sawRecord = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('SF:')) files += 1;
    else if (line.startsWith('LF:')) found += Number(line.slice(3));
    else if (line.startsWith('LH:')) hit += Number(line.slice(3));
    else if (line === 'end_of_record') sawRecord = true;
  }
  if (
    !sawRecord ||
    files === 0 ||
    !Number.isFinite(found) ||
    !Number.isFinite(hit)
  ) {
    throw new Error('no SF:/LF:/LH:/end_of_record records found');
  }
  return {
    files,
    linesFound: found,
    linesHit: hit,
    linePct: found ? Math.round((hit / found) * 1000) / 10 : 100,
  };
}
