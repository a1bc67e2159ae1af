package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

// runBackup is `golive backup [--db PATH] DEST`: a consistent copy of the
// database, taken while the bot keeps running, synced and integrity-checked
// before it is renamed into place. DEST may be a directory, which gets a
// file named after the time. An existing DEST file is replaced.
func runBackup(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	flags := flag.NewFlagSet("backup", flag.ContinueOnError)
	db := flags.String("db", "", "database to copy, overrides GOLIVE_DB (default ./golive.db)")
	flags.Usage = func() {
		fmt.Fprintln(flags.Output(), "usage: golive backup [--db path] DEST")
		fmt.Fprintln(flags.Output(), "Copies the database (GOLIVE_DB) to DEST, a file or a directory, while golive runs.")
		flags.PrintDefaults()
	}
	dests, status, ok := parseFlags(flags, args, true, stdout, stderr)
	if !ok {
		return status
	}
	if len(dests) != 1 {
		flags.Usage()
		return 2
	}
	src := databasePath(*db, getenv)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	dest, err := backup(ctx, src, dests[0], time.Now().UTC())
	if err != nil {
		fmt.Fprintf(stderr, "golive backup: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "backed up %s to %s (integrity checked)\n", src, dest)
	return 0
}

// backup copies the database at src to dest and returns the file written.
func backup(ctx context.Context, src, dest string, now time.Time) (string, error) {
	if info, err := os.Stat(dest); err == nil && info.IsDir() {
		dest = filepath.Join(dest, "golive-"+now.Format("20060102-150405")+".db")
	}
	if sameDatabase(src, dest) {
		return "", fmt.Errorf("%s is the database itself (or one of its -wal, -shm files): choose another backup path", dest)
	}
	st, err := openExisting(ctx, src)
	if err != nil {
		return "", err
	}
	if err := errors.Join(st.Backup(ctx, dest), st.Close()); err != nil {
		return "", err
	}
	return dest, nil
}

// sameDatabase tells whether dest would overwrite the database at src or one
// of SQLite's files beside it.
func sameDatabase(src, dest string) bool {
	destInfo, destErr := os.Stat(dest)
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		if a, b := absPath(src+suffix), absPath(dest); a == b {
			return true
		}
		if destErr != nil {
			continue
		}
		if info, err := os.Stat(src + suffix); err == nil && os.SameFile(info, destInfo) {
			return true
		}
	}
	return false
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return filepath.Clean(p)
}
