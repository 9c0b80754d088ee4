package store

// SetPGArrays turns the PostgreSQL array form of batched inserts on or off, returning the
// setting before.
func SetPGArrays(on bool) bool {
	before := pgArrays
	pgArrays = on
	return before
}
