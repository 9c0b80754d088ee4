package dispute

import "time"

// Filter selects disputes.
type Filter struct {
	Kind, YoungPersonID, SubjectID string
	Open                           *bool      // true: not concluded; false: concluded
	ReceivedFrom, ReceivedTo       *time.Time // inclusive
}
