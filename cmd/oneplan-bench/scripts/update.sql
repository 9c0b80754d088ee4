-- Minimal SQL for PATCH /v1/referrals/{id} changing the summary (pgbench, prepared mode): one
-- UPDATE that sets the field and bumps the version, the audit row and the outbox row, in one
-- transaction. A single UPDATE is atomic, so it needs no "AND version = ?" guard: that guard
-- protects a read-then-write, which this does not do (the server reads the row to apply the merge
-- patch, and the client sends no If-Match).
-- Only received referrals may be corrected: referral 7k for k in 1..n/7. Client c (0-based) owns
-- every clients-th of them, as each wrk thread does, so no two clients update one row at once.
-- Variables from the driver: clients, per_client (= floor(floor(n/7) / clients)), key_id, org_id.
\set j random(0, :per_client - 1)
\set k 1 + :client_id + :clients * :j
\set i 7 * :k
BEGIN;
UPDATE referrals SET summary = 'Benchmark correction ' || :k, updated_at = now(), version = version + 1
  WHERE id = ('00000004-0000-4000-8000-' || lpad(to_hex(CAST(:i AS bigint)), 12, '0'))::uuid
  RETURNING id AS rid, young_person_id AS ryp
\gset
INSERT INTO audit_events (id, occurred_at, action, record_type, record_id, young_person_id, actor_key_id, actor_org_id, actor_role, changed_fields,
    request_id, ip)
  VALUES ((lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0') || substr(md5(random()::text), 1, 20))::uuid, now(), 'update', 'referral', :rid, :ryp, :key_id, :org_id, 'send_officer', '["summary"]', 'pgbench', '127.0.0.1');
INSERT INTO outbox_events (id, occurred_at, event_type, record_type, record_id, payload)
  VALUES ((lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0') || substr(md5(random()::text), 1, 20))::uuid, now(), 'referral.updated', 'referral', :rid, '{"changed_fields":["summary"],"id":"' || :rid || '"}');
COMMIT;
