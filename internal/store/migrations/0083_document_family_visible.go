package migrations

import "github.com/go-gormigrate/gormigrate/v2"

// m0083 is plain DDL: whether a family may see a document. Professionals' uploads are hidden from
// the family until the council shows them; letters and plans sent to the family are shown.
var m0083 = &gormigrate.Migration{ID: "0083_document_family_visible", Migrate: ddl(schema0083, nil)}

const schema0083 = `
ALTER TABLE documents ADD COLUMN family_visible {bool} NOT NULL DEFAULT false;
UPDATE documents SET family_visible = true WHERE kind IN ('decision_letter', 'plan')
`
