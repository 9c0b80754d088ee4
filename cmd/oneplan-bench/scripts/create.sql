-- Minimal SQL for POST /v1/referrals (pgbench, prepared mode): the referral, its one reason row,
-- an audit row and an outbox row in one transaction. The INSERT takes the child's locality from
-- their record and the organisation from the referring practitioner, who must be active, as the
-- server does; its eligibility is a fixed literal (spaced after each colon: pgbench would take
-- ":true" for a variable, even inside a string). Ids are time-ordered like the server's UUIDv7
-- (milliseconds, then random), so index inserts land where the server's do.
-- Variables from the driver: n (referrals loaded), settings, key_id, org_id. Generated ids follow
-- internal/benchload: young person i is 00000003-0000-4000-8000-<i in 12 hex digits>,
-- practitioner i 00000002-0000-4000-8000-<i>.
\set yp random(1, :n)
\set pr random(1, :settings)
BEGIN;
INSERT INTO referrals (id, reference, status, young_person_id, referrer_practitioner_id, referrer_organisation_id, reasons, main_reason,
    services_involved, services_count, safeguarding_concern, summary, received_on, eligible, eligibility, created_at, updated_at, version,
    locality, locality_key)
  SELECT v.id, 'REF-PGB-' || v.id, 'received', yp.id, p.id, p.organisation_id, '["sen"]', 'sen', '["school","camhs"]', 2, false,
    'Benchmark referral', to_char(current_date, 'YYYY-MM-DD'), true,
    '{"eligible": true, "age_in_range": true, "age": 12, "two_or_more_services": true, "services_count": 2, "in_area": true, "assessed_on": "2026-01-01T00:00:00Z"}',
    now(), now(), 1, yp.locality, yp.locality_key
  FROM (SELECT (lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0') || substr(md5(random()::text), 1, 20))::uuid AS id) v, young_people yp, practitioners p
  WHERE yp.id = ('00000003-0000-4000-8000-' || lpad(to_hex(CAST(:yp AS bigint)), 12, '0'))::uuid
    AND p.id = ('00000002-0000-4000-8000-' || lpad(to_hex(CAST(:pr AS bigint)), 12, '0'))::uuid AND p.active
  RETURNING id AS rid, young_person_id AS ryp, received_on AS ron, locality_key AS rlk
\gset
INSERT INTO referral_reasons (referral_id, reason, main, young_person_id, received_on, locality_key) VALUES (:rid, 'sen', true, :ryp, :ron, :rlk);
INSERT INTO audit_events (id, occurred_at, action, record_type, record_id, young_person_id, actor_key_id, actor_org_id, actor_role, request_id, ip)
  VALUES ((lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0') || substr(md5(random()::text), 1, 20))::uuid, now(), 'create', 'referral', :rid, :ryp, :key_id, :org_id, 'send_officer', 'pgbench', '127.0.0.1');
INSERT INTO outbox_events (id, occurred_at, event_type, record_type, record_id, payload)
  VALUES ((lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0') || substr(md5(random()::text), 1, 20))::uuid, now(), 'referral.received', 'referral', :rid,
    '{"id":"' || :rid || '","reference":"REF-PGB-' || :rid || '","status":"received","young_person_id":"' || :ryp || '"}');
COMMIT;
