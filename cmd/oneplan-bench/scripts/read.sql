-- Minimal SQL for GET /v1/referrals/{id} (pgbench, prepared mode): the whole row of a random
-- loaded referral, and the audit row of the read, in one transaction.
-- Variables from the driver: n, key_id, org_id. Referral i is 00000004-0000-4000-8000-<i in 12 hex digits>.
\set i random(1, :n)
BEGIN;
SELECT * FROM referrals WHERE id = ('00000004-0000-4000-8000-' || lpad(to_hex(CAST(:i AS bigint)), 12, '0'))::uuid
\gset r_
INSERT INTO audit_events (id, occurred_at, action, record_type, record_id, young_person_id, actor_key_id, actor_org_id, actor_role, request_id, ip)
  VALUES ((lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0') || substr(md5(random()::text), 1, 20))::uuid, now(), 'read', 'referral', :r_id, :r_young_person_id, :key_id, :org_id, 'send_officer', 'pgbench', '127.0.0.1');
COMMIT;
