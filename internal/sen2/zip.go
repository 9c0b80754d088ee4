package sen2

import (
	"archive/zip"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/oneplan-send/oneplan/internal/csvsafe"
)

// validationColumns are the columns of validation.csv.
var validationColumns = []string{"module", "table_id", "person_table_id", "young_person_id", "field", "problem"}

var moduleDescriptions = map[string]string{
	"sen2":            "module 0, header: the council, reference date and the software that made the return",
	"person":          "module 1, one row per child or young person named in any other file",
	"requests":        "module 2, requests for an EHC needs assessment (H: historical, kept only as the parent of a plan)",
	"assessment":      "module 3, the outcome of each request the council decided to assess",
	"namedplan":       "module 4, EHC plans first issued or ceased in the collection period",
	"plandetail":      "module 4, the setting named in each of those plans",
	"activeplans":     "module 5, EHC plans in force on the reference date",
	"placementdetail": "module 5, the setting named in each active plan",
	"senneed":         "module 5, the special educational needs of each active plan, by rank (1 = primary)",
}

// WriteZip writes one CSV per module, "validation.csv" (the issues) and a short "README.txt".
// Entries carry the return's generation time and a fixed order, so the same return always gives
// the same bytes.
func (r Return) WriteZip(w io.Writer) error {
	ref, generated := r.header()
	zw := zip.NewWriter(w)
	for _, m := range r.Modules {
		name := m.File
		if name == "" {
			name = m.Name + ".csv"
		}
		if err := writeCSV(zw, name, generated, m.Columns, m.Rows); err != nil {
			return err
		}
	}
	rows := make([][]string, len(r.Issues))
	for i, is := range r.Issues {
		rows[i] = []string{is.Module, is.TableID, is.PersonTableID, is.YoungPersonID, is.Field, is.Problem}
	}
	if err := writeCSV(zw, "validation.csv", generated, validationColumns, rows); err != nil {
		return err
	}
	f, err := zw.CreateHeader(entry("README.txt", generated))
	if err != nil {
		return fmt.Errorf("add README.txt: %w", err)
	}
	if _, err := io.WriteString(f, r.readme(ref)); err != nil {
		return fmt.Errorf("write README.txt: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("close sen2 zip: %w", err)
	}
	return nil
}

func entry(name string, modified time.Time) *zip.FileHeader {
	return &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: modified}
}

func writeCSV(zw *zip.Writer, name string, modified time.Time, columns []string, rows [][]string) error {
	f, err := zw.CreateHeader(entry(name, modified))
	if err != nil {
		return fmt.Errorf("add %s: %w", name, err)
	}
	cw := csvsafe.NewWriter(f) // names and addresses are data: never a formula
	cw.UseCRLF = true          // RFC 4180, as spreadsheet tools and COLLECT expect
	if err := cw.Write(columns); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// header reads the reference date and generation time back from the sen2 module, so a Return
// carries nothing the files do not. Either is zero when absent or unreadable.
func (r Return) header() (ref, generated time.Time) {
	for _, m := range r.Modules {
		if m.Name != "sen2" || len(m.Rows) == 0 {
			continue
		}
		get := func(col string) string {
			if i := slices.Index(m.Columns, col); i >= 0 && i < len(m.Rows[0]) {
				return m.Rows[0][i]
			}
			return ""
		}
		ref, _ = time.Parse(dateLayout, get("referencedate"))
		generated, _ = time.Parse("2006-01-02T15:04:05", get("datetime"))
	}
	return ref, generated
}

func (r Return) readme(ref time.Time) string {
	var b strings.Builder
	b.WriteString("SEN2 person-level return\r\n========================\r\n\r\n")
	if ref.IsZero() {
		b.WriteString("Reference date: not recorded\r\n")
	} else {
		from, to := CollectionPeriod(ref)
		fmt.Fprintf(&b, "Reference date: %s (the caseload is as on this date)\r\n", ref.Format(dateLayout))
		fmt.Fprintf(&b, "Collection period: %s to %s (activity is reported for this calendar year)\r\n",
			from.Format(dateLayout), to.Format(dateLayout))
	}
	b.WriteString("\r\nFiles\r\n-----\r\n")
	for _, m := range r.Modules {
		name := m.File
		if name == "" {
			name = m.Name + ".csv"
		}
		fmt.Fprintf(&b, "%s: %s (%d rows)\r\n", name, moduleDescriptions[m.Name], len(m.Rows))
	}
	fmt.Fprintf(&b, "validation.csv: mandatory items missing or unusable, one line per item per row (%d lines);\r\n", len(r.Issues))
	b.WriteString("  fix them in OnePlan and export again before loading the return into COLLECT.\r\n")
	b.WriteString("  young_person_id is OnePlan's id and is not part of the return. Where the row that should\r\n")
	b.WriteString("  exist is missing (a plan with no placement or no primary need), table_id is its parent's.\r\n")
	b.WriteString("README.txt: this file.\r\n")
	b.WriteString("\r\nFormat\r\n------\r\n")
	b.WriteString("CSV, UTF-8, comma separated, first line the DfE item names in lower case.\r\n")
	b.WriteString("Each file's first column is its own table id (1, 2, 3 ...), the second its parent's.\r\n")
	b.WriteString("Dates are YYYY-MM-DD; datetime in sen2.csv is YYYY-MM-DDTHH:MM:SS in UTC.\r\n")
	b.WriteString("Booleans are 1 (yes) and 0 (no). A blank cell means unknown or not applicable.\r\n")
	return b.String()
}
