package store

import (
	"strings"

	"github.com/google/uuid"
)

// parseHyphenated reads s as a UUID in the 8-4-4-4-12 form only (uuid.Parse, given 36 bytes, reads
// nothing else). uuid_in reads other forms too (braces, no hyphens): a value in one of those is
// left to PostgreSQL as text by the binary COPY, and kept out of an id list's array literal, whose
// element a brace would end.
func parseHyphenated(s string) (uuid.UUID, bool) {
	if len(s) != 36 {
		return uuid.UUID{}, false
	}
	u, err := uuid.Parse(s)
	return u, err == nil
}

// idList is how an audit event's list of ids is stored: on PostgreSQL a uuid[] literal (0123),
// unless an id is not a UUID, when the list stays jsonb as before; on SQLite JSON text.
func (c conn) idList(ids []string) (jsonList, array *string) {
	if len(ids) == 0 {
		return nil, nil
	}
	if c.dialect == Postgres {
		var b strings.Builder
		b.Grow(2 + 37*len(ids))
		b.WriteByte('{')
		for i, id := range ids {
			if _, ok := parseHyphenated(id); !ok {
				return toJSONOrNull(ids, false), nil
			}
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(id)
		}
		b.WriteByte('}')
		s := b.String()
		return nil, &s
	}
	return toJSONOrNull(ids, false), nil
}

// idListItems splits an id list's array literal, as idList writes it and PostgreSQL gives it back
// ({id,id}: a UUID never needs quoting); false for anything else, an empty list included (idList
// writes none: an empty list is NULL).
func idListItems(literal string) ([]string, bool) {
	if len(literal) < 3 || literal[0] != '{' || literal[len(literal)-1] != '}' {
		return nil, false
	}
	return strings.Split(literal[1:len(literal)-1], ","), true
}

// idsOf reads an audit event's list of ids from whichever column holds it: the uuid[] array or
// the JSON of earlier events.
func idsOf(jsonList, array *string) []string {
	if array == nil {
		return fromJSON[[]string](jsonList)
	}
	ids, _ := idListItems(*array)
	return ids
}
