package main

import (
	"strings"
	"testing"

	"github.com/oneplan-send/oneplan/internal/store/storetest"
)

// TestImportRowWithExtraFields: an unquoted comma in the last column (Salford, East) gives a row
// one field more than the header. It was loaded with "East" dropped; it is now a row problem
// naming the row, and nothing is written. Quoted, the same value loads.
func TestImportRowWithExtraFields(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			dsn := b.DSN(t)
			setEnv(t, dsn)
			header := strings.TrimSuffix(ypHeader, "\n") + ",locality\n"
			bad := writeFile(t, "extra.csv", header+"bridge,X1,Ada,Lovelace,2015-03-01,,ASD,Salford, East\n")
			out, errOut, err := runCmd(t, "import", "young-people", "--quiet", bad)
			if err == nil || !strings.Contains(errOut, "row 2: has 9 fields but the header has 8 columns") {
				t.Fatalf("extra field: %v\n%s\n%s", err, out, errOut)
			}
			if n := count(t, dsn, "SELECT count(*) FROM young_people"); n != 0 {
				t.Fatalf("a row with an extra field wrote %d young people", n)
			}
			good := writeFile(t, "quoted.csv", header+`bridge,X1,Ada,Lovelace,2015-03-01,,ASD,"Salford, East"`+"\n")
			mustRun(t, "import", "young-people", "--quiet", good)
			if n := count(t, dsn, "SELECT count(*) FROM young_people"); n != 1 {
				t.Fatalf("quoted: %d young people", n)
			}
		})
	}
}
