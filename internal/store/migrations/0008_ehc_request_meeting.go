package migrations

import "github.com/go-gormigrate/gormigrate/v2"

// m0008 is plain DDL: the panel meeting a request came from.
var m0008 = &gormigrate.Migration{ID: "0008_ehc_request_meeting", Migrate: ddl(schema0008, nil)}

// schema0008: a request that came from a multi-agency panel names the panel meeting.
const schema0008 = `
ALTER TABLE ehc_requests ADD COLUMN meeting_id {uuid} REFERENCES meetings (id)
`
