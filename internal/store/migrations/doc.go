// Package migrations holds OnePlan's database migrations.
package migrations
