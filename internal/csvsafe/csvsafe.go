// Package csvsafe writes CSV that a spreadsheet opens without running anything: every CSV the
// server writes (report and open-data CSVs, the SEN2 return's files, import rejects files, the
// import templates) goes through its Writer.
//
// A cell beginning with =, +, -, @, a tab or a carriage return is read by Excel, LibreOffice and
// Google Sheets as a formula (CSV or formula injection): a young person's locality typed as
// =cmd|'/C calc'!A0 would run on the reader's machine. Following OWASP's guidance
// (https://owasp.org/www-community/attacks/CSV_Injection), such a cell is prefixed with a single
// quote, so it is shown as text. encoding/csv quotes any cell holding a comma, quote or line break,
// so a value cannot start a new cell of its own.
//
// A cell that is a plain decimal number (-1, -0.5, +3) is left as it is: a spreadsheet reads it as
// that number, which runs nothing, and a report's figures must stay numbers.
package csvsafe

import (
	"encoding/csv"
	"io"
)

// Cell is s made safe to open in a spreadsheet: prefixed with a single quote when a spreadsheet
// would read it as a formula.
func Cell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if !plainNumber(s) {
			return "'" + s
		}
	}
	return s
}

// Plain undoes Cell: a cell Cell quoted ('=SUM(A1), '+44 7700 900123) is given back without its
// quote, so a file the server wrote (an import's rejects) can be put right and loaded again
// as it is. Anything else, a quote Cell would not have written included ('-5, 'tis), is s.
func Plain(s string) string {
	if len(s) > 1 && s[0] == '\'' && Cell(s[1:]) == s {
		return s[1:]
	}
	return s
}

// plainNumber reports whether s is an optional sign, digits and an optional decimal fraction.
func plainNumber(s string) bool {
	if s[0] == '+' || s[0] == '-' {
		s = s[1:]
	}
	digits, point := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !point && digits > 0 && i < len(s)-1:
			point = true
		default:
			return false
		}
	}
	return digits > 0
}

// Writer is a csv.Writer whose every cell goes through Cell.
type Writer struct {
	*csv.Writer
	cells []string
}

// NewWriter returns a Writer writing to w.
func NewWriter(w io.Writer) *Writer { return &Writer{Writer: csv.NewWriter(w)} }

// Write writes one record, each cell made safe; record itself is not changed.
func (w *Writer) Write(record []string) error {
	w.cells = w.cells[:0]
	for _, c := range record {
		w.cells = append(w.cells, Cell(c))
	}
	return w.Writer.Write(w.cells)
}

// WriteAll writes records, each cell made safe, and flushes.
func (w *Writer) WriteAll(records [][]string) error {
	for _, r := range records {
		if err := w.Write(r); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}
