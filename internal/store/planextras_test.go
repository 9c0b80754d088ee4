package store_test

import "fmt"

// planExtras add to benchload's data set of n referrals what the list plans need and it lacks:
// external ids for one record in ten, and an audit trail of n events made over the ten years,
// one in ten a list naming several records (half of them in the jsonb lists written before
// migration 0123, half in its uuid[] lists).
func planExtras(n int) []string {
	num := func(col string) string {
		return `('x' || right(replace(` + col + `::text, '-', ''), 12))::bit(48)::bigint`
	}
	uuidOf := func(prefix, expr string) string {
		return `('` + prefix + `' || lpad(to_hex(` + expr + `), 12, '0'))::uuid`
	}
	return []string{
		`INSERT INTO external_ids (record_type, record_id, system, value, created_at)
			SELECT 'referral', id, 'crm', 'R' || ` + num("id") + `, now() FROM referrals WHERE ` + num("id") + ` % 10 = 1`,
		`INSERT INTO external_ids (record_type, record_id, system, value, created_at)
			SELECT 'young_person', id, 'crm', 'Y' || ` + num("id") + `, now() FROM young_people WHERE ` + num("id") + ` % 10 = 1`,
		fmt.Sprintf(`INSERT INTO audit_events (id, occurred_at, action, record_type, record_id, young_person_id, record_ids, young_person_ids,
			record_id_list, young_person_id_list, actor_key_id, actor_org_id, actor_role, request_id)
			SELECT %[1]s, timestamptz '2016-01-01 00:00:00+00' + i * interval '1 second' * %[2]f,
				(ARRAY['read','update','create','read','read','update','read','read','read','list'])[1 + i %% 10], 'referral',
				CASE WHEN i %% 10 <> 9 THEN %[3]s END, CASE WHEN i %% 10 <> 9 THEN %[4]s END,
				CASE WHEN i %% 20 = 9 THEN jsonb_build_array(%[3]s, %[5]s, %[6]s) END,
				CASE WHEN i %% 20 = 9 THEN jsonb_build_array(%[4]s, %[7]s, %[8]s) END,
				CASE WHEN i %% 20 = 19 THEN ARRAY[%[3]s, %[5]s, %[6]s] END,
				CASE WHEN i %% 20 = 19 THEN ARRAY[%[4]s, %[7]s, %[8]s] END,
				%[9]s, CASE WHEN i %% 2 = 0 THEN '00000000-0000-4000-8000-000000000001'::uuid ELSE %[10]s END, 'send_officer', 'req-' || i
			FROM generate_series(1, %[11]d) i`,
			uuidOf("00000008-0000-4000-8000-", "i"), 315_360_000.0/float64(n),
			uuidOf("00000004-0000-4000-8000-", "1 + i / 2"), uuidOf("00000003-0000-4000-8000-", "1 + i / 2"),
			uuidOf("00000004-0000-4000-8000-", "1 + (i * 7) % "+fmt.Sprint(n)),
			uuidOf("00000004-0000-4000-8000-", "1 + (i * 13) % "+fmt.Sprint(n)),
			uuidOf("00000003-0000-4000-8000-", "1 + (i * 7) % "+fmt.Sprint(n)),
			uuidOf("00000003-0000-4000-8000-", "1 + (i * 13) % "+fmt.Sprint(n)),
			uuidOf("00000009-0000-4000-8000-", "1 + i % 50"), uuidOf("00000001-0000-4000-8000-", "1 + i % 500"), n),
		`VACUUM ANALYSE external_ids, audit_events`,
	}
}
