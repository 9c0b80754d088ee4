package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
)

// TestEventsTail: `oneplan events tail` prints the events a running server has numbered, as
// GET /v1/events does: without the administrative ones (an API key's) unless --admin, and only
// the types --types names. Before, it printed every event, administrative ones included, and
// had no filter. An unknown type is refused before anything is read.
func TestEventsTail(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			ctx, st := demoStore(t, b)
			mustRun(t, "apikey", "create", "--role", "admin", "--name", "tail test")
			// What a running server's dispatcher does: number what has committed.
			for {
				var n int
				if err := st.InTx(ctx, func(tx *store.Tx) (err error) {
					n, _, err = tx.WebhookQueue().Sequence(time.Now(), 1000)
					return err
				}); err != nil {
					t.Fatal(err)
				}
				if n < 1000 {
					break
				}
			}
			lines := func(types string, admin bool) []string {
				t.Helper()
				o, err := tailOptionsOf(true, types, admin)
				if err != nil {
					t.Fatal(err)
				}
				var out bytes.Buffer
				c, cancel := context.WithTimeout(ctx, 400*time.Millisecond) // tail follows until stopped
				defer cancel()
				if err := tail(c, st, o, &out); err != nil {
					t.Fatal(err)
				}
				return strings.Split(strings.TrimSpace(out.String()), "\n")
			}
			count := func(ls []string, typ string) (n int) {
				for _, l := range ls {
					if f := strings.Split(l, "\t"); len(f) > 2 && f[2] == typ {
						n++
					}
				}
				return n
			}
			all := lines("", false)
			if count(all, "api_key.created") != 0 || count(all, "young_person.created") == 0 {
				t.Fatalf("by default: %d api_key.created, %d young_person.created; want none and some",
					count(all, "api_key.created"), count(all, "young_person.created"))
			}
			if admin := lines("", true); count(admin, "api_key.created") == 0 || len(admin) <= len(all) {
				t.Fatalf("with the administrative events: %d lines, %d api_key.created; want more than %d, some", len(admin),
					count(admin, "api_key.created"), len(all))
			}
			only := lines("young_person.created", false)
			if count(only, "young_person.created") != len(only) || len(only) != count(all, "young_person.created") {
				t.Fatalf("--types young_person.created: %d lines, %d of that type; want %d, all of it", len(only),
					count(only, "young_person.created"), count(all, "young_person.created"))
			}
			if _, _, err := runCmd(t, "events", "tail", "--types", "young_person.created,no.such"); err == nil || !strings.Contains(err.Error(), `"no.such"`) {
				t.Fatalf("an unknown type: %v, want it named", err)
			}
		})
	}
}
