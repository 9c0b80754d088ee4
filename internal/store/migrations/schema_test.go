package migrations_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
)

var update = flag.Bool("update", false, "rewrite testdata/schema.*.golden from what the migrations produce")

// TestSchemaGolden migrates an empty database through the store's own entry point and holds the
// whole resulting schema (tables, columns, indexes, constraints, triggers, functions), the
// migrations recorded and the rows the migrations seed equal to the golden files. The goldens
// were dumped from the migrations before they moved into this package, so a database migrated
// then and one migrated now cannot tell the difference. A new migration changes them on purpose:
// rerun with -update and read the diff.
func TestSchemaGolden(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			dsn := b.Empty(t)
			st, err := store.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = st.Close() }()
			if err := st.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			got := dumpSchema(t, openRaw(t, dsn))
			golden := filepath.Join("testdata", "schema."+b.Name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("schema differs from %s:\n%s", golden, lineDiff(string(want), got))
			}
		})
	}
}

// lineDiff lists the lines only in want (-) and only in got (+), enough to see what moved.
func lineDiff(want, got string) string {
	count := map[string]int{}
	for _, l := range strings.Split(got, "\n") {
		count[l]++
	}
	var out []string
	for _, l := range strings.Split(want, "\n") {
		if count[l] > 0 {
			count[l]--
			continue
		}
		out = append(out, "- "+l)
	}
	for _, l := range strings.Split(got, "\n") {
		if count[l] > 0 {
			count[l]--
			out = append(out, "+ "+l)
		}
	}
	return strings.Join(out, "\n")
}
