package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/golive/golive/store"
)

// databasePath is the database a subcommand works on: its --db flag, else
// GOLIVE_DB, else the default beside the binary.
func databasePath(flagValue string, getenv func(string) string) string {
	if flagValue != "" {
		return flagValue
	}
	if env := getenv("GOLIVE_DB"); env != "" {
		return env
	}
	return defaultDB
}

// openExisting opens the database `golive serve` uses for reading only,
// refusing to create an empty one where the operator mistyped the path. It
// never migrates: a newer CLI must not upgrade the schema under an older
// server, whose readiness would then fail.
func openExisting(ctx context.Context, path string) (*store.ReadOnly, error) {
	if store.IsPostgres(path) {
		return store.OpenReadOnly(ctx, path)
	}
	fi, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("database %s does not exist: set GOLIVE_DB (or --db) to the file golive serve uses (golive serve creates it when it first starts)", path)
		}
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	if fi.Mode().IsRegular() && fi.Size() == 0 {
		return nil, fmt.Errorf("database %s is an empty file (0 bytes), not a golive database: "+
			"if a copy or restore went wrong, restore the latest backup (made with `golive backup`) to that path", path)
	}
	return store.OpenReadOnly(ctx, path)
}

// openDatabase opens (creating it if needed) the database at path, but not
// over an existing empty file: SQLite would take it for a new database and
// start empty without a word, when an empty file where golive's database
// should be is almost always a copy or a restore that went wrong.
func openDatabase(ctx context.Context, path string) (*store.Store, error) {
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() && fi.Size() == 0 {
		return nil, fmt.Errorf("database %s is an empty file (0 bytes), not a golive database: golive will not start empty over it. "+
			"If a copy or restore went wrong, restore the latest backup (made with `golive backup`) to that path; "+
			"to start afresh, delete the file and golive creates a new database", path)
	}
	return store.Open(ctx, path)
}
