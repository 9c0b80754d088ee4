package store

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/paging"
)

// listQuery is one of the busiest lists' queries written as SQL rather than built through the
// ORM: building it through a GORM dry run was a tenth of the server's time on a page of
// referrals. Conditions are ANDed, each with ? for its arguments (a slice stands for a list of
// values, a sqlPart for a subquery written in place); the page is ordered by the lead columns
// (each held to one value by a condition, so they only choose the index) and then newest id first.
type listQuery struct {
	table    string
	joins    []string
	joinArgs []any
	conds    []string
	args     []any // the conditions' arguments, in the order their ? appear
	lead     []string
	order    *pageOrder // nil: newest id first
}

// orderBy is the page's order over rows of prefix (a table or a subquery's name; "" for the
// subquery's own columns).
func (q *listQuery) orderBy(prefix string) string {
	if prefix != "" {
		prefix += "."
	}
	if q.order == nil {
		return prefix + "id DESC"
	}
	return prefix + q.order.name + " DESC, " + prefix + "id DESC"
}

// sqlPart writes a subquery in place of its ?, adding its arguments to vars.
type sqlPart func(b *strings.Builder, vars *[]any, dialect string)

func (q *listQuery) join(j string, args ...any) {
	q.joins, q.joinArgs = append(q.joins, j), append(q.joinArgs, args...)
}

func (q *listQuery) where(cond string, args ...any) {
	if strings.Contains(cond, " OR ") {
		cond = "(" + cond + ")"
	}
	q.conds, q.args = append(q.conds, cond), append(q.args, args...)
}

// whereEquals adds col = v, v written in the statement when it is a code (see enumLiteral).
func (q *listQuery) whereEquals(col, v string) {
	if lit, ok := enumLiteral(v); ok {
		q.where(col + " = " + lit)
		return
	}
	q.where(col+" = ?", v)
}

// enumLiteral is v as a SQL string literal when v is a code (a status, a reason: lower-case
// letters, digits and underscores only, so nothing in it needs quoting), for conditions on the
// few-valued columns whose pages are read down a (code, id) index. Written in, a page filtered
// by codes alone binds no value but its cursor, so it may go as a prepared statement (see
// scanAuditedPage) whose generic plan knows the code: bound, PostgreSQL switched to a generic
// plan after five pages that guessed a handful of rows and read them all through a bitmap scan
// (every referral "assessing", 1,429 of 10,000) to sort the newest 51, ten times the page's cost.
func enumLiteral(v string) (string, bool) {
	if v == "" || len(v) > 64 {
		return "", false
	}
	for i := range len(v) {
		if c := v[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return "", false
		}
	}
	return "'" + v + "'", true
}

// visible restricts the list to scope s, as visibleYoungPeople does, except that on PostgreSQL
// the team's children are read first, as an array, and the list's rows fetched by young person,
// so a partner's page costs the size of their team. Left a semi-join, the planner walks the
// newest rows checking each against the team (it takes the team's children to be spread
// evenly): 52,000 referrals read for a page of a school's 2,000 children in a million.
func (q *listQuery) visible(col string, s access.Scope, dialect string) {
	switch {
	case s.Only == nil:
	case len(s.Only) == 0:
		q.where("1 = 0")
	default:
		q.where(col+" IN ?", s.Only)
	}
	if s.Restricted {
		cond, args := visibleConditionAs(col, s, dialect == Postgres)
		q.where(cond, args...)
	}
}

// page adds p's keyset (and its updated_since) to the conditions, as paginate does.
func (q *listQuery) page(p paging.Page) error {
	if !p.UpdatedSince.IsZero() {
		col, ok := changedColumn[q.table]
		if !ok {
			return fmt.Errorf("store: %s has no changed column for updated_since", q.table)
		}
		q.where(col+" >= ?", p.UpdatedSince.UTC())
	}
	if p.Cursor != "" && q.order != nil {
		after, at, err := decodeOrderedCursor(p.Cursor, *q.order)
		if err != nil {
			return err
		}
		q.where(fmt.Sprintf("(%s.%s, %s.id) < (?, ?)", q.table, q.order.name, q.table), at, after)
	} else if p.Cursor != "" {
		after, err := decodeCursor(p.Cursor)
		if err != nil {
			return err
		}
		q.where(q.table+".id < ?", after)
	}
	return nil
}

// pageLimit is the rows a page of p shows.
func pageLimit(p paging.Page) int {
	if p.Limit <= 0 || p.Limit > 200 {
		return 50
	}
	return p.Limit
}

// write writes "SELECT cols FROM ... ORDER BY ... LIMIT limit", its arguments added to vars.
func (q *listQuery) write(b *strings.Builder, vars *[]any, dialect, cols string, limit int) {
	var text strings.Builder
	text.WriteString("SELECT " + cols + ` FROM "` + q.table + `"`)
	for _, j := range q.joins {
		text.WriteString(" " + j)
	}
	for i, c := range q.conds {
		if i == 0 {
			text.WriteString(" WHERE ")
		} else {
			text.WriteString(" AND ")
		}
		text.WriteString(c)
	}
	text.WriteString(" ORDER BY ")
	for _, l := range q.lead {
		text.WriteString(l + " DESC, ")
	}
	text.WriteString(q.orderBy(q.table) + " LIMIT " + strconv.Itoa(limit))
	bind(b, vars, dialect, text.String(), append(q.joinArgs[:len(q.joinArgs):len(q.joinArgs)], q.args...))
}

// part is q's page (limit rows of cols) as a subquery of another statement.
func (q *listQuery) part(cols string, limit int) sqlPart {
	return func(b *strings.Builder, vars *[]any, dialect string) { q.write(b, vars, dialect, cols, limit) }
}

// bind writes text with each ? replaced by its argument's placeholder ($n on PostgreSQL, ? on
// SQLite), the argument added to vars: a slice becomes a list of placeholders, a sqlPart its
// subquery. The statements bound here are this package's own, with no ? inside a literal.
func bind(b *strings.Builder, vars *[]any, dialect, text string, args []any) {
	placeholder := func(v any) {
		*vars = append(*vars, v)
		if dialect == Postgres {
			b.WriteString("$" + strconv.Itoa(len(*vars)))
		} else {
			b.WriteByte('?')
		}
	}
	for i := 0; ; i++ {
		at := strings.IndexByte(text, '?')
		if at < 0 {
			b.WriteString(text)
			return
		}
		b.WriteString(text[:at])
		text = text[at+1:]
		if i >= len(args) {
			panic(fmt.Sprintf("store: more placeholders than the %d arguments", len(args)))
		}
		switch v := args[i].(type) {
		case sqlPart:
			v(b, vars, dialect)
		case string, []byte:
			placeholder(v)
		case []string:
			list(b, len(v), func(j int) { placeholder(v[j]) })
		default:
			if rv := reflect.ValueOf(v); rv.Kind() == reflect.Slice {
				list(b, rv.Len(), func(j int) { placeholder(rv.Index(j).Interface()) })
			} else {
				placeholder(v)
			}
		}
	}
}

// list writes n placeholders as a parenthesised list, (NULL) for none (as GORM does: matching
// nothing).
func list(b *strings.Builder, n int, each func(int)) {
	b.WriteByte('(')
	if n == 0 {
		b.WriteString("NULL")
	}
	for j := range n {
		if j > 0 {
			b.WriteByte(',')
		}
		each(j)
	}
	b.WriteByte(')')
}
