package migrations

import "github.com/go-gormigrate/gormigrate/v2"

// m0120 ties an adviser's report to the advice request it was written for: until that advice is
// submitted the report is the adviser's draft, which the family may not read. Before, every
// document of an adviser's organisation on the assessment was hidden while any adviser of that
// organisation was awaited, a council letter or an already submitted report among them. The
// reports (advice, report) of an organisation with advice awaited now are tied to that request,
// so what is hidden today stays hidden until it is submitted; nothing else is.
var m0120 = &gormigrate.Migration{ID: "0120_document_advice_request", Migrate: ddl(schema0120, nil)}

const schema0120 = `
ALTER TABLE documents ADD COLUMN advice_request_id {uuid};
UPDATE documents SET advice_request_id = (
  SELECT a.id FROM ehc_advice a JOIN practitioners p ON p.id = a.practitioner_id
  WHERE a.ehc_request_id = documents.record_id AND a.status = 'requested' AND p.organisation_id = documents.uploaded_by_org_id
  ORDER BY a.id LIMIT 1)
WHERE record_type = 'ehc_request' AND kind IN ('advice', 'report') AND uploaded_by_org_id IS NOT NULL
`
