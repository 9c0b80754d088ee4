package store

import (
	"fmt"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"github.com/oneplan-send/oneplan/internal/outbox"
	"github.com/oneplan-send/oneplan/internal/sharing"
)

// Batched writes, for an import: within Tx.Batch, each single-row INSERT a repository would send
// (or keep for the end) is gathered instead, and the rows of each statement shape go to the
// database together as multi-row INSERT ... VALUES statements when the batch ends or before the
// next read. The statements and their values are exactly those of the row-by-row writes; only how
// many go in one round trip changes. Row-level triggers (report_deltas) fire per row either way.
//
// Order: the shapes are sent in the order each first appeared, which is each record's own order of
// writes (its row, then the rows naming it: external ids, the team, audit, outbox), so a row is
// never sent before one it refers to. A shape first seen once the batch already holds a second
// record sends what is gathered first, so that order holds whatever the records write.
//
// A read in the batch sends what is gathered first (it must see it), as the session does with kept
// writes; an UPDATE or DELETE does too, and is then sent or kept as it would be outside a batch.

// maxBatchVars bounds the parameters of one statement: SQLite refuses more than 32,766, PostgreSQL
// more than 65,535.
const maxBatchVars = 32000

// batchVars is the parameters one batched statement takes on the dialect. SQLite's driver
// matches each parameter to its argument by a scan of the arguments (quadratic in their number),
// so its statements stay near SQLite's historic limit of 999, which still spares most of the
// per-statement cost.
func batchVars(dialect string) int {
	if dialect == Postgres {
		return maxBatchVars
	}
	return 999
}

type batch struct {
	groups []*batchGroup
	byKey  map[string]*batchGroup
	// repeated: some shape holds more than one row (a second record has begun).
	repeated bool
	// joins: the team memberships gathered, by what makes two the same, each held back at the end
	// if the team already has one (sharing.Join's rule).
	joins map[string]batchJoin
}

// batchJoin is a membership to check at the end: the young person, organisation, role,
// practitioner and day it starts.
type batchJoin struct{ youngPersonID, organisationID, role, practitionerID, on string }

func (j batchJoin) key() string {
	return j.youngPersonID + "|" + j.organisationID + "|" + j.role + "|" + j.practitionerID + "|" + j.on
}

type batchGroup struct {
	head, tail string // "INSERT INTO t (cols) VALUES " and what follows the row (ON CONFLICT ...)
	pieces     []string
	numbers    []int // PostgreSQL: the $n between pieces; SQLite: unused (? placeholders)
	width      int   // parameters per row
	rows       [][]any
	held       []string // per row: the join key that holds it back when the team has it, or ""
}

// Batch runs fn with the session's single-row inserts gathered and sent as multi-row statements
// (see batch), and sends them when fn returns nil. Batches do not nest.
func (tx *Tx) Batch(fn func() error) error {
	if tx.batch != nil {
		return fn()
	}
	tx.batch = &batch{byKey: map[string]*batchGroup{}, joins: map[string]batchJoin{}}
	err := fn()
	if err == nil {
		err = tx.sendBatch()
	}
	tx.batch = nil
	return err
}

// gather adds the statement build would send to the batch; false when it is not a single-row
// INSERT the batch can take (the caller then sends the batch and writes it as usual).
func (s *session) gather(build func(db *gorm.DB) *gorm.DB, heldBy string) (bool, error) {
	sql, vars, err := s.render(build)
	if err != nil {
		return false, err
	}
	head, tuple, tail, ok := splitInsert(sql)
	if !ok {
		return false, nil
	}
	key := head + "\x00" + tail
	b := s.batch
	g := b.byKey[key]
	if g == nil {
		if b.repeated {
			if err := s.sendBatch(); err != nil {
				return false, err
			}
		}
		g = &batchGroup{head: head, tail: tail, width: len(vars)}
		if s.dialect == Postgres {
			g.pieces = placeholder.Split(tuple, -1)
			for _, m := range placeholder.FindAllStringSubmatch(tuple, -1) {
				n, _ := strconv.Atoi(m[1])
				g.numbers = append(g.numbers, n)
			}
		} else {
			g.pieces = strings.Split(tuple, "?")
		}
		if len(g.pieces)-1 != len(vars) {
			return false, nil
		}
		b.byKey[key] = g
		b.groups = append(b.groups, g)
	} else if len(g.rows) > 0 {
		b.repeated = true
	}
	if len(vars) != g.width {
		return false, fmt.Errorf("batched insert with %d values, its shape has %d: %.80s", len(vars), g.width, sql)
	}
	g.rows = append(g.rows, vars)
	g.held = append(g.held, heldBy)
	return true, nil
}

// splitInsert splits INSERT INTO t (cols) VALUES (row) [tail] into its parts; ok is false for
// anything else, or a tail with parameters of its own.
func splitInsert(sql string) (head, tuple, tail string, ok bool) {
	if !strings.HasPrefix(sql, "INSERT INTO ") {
		return "", "", "", false
	}
	i := strings.Index(sql, ") VALUES (")
	if i < 0 {
		return "", "", "", false
	}
	start := i + len(") VALUES ")
	depth, end := 0, -1
	for j := start; j < len(sql) && end < 0; j++ {
		switch sql[j] {
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				end = j
			}
		}
	}
	if end < 0 {
		return "", "", "", false
	}
	tail = sql[end+1:]
	if strings.HasPrefix(tail, ",") || strings.ContainsAny(tail, "?$") {
		return "", "", "", false
	}
	return sql[:start], sql[start : end+1], tail, true
}

// sendBatch writes what the batch gathered: the memberships the team already has are dropped (one
// query), then each shape's rows go as few statements as the parameter limit allows.
func (s *session) sendBatch() error {
	b := s.batch
	if b == nil || len(b.groups) == 0 {
		return nil
	}
	s.batch = nil // the handle below must not send the batch again
	defer func() {
		s.batch = b
		b.groups, b.byKey, b.repeated, b.joins = nil, map[string]*batchGroup{}, false, map[string]batchJoin{}
	}()
	db := s.w() // in the transaction, after anything kept
	if db.Error != nil {
		return translate(db.Error)
	}
	held, err := s.heldJoins(db, b.joins)
	if err != nil {
		return err
	}
	for _, g := range b.groups {
		perStmt := max(1, batchVars(s.dialect)/max(1, g.width))
		var (
			sql  strings.Builder
			vars []any
			n    int
		)
		send := func() error {
			if n == 0 {
				return nil
			}
			sql.WriteString(g.tail)
			err := db.Exec(sql.String(), vars...).Error
			sql.Reset()
			vars, n = vars[:0], 0
			return translate(err)
		}
		for r, row := range g.rows {
			if g.held[r] != "" && held[g.held[r]] {
				continue
			}
			if n == 0 {
				sql.WriteString(g.head)
			} else {
				sql.WriteString(",")
			}
			for i, p := range g.pieces {
				sql.WriteString(p)
				if i < len(g.pieces)-1 {
					if s.dialect == Postgres {
						sql.WriteString("$" + strconv.Itoa(len(vars)+g.numbers[i]))
					} else {
						sql.WriteString("?")
					}
				}
			}
			vars = append(vars, row...)
			if n++; n == perStmt {
				if err := send(); err != nil {
					return err
				}
			}
		}
		if err := send(); err != nil {
			return err
		}
	}
	return nil
}

// heldJoins names the gathered memberships the team already has, current on their day.
func (s *session) heldJoins(db *gorm.DB, joins map[string]batchJoin) (map[string]bool, error) {
	held := map[string]bool{}
	byDay := map[string][]string{}
	for _, j := range joins {
		byDay[j.on] = append(byDay[j.on], j.youngPersonID)
	}
	for on, ids := range byDay {
		for len(ids) > 0 {
			part := ids[:min(len(ids), batchVars(s.dialect))]
			ids = ids[len(part):]
			var rows []struct{ YoungPersonID, OrganisationID, Role, PractitionerID string }
			err := db.Raw(`SELECT young_person_id, organisation_id, role, COALESCE(CAST(practitioner_id AS TEXT), '') AS practitioner_id
				FROM involvements WHERE young_person_id IN ? AND started_on <= ? AND (ended_on IS NULL OR ended_on > ?)`, part, on, on).Scan(&rows).Error
			if err != nil {
				return nil, translate(err)
			}
			for _, r := range rows {
				held[batchJoin{r.YoungPersonID, r.OrganisationID, r.Role, r.PractitionerID, on}.key()] = true
			}
		}
	}
	return held, nil
}

// joinBatched is sharing.Join within a batch: the membership and its announcement are gathered,
// held back at the end if the team already has the same one current on its first day; a second
// of the same in the batch is not gathered (the first is the one the team would have).
func (tx sharingRepo) joinBatched(i sharing.Involvement, announce outbox.Event) error {
	j := batchJoin{i.YoungPersonID, i.OrganisationID, i.Role, i.PractitionerID, fromDate(i.StartedOn)}
	k := j.key()
	if _, ok := tx.batch.joins[k]; ok {
		return nil
	}
	row, out := toInvolvementRow(i), toOutboxRow(announce)
	for _, build := range []func(db *gorm.DB) *gorm.DB{
		func(db *gorm.DB) *gorm.DB { return db.Create(&row) },
		func(db *gorm.DB) *gorm.DB { return db.Create(&out) },
	} {
		ok, err := tx.gather(build, k)
		if err != nil {
			return translate(err)
		}
		if !ok {
			return fmt.Errorf("team membership not batchable")
		}
	}
	tx.batch.joins[k] = j
	return nil
}
