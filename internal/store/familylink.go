package store

import (
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/oneplan-send/oneplan/internal/access"
	"github.com/oneplan-send/oneplan/internal/familylink"
	"github.com/oneplan-send/oneplan/internal/fault"
)

type familyLinkRepo struct{ conn }

// FamilyInvitations is the repository that keeps family invitation links (their hashes).
func (tx *Tx) FamilyInvitations() familylink.Repository { return familyLinkRepo{tx.conn} }

type familyInvitationRow struct {
	ID             string
	YoungPersonID  string
	Purpose        string
	PlanID         *string
	TokenHash      string
	ExpiresAt      time.Time
	UsedAt         *time.Time
	UsedRecordID   *string
	CreatedByOrgID *string
	CreatedAt      time.Time
	Version        int
}

func (familyInvitationRow) TableName() string { return "family_invitations" }

func toFamilyInvitationRow(i familylink.Invitation) familyInvitationRow {
	return familyInvitationRow{ID: i.ID, YoungPersonID: i.YoungPersonID, Purpose: i.Purpose, PlanID: nullable(i.PlanID), TokenHash: i.TokenHash,
		ExpiresAt: i.ExpiresAt, UsedAt: i.UsedAt, UsedRecordID: nullable(i.UsedRecordID), CreatedByOrgID: nullable(i.CreatedByOrg),
		CreatedAt: i.CreatedAt, Version: i.Version}
}

func (r familyInvitationRow) toDomain() familylink.Invitation {
	i := familylink.Invitation{ID: r.ID, YoungPersonID: r.YoungPersonID, Purpose: r.Purpose, PlanID: deref(r.PlanID), TokenHash: r.TokenHash,
		ExpiresAt: r.ExpiresAt.UTC(), UsedRecordID: deref(r.UsedRecordID), CreatedByOrg: deref(r.CreatedByOrgID), CreatedAt: r.CreatedAt.UTC(),
		Version: r.Version}
	if r.UsedAt != nil {
		u := r.UsedAt.UTC()
		i.UsedAt = &u
	}
	return i
}

// CreateInvitation inserts i.
func (tx familyLinkRepo) CreateInvitation(i familylink.Invitation) error {
	row := toFamilyInvitationRow(i)
	return translate(tx.w().Create(&row).Error)
}

// InvitationByToken finds an invitation by its token's hash.
func (tx familyLinkRepo) InvitationByToken(hash string) (familylink.Invitation, error) {
	var row familyInvitationRow
	err := tx.q().Where("token_hash = ?", hash).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return familylink.Invitation{}, fault.New(fault.NotFound, "No such link: check it was copied whole.")
	}
	return row.toDomain(), translate(err)
}

// Invitation loads one invitation within scope.
func (tx familyLinkRepo) Invitation(id string, s access.Scope) (familylink.Invitation, error) {
	row, err := visibleByID[familyInvitationRow](tx.conn, "family_invitations", id, s, "No such family invitation.")
	if err != nil {
		return familylink.Invitation{}, err
	}
	return row.toDomain(), nil
}

// UpdateInvitation writes i if i.Version-1 is still current.
func (tx familyLinkRepo) UpdateInvitation(i familylink.Invitation) error {
	row := toFamilyInvitationRow(i)
	return updateVersioned(tx.conn, &row, "family_invitations", i.ID, i.Version-1)
}
