// Reader for the corpus's reference dissections (<capture>.tshark.csv): one row per
// tshark frame, every value double-quoted, repeated fields joined with ','.

export type TsharkRow = Map<string, string[]>;

function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let j = i + 1;
      let s = '';
      while (j < line.length) {
        if (line[j] === '"' && line[j + 1] === '"') { s += '"'; j += 2; continue; }
        if (line[j] === '"') break;
        s += line[j++];
      }
      out.push(s);
      i = j + 2; // skip closing quote and comma
    } else {
      const j = line.indexOf(',', i);
      if (j < 0) { out.push(line.slice(i)); break; }
      out.push(line.slice(i, j));
      i = j + 1;
    }
  }
  return out;
}

export function parseTsharkCsv(text: string): TsharkRow[] {
  const lines = text.split('\n').filter((l) => l.length > 0);
  const header = splitCsvLine(lines[0]);
  return lines.slice(1).map((line) => {
    const cells = splitCsvLine(line);
    const row: TsharkRow = new Map();
    header.forEach((h, k) => {
      const c = cells[k] ?? '';
      if (c !== '') row.set(h, c.split(','));
    });
    return row;
  });
}
