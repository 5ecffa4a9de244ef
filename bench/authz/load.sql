-- Bulk fixture for the authz benchmark (PostgreSQL): :estates estates with 5 role assignments
-- each, consistent with the collective rule (two probate heirs, one formuesfullmakt, one more
-- formuesfullmakt, and an individual proxy from one heir only, so no collective row is due).
-- Estate i has SSN '1' || lpad(i, 10, '0'); recipients use other leading digits. Run after
-- `registrar` has migrated the database:
--   psql -v estates=200000 -f bench/authz/load.sql postgresql://...
\set ON_ERROR_STOP on
BEGIN;
TRUNCATE authz_role_assignments, authz_event_cursors;
INSERT INTO authz_role_assignments (role_code, estate_ssn, heir_ssn, recipient_ssn, created_us,
                                    justification)
SELECT r.role, '1' || lpad(i::text, 10, '0'), r.heir, r.prefix || lpad(i::text, 10, '0'),
       1754071200000000 + i, 'bench fixture'
FROM generate_series(1, :estates) AS i
CROSS JOIN LATERAL (VALUES
  ('urn:domstolene:digitaltdodsbo:skifteattest', NULL, '2'),
  ('urn:domstolene:digitaltdodsbo:skifteattest', NULL, '3'),
  ('urn:domstolene:digitaltdodsbo:formuesfullmakt', NULL, '5'),
  ('urn:domstolene:digitaltdodsbo:formuesfullmakt', NULL, '6'),
  ('urn:altinn:digitaltdodsbo:skiftefullmakt:individuell', '2' || lpad(i::text, 10, '0'), '4')
) AS r(role, heir, prefix);
COMMIT;
ANALYZE authz_role_assignments;
SELECT count(*) AS role_assignments, count(DISTINCT estate_ssn) AS estates
FROM authz_role_assignments;
