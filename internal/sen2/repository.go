package sen2

import "time"

// Source loads what a SEN2 return may need. The store implements it; a service sees only this.
type Source interface {
	Candidates(from, ref time.Time) (Candidates, error)
}
