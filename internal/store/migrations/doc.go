// Package migrations holds OnePlan's database migrations, applied in order by gormigrate and
// recorded in the schema_migrations table. The store runs them ((*store.Store).Migrate); tests also
// run them one at a time (MigrateTo).
//
// Migrations are append-only. A migration that has shipped is never edited, renamed, reordered or
// removed, because databases out there have already run it and will never run it again; fix a
// mistake with a new migration.
//
// To add a migration:
//
//  1. Create NNNN_what_it_does.go with the next number, holding the DDL (written once for both
//     databases with the {uuid}, {ts}, {text}, {bool} and {int} placeholders; see ddl) and a
//     variable mNNNN for the gormigrate.Migration, whose ID is the file's name without .go.
//     Append mNNNN to the list in migrations.go.
//  2. If it reads or writes rows, give it its own row structs (mNNNNThing) naming only the columns
//     it needs, as they are at that point of the history: never the store's rows or a domain type.
//  3. If it applies a rule to data (a due date, a status, a count of days), copy the rule into the
//     file as private mNNNN functions and say that the copy is frozen. Never import a domain
//     package here (depguard refuses any github.com/oneplan-send/oneplan/internal package): the
//     live rule will change, and an old migration must keep writing what it wrote when it shipped.
//  4. Write TestMigrationNNNN in NNNN_what_it_does_test.go with checkMigration, which runs on
//     SQLite and PostgreSQL: seed rows at the schema before it, then assert what it backfilled,
//     or for plain DDL that its tables and indexes exist and that a constraint it adds refuses
//     what it should. TestEveryMigrationHasATest fails until that test exists.
//  5. Rerun TestSchemaGolden with -update and read the diff of testdata/schema.*.golden: it
//     should show your change and nothing else.
//
// The helpers in migrations.go (ddl, then, the date and JSON helpers) are used by shipped
// migrations, so they are frozen too: a migration that needs something else gets its own helper.
package migrations
