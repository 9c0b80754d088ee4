package store

import (
	"time"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/document"
	"github.com/oneplan-send/oneplan/internal/fault"
	"github.com/oneplan-send/oneplan/internal/paging"
)

type documentRow struct {
	ID              string
	RecordType      string
	RecordID        string
	YoungPersonID   string
	Kind            string
	Title           string
	FileName        string
	MediaType       string
	SizeBytes       int64
	SHA256          string `gorm:"column:sha256"`
	StorageKey      string
	UploadedByOrgID *string
	AdviceRequestID *string
	FamilyVisible   bool
	CreatedAt       time.Time
	Version         int
}

func (documentRow) TableName() string { return "documents" }

func (r documentRow) toDomain() document.Document {
	return document.Document{ID: r.ID, RecordType: r.RecordType, RecordID: r.RecordID, YoungPersonID: r.YoungPersonID, Kind: r.Kind,
		Title: r.Title, FileName: r.FileName, MediaType: r.MediaType, SizeBytes: r.SizeBytes, SHA256: r.SHA256, StorageKey: r.StorageKey,
		UploadedByOrg: deref(r.UploadedByOrgID), AdviceRequestID: deref(r.AdviceRequestID), FamilyVisible: r.FamilyVisible, CreatedAt: r.CreatedAt.UTC(), Version: r.Version}
}

// Create inserts d.
func (tx documentRepo) Create(d document.Document) error {
	row := documentRow{ID: d.ID, RecordType: d.RecordType, RecordID: d.RecordID, YoungPersonID: d.YoungPersonID, Kind: d.Kind,
		Title: d.Title, FileName: d.FileName, MediaType: d.MediaType, SizeBytes: d.SizeBytes, SHA256: d.SHA256, StorageKey: d.StorageKey,
		UploadedByOrgID: nullable(d.UploadedByOrg), AdviceRequestID: nullable(d.AdviceRequestID), FamilyVisible: d.FamilyVisible, CreatedAt: d.CreatedAt, Version: d.Version}
	return translate(tx.w().Create(&row).Error)
}

// Get reads one document whose child is within scope.
func (tx documentRepo) Get(id string, s access.Scope) (document.Document, error) {
	row, err := visibleByID[documentRow](tx.conn, "documents", id, s, "No such document.")
	if err != nil {
		return document.Document{}, err
	}
	return row.toDomain(), nil
}

// List reads one record's documents within scope, newest first.
func (tx documentRepo) List(recordType, recordID string, s access.Scope, familyOnly bool, p paging.Page) ([]document.Document, string, error) {
	q := visibleYoungPeople(tx.q().Model(&documentRow{}), "documents.young_person_id", s).
		Where("documents.record_type = ? AND documents.record_id = ?", recordType, recordID)
	if familyOnly {
		q = q.Where("documents.family_visible = ?", true)
	}
	return listPage(q, "documents", p, func(r documentRow) string { return r.ID }, documentRow.toDomain)
}

// Update writes d's family visibility if d.Version-1 is still current.
func (tx documentRepo) Update(d document.Document) error {
	res := tx.w().Exec("UPDATE documents SET family_visible = ?, version = ? WHERE id = ? AND version = ?", d.FamilyVisible, d.Version, d.ID, d.Version-1)
	if res.Error != nil {
		return translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return fault.New(fault.PreconditionFailed, "The document changed since it was read; read it again.")
	}
	return nil
}

// Delete removes a document's row (its bytes are the service's to remove).
func (tx documentRepo) Delete(id string) error {
	return translate(tx.w().Exec("DELETE FROM documents WHERE id = ?", id).Error)
}

// OfYoungPerson lists every document of one child, oldest first.
func (tx documentRepo) OfYoungPerson(youngPersonID string) ([]document.Document, error) {
	var rows []documentRow
	if err := tx.q().Where("young_person_id = ?", youngPersonID).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]document.Document, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}
