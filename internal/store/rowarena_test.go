package store_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/oneplan-send/oneplan/internal/store"
	"github.com/oneplan-send/oneplan/internal/store/storetest"
)

// TestArenaScanMatchesPgx: the rows the store reads straight from pgx (lists, reads by id) scan
// into the same values through the row buffer (arenaRow) as through pgx's own Scan, for every
// kind of column the buffer takes (text, varchar, binary UUID; empty, NULL into a nullable
// string, multi-byte) and the columns it leaves to pgx (integers, booleans, times, jsonb), row
// after row; and a NULL into a plain string fails both ways. PostgreSQL alone: the buffer is
// pgx's, and SQLite is read through database/sql.
func TestArenaScanMatchesPgx(t *testing.T) {
	b, ok := storetest.Postgres(t)
	if !ok {
		t.Skip("PostgreSQL not reachable (REQUIRE_POSTGRES=1 makes this a failure)")
	}
	dsn := b.DSN(t)
	dest := func() []any {
		var (
			s1, s2, s3, u1 string
			n1, n2, u2     *string
			i              int
			ok             bool
			at             time.Time
			j              string
		)
		return []any{&s1, &s2, &n1, &s3, &u1, &n2, &u2, &i, &ok, &at, &j}
	}
	query := `SELECT * FROM (VALUES
		('plain'::text, ''::text, NULL::text, 'é ✓ "q" \ tab	end'::varchar, '01a2497f-1350-74b9-b1ad-9af2a34cad0f'::uuid, NULL::uuid,
		 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF'::uuid, 42, true, '2026-03-29 01:30:00.123456+01'::timestamptz, '{"a": [1, "x"]}'::jsonb),
		('second', repeat('x', 9000), 'held', '', '00000000-0000-0000-0000-000000000000'::uuid, '01a2497f-1351-7000-8000-000000000001'::uuid,
		 NULL, -7, false, '1999-12-31 23:59:59+00'::timestamptz, 'null'::jsonb),
		('third', 'z', '', 'y', '01a2497f-1352-7000-8000-0000000000ff'::uuid, NULL, NULL, 0, true, '2026-12-07 21:00:00+00'::timestamptz, '[]'::jsonb)
	) v ORDER BY 1`
	plain, err := store.ScanRows(ctx, dsn, query, false, dest)
	if err != nil {
		t.Fatal(err)
	}
	arena, err := store.ScanRows(ctx, dsn, query, true, dest)
	if err != nil {
		t.Fatal(err)
	}
	if len(plain) != 3 || len(arena) != 3 {
		t.Fatalf("scanned %d and %d rows, want 3", len(plain), len(arena))
	}
	for r := range plain {
		for c := range plain[r] {
			p, a := reflect.ValueOf(plain[r][c]).Elem(), reflect.ValueOf(arena[r][c]).Elem()
			if p.Kind() == reflect.Pointer {
				if p.IsNil() != a.IsNil() {
					t.Errorf("row %d column %d: pgx %v, arena %v (NULL differs)", r, c, p.Interface(), a.Interface())
					continue
				}
				if p.IsNil() {
					continue
				}
				p, a = p.Elem(), a.Elem()
			}
			if !reflect.DeepEqual(p.Interface(), a.Interface()) {
				t.Errorf("row %d column %d: pgx %q, arena %q", r, c, p.Interface(), a.Interface())
			}
		}
	}
	if got := *arena[0][6].(**string); got == nil || *got != "ffffffff-ffff-ffff-ffff-ffffffffffff" {
		t.Errorf("a UUID is written lower-case and hyphenated as pgx writes it; got %v", got)
	}
	if got := *arena[1][1].(*string); len(got) != 9000 || strings.Trim(got, "x") != "" {
		t.Errorf("a long text came back as %d bytes", len(got))
	}

	// NULL into a string that cannot hold it (text or UUID): an error both ways, never "".
	for _, q := range []string{`SELECT 'x'::text, NULL::text`, `SELECT 'x'::text, NULL::uuid`} {
		for _, viaArena := range []bool{false, true} {
			_, err := store.ScanRows(ctx, dsn, q, viaArena, func() []any { var s, u string; return []any{&s, &u} })
			if err == nil || !strings.Contains(err.Error(), "NULL") {
				t.Errorf("%s, arena %v: %v, want an error naming the NULL", q, viaArena, err)
			}
		}
	}
}
