package store

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm/logger"

	"github.com/oneplan-send/oneplan/internal/audit"
	"github.com/oneplan-send/oneplan/internal/paging"
)

// AuditListing asks the next page read through scanAuditedPage (the busiest list: referrals) to
// write e, the audit event of the page, in the same statement as the page, naming every record on
// it and every young person whose record it is, as the caller would (casework.ListAudited): one
// round trip for an audited page. The function returned says whether that happened (and forgets
// e); when it did not (SQLite, another list), the caller writes e itself.
func (tx *Tx) AuditListing(e audit.Event) (written func() bool) {
	if !tx.deferWrites || tx.canBegin {
		return func() bool { return false }
	}
	tx.listAudit, tx.listAudited = &e, false
	return func() bool {
		done := tx.listAudited
		tx.listAudit, tx.listAudited = nil, false
		return done
	}
}

// pageOf says what scanAuditedPage reads for a list: the page's table and columns (cols, in
// the order of the pointers fields appends to dst), the audit event's record type and the column
// naming each row's young person (ypCol), and, when extIDs is set, the external identifiers of
// each row's record of type extType (the column externalIDsOf adds, scanned into extIDs).
type pageOf[R any] struct {
	table, recordType, cols, ypCol string
	fields                         func(r *R, dst []any) []any
	extType                        string
	extIDs                         func(*R) **string
}

// scanAuditedPage reads one keyset page of q's rows (one more than the page, to know whether
// there is a next), written as SQL (see listQuery) and scanned through o.fields; cursor makes the
// next page's cursor from the page's last row. On PostgreSQL it
// writes the pending list audit event (see AuditListing) in the same statement as the page, if the
// event is of a list of recordType (a page read for another list's sake is not what that list's
// event names), and brings the rows' external identifiers when o asks for them.
func scanAuditedPage[R any, D any](c conn, q listQuery, o pageOf[R], p paging.Page, cursor func(R) string, conv func(R) D) ([]D, string, error) {
	s := c.session
	audited := c.dialect == Postgres && s.listAudit != nil && s.listAudit.RecordType == o.recordType && len(s.pending) == 0 &&
		len(s.guards) == 0 && s.batch == nil
	limit := pageLimit(p)
	// A page whose filter binds values (a locality, a team, a time) is planned for them every
	// time; one that binds none but its cursor (every page, or codes written in: enumLiteral) is
	// a prepared statement, as its generic plan is the plan it needs and planning it anew cost a
	// third of the list's rate.
	planned := len(q.args) > 0 || len(q.joinArgs) > 0 || !p.UpdatedSince.IsZero()
	if err := q.page(p); err != nil {
		return nil, "", err
	}
	var (
		sql  strings.Builder
		vars = make([]any, 0, 24)
	)
	arg := func(v any) string {
		vars = append(vars, v)
		return "$" + strconv.Itoa(len(vars))
	}
	switch {
	case audited:
		// p: the page's ids (and its young people, and the order's column), one row past the
		// page as the page itself reads; the page's rows are read again by the main query, in
		// the same statement and so from the same snapshot, rather than kept whole for both.
		// The event names the page's records in its order and its young people each once, in
		// id order (as ListAudited does): the first-shown order cost a window and two more
		// aggregates, a sixth of the statement. The lists are uuid[] (migration 0123): as jsonb
		// they cost PostgreSQL 8-11% more a page.
		e := *s.listAudit
		s.listAudit = nil
		narrow := o.table + ".id, " + o.ypCol + " AS yp"
		if q.order != nil {
			narrow += ", " + o.table + "." + q.order.name
		}
		sql.WriteString("WITH p AS (")
		q.write(&sql, &vars, c.dialect, narrow, limit+1)
		sql.WriteString("), a AS (INSERT INTO audit_events (id, occurred_at, action, record_type, record_id, young_person_id, actor_key_id, " +
			"actor_subject, actor_practitioner_id, actor_org_id, actor_role, purpose, changed_fields, request_id, ip, record_id_list, young_person_id_list) SELECT " +
			strings.Join([]string{arg(e.ID), arg(e.OccurredAt), arg(e.Action), arg(e.RecordType), "NULL", "NULL",
				arg(nullable(e.ActorKeyID)), arg(nullable(e.ActorSubject)), arg(nullable(e.ActorPractitionerID)), arg(nullable(e.ActorOrgID)),
				arg(e.ActorRole), arg(nullable(e.Purpose)), "NULL", arg(nullable(e.RequestID)), arg(nullable(e.IP)),
				"array_agg(id ORDER BY " + q.orderBy("") + ")", "array_agg(DISTINCT yp) FILTER (WHERE yp IS NOT NULL)"}, ", ") +
			" FROM (SELECT * FROM p ORDER BY " + q.orderBy("") + " LIMIT " + arg(limit) + ") shown HAVING count(*) > 0)")
		if o.extIDs != nil {
			sql.WriteString(", " + externalIDsOf(o.extType, "p") + " SELECT r.*, x.external_ids FROM (")
			q.write(&sql, &vars, c.dialect, o.cols, limit+1)
			sql.WriteString(") r LEFT JOIN x ON x.record_id = r.id ORDER BY " + q.orderBy("r"))
		} else {
			sql.WriteString(" ")
			q.write(&sql, &vars, c.dialect, o.cols, limit+1)
		}
	case o.extIDs != nil:
		sql.WriteString("WITH r AS (")
		q.write(&sql, &vars, c.dialect, o.cols, limit+1)
		sql.WriteString("), " + externalIDsOf(o.extType, "r") + " SELECT r.*, x.external_ids FROM r LEFT JOIN x ON x.record_id = r.id ORDER BY " + q.orderBy("r"))
	default:
		q.write(&sql, &vars, c.dialect, o.cols, limit+1)
	}
	var (
		rows = make([]R, 0, limit+1)
		dest []any
	)
	// An error after the rows (the audit insert's, or its commit's) fails the page.
	err := queryRows(s, sql.String(), vars, planned, func(scan func(...any) error) error {
		rows = append(rows, *new(R))
		r := &rows[len(rows)-1]
		dest = o.fields(r, dest[:0])
		if o.extIDs != nil {
			dest = append(dest, o.extIDs(r))
		}
		return scan(dest...)
	})
	if err != nil {
		return nil, "", translate(err)
	}
	if audited && len(rows) > 0 {
		s.listAudited = true
	}
	rows, next := trimTo(rows, p.Limit, cursor)
	out := make([]D, len(rows))
	for i, r := range rows {
		out[i] = conv(r)
	}
	return out, next, nil
}

// traceQuery, when a test sets it, hears of each statement queryRows runs, as sent (the plan test
// checks the generic plans of the prepared ones).
var traceQuery func(sql string, vars []any, planned bool)

// queryRows runs a statement of the session that returns rows and hands each row's scan to each.
// On PostgreSQL, outside a transaction, it runs straight on the pool's pgx connection: its rows
// scan into the destinations from the wire (binary where it can), without database/sql turning
// every value into a driver.Value and converting it again, which was a sixth of the server's time
// on a page of referrals; with planned, as an unnamed statement planned for its values every time.
// Elsewhere (a transaction, SQLite) it goes through the ORM's connection. An error after the last
// row (a data-modifying CTE's, or the commit's) is its error.
func queryRows(s *session, sql string, vars []any, planned bool, each func(scan func(...any) error) error) (err error) {
	if traceQuery != nil {
		traceQuery(sql, vars, planned)
	}
	if err := s.ready(); err != nil {
		return err
	}
	if s.tx == nil && s.dialect == Postgres {
		pool, poolErr := s.pool.DB()
		if poolErr != nil {
			return poolErr
		}
		c, connErr := pool.Conn(s.ctx)
		if connErr != nil {
			return connErr
		}
		defer func() { _ = c.Close() }()
		if log := s.pool.Logger; log != logger.Discard {
			// A logger other than the server's (a test's recorder of statements) still hears of it,
			// with its values written in as GORM tells of its own.
			begin := time.Now()
			defer func() {
				log.Trace(s.ctx, begin, func() (string, int64) { return s.pool.Explain(sql, vars...), -1 }, err)
			}()
		}
		return c.Raw(func(driverConn any) error {
			pc, ok := driverConn.(interface{ Conn() *pgx.Conn })
			if !ok {
				return fmt.Errorf("store: a PostgreSQL connection of type %T, not pgx", driverConn)
			}
			// Unnamed, so planned for this page's values: a prepared statement may be given a
			// generic plan from its sixth run, made without them, and for a filtered list that can
			// be the wrong plan (it cannot see that 'closed' is one referral in seven, or that a
			// range is degenerate: a deep page of closed referrals in one locality, 7 ms planned
			// for its values, took 0.8-1.3 s once warm at a million referrals). The description
			// is still cached, so it stays one round trip.
			args := vars
			if planned {
				args = append([]any{pgx.QueryExecModeCacheDescribe}, vars...)
			}
			rs, err := pc.Conn().Query(s.ctx, sql, args...)
			if err != nil {
				return err
			}
			defer rs.Close()
			scan := arenaScan(rs, pc.Conn().TypeMap())
			for rs.Next() {
				if err := each(scan); err != nil {
					return err
				}
			}
			return rs.Err()
		})
	}
	db := s.pool
	if s.tx != nil {
		db = s.tx
	}
	rs, err := db.Raw(sql, vars...).Rows()
	if err != nil {
		return err
	}
	defer func() { _ = rs.Close() }()
	for rs.Next() {
		if err := each(rs.Scan); err != nil {
			return err
		}
	}
	return rs.Err()
}
