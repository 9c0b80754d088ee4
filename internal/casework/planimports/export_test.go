package planimports

// SetSettleEvery makes an import settle its records' passed deadlines every n records; the
// returned function restores it.
func SetSettleEvery(n int) func() {
	before := settleEvery
	settleEvery = n
	return func() { settleEvery = before }
}
