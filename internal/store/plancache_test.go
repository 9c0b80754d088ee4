package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
)

// TestSessionsPlanForTheirArguments: every PostgreSQL session the store opens plans each
// statement for its arguments, however often it ran (a generic plan, which PostgreSQL may keep
// from a prepared statement's sixth run, took a list page from 7 ms to 1.3 s at a million
// referrals, and is not the plan TestListPlans checks); a DSN that chooses for itself keeps its
// choice.
func TestSessionsPlanForTheirArguments(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		if b.Name != store.Postgres {
			continue
		}
		dsn := b.DSN(t)
		for _, c := range []struct{ dsn, want string }{
			{dsn, "force_custom_plan"},
			{dsn + sep(dsn) + "plan_cache_mode=auto", "auto"},
		} {
			st, err := store.Open(context.Background(), c.dsn)
			if err != nil {
				t.Fatal(err)
			}
			st.SetMaxConns(4)
			// Several at once, so the answer is not one session's.
			done := make(chan string, 4)
			for range 4 {
				go func() {
					mode, err := store.RawString(st, "SELECT current_setting('plan_cache_mode') FROM pg_sleep(0.05)")
					if err != nil {
						mode = err.Error()
					}
					done <- mode
				}()
			}
			for range 4 {
				if mode := <-done; mode != c.want {
					t.Errorf("%s: plan_cache_mode = %q, want %q", c.dsn, mode, c.want)
				}
			}
			_ = st.Close()
		}
		return
	}
	t.Fatal("the test needs PostgreSQL")
}

func sep(dsn string) string {
	if strings.Contains(dsn, "?") {
		return "&"
	}
	return "?"
}
