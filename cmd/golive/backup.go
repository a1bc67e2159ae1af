package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/golive/golive/store"
)

// runBackup is `golive backup [--db PATH] DEST`: a consistent copy of the
// database, taken while the bot keeps running, synced and integrity-checked
// before it is renamed into place. DEST may be a directory, which gets a
// new file named after the time. An existing DEST file is replaced.
func runBackup(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	flags := flag.NewFlagSet("backup", flag.ContinueOnError)
	db := flags.String("db", "", "database to copy, overrides GOLIVE_DB (default ./golive.db)")
	flags.Usage = func() {
		fmt.Fprintln(flags.Output(), "usage: golive backup [--db path] DEST")
		fmt.Fprintln(flags.Output(), "Copies the database (GOLIVE_DB) to DEST while golive runs: a file, replaced, or a directory,")
		fmt.Fprintln(flags.Output(), "which gets a new golive-YYYYMMDD-HHMMSS.db.")
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
	// A file named as DEST is replaced, as asked, but not without a word.
	info, err := os.Stat(dests[0])
	replaces := err == nil && info.Mode().IsRegular()
	dest, err := backup(ctx, src, dests[0], time.Now().UTC())
	if err != nil {
		fmt.Fprintf(stderr, "golive backup: %v\n", err)
		return 1
	}
	if replaces {
		fmt.Fprintf(stdout, "backed up %s to %s (integrity checked), replacing the file that was there\n", src, dest)
		return 0
	}
	fmt.Fprintf(stdout, "backed up %s to %s (integrity checked)\n", src, dest)
	return 0
}

// backup copies the database at src to dest and returns the file written.
// A directory gets a new file named after the time, never one that exists:
// a second backup within the same second gets "-2", and so on.
func backup(ctx context.Context, src, dest string, now time.Time) (string, error) {
	info, err := os.Stat(dest)
	switch {
	case err == nil && info.IsDir():
		return backupIntoDir(ctx, src, dest, now)
	case strings.HasSuffix(dest, string(filepath.Separator)) && errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("the directory %s does not exist: create it first (mkdir -p %s), or choose another path", dest, dest)
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

// maxSameSecond bounds the backups named after one second.
const maxSameSecond = 100

func backupIntoDir(ctx context.Context, src, dir string, now time.Time) (string, error) {
	st, err := openExisting(ctx, src)
	if err != nil {
		return "", err
	}
	dest, err := backupNewName(ctx, st, dir, "golive-"+now.Format("20060102-150405"))
	if err := errors.Join(err, st.Close()); err != nil {
		return "", err
	}
	return dest, nil
}

// backupNewName writes a backup into dir under the first free name of
// stamp.db, stamp-2.db, ...
func backupNewName(ctx context.Context, st *store.ReadOnly, dir, stamp string) (string, error) {
	for n := 1; n <= maxSameSecond; n++ {
		name := stamp + ".db"
		if n > 1 {
			name = fmt.Sprintf("%s-%d.db", stamp, n)
		}
		dest := filepath.Join(dir, name)
		if _, err := os.Lstat(dest); err == nil {
			continue
		}
		err := st.BackupNew(ctx, dest)
		if errors.Is(err, fs.ErrExist) {
			continue // taken meanwhile by another backup
		}
		return dest, err
	}
	return "", fmt.Errorf("%s already holds %d backups named %s*.db: wait a second, or choose another directory", dir, maxSameSecond, stamp)
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
