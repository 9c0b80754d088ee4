package store

import (
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/adviserlink"
	"github.com/oneplan-send/oneplan/internal/fault"
)

type adviserLinkRepo struct{ conn }

// AdviserInvitations is the repository that keeps adviser invitation links (their hashes).
func (tx *Tx) AdviserInvitations() adviserlink.Repository { return adviserLinkRepo{tx.conn} }

type adviserInvitationRow struct {
	ID              string
	AdviceRequestID string
	YoungPersonID   string
	TokenHash       string
	ExpiresAt       time.Time
	UsedAt          *time.Time
	RevokedAt       *time.Time
	DocumentIDs     string `gorm:"column:document_ids"`
	CreatedByOrgID  *string
	CreatedAt       time.Time
	UpdatedAt       time.Time
	Version         int
}

func (adviserInvitationRow) TableName() string { return "adviser_invitations" }

func toAdviserInvitationRow(i adviserlink.Invitation) adviserInvitationRow {
	docs := i.DocumentIDs
	if docs == nil {
		docs = []string{}
	}
	return adviserInvitationRow{ID: i.ID, AdviceRequestID: i.AdviceRequestID, YoungPersonID: i.YoungPersonID, TokenHash: i.TokenHash,
		ExpiresAt: i.ExpiresAt, UsedAt: i.UsedAt, RevokedAt: i.RevokedAt, DocumentIDs: toJSON(docs), CreatedByOrgID: nullable(i.CreatedByOrg),
		CreatedAt: i.CreatedAt, UpdatedAt: i.UpdatedAt, Version: i.Version}
}

func (r adviserInvitationRow) toDomain() adviserlink.Invitation {
	return adviserlink.Invitation{ID: r.ID, AdviceRequestID: r.AdviceRequestID, YoungPersonID: r.YoungPersonID, TokenHash: r.TokenHash,
		ExpiresAt: r.ExpiresAt.UTC(), UsedAt: utcPtr(r.UsedAt), RevokedAt: utcPtr(r.RevokedAt), DocumentIDs: fromJSON[[]string](&r.DocumentIDs),
		CreatedByOrg: deref(r.CreatedByOrgID), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
}

// CreateInvitation inserts i.
func (tx adviserLinkRepo) CreateInvitation(i adviserlink.Invitation) error {
	row := toAdviserInvitationRow(i)
	return translate(tx.w().Create(&row).Error)
}

// InvitationByToken finds an invitation by its token's hash.
func (tx adviserLinkRepo) InvitationByToken(hash string) (adviserlink.Invitation, error) {
	var row adviserInvitationRow
	err := tx.q().Where("token_hash = ?", hash).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return adviserlink.Invitation{}, fault.New(fault.NotFound, "No such link: check it was copied whole.")
	}
	return row.toDomain(), translate(err)
}

// Invitation loads one invitation within scope.
func (tx adviserLinkRepo) Invitation(id string, s access.Scope) (adviserlink.Invitation, error) {
	row, err := visibleByID[adviserInvitationRow](tx.conn, "adviser_invitations", id, s, "No such adviser invitation.")
	if err != nil {
		return adviserlink.Invitation{}, err
	}
	return row.toDomain(), nil
}

// UpdateInvitation writes i if i.Version-1 is still current.
func (tx adviserLinkRepo) UpdateInvitation(i adviserlink.Invitation) error {
	row := toAdviserInvitationRow(i)
	return updateVersioned(tx.conn, &row, "adviser_invitations", i.ID, i.Version-1)
}
