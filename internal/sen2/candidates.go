package sen2

import (
	"github.com/oneplan-send/oneplan/internal/annualreview"
	"github.com/oneplan-send/oneplan/internal/dispute"
	"github.com/oneplan-send/oneplan/internal/ehc"
	"github.com/oneplan-send/oneplan/internal/ehcplan"
	"github.com/oneplan-send/oneplan/internal/person"
)

// Candidates is everything a return as of ref, covering activity from from, may need.
type Candidates struct {
	Requests []ehc.Request
	Plans    []ehcplan.Plan
	// Reviews holds each plan's latest review whose meeting was held on or before ref.
	Reviews  map[string]annualreview.Review
	Disputes []dispute.Dispute
	People   []person.YoungPerson
}
