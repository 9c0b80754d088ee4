package store_test

import "fmt"

// planExtras shape benchload's data set of n referrals the way a council's database is shaped
// where the list plans care: records created (and their UUIDv7 ids given) in order over ten
// years and changed since, names in no particular order, external ids for one record in ten, and an audit trail of two events
// per referral, one in ten a list naming several records.
func planExtras(n int) []string {
	num := func(col string) string { return `('x' || right(replace(` + col + `::text, '-', ''), 12))::bit(48)::bigint` }
	at := func(col string, of int) string {
		return fmt.Sprintf(`timestamptz '2016-01-01 00:00:00+00' + %s * interval '1 second' * %f`, num(col), 315_360_000.0/float64(of))
	}
	uuidOf := func(prefix, expr string) string { return `('` + prefix + `' || lpad(to_hex(` + expr + `), 12, '0'))::uuid` }
	return []string{
		`UPDATE referrals SET created_at = ` + at("id", n) + `, updated_at = ` + at("id", n) + ` + interval '20 days'`,
		// Names are not given in the order records are made: benchload's "bench child i" is, so
		// every name a search for "child 1" matches would be among the oldest referrals.
		`UPDATE young_people SET created_at = ` + at("id", n) + `, updated_at = ` + at("id", n) + ` + interval '40 days',
			search_name = 'bench child ' || (1 + ` + num("id") + ` * 7919 % ` + fmt.Sprint(n) + `)`,
		`INSERT INTO external_ids (record_type, record_id, system, value, created_at)
			SELECT 'referral', id, 'crm', 'R' || ` + num("id") + `, now() FROM referrals WHERE ` + num("id") + ` % 10 = 1`,
		`INSERT INTO external_ids (record_type, record_id, system, value, created_at)
			SELECT 'young_person', id, 'crm', 'Y' || ` + num("id") + `, now() FROM young_people WHERE ` + num("id") + ` % 10 = 1`,
		fmt.Sprintf(`INSERT INTO audit_events (id, occurred_at, action, record_type, record_id, young_person_id, record_ids, young_person_ids,
			actor_key_id, actor_org_id, actor_role, request_id)
			SELECT %s, timestamptz '2016-01-01 00:00:00+00' + i * interval '1 second' * %f,
				(ARRAY['read','update','create','read','read','update','read','read','read','list'])[1 + i %% 10], 'referral',
				CASE WHEN i %% 10 <> 9 THEN %s END, CASE WHEN i %% 10 <> 9 THEN %s END,
				CASE WHEN i %% 10 = 9 THEN jsonb_build_array(%s, %s, %s) END,
				CASE WHEN i %% 10 = 9 THEN jsonb_build_array(%s, %s, %s) END,
				%s, CASE WHEN i %% 2 = 0 THEN '00000000-0000-4000-8000-000000000001'::uuid ELSE %s END, 'send_officer', 'req-' || i
			FROM generate_series(1, %d) i`,
			uuidOf("00000008-0000-4000-8000-", "i"), 315_360_000.0/float64(2*n),
			uuidOf("00000004-0000-4000-8000-", "1 + i / 2"), uuidOf("00000003-0000-4000-8000-", "1 + i / 2"),
			uuidOf("00000004-0000-4000-8000-", "1 + i / 2"), uuidOf("00000004-0000-4000-8000-", "1 + (i * 7) % "+fmt.Sprint(n)),
			uuidOf("00000004-0000-4000-8000-", "1 + (i * 13) % "+fmt.Sprint(n)),
			uuidOf("00000003-0000-4000-8000-", "1 + i / 2"), uuidOf("00000003-0000-4000-8000-", "1 + (i * 7) % "+fmt.Sprint(n)),
			uuidOf("00000003-0000-4000-8000-", "1 + (i * 13) % "+fmt.Sprint(n)),
			uuidOf("00000009-0000-4000-8000-", "1 + i % 50"), uuidOf("00000001-0000-4000-8000-", "1 + i % 500"), 2*n),
		`VACUUM ANALYSE`,
	}
}
