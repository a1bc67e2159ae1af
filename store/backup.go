package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Backup writes a consistent copy of the database to path while the store
// stays in use. The copy is made beside path under a temporary name, synced
// to disk and checked with PRAGMA integrity_check before it replaces path,
// so path only ever holds a complete, checked backup.
func (s *Store) Backup(ctx context.Context, path string) error {
	return s.backup(ctx, path, false)
}

// BackupNew writes a backup as Backup does, but never over an existing
// file: when path exists, also when another backup creates it meanwhile, it
// returns an error wrapping fs.ErrExist and leaves that file as it is.
func (s *Store) BackupNew(ctx context.Context, path string) error {
	return s.backup(ctx, path, true)
}

func (s *Store) backup(ctx context.Context, path string, keepExisting bool) error {
	if strings.TrimSpace(path) == "" {
		return errors.New("backup: the backup path is empty")
	}
	if s.postgres {
		return fmt.Errorf("backup: golive backup copies SQLite files; back a PostgreSQL database (%s) up with pg_dump, for example `pg_dump -Fc -f golive.dump \"$GOLIVE_DB\"` (see docs/operations.md)", s.path)
	}
	if live, err := os.Stat(s.path); err == nil {
		if target, err := os.Stat(path); err == nil && os.SameFile(live, target) {
			return fmt.Errorf("backup to %s: that is the live database; choose another path", path)
		}
	}
	dir := filepath.Dir(path)
	if err := checkBackupDir(dir); err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	if keepExisting {
		// Taking the name first, atomically, is what keeps two backups
		// started in the same second apart. A crash leaves an empty file,
		// which golive refuses to open as a database.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return fmt.Errorf("backup to %s: %w", path, err)
		}
		f.Close()
	}
	placed := false
	defer func() {
		if keepExisting && !placed {
			os.Remove(path)
		}
	}()
	tmp, err := os.CreateTemp(dir, filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	tmpPath := tmp.Name()
	tmp.Close()
	if err := s.backupTo(ctx, tmpPath); err != nil {
		os.Remove(tmpPath)
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	if err := os.Rename(tmpPath, path); err != nil {
		os.Remove(tmpPath)
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	placed = true
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	return nil
}

// checkBackupDir says in words what is wrong with the directory a backup
// goes to, before a temporary file's name can hide it in the error.
func checkBackupDir(dir string) error {
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("the directory %s does not exist: create it first, or choose another path", dir)
	case err != nil:
		return fmt.Errorf("the directory %s: %w", dir, err)
	case !info.IsDir():
		return fmt.Errorf("%s is not a directory", dir)
	}
	return nil
}

// backupTo copies the database into the empty file at path and checks the copy.
func (s *Store) backupTo(ctx context.Context, path string) error {
	// VACUUM INTO reads one snapshot of the database, so writers go on
	// meanwhile. It runs on a connection of its own: query_only, which the
	// readers have, refuses it, and the single writer must stay free. The
	// connection is read-only (mode=ro), which VACUUM INTO allows: the
	// database is never written, not even checkpointed, by a backup.
	db := s.openDB(fileURI(s.path) + "?mode=ro&_busy_timeout=5000")
	defer db.Close()
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	if err := db.Close(); err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	if err := syncFile(path); err != nil {
		return err
	}
	return checkIntegrity(ctx, path)
}

// checkIntegrity runs PRAGMA integrity_check on the database at path.
func checkIntegrity(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite3", fileURI(path)+"?mode=ro")
	if err != nil {
		return fmt.Errorf("check copy: %w", err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return fmt.Errorf("check copy: %w", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return fmt.Errorf("check copy: %w", err)
		}
		problems = append(problems, line)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("check copy: %w", err)
	}
	if len(problems) != 1 || problems[0] != "ok" {
		return fmt.Errorf("check copy: integrity check failed: %s", strings.Join(problems, "; "))
	}
	return nil
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("sync copy: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync copy: %w", err)
	}
	return f.Close()
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync directory: %w", err)
	}
	return nil
}
