package deadlines

// SetPageSizes makes every page of a sweep (and every reading of young people) n records long,
// so a test crosses pages with few records; the returned function restores them.
func SetPageSizes(n int) func() {
	page, chunk := sweepPage, refreshChunk
	sweepPage, refreshChunk = n, n
	return func() { sweepPage, refreshChunk = page, chunk }
}
