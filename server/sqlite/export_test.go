package sqlite

import (
	"database/sql"
	"fmt"
)

// SetUserVersion sets a database's schema version, for tests of migration.
func SetUserVersion(path string, v int) error {
	db, err := sql.Open("sqlite", "file:"+escapePath(path))
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.Exec(fmt.Sprintf("PRAGMA user_version = %d", v))
	return err
}
