package store

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/oneplan-send/oneplan/internal/externalid"
	"github.com/oneplan-send/oneplan/internal/fault"
)

type externalIDRepo struct{ conn }

// ExternalIDs is the repository that keeps other systems' identifiers for records (migration 0040).
func (tx *Tx) ExternalIDs() externalid.Repository { return externalIDRepo{tx.conn} }

type externalIDRow struct {
	RecordType string
	RecordID   string
	System     string
	Value      string
	CreatedAt  time.Time
}

// Add inserts one row per identifier, kept with the unit's other writes (services check
// with Find first; an id taken by a concurrent transaction fails the unit as a Conflict).
func (tx externalIDRepo) Add(recordType, recordID string, ids []externalid.ID, at time.Time) error {
	for i, id := range ids {
		row := externalIDRow{RecordType: recordType, RecordID: recordID, System: id.System, Value: id.Value, CreatedAt: at}
		if err := tx.laterRow("external_ids", &row); err != nil {
			return heldID(i, err)
		}
	}
	return nil
}

// heldID is the error of the insert of the ith identifier: a unique index's refusal becomes the
// 409 naming /external_ids/i, still marked as the index's (fault.ErrDuplicate), so that a write
// racing another for the id is run once more and looks again (casework.AgainIfTaken).
func heldID(i int, err error) error {
	err = translate(err)
	if fault.KindOf(err) != fault.Conflict {
		return err
	}
	e := fault.Field(fault.Conflict, fmt.Sprintf("/external_ids/%d", i), "is already held by another record")
	if errors.Is(err, fault.ErrDuplicate) {
		e.Cause = fault.ErrDuplicate
	}
	return e
}

// Find names the record of recordType holding id.
func (tx externalIDRepo) Find(recordType string, id externalid.ID) (string, error) {
	var ids []string
	err := tx.q().Table("external_ids").Where("record_type = ? AND system = ? AND value = ?", recordType, id.System, id.Value).
		Limit(1).Pluck("record_id", &ids).Error
	if err != nil {
		return "", translate(err)
	}
	if len(ids) == 0 {
		return "", fault.New(fault.NotFound, "No record holds this external identifier.")
	}
	return ids[0], nil
}

// FindAll names the record of recordType holding each of ids that is held: one query per
// system among ids (an import's chunk has one), each on the primary key.
func (tx externalIDRepo) FindAll(recordType string, ids []externalid.ID) (map[externalid.ID]string, error) {
	out := map[externalid.ID]string{}
	bySystem := map[string][]string{}
	for _, id := range ids {
		bySystem[id.System] = append(bySystem[id.System], id.Value)
	}
	for system, values := range bySystem {
		if tx.dialect == Postgres {
			// The values as one array parameter, joined by index lookups: an IN list of a
			// thousand parameters cost 40 ms a query on PostgreSQL, most of it in planning
			// (estimating each value).
			if err := tx.findAllPostgres(recordType, system, values, out); err != nil {
				return nil, err
			}
			continue
		}
		var rows []externalIDRow
		in, arg := inStrings(tx.dialect, "value", values)
		err := tx.q().Table("external_ids").Where("record_type = ? AND system = ? AND "+in, recordType, system, arg).Find(&rows).Error
		if err != nil {
			return nil, translate(err)
		}
		for _, r := range rows {
			out[externalid.ID{System: r.System, Value: r.Value}] = r.RecordID
		}
	}
	return out, nil
}

// findAllPostgres adds to out the records of recordType holding each of values under system.
func (tx externalIDRepo) findAllPostgres(recordType, system string, values []string, out map[externalid.ID]string) (err error) {
	db := tx.q() // what is kept is sent first
	if db.Error != nil {
		return translate(db.Error)
	}
	rows, err := db.Statement.ConnPool.QueryContext(tx.ctx, `SELECT x.record_id, x.value FROM unnest($1::text[]) AS k(value)
		JOIN external_ids x ON x.record_type = $2 AND x.system = $3 AND x.value = k.value`, values, recordType, system)
	if err != nil {
		return translate(err)
	}
	defer func() {
		if cerr := rows.Close(); err == nil {
			err = translate(cerr)
		}
	}()
	for rows.Next() {
		var id, value string
		if err := rows.Scan(&id, &value); err != nil {
			return translate(err)
		}
		out[externalid.ID{System: system, Value: value}] = id
	}
	return translate(rows.Err())
}

// Of returns the identifiers of each of recordIDs that has any.
func (tx externalIDRepo) Of(recordType string, recordIDs ...string) (map[string][]externalid.ID, error) {
	out := map[string][]externalid.ID{}
	if len(recordIDs) == 0 {
		return out, nil
	}
	if held, ok := tx.inlined(recordType, recordIDs); ok {
		return held, nil
	}
	var rows []externalIDRow
	err := tx.q().Table("external_ids").Where("record_type = ? AND record_id IN ?", recordType, recordIDs).
		Order("record_id, system, value").Find(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	for _, r := range rows {
		out[r.RecordID] = append(out[r.RecordID], externalid.ID{System: r.System, Value: r.Value})
	}
	return out, nil
}

// Set makes ids the record's identifiers: the ones it holds and ids lacks are deleted, the ones
// ids adds inserted (through Add, so one held by another record is a Conflict naming its index).
func (tx externalIDRepo) Set(recordType, recordID string, ids []externalid.ID, at time.Time) error {
	held, err := tx.Of(recordType, recordID)
	if err != nil {
		return err
	}
	keep := map[externalid.ID]bool{}
	for _, id := range ids {
		keep[id] = true
	}
	for _, id := range held[recordID] {
		if keep[id] {
			delete(keep, id)
			continue
		}
		if err := tx.w().Exec("DELETE FROM external_ids WHERE record_type = ? AND record_id = ? AND system = ? AND value = ?",
			recordType, recordID, id.System, id.Value).Error; err != nil {
			return translate(err)
		}
	}
	for i, id := range ids {
		if !keep[id] {
			continue
		}
		row := externalIDRow{RecordType: recordType, RecordID: recordID, System: id.System, Value: id.Value, CreatedAt: at}
		if err := tx.later(func(db *gorm.DB) *gorm.DB { return db.Table("external_ids").Create(&row) }); err != nil {
			return heldID(i, err)
		}
	}
	return nil
}

// A read of a child's record shows the identifiers other systems hold for it. On PostgreSQL a read
// session brings them with the records, as one more column of the same statement (inlineExternalIDs),
// and Of answers from that rather than asking again: a round trip fewer for every read and page.
// Only read sessions do it, which change no identifiers, so what they read is what Of would find.

// inlinesExternalIDs reports whether this session brings identifiers with the records it reads.
func (c conn) inlinesExternalIDs() bool { return c.dialect == Postgres && !c.canBegin }

// inlineExternalIDs is the column that brings the identifiers of the record of type recordType
// whose id is idCol: a JSON array of [system, value], in Of's order, or NULL for none.
func inlineExternalIDs(recordType, idCol string) string {
	// recordType is one of externalid's constants, never caller input.
	return "(SELECT json_agg(json_build_array(x.system, x.value) ORDER BY x.system, x.value)::text FROM external_ids x " +
		"WHERE x.record_type = '" + recordType + "' AND x.record_id = " + idCol + ") AS external_ids"
}

// externalIDsOf is the CTE x that brings the identifiers of the records of type recordType on
// a page whose ids are the id column of the CTE page: one row per record holding any, its
// record_id and external_ids, the same JSON array as inlineExternalIDs. Joined to the page, it
// answers what inlineExternalIDs would for every row, but as one aggregate over the page's ids:
// a subquery per row cost PostgreSQL a third of the page's time even with no identifiers at all
// (and a quarter more than this with them, when guarded by an EXISTS to cost less without).
// The ids go in as an array so the planner probes the index for each (an IN over the CTE was
// planned as a hash join over the whole of external_ids: TestListPlans).
func externalIDsOf(recordType, page string) string {
	// recordType is one of externalid's constants, page a CTE of this package: never caller input.
	return "x AS (SELECT x.record_id, json_agg(json_build_array(x.system, x.value) ORDER BY x.system, x.value)::text AS external_ids " +
		"FROM external_ids x WHERE x.record_type = '" + recordType + "' AND x.record_id = ANY (ARRAY(SELECT id FROM " + page + ")) GROUP BY x.record_id)"
}

// inlineKey is a record's key in the session's inlinedIDs: a pair, not "type:id", whose
// concatenation was an allocation for every row of a page, kept and looked up.
type inlineKey struct{ recordType, id string }

// keepInlined remembers the identifiers read with record id (the column of inlineExternalIDs) for Of.
func (c conn) keepInlined(recordType, id string, col *string) {
	ids := inlinedIDs(col)
	if c.inlinedIDs == nil {
		c.inlinedIDs = map[inlineKey][]externalid.ID{}
	}
	c.inlinedIDs[inlineKey{recordType, id}] = ids
}

// inlinedIDs reads the column of inlineExternalIDs (nil for none).
func inlinedIDs(col *string) []externalid.ID {
	var ids []externalid.ID
	for _, pair := range fromJSON[[][2]string](col) {
		ids = append(ids, externalid.ID{System: pair[0], Value: pair[1]})
	}
	return ids
}

// inlined is what Of would read for recordIDs, if every one of them was read with its identifiers.
func (c conn) inlined(recordType string, recordIDs []string) (map[string][]externalid.ID, bool) {
	if c.inlinedIDs == nil {
		return nil, false
	}
	out := make(map[string][]externalid.ID, len(recordIDs))
	for _, id := range recordIDs {
		ids, ok := c.inlinedIDs[inlineKey{recordType, id}]
		if !ok {
			return nil, false
		}
		if len(ids) > 0 {
			out[id] = ids
		}
	}
	return out, true
}

// AnalysePeople runs ANALYSE on the tables an import of young people writes and reads back
// (external_ids, young_people, the teams in involvements) within the transaction (PostgreSQL
// counts the transaction's own rows in it); SQLite's planner needs none.
func (tx externalIDRepo) AnalysePeople() error {
	return tx.analyse("external_ids, young_people, involvements")
}

// AnalyseReferrals is AnalysePeople for an import of referrals: the identifiers and teams it
// reads back, and referrals, which it does not read but the API's requests after it do (without
// them, the POSTs that followed a 100,000-row import ran at half their rate until autovacuum
// came round). It writes no young people, so it does not sample them (as it once did, for
// statistics nothing used: part of a 100,000-row import's 1.4 s of ANALYSE).
func (tx externalIDRepo) AnalyseReferrals() error {
	return tx.analyse("external_ids, involvements, referrals")
}

// AnalysePlans is AnalysePeople for the tables a plan import and its settling of passed
// deadlines read back. Without it a plan import's readings of the plans' versions for 500
// children at a time were planned as scans of a table counted as empty (50 ms each at 57,000
// plans, growing).
func (tx externalIDRepo) AnalysePlans() error {
	return tx.analyse("external_ids, young_people, ehc_plans, ehc_plan_versions, annual_reviews, transition_plans")
}

// analyse skips a table another transaction is analysing: an ANALYSE in a transaction holds its
// tables to the commit, so a second import would wait there for the first to finish, and could
// deadlock with it were the first then to wait for one of the second's rows (two imports settling
// one child's transition gap). The import whose ANALYSE is skipped plans on older statistics until
// its next.
//
// It samples a tenth of the rows PostgreSQL's default would (default_statistics_target 10, for
// this statement only): the import's own reads are by unique keys and need the tables' sizes
// more than their histograms, and the import's inserts count towards autovacuum's next ANALYSE
// once it commits, which samples at the server's own setting. A 100,000-row import's ten
// ANALYSEs took 1.4-1.5 s at the default and 0.26-0.28 s at 10, of an import of 26-31 s
// (6 December 2026).
func (tx externalIDRepo) analyse(tables string) error {
	if tx.dialect != Postgres {
		return nil
	}
	w := tx.w()
	if err := w.Exec("SET LOCAL default_statistics_target = " + strconv.Itoa(importStatisticsTarget)).Error; err != nil {
		return translate(err)
	}
	if err := w.Exec("ANALYSE (SKIP_LOCKED) " + tables).Error; err != nil {
		return translate(err)
	}
	return translate(w.Exec("SET LOCAL default_statistics_target TO DEFAULT").Error)
}

// importStatisticsTarget is the statistics target of an import's own ANALYSEs (see analyse).
const importStatisticsTarget = 10
