package store

import "strings"

// A list's audit event names the records it returned and whose they are (record_ids,
// young_person_ids): uuid[] on PostgreSQL since migration 0118, JSON text on SQLite.

// idListColumn is ids as the dialect's column holds them (PostgreSQL's array in its text form,
// which uuid ids need no quoting in); nil when there are none.
func idListColumn(dialect string, ids []string) *string {
	if len(ids) == 0 {
		return nil
	}
	if dialect != Postgres {
		return toJSONOrNull(ids, false)
	}
	s := "{" + strings.Join(ids, ",") + "}"
	return &s
}

// idListOf reads either form back.
func idListOf(s *string) []string {
	if s == nil || len(*s) < 2 || (*s)[0] != '{' {
		return fromJSON[[]string](s)
	}
	if inner := (*s)[1 : len(*s)-1]; inner != "" {
		return strings.Split(inner, ",")
	}
	return nil
}
