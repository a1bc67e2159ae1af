package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"time"

	"github.com/mattn/go-sqlite3"
)

// probeEvery bounds how often Ping writes to the database: /readyz may be
// polled every second by several orchestrators, and each real probe takes
// the single writer's lock and syncs to disk. In between, the last answer stands.
const probeEvery = 5 * time.Second

// failureHold is how long a write that failed for want of storage (a full
// disk, an I/O error, a read-only file) keeps readiness failing. The
// heartbeat alone can miss such a failure: its one small row may still fit
// (a full disk leaves room in a WAL file already grown) while a bigger
// change does not. Each new failure starts the hold again.
const failureHold = 30 * time.Second

// health is what the store knows of its own fitness, besides the probe.
type health struct {
	// file is the identity of the database file when it was opened.
	file fileID
	// corrupt is the first error that said the database is corrupt: it
	// does not heal, so readiness fails until a restart (which refuses to
	// start on a corrupt file).
	corrupt error
	// failed and failedAt are the last failure for want of storage, and when.
	failed   error
	failedAt time.Time
	// probedAt and probed are the time and the result of the last real
	// write probe.
	probedAt time.Time
	probed   error
	// committedAt is when a commit last reached the file: proof, as good
	// as a probe's, that the database takes writes.
	committedAt time.Time

	mu sync.Mutex
	// probing holds a token while a probe runs: one at a time, and a caller
	// waiting for it gives up with its context.
	probing chan struct{}
}

// errFileGone is the cause of every refused commit once the database file
// at the store's path is not the one it opened.
var errFileGone = errors.New("the database file is not the one golive opened")

// checkFile tells whether the file at the store's path is still the one it
// opened, after a commit: SQLite writes through the file descriptor it
// holds, so a commit into a deleted or replaced file succeeds, then is lost
// at the next start. A stat costs a few microseconds.
func (s *Store) checkFile() error {
	if s.postgres {
		return nil
	}
	id, err := statFile(s.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%w: %s no longer exists (deleted, or its directory was), so nothing saved now would survive a restart; "+
			"restore the file from a backup (golive backup) and restart golive", errFileGone, s.path)
	case err != nil:
		return fmt.Errorf("check database file %s after commit: %w", s.path, err)
	case id != s.health.file:
		return fmt.Errorf("%w: %s was replaced by another file since golive opened it, so what golive saves now would be lost at a restart; "+
			"restart golive to open the file now at that path", errFileGone, s.path)
	}
	return nil
}

// checkCommit checks a commit with checkFile and, when it holds, remembers
// when it happened: a busy writer proves itself with every commit, so
// readiness need not queue behind it for the write lock.
func (s *Store) checkCommit() error {
	if err := s.checkFile(); err != nil {
		return err
	}
	now := s.Now()
	s.health.mu.Lock()
	s.health.committedAt = now
	s.health.mu.Unlock()
	return nil
}

// noteFailure remembers the first error that says the database is corrupt,
// and the last one that says it cannot store what it is given.
func (s *Store) noteFailure(err error) {
	corrupt, storage := isCorrupt(err), isStorageFailure(err)
	if !corrupt && !storage {
		return
	}
	now := s.Now()
	s.health.mu.Lock()
	defer s.health.mu.Unlock()
	if corrupt && s.health.corrupt == nil {
		s.health.corrupt = err
	}
	if storage {
		s.health.failed, s.health.failedAt = err, now
	}
}

// isStorageFailure tells whether err is SQLite unable to write for want of
// storage: a full disk, an I/O error, a read-only or unopenable file.
func isStorageFailure(err error) bool {
	var se sqlite3.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code {
	case sqlite3.ErrFull, sqlite3.ErrIoErr, sqlite3.ErrReadonly, sqlite3.ErrCantOpen:
		return true
	}
	return false
}

// isCorrupt tells whether err is SQLite finding the file damaged or not a database.
func isCorrupt(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && (se.Code == sqlite3.ErrCorrupt || se.Code == sqlite3.ErrNotADB)
}

// Ping tells whether the database takes writes that survive a restart:
// what /readyz reports. It fails at once when the file was deleted or
// replaced, the schema is not the version this build expects, a statement
// found it corrupt, or a write failed for want of storage within
// failureHold. Otherwise a commit within probeEvery proves the writer
// works; without one (an idle or stuck writer) Ping writes the heartbeat
// row in a short transaction of its own, at most once per probeEvery
// (between probes, the last result stands). So a busy instance answers
// from its commits and never queues for the write lock behind its own ticks.
func (s *Store) Ping(ctx context.Context) error {
	v, err := s.currentVersion(ctx)
	if err != nil {
		return fmt.Errorf("ping store: %w", err)
	}
	if v != s.version {
		return fmt.Errorf("ping store: schema version %d, this build expects %d: restart golive to migrate", v, s.version)
	}
	if err := s.checkFile(); err != nil {
		return fmt.Errorf("ping store: %w", err)
	}
	s.health.mu.Lock()
	corrupt, failed, failedAt, committedAt := s.health.corrupt, s.health.failed, s.health.failedAt, s.health.committedAt
	s.health.mu.Unlock()
	if corrupt != nil {
		return fmt.Errorf("ping store: the database %s is corrupt (%w): stop golive, restore the file from a backup (golive backup) and start again", s.path, corrupt)
	}
	if now := s.Now(); failed != nil && recent(now, failedAt, failureHold) {
		return fmt.Errorf("ping store: a write failed %s ago: %w (check the disk's free space and that golive may write %s and its directory)",
			now.Sub(failedAt).Round(time.Second), failed, s.path)
	}
	if recent(s.Now(), committedAt, probeEvery) {
		return nil
	}
	return s.probe(ctx)
}

// recent tells whether at lies within the last d before now.
func recent(now, at time.Time, d time.Duration) bool {
	return !at.IsZero() && !now.Before(at) && now.Sub(at) < d
}

// probe writes the heartbeat row unless a probe ran within probeEvery.
func (s *Store) probe(ctx context.Context) error {
	select {
	case s.health.probing <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("ping store: wait for the probe in progress: %w", ctx.Err())
	}
	defer func() { <-s.health.probing }()
	now := s.Now()
	if recent(now, s.health.probedAt, probeEvery) {
		return s.health.probed
	}
	err := s.writeHeartbeat(ctx, now)
	if ctx.Err() != nil {
		// Cut short by the caller's deadline, the probe says nothing: retry next time.
		return err
	}
	s.health.probedAt, s.health.probed = now, err
	return err
}

// writeHeartbeat takes the write lock and rewrites the heartbeat row; its
// commit is checked like any other.
func (s *Store) writeHeartbeat(ctx context.Context, now time.Time) error {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("ping store: take the write lock: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO heartbeat (id, at) VALUES (1, ?)
ON CONFLICT (id) DO UPDATE SET at = excluded.at`, now.UnixMilli()); err != nil {
		return fmt.Errorf("ping store: write: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("ping store: commit: %w", err)
	}
	return nil
}

// errDamaged is PRAGMA quick_check finding the database damaged.
var errDamaged = errors.New("quick_check found damage")

// quickCheck runs PRAGMA quick_check, which reads every page of the
// database (in well under a second for golive's sizes) and reports the
// first damage it finds.
func quickCheck(ctx context.Context, q querier) error {
	rows, err := q.QueryContext(ctx, "PRAGMA quick_check(5)")
	if err != nil {
		return err
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return err
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %q", errDamaged, problems)
	}
	return nil
}
