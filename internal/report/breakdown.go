package report

import "slices"

// Category is one value of a breakdown's dimension.
type Category struct{ Key, Label string }

// Breakdown adds a table of counts per category and returns it (valid until the next table is
// added). Categories come in the order of cats, zero when absent from the maps; a category found
// in cur or prev but not in cats follows, by key and labelled with its key, so that no figure is
// silently dropped. A TotalCategory row keyed totalKey comes last. cur and prev are counts by
// category key; prev nil means no comparison (Previous stays nil). When additive, Sums say that
// the total is the sum of the categories, for the current and previous figures.
//
// Row keys are name+":"+measure+":"+category, with ":"+group after name when group is set so
// that repeats of a table for different groups stay different figures. An empty totalKey
// defaults to the row key of category TotalCategory.
func (r *Report) Breakdown(name, group, title, dimension, measure string, cats []Category, cur, prev map[string]int64,
	totalKey string, total, prevTotal int64, additive bool) *Table {
	prefix := name
	if group != "" {
		prefix += ":" + group
	}
	prefix += ":" + measure + ":"
	if totalKey == "" {
		totalKey = prefix + TotalCategory
	}

	listed := map[string]bool{}
	var all []Category
	for _, c := range cats {
		if !listed[c.Key] {
			listed[c.Key] = true
			all = append(all, c)
		}
	}
	var extra []string
	for _, m := range []map[string]int64{cur, prev} {
		for k := range m {
			if !listed[k] {
				listed[k] = true
				extra = append(extra, k)
			}
		}
	}
	slices.Sort(extra)
	for _, k := range extra {
		all = append(all, Category{Key: k})
	}

	t := Table{Name: name, Group: group, Title: title, Dimension: dimension, Rows: make([]Row, 0, len(all)+1)}
	parts := make([]string, 0, len(all))
	newRow := func(category, label, key string, n, prevN int64) Row {
		if label == "" {
			label = category
		}
		row := Row{Category: category, Label: label, Measure: measure, Current: Count(key, n)}
		if prev != nil {
			c := Count(PreviousKey(key), prevN)
			row.Previous = &c
		}
		return row
	}
	for _, c := range all {
		key := prefix + c.Key
		parts = append(parts, key)
		t.Rows = append(t.Rows, newRow(c.Key, c.Label, key, cur[c.Key], prev[c.Key]))
	}
	t.Rows = append(t.Rows, newRow(TotalCategory, "Total", totalKey, total, prevTotal))

	if additive {
		r.Sums = append(r.Sums, Sum{Total: totalKey, Parts: parts})
		if prev != nil {
			prevParts := make([]string, len(parts))
			for i, k := range parts {
				prevParts[i] = PreviousKey(k)
			}
			r.Sums = append(r.Sums, Sum{Total: PreviousKey(totalKey), Parts: prevParts})
		}
	}
	r.Tables = append(r.Tables, t)
	return &r.Tables[len(r.Tables)-1]
}
