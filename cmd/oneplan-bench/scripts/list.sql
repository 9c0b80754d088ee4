-- Minimal SQL for GET /v1/referrals?limit=50 (pgbench, prepared mode): the first keyset page, newest
-- id first, with one row more than the page to know whether there is a next one, and one audit
-- row for the list, in one transaction (the server too writes one audit event per list).
-- Variables from the driver: key_id, org_id.
BEGIN;
SELECT * FROM referrals ORDER BY id DESC LIMIT 51;
INSERT INTO audit_events (id, occurred_at, action, record_type, actor_key_id, actor_org_id, actor_role, request_id, ip)
  VALUES ((lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0') || substr(md5(random()::text), 1, 20))::uuid, now(), 'list', 'referral', :key_id, :org_id, 'send_officer', 'pgbench', '127.0.0.1');
COMMIT;
