package store

// SetPGArrays turns the PostgreSQL array form of batched inserts on or off, returning the
// setting before.
func SetPGArrays(on bool) bool {
	before := pgArrays
	pgArrays = on
	return before
}

// SetPGCopy turns COPY for batched inserts in PostgreSQL transactions on or off, returning the
// setting before.
func SetPGCopy(on bool) bool {
	before := pgCopy
	pgCopy = on
	return before
}

// SetPGCopyBinary turns COPY's binary form on or off (off: text), returning the setting before.
func SetPGCopyBinary(on bool) bool {
	before := pgCopyBinary
	pgCopyBinary = on
	return before
}
