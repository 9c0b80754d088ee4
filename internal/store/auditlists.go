package store

import (
	"strings"

	"github.com/google/uuid"
)

// hyphenatedUUID says s is a UUID in the 8-4-4-4-12 form, the only one an id list's array literal
// is written with (uuid_in reads others too: braces, which would end the literal's element).
func hyphenatedUUID(s string) bool { return len(s) == 36 && uuid.Validate(s) == nil }

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
			if !hyphenatedUUID(id) {
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

// idsOf reads an audit event's list of ids from whichever column holds it: the uuid[] array,
// read as its text form ({id,id}: a UUID never needs quoting), or the JSON of earlier events.
func idsOf(jsonList, array *string) []string {
	if array == nil {
		return fromJSON[[]string](jsonList)
	}
	s := strings.TrimSuffix(strings.TrimPrefix(*array, "{"), "}")
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
