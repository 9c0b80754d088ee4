package migrations

import "github.com/go-gormigrate/gormigrate/v2"

// m0030: indexes that let the remaining list filters drive a page instead of filtering a walk
// of every referral: the reason filter reads referral_reasons in (reason, referral_id) order,
// and on PostgreSQL a name search ('%smith%') reads a trigram index of young people's names.
var m0030 = &gormigrate.Migration{ID: "0030_list_indexes", Migrate: ddl(`
CREATE INDEX referral_reasons_reason ON referral_reasons (reason, referral_id);
`, extras0030)}

// extras0030: pg_trgm ships with PostgreSQL and every managed service offers it, but creating
// an extension needs a privilege a council's database role may lack; then the name search
// still works, by scanning, and the migration says so rather than failing the upgrade.
var extras0030 = map[string][]string{
	dialectPostgres: {
		`DO $$
BEGIN
	CREATE EXTENSION IF NOT EXISTS pg_trgm;
	CREATE INDEX young_people_search_name_trgm ON young_people USING gin (search_name gin_trgm_ops);
EXCEPTION WHEN insufficient_privilege OR undefined_file OR feature_not_supported THEN
	RAISE NOTICE 'pg_trgm unavailable (%): name search scans young_people', SQLERRM;
END $$`,
	},
}
