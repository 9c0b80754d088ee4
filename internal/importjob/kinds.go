package importjob

import (
	"context"
	"fmt"
	"iter"
	"maps"
	"strings"
	"time"

	"github.com/oneplan-send/oneplan/api"
	"github.com/oneplan-send/oneplan/internal/auth"
	"github.com/oneplan-send/oneplan/internal/casework"
	"github.com/oneplan-send/oneplan/internal/casework/organisations"
	"github.com/oneplan-send/oneplan/internal/casework/people"
	"github.com/oneplan-send/oneplan/internal/casework/planimports"
	"github.com/oneplan-send/oneplan/internal/casework/referrals"
	"github.com/oneplan-send/oneplan/internal/externalid"
	"github.com/oneplan-send/oneplan/internal/importfile"
	"github.com/oneplan-send/oneplan/internal/person"
)

// Services are the areas' services the kinds write through.
type Services struct {
	People        *people.Service
	Organisations *organisations.Service
	Referrals     *referrals.Service
	PlanImports   *planimports.Service
	// Rules are the deployment's rules for young people's records.
	Rules person.Rules
	// Today is the day rows are judged on.
	Today func() time.Time
}

// ContractEnums reads each enumerated column's values from the API contract, so a file is held
// to exactly the values the API takes.
func ContractEnums() (importfile.Enums, error) {
	spec, err := api.GetSpec()
	if err != nil {
		return nil, err
	}
	out := importfile.Enums{}
	for _, l := range importfile.Layouts {
		for _, c := range l.Columns {
			if c.Enum == "" {
				continue
			}
			s := spec.Components.Schemas[c.Enum]
			if s == nil || s.Value == nil {
				return nil, fmt.Errorf("the contract has no schema %s", c.Enum)
			}
			for _, v := range s.Value.Enum {
				out[c.Enum] = append(out[c.Enum], fmt.Sprint(v))
			}
		}
	}
	return out, nil
}

// Kinds are the layouts' kinds by layout type.
func Kinds(s Services, enums importfile.Enums) map[string]Kind {
	rules := s.Rules
	systems := s.Organisations.Systems
	today := s.Today()
	kinds := map[string]Kind{
		importfile.YoungPeople.Type: {Role: auth.RoleSENDOfficer, KeyColumn: "external_id",
			Parse: func(rec importfile.Record) (any, string, []importfile.Problem) {
				yp, key, problems := importfile.YoungPerson(rec, enums, rules, today)
				return people.ImportRow{Row: rec.Row, Key: key, Person: yp}, keyText(key), problems
			},
			Write: func(ctx context.Context, rows iter.Seq[any], dryRun bool, done func(casework.ImportResult)) error {
				return s.People.ImportYoungPeople(ctx, RowsOf[people.ImportRow](rows), dryRun, done)
			}},
		importfile.Organisations.Type: {Role: auth.RoleAdmin, KeyColumn: "external_id",
			Parse: func(rec importfile.Record) (any, string, []importfile.Problem) {
				o, key, problems := importfile.Organisation(rec, enums, systems)
				return organisations.ImportOrganisation{Row: rec.Row, Key: key, Organisation: o}, keyText(key), problems
			},
			Write: func(ctx context.Context, rows iter.Seq[any], dryRun bool, done func(casework.ImportResult)) error {
				return s.Organisations.ImportOrganisations(ctx, RowsOf[organisations.ImportOrganisation](rows), dryRun, done)
			}},
		importfile.Practitioners.Type: {Role: auth.RoleSENDOfficer, KeyColumn: "email",
			Parse: func(rec importfile.Record) (any, string, []importfile.Problem) {
				pr, org, problems := importfile.Practitioner(rec, enums, systems)
				return organisations.ImportPractitioner{Row: rec.Row, OrganisationKey: org, Practitioner: pr}, pr.Email, problems
			},
			Write: func(ctx context.Context, rows iter.Seq[any], dryRun bool, done func(casework.ImportResult)) error {
				return s.Organisations.ImportPractitioners(ctx, RowsOf[organisations.ImportPractitioner](rows), dryRun, done)
			}},
		importfile.Referrals.Type: {Role: auth.RoleSENDOfficer, KeyColumn: "external_id",
			Parse: func(rec importfile.Record) (any, string, []importfile.Problem) {
				r, key, yp, problems := importfile.Referral(rec, enums, systems, today)
				return referrals.ImportReferral{Row: rec.Row, Key: key, YoungPersonKey: yp, NHSNumber: importfile.NHSNumber(rec),
					ReferrerEmail: strings.ToLower(rec.Get("referrer_email")), Referral: r}, keyText(key), problems
			},
			Write: func(ctx context.Context, rows iter.Seq[any], dryRun bool, done func(casework.ImportResult)) error {
				return s.Referrals.ImportReferrals(ctx, RowsOf[referrals.ImportReferral](rows), dryRun, done)
			}},
	}
	if s.PlanImports != nil {
		maps.Copy(kinds, planKinds(s, enums))
	}
	return kinds
}

func keyText(k externalid.ID) string {
	if k.Value == "" {
		return ""
	}
	return k.System + "|" + k.Value
}
