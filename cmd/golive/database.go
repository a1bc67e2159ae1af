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

// openExisting opens the database `golive serve` uses, refusing to create
// an empty one where the operator mistyped the path.
func openExisting(ctx context.Context, path string) (*store.Store, error) {
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("database %s does not exist: set GOLIVE_DB (or --db) to the file golive serve uses", path)
		}
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	return store.Open(ctx, path)
}
