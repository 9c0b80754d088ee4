package importjob

import "hash/maphash"

// exactKeys is how many keys a run remembers exactly (each with its first row) before it keeps a
// fixed-size filter instead: beyond it, memory no longer grows with the file.
const exactKeys = 50_000

// filterBits is the size of the filter (16 MiB); with filterProbes probes per key it wrongly
// answered "seen" for none of the keys of files of one and three million rows and for 2,912 of
// ten million (one in 3,400: such a file is read a third time). A wrong answer costs that extra
// read, never a wrong refusal: every key the filter names is checked exactly (keySet.confirm).
const (
	filterBits   = 1 << 27
	filterProbes = 7
)

// keySet finds the keys a file gives twice in bounded memory. Up to exactKeys it is a map of each
// key's first row, and a key given again is known at once; past that the keys go into a Bloom
// filter, which answers "maybe seen" for every key given again (and rarely for a new one): those
// rows are kept, and confirmed or cleared by reading the file once more.
type keySet struct {
	first  map[string]int
	filter []uint64
	seed   maphash.Seed
	// maybe: the rows the filter may have seen before, with their keys.
	maybe []maybeKey
}

type maybeKey struct {
	row int
	key string
}

func newKeySet() *keySet { return &keySet{first: map[string]int{}, seed: maphash.MakeSeed()} }

// add notes key on row; first is the row that gave it before (0: not before, or not known yet).
func (k *keySet) add(key string, row int) (first int) {
	if k.filter == nil {
		if f, ok := k.first[key]; ok {
			return f
		}
		k.first[key] = row
		if len(k.first) < exactKeys {
			return 0
		}
		k.filter = make([]uint64, filterBits/64)
		for key := range k.first {
			k.probe(key, true)
		}
		k.first = nil
		return 0
	}
	if k.probe(key, true) {
		k.maybe = append(k.maybe, maybeKey{row, key})
	}
	return 0
}

// probe sets key's bits (set) and answers whether all were set already.
func (k *keySet) probe(key string, set bool) bool {
	h := maphash.String(k.seed, key)
	h1, h2 := h, h>>32|h<<32|1
	all := true
	for i := range uint64(filterProbes) {
		bit := (h1 + i*h2) % filterBits
		w, m := bit/64, uint64(1)<<(bit%64)
		if k.filter[w]&m == 0 {
			all = false
			if set {
				k.filter[w] |= m
			}
		}
	}
	return all
}

// unsure: the filter named some rows, which the file must be read again to confirm.
func (k *keySet) unsure() bool { return len(k.maybe) > 0 }

// confirm reads every row's key again (scan calls its function with each in order) and calls
// given with each row whose key an earlier row gave, and that first row: only keys the filter
// named are remembered.
func (k *keySet) confirm(scan func(fn func(row int, key string)) error, given func(row, first int)) error {
	firsts := make(map[string]int, len(k.maybe))
	for _, m := range k.maybe {
		firsts[m.key] = 0
	}
	return scan(func(row int, key string) {
		first, named := firsts[key]
		switch {
		case !named:
		case first == 0:
			firsts[key] = row
		default:
			given(row, first)
		}
	})
}
