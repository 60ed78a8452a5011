// The two CSV flavours zhengce writes, declared once: the release's parts for programs, downloads/ and exports for spreadsheets.
import type { CsvFlavour } from './table-rows.ts';

/**
 * csv-stringify options per flavour. Both are RFC 4180 with CRLF rows, a header, and every cell holding a
 * line break quoted (csv-stringify quotes only the record delimiter itself by default). A spreadsheet's CSV
 * starts with a BOM (Excel and WPS then read UTF-8) and neutralises formula-looking cells (= + - @).
 */
export const CSV_OPTIONS = {
  program: { bom: false, header: true, record_delimiter: 'windows', escape_formulas: false, quoted_match: /[\r\n]/ },
  spreadsheet: { bom: true, header: true, record_delimiter: 'windows', escape_formulas: true, quoted_match: /[\r\n]/ },
} as const satisfies Record<CsvFlavour, object>;
